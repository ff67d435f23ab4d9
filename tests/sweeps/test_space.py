"""Search-space syntax: ranges, lists, fixed values, YAML forms, grid points and clear errors."""

from __future__ import annotations

import math

import optuna
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperlab.errors import ConfigError
from hyperlab.hparams import HParams
from hyperlab.sweeps.objective import SweepSetup
from hyperlab.sweeps.space import DEFAULT_SPACE, Dim, SearchSpace, applies, parse_dim, parse_space, split_specs


def test_issue_example_parses_to_the_four_knobs():
    space = parse_space({"lr": "1e-4..1:log", "batch-size": "16,32,64,128", "optimizer": "sgd,momentum,adam",
                         "epochs": "5..40"})
    assert space.names == ["lr", "batch_size", "epochs", "optimizer"]
    assert space.get("lr") == Dim("lr", low=1e-4, high=1.0, log=True)
    assert space.get("batch_size").choices == (16, 32, 64, 128)
    assert space.get("epochs") == Dim("epochs", low=5, high=40)
    assert space.describe() == {"lr": "0.0001..1:log", "batch_size": "16,32,64,128", "epochs": "5..40",
                                "optimizer": "sgd,momentum,adam"}


def test_yaml_forms_and_fixed_values():
    dims, fixed = split_specs({"lr": {"low": 0.001, "high": 0.1, "log": True}, "batch_size": [16, 64],
                               "epochs": 5, "optimizer": "adam"})
    assert [d.name for d in dims] == ["lr", "batch_size"]
    assert fixed == {"epochs": 5, "optimizer": "adam"}


@pytest.mark.parametrize("name, spec, words", [
    ("lr", "1..0.1", ["lr", "low < high"]),
    ("weight_decay", "0..1e-3:log", ["log range needs low > 0"]),
    ("lr", "0..1:log", ["lr=0.0", "finite number > 0"]),
    ("lr", "-1..1", ["lr", "finite number > 0"]),
    ("lr", "1e-4..1:exp", ["':log'"]),
    ("batch_size", "", ["empty"]),
    ("batch_size", "16,,32", ["empty value"]),
    ("batch_size", "16,32.5", ["batch_size='32.5'", "integer >= 1"]),
    ("batch_size", "0,16", ["batch_size", "integer >= 1"]),
    ("batch_size", "16,16", ["twice"]),
    ("epochs", "5..4", ["low < high"]),
    ("optimizer", "sgd,adamm", ["adamm", "did you mean 'adam'"]),
    ("optimizer", "sgd..adam", ["list of names"]),
    ("momentum", "0.5..1.5", ["momentum", "[0, 1)"]),
    ("learning_rate", "0.1..1", ["not a searchable setting", "lr"]),
    ("lr", {"low": 1}, ["low, high"]),
    ("lr", [], ["at least one value"]),
])
def test_bad_specs_name_field_value_and_what_is_allowed(name, spec, words):
    with pytest.raises(ConfigError) as err:
        parse_dim(name, spec)
    message = str(err.value)
    assert message.startswith(f"{err.value.field}=")
    for word in words:
        assert word in message


positive = st.floats(min_value=1e-8, max_value=1e3, allow_nan=False, allow_infinity=False)


@given(low=positive, high=positive, log=st.booleans())
@settings(max_examples=60, deadline=None)
def test_float_ranges_round_trip_through_their_text(low, high, log):
    if not low < high:
        with pytest.raises(ConfigError):
            parse_dim("lr", f"{low!r}..{high!r}" + (":log" if log else ""))
        return
    dim = parse_dim("lr", f"{low!r}..{high!r}" + (":log" if log else ""))
    assert parse_dim("lr", dim.describe()) == dim
    assert (dim.low, dim.high, dim.log) == (low, high, log)


@given(st.lists(st.integers(min_value=1, max_value=4096), min_size=2, max_size=6, unique=True))
@settings(max_examples=40, deadline=None)
def test_int_lists_round_trip(values):
    dim = parse_dim("batch_size", ",".join(map(str, values)))
    assert dim.choices == tuple(values)
    assert parse_dim("batch_size", dim.describe()) == dim


@given(st.text(alphabet="0123456789.,:-elog ", max_size=16))
@settings(max_examples=150, deadline=None)
def test_any_text_is_a_value_or_a_config_error(text):
    for name in ("lr", "batch_size", "epochs"):
        try:
            parsed = parse_dim(name, text)
        except ConfigError:
            continue
        if isinstance(parsed, Dim):
            assert parsed.choices or parsed.low < parsed.high
        else:
            HParams(**{name: parsed})  # a fixed value is a valid setting


def test_grid_points_drop_options_an_optimizer_lacks_and_are_unique():
    space = parse_space({"optimizer": "sgd,momentum,adam", "momentum": "0.5,0.9", "lr": "0.01,0.1"})
    points = space.grid(seed=0)
    assert len(points) == 2 * (1 + 2 + 1)  # momentum only for the momentum optimizer
    assert all(("momentum" in p) == (p["optimizer"] == "momentum") for p in points)
    assert len({tuple(sorted(p.items())) for p in points}) == len(points)
    assert space.grid(seed=0) == points and sorted(map(str, space.grid(seed=1))) == sorted(map(str, points))


def test_grid_refuses_ranges():
    with pytest.raises(ConfigError, match="strategy 'grid' needs a list"):
        parse_space({"lr": "1e-3..1:log"}).grid()


def test_suggest_samples_options_only_for_optimizers_that_have_them():
    space = parse_space({"optimizer": "sgd,momentum", "momentum": "0.1..0.9", "lr": "1e-3..1:log"})
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    seen = set()
    for _ in range(20):
        trial = study.ask()
        params = space.suggest(trial)
        seen.add(params["optimizer"])
        assert ("momentum" in params) == applies("momentum", params["optimizer"])
        assert 1e-3 <= params["lr"] <= 1
        HParams(**params)
        study.tell(trial, 0.0)
    assert seen == {"sgd", "momentum"}


def test_space_check_against_optimizers_and_data():
    with pytest.raises(ConfigError, match="none of the optimizers searched"):
        parse_space({"optimizer": "adam,adamw", "momentum": "0.1..0.9"}).check(HParams())
    with pytest.raises(ConfigError, match="training set size"):
        parse_space({"batch_size": "16,4096"}).check(HParams(), n_train=600)
    with pytest.raises(ConfigError, match="momentum"):  # a fixed momentum cannot go with adam
        parse_space({"optimizer": "momentum,adam"}).check(HParams(optimizer="momentum", momentum=0.8))


def test_setup_defaults_to_the_four_knobs_minus_fixed_ones_and_survives_json():
    setup = SweepSetup.build({"epochs": 3}, dataset="moons", model="logistic")
    assert set(setup.space) == set(DEFAULT_SPACE) - {"epochs"} and setup.base["epochs"] == 3
    import json

    assert SweepSetup.from_dict(json.loads(json.dumps(setup.to_dict()))) == setup
    with pytest.raises(ConfigError, match="both fixed and searched"):
        SweepSetup.build({"lr": "1e-3..1"}, settings={"lr": 0.1})
    assert math.isclose(SearchSpace.from_dict(setup.space).get("lr").low, 1e-4)
