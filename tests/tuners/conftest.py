"""Small real data for the tuners' tests."""

from __future__ import annotations

import pytest

from hyperlab.data import Data, load_data


@pytest.fixture(scope="session")
def wine() -> Data:
    return load_data("wine", seed=0)


@pytest.fixture(scope="session")
def breast_cancer() -> Data:
    return load_data("breast-cancer", seed=0)


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models run faster on one thread, and two xdist workers share two cores: no contention.
    The worker's setting is put back after each test."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
