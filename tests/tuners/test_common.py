"""Shared tuner pieces: argument checks, the memory-size parser, held-out validation, medians, and the
one setup (width, depth, loss, device) every tool trains with."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.utils.data import TensorDataset

from hyperlab.data import from_datasets
from hyperlab.errors import ConfigError
from hyperlab.tuners import (TunerSetup, advise, batch_find, epoch_find, lr_find, noise_scale, optimizer_check,
                             parse_bytes)
from hyperlab.tuners.common import as_subject, check_float, check_int, geometric_median, with_validation

UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30}


@given(n=st.integers(1, 10**6), unit=st.sampled_from(sorted(UNITS)), space=st.sampled_from(["", " "]))
def test_parse_bytes_round_trip(n, unit, space):
    assert parse_bytes(f"{n}{space}{unit}") == n * UNITS[unit]
    assert parse_bytes(f"{n}{space}{unit.lower()}") == n * UNITS[unit]


@given(st.text(alphabet="abcxyz!?-", min_size=1, max_size=8))
def test_parse_bytes_rejects_words(text):
    with pytest.raises(ConfigError) as err:
        parse_bytes(text)
    assert err.value.field == "memory_limit" and err.value.value == text


@given(st.integers(-1000, 1000))
def test_check_int_accepts_exactly_the_range(n):
    if 1 <= n <= 100:
        assert check_int("steps", n, 1, 100) == n == check_int("steps", str(n), 1, 100)
    else:
        with pytest.raises(ConfigError, match=r"steps=.* is invalid: must be an integer from 1 to 100"):
            check_int("steps", n, 1, 100)


@pytest.mark.parametrize("value", ["x", "2.5", True, None, "nan"])
def test_check_int_rejects_non_integers(value):
    with pytest.raises(ConfigError):
        check_int("repeats", value, 1)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_check_float_positive_and_finite(x):
    if math.isfinite(x) and x > 0:
        assert check_float("lr", x) == x
    else:
        with pytest.raises(ConfigError, match="must be a finite number > 0"):
            check_float("lr", x)


@given(st.lists(st.floats(1e-6, 1e3), min_size=1, max_size=9))
def test_geometric_median_lies_between_the_values(values):
    median = geometric_median(values)
    assert min(values) * (1 - 1e-9) <= median <= max(values) * (1 + 1e-9)
    if len(values) % 2:
        assert median in values


def test_a_dataset_without_validation_gets_a_held_out_fifth():
    X, y = torch.randn(50, 3), torch.arange(50) % 2
    data = with_validation(from_datasets(TensorDataset(X, y)), seed=0)
    assert data.n_train == 40 and len(data.val) == 10
    seen = torch.cat([data.train.tensors[0], data.val.tensors[0]])
    assert sorted(seen[:, 0].tolist()) == sorted(X[:, 0].tolist())  # a split, nothing lost or repeated
    assert with_validation(data) is data


# ---- one TunerSetup carries width, depth, loss and device through every tool ---------------------

TOOLS = {
    "lr_find": lambda data, setup: lr_find("mlp", data, {"batch_size": 8}, steps=12, setup=setup),
    "batch_find": lambda data, setup: batch_find("mlp", data, {"batch_size": 8}, probe_steps=1, max_batch=16,
                                                 noise=False, setup=setup),
    "noise_scale": lambda data, setup: noise_scale("mlp", data, {"batch_size": 8}, pairs=2, train_steps=2,
                                                   setup=setup),
    "epoch_find": lambda data, setup: epoch_find("mlp", data, {"batch_size": 16, "lr": 0.01, "optimizer": "adam"},
                                                 max_epochs=2, setup=setup),
    "optimizer_check": lambda data, setup: optimizer_check("mlp", data, {"batch_size": 8}, optimizers=["adam"],
                                                           epochs=1, lr_find_options={"steps": 10}, setup=setup),
    "advise": lambda data, setup: advise("mlp", data, {"batch_size": 8}, budget_seconds=30, optimizers=["adam"],
                                         check_epochs=1, max_epochs=2, setup=setup),
}


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_every_tool_trains_with_the_setup_it_is_given(wine, tool):
    """The setup's loss is the one training calls: the setup reached ``fit`` through the tool."""
    seen: list[int] = []

    def loss(out, y):
        seen.append(out.shape[0])
        return torch.nn.functional.cross_entropy(out, y)

    setup = TunerSetup(width=5, depth=1, loss_fn=loss, device="cpu")
    TOOLS[tool](wine, setup)
    assert seen, f"{tool} never called the setup's loss"


def test_the_subject_builds_the_model_of_its_setup(wine):
    subject = as_subject("mlp", wine, setup=TunerSetup(width=5, depth=2))
    widths = [m.out_features for m in subject.model(0).modules() if isinstance(m, torch.nn.Linear)]
    assert widths == [5, 5, 3]
    assert subject.torch_device.type in ("cpu", "cuda")
    with pytest.raises(dataclasses.FrozenInstanceError):
        subject.setup.width = 7  # type: ignore[misc]
