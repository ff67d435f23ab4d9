"""Fixtures: one real lab server per test module, and an HTTP client for it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from labtools import RunningLab, running_lab


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory) -> Iterator[RunningLab]:
    with running_lab(tmp_path_factory.mktemp("lab") / "out", max_running=2, max_queued=8) as running:
        yield running


@pytest.fixture
def client(lab_server: RunningLab) -> Iterator[httpx.Client]:
    with lab_server.client() as c:
        yield c


