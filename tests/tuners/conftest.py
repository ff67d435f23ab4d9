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
def _one_thread(one_thread):
    """Every tuner test on one thread (the shared ``one_thread`` fixture)."""
