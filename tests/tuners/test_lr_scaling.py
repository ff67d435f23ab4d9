"""Learning rate for a new batch size: linear and square-root rules, warmup."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hyperlab.errors import ConfigError
from hyperlab.tuners import scale_lr


@given(lr=st.floats(1e-6, 10), b0=st.integers(1, 4096), b1=st.integers(1, 4096),
       optimizer=st.sampled_from(["sgd", "momentum", "adam", "rmsprop"]))
def test_rules_scale_by_k_and_sqrt_k(lr, b0, b1, optimizer):
    result = scale_lr(lr, b0, b1, optimizer=optimizer)
    k = b1 / b0
    assert result.linear_lr == pytest.approx(lr * k)
    assert result.sqrt_lr == pytest.approx(lr * math.sqrt(k))
    assert result.rule == ("linear" if optimizer in ("sgd", "momentum") else "sqrt")
    assert (result.warmup_epochs > 0) == (k > 1)
    assert result.warmup_epochs <= 5


def test_warmup_in_steps_and_capped_by_the_run(tmp_path):
    result = scale_lr(0.1, 32, 256, optimizer="sgd", n_train=1078, epochs=10, out=tmp_path)
    assert result.suggested_lr == pytest.approx(0.8)
    assert result.warmup_epochs == 2.0  # log2(8) = 3 epochs, capped at 20% of 10 epochs
    assert result.warmup_steps == 2 * math.ceil(1078 / 256)
    assert (tmp_path / "lr_scaling.png").exists()
    assert any("0.8" in line for line in result.explanation)


def test_warns_above_the_critical_batch_size():
    result = scale_lr(1e-3, 32, 512, optimizer="adam", critical_batch_size=100, lang="ko")
    assert any("임계 배치 크기" in line for line in result.explanation)


@pytest.mark.parametrize("args, kwargs, field", [((0, 32, 64), {}, "lr"), ((0.1, 0, 64), {}, "from_batch"),
                                                 ((0.1, 32, 64), {"optimizer": "adamm"}, "optimizer"),
                                                 ((0.1, 32, 5000), {"n_train": 1000}, "to_batch")])
def test_bad_arguments_name_the_field(args, kwargs, field):
    with pytest.raises(ConfigError) as err:
        scale_lr(*args, **kwargs)
    assert err.value.field == field
