"""batch-find's advice for a batch larger than fits: an exact split into micro-batch x accumulate,
the process alternatives, and the learning rate from lr_scaling's rule (not a copy of it)."""

from __future__ import annotations

import math

import pytest

from hyperlab.errors import ConfigError
from hyperlab.tuners import batch_find, scale_lr
from hyperlab.tuners.batch_reach import auto_target, process_options, split_batch
from hyperlab.tuners.display import sections, suggestion


@pytest.mark.parametrize("target, largest, expected", [(512, 128, (128, 4)), (512, 100, (64, 8)), (96, 40, (32, 3)),
                                                       (64, 64, (64, 1)), (30, 64, (30, 1)), (7, 3, (1, 7))])
def test_split_is_exact_and_fits(target, largest, expected):
    micro, accumulate = split_batch(target, largest)
    assert (micro, accumulate) == expected
    assert micro * accumulate == target and micro <= largest


def test_process_alternatives_divide_the_micro_batches():
    assert process_options(4) == [(2, 2), (4, 1)]
    assert process_options(12) == [(2, 6), (3, 4), (4, 3), (6, 2)]
    assert process_options(1) == [] and process_options(11) == []


def test_the_automatic_target_is_the_critical_batch_when_it_does_not_fit():
    assert auto_target(300.0, 100, 1000) == 256
    assert auto_target(3000.0, 100, 1000) == 1000  # never more than the training set
    assert auto_target(90.0, 100, 1000) is None and auto_target(None, 100, 1000) is None


@pytest.fixture(scope="module")
def budgets(small_digits):
    """Per optimizer (its state takes memory too), a memory budget that holds batch 16 but not 32 (from
    peaks measured without a budget)."""
    out = {}
    for optimizer in ("sgd", "momentum", "adam"):
        free = batch_find("mlp", small_digits, {"batch_size": 16, "optimizer": optimizer}, probe_steps=1,
                          noise=False, max_batch=64)
        peak = {p.batch_size: p.peak_bytes for p in free.probes}
        out[optimizer] = math.ceil((peak[16] + peak[32]) / 2 / 0.9)
    return out


@pytest.mark.parametrize("optimizer, rule", [("sgd", "linear"), ("adam", "sqrt")])
def test_a_target_beyond_the_budget_gets_accumulation_and_the_scaled_lr(small_digits, budgets, optimizer, rule,
                                                                        tmp_path):
    hp = {"batch_size": 16, "optimizer": optimizer, "lr": 0.05}
    result = batch_find("mlp", small_digits, hp, probe_steps=1, noise=False, memory_limit=budgets[optimizer],
                        target_batch=256, out=tmp_path)
    assert 16 <= result.largest_fitting < 32
    reach = result.reach
    assert reach.target == 256 and reach.source == "target" and not reach.fits
    assert reach.micro_batch * reach.accumulate == 256 and reach.micro_batch <= result.largest_fitting
    assert reach.accumulate == 16  # 256 within 16..31: 16 x 16 (17..31 do not divide 256)
    assert reach.processes == [(2, 8), (4, 4), (8, 2)]
    expected = scale_lr(0.05, 16, 256, optimizer=optimizer, n_train=small_digits.n_train, epochs=10)
    assert reach.scaling.rule == rule and reach.lr == expected.suggested_lr
    assert reach.scaling.warmup_epochs == expected.warmup_epochs
    line = result.explanation[-1]
    assert "--batch-size 16 --accumulate 16, or 2 processes x --accumulate 8" in line
    assert f"lr {expected.suggested_lr:.3g}" in line
    data = result.to_dict()["reach"]
    assert data["accumulate"] == 16 and data["effective_batch"] == 256 and data["lr"] == expected.suggested_lr
    assert data["processes"][0] == {"processes": 2, "accumulate": 8}
    shown = suggestion(result, "en")
    assert shown["target batch"] == 256 and shown["--batch-size x --accumulate"] == "16 x 16"
    korean = sections(result, "ko")[0].paragraphs[-1]
    assert "--accumulate 16" in korean and "프로세스 2개" in korean


def test_the_lr_is_scaled_from_the_settings_effective_batch(small_digits, budgets):
    result = batch_find("mlp", small_digits, {"batch_size": 8, "accumulate": 2, "optimizer": "momentum", "lr": 0.01},
                        probe_steps=1, noise=False, memory_limit=budgets["momentum"], target_batch=64)
    assert result.reach.scaling.from_batch == 16 and result.reach.lr == pytest.approx(0.04)  # linear: x 64/16


def test_a_target_that_fits_needs_no_accumulation(small_digits, budgets):
    result = batch_find("mlp", small_digits, {"batch_size": 16, "optimizer": "adam", "lr": 0.001}, probe_steps=1,
                        noise=False, memory_limit=budgets["adam"], target_batch=16)
    reach = result.reach
    assert reach.fits and reach.accumulate == 1 and reach.micro_batch == 16 and reach.processes == []
    assert reach.lr == 0.001  # the same batch: the same lr
    assert "no accumulation needed" in result.explanation[-1]
    assert "--accumulate" not in result.explanation[-1]


def test_without_a_target_or_a_critical_batch_there_is_no_advice(small_digits, budgets):
    result = batch_find("mlp", small_digits, {"batch_size": 16}, probe_steps=1, noise=False,
                        memory_limit=budgets["adam"])
    assert result.reach is None and result.to_dict()["reach"] is None


def test_the_critical_batch_size_is_the_target_when_it_does_not_fit(wine):
    result = batch_find("logistic", wine, {"batch_size": 8, "optimizer": "sgd", "lr": 0.1}, probe_steps=1,
                        max_batch=8, noise_options={"pairs": 8})
    assert result.critical_batch_size > result.largest_fitting == 8  # this data's noise scale is about 15
    reach = result.reach
    assert reach.source == "critical" and reach.target == 2 ** int(math.log2(result.critical_batch_size))
    assert reach.micro_batch * reach.accumulate == reach.target and reach.micro_batch <= 8
    assert "the critical batch size" in result.explanation[-1]


def test_a_target_above_the_critical_batch_size_gets_a_note(wine):
    result = batch_find("logistic", wine, {"batch_size": 8, "optimizer": "adam", "lr": 0.01}, probe_steps=1,
                        max_batch=8, target_batch=64, noise_options={"pairs": 8})
    assert result.reach.source == "target" and result.critical_batch_size < 64
    assert f"64 is above the critical batch size {result.critical_batch_size:.1f}" in result.explanation[-1]
    assert result.reach.micro_batch * result.reach.accumulate == 64


def test_a_target_larger_than_the_data_is_refused(wine):
    with pytest.raises(ConfigError, match=r"target_batch=500 is invalid: must be an integer from 1 to 106 "
                                          r"\(at most the training set size\)"):
        batch_find("logistic", wine, target_batch=500, noise=False, probe_steps=1)
