"""A real PostgreSQL server for the sweep tests: Debian's binaries, a temporary data directory,
loopback only, a free port, started as a non-root user (postgres refuses root) and stopped after
(``hyperlab.sweeps.localpg``). Skipped, with the reason, only where the binaries are absent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hyperlab.sweeps.localpg import new_database, postgres_bindir, temporary_postgres


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a fresh server for this test session (one per xdist worker)."""
    if postgres_bindir() is None:
        pytest.skip("PostgreSQL binaries not found (/usr/lib/postgresql/*/bin/initdb); "
                    "`make test` installs them through scripts/system-deps.sh")
    with temporary_postgres(fsync=False) as url:
        yield url


@pytest.fixture
def pg_url(postgres_server: str) -> str:
    """A new, empty database on the test server."""
    return new_database(postgres_server)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'study.db'}"
