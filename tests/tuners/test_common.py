"""Shared tuner pieces: argument checks, the memory-size parser, held-out validation, medians."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.utils.data import TensorDataset

from hyperlab.data import from_datasets
from hyperlab.errors import ConfigError
from hyperlab.tuners import parse_bytes
from hyperlab.tuners.common import check_float, check_int, geometric_median, with_validation

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
