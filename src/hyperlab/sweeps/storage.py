"""Where studies live: a SQLite file by default, PostgreSQL for many machines (Optuna's RDB storage).

    >>> storage_url(None)
    'sqlite:///hyperlab.db'
    >>> storage_url("runs/sweeps.db")
    'sqlite:///runs/sweeps.db'

SQLite is hardened for several worker processes on one file: WAL journal (readers never block the
writer; ``synchronous = NORMAL``, SQLite's advice for WAL), a 60 s busy timeout, and ``BEGIN IMMEDIATE`` for every transaction so that a
read-then-write (claiming a queued trial, numbering a new one) takes the write lock up front and
can never fail with "database is locked" on a lock upgrade. Both back ends record a heartbeat for
each running trial; a trial whose worker died (SIGKILL, lost machine) is marked failed after the
grace period and queued again once by ``RetryHeartbeatStaleTrialCallback``.
"""

from __future__ import annotations

import sqlite3
import time
import warnings
from pathlib import Path
from typing import Any

import optuna
import sqlalchemy
from sqlalchemy import event

from hyperlab.errors import ConfigError

DEFAULT_FILE = "hyperlab.db"
SCHEMES = ("sqlite", "postgresql")
BUSY_TIMEOUT_S = 60
DEFAULT_HEARTBEAT_S = 10
MAX_RETRY = 3  # a trial whose worker died is run again at most this many times


def storage_url(storage: str | Path | None) -> str:
    """Normalise ``--storage``: nothing -> ``sqlite:///hyperlab.db``, a file path -> SQLite, or a URL."""
    if storage is None or str(storage).strip() == "":
        return f"sqlite:///{DEFAULT_FILE}"
    text = str(storage).strip()
    if "://" not in text:
        return f"sqlite:///{text}"
    scheme = text.split("://", 1)[0].split("+", 1)[0].lower()
    if scheme not in SCHEMES:
        raise ConfigError("storage", text, "must be a SQLite file (sqlite:///path.db or a path) or "
                                           "postgresql://user:password@host:port/database")
    if scheme == "sqlite" and sqlite_path(text) is None:
        raise ConfigError("storage", text, "must name a SQLite file, e.g. sqlite:///hyperlab.db")
    return text


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (None for other back ends or an in-memory database)."""
    if not url.startswith("sqlite:///"):
        return None
    path = url[len("sqlite:///"):]
    return Path(path) if path and path != ":memory:" else None


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _harden_sqlite_connection(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    """Busy timeout first (so the WAL switch waits too), then WAL; pysqlite's own BEGIN is off.

    ``synchronous = NORMAL`` is SQLite's recommended setting for WAL: no fsync per commit (a trial
    makes ~20 small commits); a killed process loses nothing committed and the file cannot be
    corrupted; only a power cut or OS crash may roll back the last commits.
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _begin_immediate(connection: sqlalchemy.engine.Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def open_storage(url: str, *, heartbeat: int | None = DEFAULT_HEARTBEAT_S,
                 grace: int | None = None, retry: bool = True) -> optuna.storages.RDBStorage:
    """An Optuna RDB storage for ``url`` with heartbeats (``heartbeat`` seconds; failed after
    ``grace``, default twice that) and, with ``retry``, each dead worker's trial queued again."""
    url = storage_url(url)
    path = sqlite_path(url)
    if path is not None and path.parent != Path("") and not path.parent.is_dir():
        raise ConfigError("storage", url, f"its folder {path.parent} does not exist")
    kwargs: dict[str, Any] = {}
    if heartbeat is not None:
        if heartbeat < 1:
            raise ConfigError("heartbeat", heartbeat, "must be a whole number of seconds >= 1")
        kwargs.update(heartbeat_interval=int(heartbeat), grace_period=grace)
        if retry:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                kwargs["heartbeat_stale_trial_callback"] = optuna.storages.RetryHeartbeatStaleTrialCallback(
                    max_retry=MAX_RETRY)
    engine_kwargs: dict[str, Any] = {}
    if path is not None:
        engine_kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_S}
    else:
        engine_kwargs["pool_pre_ping"] = True  # a long trial outlives idle connections
    last_error: Exception | None = None
    for attempt in range(5):  # first-time table creation can race between workers
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                storage = optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs, **kwargs)
            break
        except (sqlalchemy.exc.SQLAlchemyError, optuna.exceptions.StorageInternalError) as exc:
            if "could not connect" in str(exc).lower() or "connection refused" in str(exc).lower():
                raise ConfigError("storage", _redact(url), f"cannot connect: {_first_line(exc)}") from None
            last_error = exc
            time.sleep(0.2 * (attempt + 1))
    else:
        raise ConfigError("storage", _redact(url), f"cannot be opened: {_first_line(last_error)}")
    if path is not None:
        engine = storage.engine
        event.listen(engine, "connect", _harden_sqlite_connection)
        event.listen(engine, "begin", _begin_immediate)
        engine.dispose()  # connections made while Optuna created the tables start over, hardened
    return storage


def _first_line(exc: BaseException | None) -> str:
    return str(exc).strip().splitlines()[0] if exc else "unknown error"


def _redact(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sqlalchemy.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given
        return url


def existing_storage(url: str) -> str:
    """``url`` normalised, refusing a SQLite file that does not exist (reading must not create one)."""
    url = storage_url(url)
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise ConfigError("storage", url, f"the file {path} does not exist (run `hyperlab sweep` first, "
                                          "or pass the --storage the sweep used)")
    return url


def study_names(storage: optuna.storages.BaseStorage) -> list[str]:
    return sorted(s.study_name for s in storage.get_all_studies())


def integrity_problems(url: str) -> list[str]:
    """What is wrong with a study database, as sentences (empty when sound): SQLite's own
    ``PRAGMA integrity_check``; trials left RUNNING; rows of params, values, attributes or
    intermediate values that point at no trial; trial numbers not 0..n-1 within each study;
    finished COMPLETE trials without a value."""
    url = existing_storage(url)
    problems: list[str] = []
    engine = sqlalchemy.create_engine(url)
    try:
        with engine.connect() as db:
            q = lambda sql: db.exec_driver_sql(sql).fetchall()  # noqa: E731
            if is_sqlite(url):
                result = [row[0] for row in q("PRAGMA integrity_check")]
                if result != ["ok"]:
                    problems.append("SQLite integrity_check: " + "; ".join(map(str, result)))
            running = q("SELECT number FROM trials WHERE state = 'RUNNING'")
            if running:
                problems.append(f"trials left RUNNING: {sorted(r[0] for r in running)}")
            for table in ("trial_params", "trial_values", "trial_user_attributes",
                          "trial_system_attributes", "trial_intermediate_values", "trial_heartbeats"):
                orphans = q(f"SELECT COUNT(*) FROM {table} t LEFT JOIN trials ON t.trial_id = trials.trial_id "
                            "WHERE trials.trial_id IS NULL")[0][0]
                if orphans:
                    problems.append(f"{table}: {orphans} rows point at no trial")
            duplicated = q("SELECT trial_id, param_name, COUNT(*) FROM trial_params "
                           "GROUP BY trial_id, param_name HAVING COUNT(*) > 1")
            if duplicated:
                problems.append(f"trial_params: parameters stored twice for {len(duplicated)} trial/param pairs")
            for study_id, n, low, high, distinct in q(
                    "SELECT study_id, COUNT(*), MIN(number), MAX(number), COUNT(DISTINCT number) "
                    "FROM trials GROUP BY study_id"):
                if not (low == 0 and high == n - 1 and distinct == n):
                    problems.append(f"study {study_id}: trial numbers are not 0..{n - 1} exactly once")
            valueless = q("SELECT trials.number FROM trials LEFT JOIN trial_values v ON v.trial_id = trials.trial_id "
                          "WHERE trials.state = 'COMPLETE' AND v.trial_id IS NULL")
            if valueless:
                problems.append(f"COMPLETE trials without a value: {sorted(r[0] for r in valueless)}")
    finally:
        engine.dispose()
    return problems
