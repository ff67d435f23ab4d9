"""Shared fixtures: small real data sets, loaded once per worker."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

from hyperlab.data import Data, load_data  # noqa: E402


@pytest.fixture(scope="session")
def digits() -> Data:
    return load_data("digits", seed=0)


@pytest.fixture(scope="session")
def small_digits(digits: Data) -> Data:
    """300 training samples: enough to learn, quick to train."""
    return digits.subsample_train(300, seed=0)


@pytest.fixture(scope="session")
def diabetes() -> Data:
    return load_data("diabetes", seed=0)


@pytest.fixture
def one_thread():
    """Tiny models run faster on one thread, and two xdist workers share two cores: no contention.
    The worker's setting is put back after each test (``pytestmark = pytest.mark.usefixtures(...)``)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
