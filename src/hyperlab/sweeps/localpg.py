"""A throwaway PostgreSQL server on this machine, from Debian's binaries: for the tests, the storage
benchmark, or trying a distributed sweep on one machine.

    >>> with temporary_postgres() as url:  # doctest: +SKIP
    ...     print(url)   # postgresql://postgres:<random password>@127.0.0.1:54123/postgres
    ...     print(new_database(url, user="me", password="secret"))
    postgresql://me:secret@127.0.0.1:54123/t_0123456789ab

It lives in a temporary directory, listens on loopback only at a free port, asks for passwords
(scram-sha-256, as a real server does), runs as a non-root user (PostgreSQL refuses root: as root
it uses the ``postgres`` user, creating it if missing) and is stopped and deleted on exit. The URLs
are the plain ``postgresql://`` form the README shows (psycopg 3).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from hyperlab.errors import HyperlabError

PG_USER = "postgres"


def postgres_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` that has initdb, or None."""
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


@contextlib.contextmanager
def temporary_postgres(*, fsync: bool = True) -> Iterator[str]:
    """Start a server, yield its URL (database ``postgres``), stop and delete it afterwards.
    ``fsync=False`` trades crash safety of the server for speed (tests only)."""
    bindir = postgres_bindir()
    if bindir is None:
        raise HyperlabError("PostgreSQL binaries not found (/usr/lib/postgresql/*/bin/initdb); "
                            "install the Debian package postgresql (scripts/system-deps.sh)")
    prefix, user = _as_user()
    base = Path(tempfile.mkdtemp(prefix="hyperlab-pg-"))
    if user is not None:
        os.chown(base, user.pw_uid, user.pw_gid)
    data, log, pwfile = base / "data", base / "server.log", base / "pwfile"
    password = secrets.token_hex(8)
    pwfile.write_text(password + "\n")
    if user is not None:
        os.chown(pwfile, user.pw_uid, user.pw_gid)
    try:
        subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "scram-sha-256", "-U", PG_USER,
                        f"--pwfile={pwfile}", "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
        pwfile.unlink()
        options = "-c listen_addresses=127.0.0.1 -c max_connections=100" + ("" if fsync else " -c fsync=off")
        for _ in range(3):  # a port found free may be taken before the server binds it
            port = _free_port()
            started = subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w",
                                      "-t", "30", "-o", f"-p {port} -k {base} {options}", "start"],
                                     capture_output=True, text=True)
            if started.returncode == 0:
                break
        else:
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise HyperlabError(f"PostgreSQL did not start: {started.stderr.strip()} {tail}")
        try:
            yield f"postgresql://{PG_USER}:{password}@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                           capture_output=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def new_database(server_url: str, *, user: str | None = None, password: str | None = None) -> str:
    """Create an empty database on the server of ``server_url`` (a superuser's URL); return its URL.
    With ``user`` and ``password``, that role is created (if missing) and owns the database, and the
    URL logs in as it."""
    import psycopg
    import sqlalchemy
    from psycopg import sql

    url = sqlalchemy.engine.make_url(server_url)
    name = f"t_{uuid.uuid4().hex[:12]}"
    for attempt in range(20):
        try:
            conn = psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password,
                                   dbname="postgres", autocommit=True)
            break
        except psycopg.OperationalError:
            if attempt == 19:
                raise
            time.sleep(0.25 * (attempt + 1))
    with conn:
        if user is not None:
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(user),
                                                                               sql.Literal(password)))
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(user)))
            url = url.set(username=user, password=password)
        else:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url.set(database=name).render_as_string(hide_password=False)
