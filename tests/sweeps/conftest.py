"""A real PostgreSQL server for the sweep tests: Debian's binaries, a temporary data directory,
loopback only, a free port, started as a non-root user (postgres refuses root) and stopped after."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_USER = "postgres"  # created by Debian's postgresql package; made here if missing


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_user() -> tuple[list[str], pwd.struct_passwd | None]:
    """Command prefix that runs as a non-root user, and that user (nothing to do when not root)."""
    if os.geteuid() != 0:
        return [], None
    try:
        user = pwd.getpwnam(PG_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER],
                       check=True, capture_output=True)
        user = pwd.getpwnam(PG_USER)
    return ["runuser", "-u", PG_USER, "--"], user


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """URL of a fresh server (``postgresql+psycopg2://postgres@127.0.0.1:PORT``) for this test session."""
    bindir = _bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries not found (/usr/lib/postgresql/*/bin/initdb); "
                    "`make test` installs them through scripts/system-deps.sh")
    prefix, user = _as_user()
    base = Path(tempfile.mkdtemp(prefix="hyperlab-pg-"))
    if user is not None:
        os.chown(base, user.pw_uid, user.pw_gid)
    data = base / "data"
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                    "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    port = None
    for _ in range(3):  # a port found free may be taken before the server binds it
        port = _free_port()
        started = subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"), "-w", "-t", "30",
             "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100",
             "start"], capture_output=True, text=True)
        if started.returncode == 0:
            break
    else:
        log = (base / "server.log").read_text() if (base / "server.log").exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {started.stderr}\n{log[-2000:]}")
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(postgres_server: str) -> str:
    """A new, empty database on the test server."""
    import psycopg2

    name = f"t_{uuid.uuid4().hex[:12]}"
    host_port = postgres_server.rsplit("@", 1)[1]
    host, port = host_port.split(":")
    for attempt in range(20):
        try:
            conn = psycopg2.connect(host=host, port=int(port), user="postgres", dbname="postgres")
            break
        except psycopg2.OperationalError:
            time.sleep(0.25 * (attempt + 1))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
    conn.close()
    return f"{postgres_server}/{name}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'study.db'}"
