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

PostgreSQL goes through psycopg 3 (the maintained driver): ``postgresql://`` (what SQLAlchemy 2.1
maps to psycopg 3), ``postgresql+psycopg://``, and ``postgresql+psycopg2://`` when psycopg2 is
installed; without psycopg2 a ``+psycopg2`` URL is opened with psycopg 3 (same server, same
tables), so an older configuration keeps working. ``postgres://`` is read as ``postgresql://``.

    >>> engine_url("postgres://me:pw@db:5432/sweeps")
    'postgresql+psycopg://me:pw@db:5432/sweeps'

``:memory:`` keeps the study in this process only (Optuna's ``InMemoryStorage``): nothing is
written, nothing survives the process, one worker; for trying things and for the Python API.
"""

from __future__ import annotations

import importlib.util
import re
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
MEMORY = ":memory:"
SCHEMES = ("sqlite", "postgresql")
PG_DRIVERS = {"": "psycopg", "psycopg": "psycopg", "psycopg2": "psycopg2"}  # +driver of a URL -> module
PG_CONNECT_TIMEOUT_S = 10
# what a PostgreSQL server or driver says when it cannot be reached or refuses us (no retry then)
CONNECT_FAILURES = ("connection to server", "could not connect", "connection refused", "connection failed",
                    "timeout expired", "could not translate host name", "no password supplied")
BUSY_TIMEOUT_S = 60
DEFAULT_HEARTBEAT_S = 10
MAX_RETRY = 3  # a trial whose worker died is run again at most this many times


def storage_url(storage: str | Path | None) -> str:
    """Normalise ``--storage``: nothing -> ``sqlite:///hyperlab.db``, a file path -> SQLite, or a URL."""
    if storage is None or str(storage).strip() == "":
        return f"sqlite:///{DEFAULT_FILE}"
    text = str(storage).strip()
    if text in (MEMORY, f"sqlite:///{MEMORY}"):
        return MEMORY
    if "://" not in text:
        return f"sqlite:///{text}"
    scheme, _, driver = text.split("://", 1)[0].lower().partition("+")
    if scheme not in SCHEMES and scheme != "postgres":
        raise ConfigError("storage", redact(text), "must be a SQLite file (sqlite:///path.db or a path) or "
                                                    "postgresql://user:password@host:port/database")
    if scheme == "sqlite" and sqlite_path(text) is None:
        raise ConfigError("storage", text, "must name a SQLite file, e.g. sqlite:///hyperlab.db")
    if scheme != "sqlite" and driver not in PG_DRIVERS:
        raise ConfigError("storage", redact(text), f"names the driver {driver!r}; PostgreSQL is reached "
                                                    "through psycopg: postgresql://user:password@host:port/database")
    return text


def engine_url(url: str) -> str:
    """The URL SQLAlchemy opens: PostgreSQL through psycopg 3, or psycopg2 when the URL names it and
    it is installed (a ``+psycopg2`` URL without psycopg2 falls back to psycopg 3)."""
    url = storage_url(url)
    scheme, _, rest = url.partition("://")
    base, _, driver = scheme.lower().partition("+")
    if base not in ("postgresql", "postgres"):
        return url
    if driver == "psycopg2" and importlib.util.find_spec("psycopg2") is not None:
        return url
    return f"postgresql+psycopg://{rest}"


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (None for other back ends or an in-memory database)."""
    if not url.startswith("sqlite:///"):
        return None
    path = url[len("sqlite:///"):]
    return Path(path) if path and path != ":memory:" else None


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def is_memory(url: str) -> bool:
    """Whether ``url`` is the in-memory study of this process (``:memory:``)."""
    return storage_url(url) == MEMORY


_MEMORY_STORAGE: list[optuna.storages.InMemoryStorage] = []  # one per process, made on first use


def memory_storage() -> optuna.storages.InMemoryStorage:
    """This process's in-memory storage (the same object every time, so its studies can be read back)."""
    if not _MEMORY_STORAGE:
        _MEMORY_STORAGE.append(optuna.storages.InMemoryStorage())
    return _MEMORY_STORAGE[0]


def beats(storage: optuna.storages.BaseStorage) -> bool:
    """Whether running trials record heartbeats in this storage (every database does; memory does not)."""
    return hasattr(storage, "record_heartbeat") and storage.get_heartbeat_interval() is not None


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
                 grace: int | None = None, retry: bool = True) -> optuna.storages.BaseStorage:
    """An Optuna RDB storage for ``url`` with heartbeats (``heartbeat`` seconds; failed after
    ``grace``, default twice that) and, with ``retry``, each dead worker's trial queued again;
    for ``:memory:``, this process's in-memory storage."""
    url = storage_url(url)
    if url == MEMORY:
        return memory_storage()
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
        engine_kwargs["connect_args"] = {"connect_timeout": PG_CONNECT_TIMEOUT_S}
    last_error: Exception | None = None
    for attempt in range(5):  # first-time table creation can race between workers
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                storage = optuna.storages.RDBStorage(engine_url(url), engine_kwargs=engine_kwargs, **kwargs)
            break
        except ImportError as exc:  # SQLAlchemy imports the driver when the engine is made
            raise ConfigError("storage", redact(url), f"needs the PostgreSQL driver {exc.name or 'psycopg'}: "
                                                       "pip install 'psycopg[binary]'") from None
        except (sqlalchemy.exc.SQLAlchemyError, optuna.exceptions.StorageInternalError) as exc:
            if any(words in str(exc).lower() for words in CONNECT_FAILURES):
                raise ConfigError("storage", redact(url), f"cannot connect: {_reason(exc, url)}") from None
            last_error = exc
            time.sleep(0.2 * (attempt + 1))
    else:
        raise ConfigError("storage", redact(url), f"cannot be opened: {_reason(last_error, url)}")
    if path is not None:
        engine = storage.engine
        event.listen(engine, "connect", _harden_sqlite_connection)
        event.listen(engine, "begin", _begin_immediate)
        engine.dispose()  # connections made while Optuna created the tables start over, hardened
    return storage


def _reason(exc: BaseException | None, url: str) -> str:
    """The first line of a driver's error, without SQLAlchemy's ``(module.Class)`` prefix or the password."""
    if exc is None:
        return "unknown error"
    line = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    line = re.sub(r"^\([\w.]+\)\s*", "", line)
    if re.search(r'database "[^"]*" does not exist', line):
        line += " (create it first, e.g. createdb)"
    password = _password(url)
    return re.sub(rf"(?<!\w){re.escape(password)}(?!\w)", "***", line) if password else line


def _password(url: str) -> str | None:
    try:
        return sqlalchemy.engine.make_url(url).password
    except Exception:  # noqa: BLE001 - a malformed URL has no password we could find
        return None


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sqlalchemy.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown with anything between ':' and '@' hidden
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


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
    if url == MEMORY:
        raise ConfigError("storage", url, "is an in-memory study: there is no database to check")
    problems: list[str] = []
    engine = sqlalchemy.create_engine(engine_url(url))
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
