"""HParams: every invalid value is refused with one line naming field, value and what is allowed."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperlab.errors import ConfigError
from hyperlab.hparams import OPTIMIZERS, HParams, load_yaml


def test_defaults_and_steps_per_epoch_arithmetic():
    hp = HParams(batch_size=100)
    assert hp.steps_per_epoch(2000) == 20  # the seed material's example
    assert hp.steps_per_epoch(2050) == 21
    assert HParams(batch_size=100, drop_last=True).steps_per_epoch(2050) == 20


@pytest.mark.parametrize("field, value, fragment", [
    ("batch_size", 0, "integer >= 1"), ("batch_size", 2.5, "integer >= 1"),
    ("batch_size", True, "integer >= 1"), ("lr", 0, "> 0"), ("lr", float("nan"), "finite"),
    ("lr", float("inf"), "finite"), ("lr", "fast", "finite"), ("epochs", 0, ">= 1"),
    ("optimizer", "adamm", "did you mean 'adam'"), ("schedule", "cosin", "did you mean 'cosine'"),
    ("weight_decay", -1, ">= 0"), ("gamma", 0, "(0, 1]"), ("seed", -3, ">= 0"),
])
def test_bad_values_name_field_value_and_allowed(field, value, fragment):
    with pytest.raises(ConfigError) as err:
        HParams(**{field: value})
    message = str(err.value)
    assert message.startswith(f"{field}=") and fragment in message and "\n" not in message
    assert err.value.field == field


def test_options_must_fit_the_optimizer():
    with pytest.raises(ConfigError, match=r"momentum=0.9 is invalid: does not apply to optimizer 'adam'"):
        HParams(optimizer="adam", momentum=0.9)
    with pytest.raises(ConfigError, match=r"betas"):
        HParams(optimizer="sgd", betas=(0.9, 0.99))
    with pytest.raises(ConfigError, match=r"betas=.* \[0, 1\)"):
        HParams(optimizer="adam", betas=(0.9, 1.0))
    assert HParams(optimizer="momentum", momentum=0.5).momentum == 0.5
    assert HParams(optimizer="adamw", betas="0.8,0.99").betas == (0.8, 0.99)


def test_unknown_key_suggests_the_close_one():
    with pytest.raises(ConfigError, match=r"bach_size=3 .*did you mean 'batch_size'"):
        HParams(bach_size=3)


def test_batch_larger_than_training_set():
    with pytest.raises(ConfigError, match=r"batch_size=500 is invalid: must be at most the training set size \(300\)"):
        HParams(batch_size=500).check_data_size(300)


def test_a_step_larger_than_the_data_names_its_cause():
    """batch x accumulate too big names accumulate; batch x accumulate fits but the processes make
    the step too big: the process count (nproc) is named, not accumulate."""
    with pytest.raises(ConfigError, match=r"^accumulate=4 is invalid: makes a step of 100 x 4 = 400 samples, "
                                          r"more than the training set \(300\)$"):
        HParams(batch_size=100, accumulate=4).check_data_size(300, world_size=2)
    with pytest.raises(ConfigError, match=r"^nproc=4 is invalid: makes a step of 50 x 2 x 4 processes = 400 "
                                          r"samples, more than the training set \(300\); use at most 3 processes"):
        HParams(batch_size=50, accumulate=2).check_data_size(300, world_size=4)
    with pytest.raises(ConfigError, match=r"^nproc=2 is invalid: makes a step of 200 x 1 x 2 processes"):
        HParams(batch_size=200).check_data_size(300, world_size=2)
    HParams(batch_size=50, accumulate=2).check_data_size(300, world_size=3)  # 300 samples: one step, fine


def test_yaml_unknown_and_bad_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("lr: [1, 2\n")
    with pytest.raises(ConfigError, match="valid YAML"):
        load_yaml(bad)
    with pytest.raises(ConfigError, match="existing YAML file"):
        load_yaml(tmp_path / "missing.yaml")
    good = tmp_path / "good.yaml"
    good.write_text("batch-size: 64\nlr: 0.1\n")
    assert HParams(**load_yaml(good)).batch_size == 64


# ---- property-based: random configs never crash and never pass an invalid value -------------

def _valid(cfg: dict) -> bool:
    bs, lr, ep, opt = cfg["batch_size"], cfg["lr"], cfg["epochs"], cfg["optimizer"]
    ok_bs = isinstance(bs, int) and not isinstance(bs, bool) and bs >= 1
    ok_lr = isinstance(lr, (int, float)) and not isinstance(lr, bool) and math.isfinite(lr) and lr > 0
    ok_ep = isinstance(ep, int) and not isinstance(ep, bool) and ep >= 1
    ok_mom = cfg.get("momentum") is None or (opt in ("momentum", "nesterov", "rmsprop") and 0 <= cfg["momentum"] < 1)
    return ok_bs and ok_lr and ok_ep and opt in OPTIMIZERS and ok_mom


values = st.one_of(st.integers(-5, 600), st.floats(allow_nan=True, allow_infinity=True),
                   st.booleans(), st.text(max_size=5), st.none())


@settings(max_examples=300, deadline=None)
@given(batch_size=st.one_of(st.integers(-3, 600), values), lr=st.one_of(st.floats(1e-6, 10), values),
       epochs=st.one_of(st.integers(-2, 50), values),
       optimizer=st.one_of(st.sampled_from(OPTIMIZERS + ("adm", "SGD ", "lbfgs")), values),
       momentum=st.one_of(st.none(), st.floats(-1, 2)))
def test_random_configs_never_traceback_never_accept_invalid(batch_size, lr, epochs, optimizer, momentum):
    cfg = {"batch_size": batch_size, "lr": lr, "epochs": epochs, "optimizer": optimizer, "momentum": momentum}
    try:
        hp = HParams(**cfg)
    except ConfigError as exc:
        assert str(exc).count("\n") == 0 and "=" in str(exc)
        return
    # accepted: the stored values must be valid ones
    assert _valid(hp.to_dict()), hp


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), st.integers(), max_size=3))
def test_random_keys_are_refused_or_known(extra):
    try:
        HParams(**extra)
    except ConfigError as exc:
        assert exc.field in extra or exc.field in HParams.model_fields


def test_a_range_where_one_value_goes_points_to_the_sweep():
    with pytest.raises(ConfigError, match=r"lr='1e-3\.\.1e-1' is invalid: must be a finite number > 0; a range is what "
                                          r"a sweep searches \(hyperlab sweep --lr 1e-3\.\.1e-1\)"):
        HParams(lr="1e-3..1e-1")
    with pytest.raises(ConfigError, match=r"--batch-size 8\.\.64"):
        HParams(batch_size="8..64")
