"""Where studies live, as a user types it: the README's PostgreSQL URL (``postgresql://user:pass@host:port/db``)
against a real server that checks passwords, a second worker joining, and one-line errors with the
password hidden when the server cannot be reached."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import optuna
import pytest
import sqlalchemy
from optuna.trial import TrialState
from typer.testing import CliRunner

from hyperlab.cli import app
from hyperlab.errors import ConfigError
from hyperlab.sweeps.localpg import new_database
from hyperlab.sweeps.storage import engine_url, integrity_problems, open_storage, storage_url

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--dataset", "moons", "--model", "logistic", "--epochs", "2", "--batch-size", "32,64",
        "--lr", "1e-3..1:log", "--optimizer", "sgd,adam"]


def hyperlab(*args: str, cwd: Path, block: str | None = None) -> subprocess.Popen:
    """`hyperlab ...` in a new process; ``block`` makes that module impossible to import there."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}
    code = (f"import sys; sys.modules[{block!r}] = None; " if block else "") + \
        "import sys; from hyperlab.cli import main; sys.argv = ['hyperlab', *sys.argv[1:]]; main()"
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def readme_url(postgres_server: str) -> str:
    """A database owned by role ``me`` with password ``secret``, written exactly as the README shows."""
    made = sqlalchemy.engine.make_url(new_database(postgres_server, user="me", password="secret"))
    return f"postgresql://me:secret@127.0.0.1:{made.port}/{made.database}"


def test_the_dependency_is_the_maintained_driver():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.replace(" ", "").startswith("psycopg[binary]") for d in dependencies)
    assert not any(d.startswith("psycopg2") for d in dependencies)


@pytest.mark.parametrize("url, opened", [
    ("postgresql://me:pw@db:5432/s", "postgresql+psycopg://me:pw@db:5432/s"),
    ("postgresql+psycopg://me:pw@db/s", "postgresql+psycopg://me:pw@db/s"),
    ("postgres://me:pw@db/s", "postgresql+psycopg://me:pw@db/s"),
    ("sqlite:///a.db", "sqlite:///a.db"),
])
def test_engine_url_reaches_postgresql_through_psycopg(url, opened):
    assert engine_url(url) == opened


def test_other_drivers_are_refused_with_the_password_hidden():
    with pytest.raises(ConfigError) as err:
        storage_url("postgresql+pg8000://me:hunter22@db/s")
    assert str(err.value).startswith("storage='postgresql+pg8000://me:***@db/s' is invalid: names the driver 'pg8000'")
    assert "hunter22" not in str(err.value)


@pytest.mark.postgres
@pytest.mark.slow
def test_readme_url_sweep_results_and_a_second_worker_joining(readme_url, tmp_path):
    args = ["sweep", "--study", "big", "--storage", readme_url, *TINY, "--trials", "1000"]
    first = hyperlab(*args, "--timeout", "25", cwd=tmp_path)
    try:
        storage = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and first.poll() is None:  # the first worker has made the study
            try:
                storage = storage or open_storage(readme_url, heartbeat=None, retry=False)
                study = optuna.load_study(study_name="big", storage=storage)
                if any(tr.state == TrialState.COMPLETE for tr in study.get_trials(deepcopy=False)):
                    break
            except KeyError:
                pass
            time.sleep(0.2)
        second = hyperlab(*args, "--timeout", "6", cwd=tmp_path)
        out2, err2 = second.communicate(timeout=180)
        out1, err1 = first.communicate(timeout=180)
    finally:
        first.kill()
    assert first.returncode == 0 and second.returncode == 0, (err1, err2)
    assert "new study 'big' in postgresql://me:***@127.0.0.1" in out1 and "secret" not in out1 + out2
    assert "resuming study 'big'" in out2 and "Traceback" not in err1 + err2
    result = CliRunner().invoke(app, ["results", "big", "--storage", readme_url, "--json", "--no-report"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["trials"]
    workers = {r["worker"] for r in rows}
    assert len(workers) == 2  # both processes ran trials of the one study
    assert len(rows) >= 4 and {r["status"] for r in rows} <= {"complete", "pruned", "diverged"}
    assert integrity_problems(readme_url) == []


def test_unreachable_server_is_one_line_naming_storage_exit_2(tmp_path):
    proc = hyperlab("sweep", "--storage", "postgresql://u:p4ssw0rd@127.0.0.1:1/db", "--dataset", "moons",
                    "--epochs", "1", cwd=tmp_path)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert out == "" and "Traceback" not in err and "p4ssw0rd" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: storage='postgresql://u:***@127.0.0.1:1/db' is invalid: cannot connect")
    assert "Connection refused" in lines[0] and "(psycopg" not in lines[0]  # the driver's words, not its class
    assert not list(tmp_path.iterdir())  # nothing was created on the way


@pytest.mark.postgres
def test_wrong_password_and_missing_database_are_one_line(readme_url):
    wrong = readme_url.replace(":secret@", ":not-the-secret@")
    result = CliRunner().invoke(app, ["results", "big", "--storage", wrong])
    assert result.exit_code == 2
    assert "password authentication failed" in result.output and "not-the-secret" not in result.output
    assert result.output.startswith("error: storage='postgresql://me:***@") and result.output.count("\n") == 1
    missing = readme_url.rsplit("/", 1)[0] + "/nosuchdb"
    result = CliRunner().invoke(app, ["results", "big", "--storage", missing])
    assert result.exit_code == 2 and 'database "nosuchdb" does not exist (create it first' in result.output


@pytest.mark.postgres
@pytest.mark.slow
def test_psycopg2_url_without_psycopg2_is_opened_with_psycopg(readme_url, tmp_path):
    url = readme_url.replace("postgresql://", "postgresql+psycopg2://")
    proc = hyperlab("sweep", "--study", "old", "--storage", url, *TINY, "--trials", "2", "--quiet",
                    cwd=tmp_path, block="psycopg2")
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    finished = optuna.load_study(study_name="old", storage=open_storage(readme_url, heartbeat=None)).trials
    assert len(finished) == 2


def test_an_in_memory_study_lives_in_this_process_only(tmp_path, monkeypatch):
    from hyperlab.sweeps import open_study, sweep

    monkeypatch.chdir(tmp_path)
    outcome = sweep({"lr": "0.01,0.1"}, data="moons", model="logistic", epochs=1, strategy="grid",
                    study="mem", storage=":memory:")
    assert outcome.summary["finished"] == 2
    assert len(open_study("mem", ":memory:").trials) == 2 and storage_url("sqlite:///:memory:") == ":memory:"
    assert not list(tmp_path.iterdir())  # nothing written
    with pytest.raises(ConfigError, match="workers=2 is invalid: more than 1 needs a database"):
        sweep({"lr": "0.01,0.1"}, data="moons", study="m2", storage=":memory:", workers=2)
    with pytest.raises(ConfigError, match="in-memory study"):
        integrity_problems(":memory:")
