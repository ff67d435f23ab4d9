"""Real worker processes on one study, on SQLite and on a real PostgreSQL server: a SIGKILLed worker's
trial is failed by heartbeat and retried, every grid point completes exactly once, Ctrl-C loses
nothing, and the database stays sound."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time

import optuna
import pytest
from optuna.trial import TrialState

from hyperlab.sweeps.storage import integrity_problems, open_storage

pytestmark = pytest.mark.slow

LRS, OPTIMIZERS = ("0.003", "0.01", "0.03"), ("sgd", "adam")
GRID = ["--dataset", "digits", "--model", "mlp", "--width", "16", "--batch-size", "32", "--epochs", "30",
        "--lr", ",".join(LRS), "--optimizer", ",".join(OPTIMIZERS), "--strategy", "grid", "--heartbeat", "1"]


def hyperlab(*args: str, cwd) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-m", "hyperlab", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def trials(url: str, study: str) -> list[optuna.trial.FrozenTrial]:
    storage = open_storage(url, heartbeat=None, retry=False)
    try:
        return storage.get_all_trials(storage.get_study_id_from_name(study), deepcopy=False)
    except KeyError:
        return []


def wait_for(predicate, timeout: float, what: str, procs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        if procs and all(p.poll() is not None for p in procs):
            break
        time.sleep(0.02)
    outputs = [p.communicate(timeout=30) for p in procs if p.poll() is not None]
    pytest.fail(f"timed out waiting for {what}; outputs: {outputs}")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_three_workers_one_sigkilled_every_grid_point_completes_exactly_once(backend, request, tmp_path):
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")
    procs = [hyperlab("sweep", "--study", "grid", "--storage", url, *GRID, cwd=tmp_path) for _ in range(3)]
    try:
        by_pid = {p.pid: p for p in procs}

        def victim_trial():  # a trial in the middle of training (an epoch reported) in one of our workers
            for tr in trials(url, "grid"):
                pid = int(str(tr.user_attrs.get("worker", ":0")).rsplit(":", 1)[1])
                if tr.state == TrialState.RUNNING and tr.intermediate_values and pid in by_pid:
                    return tr, by_pid[pid]
            return None

        killed_trial, victim = wait_for(victim_trial, 120, "a running trial", procs)
        victim.send_signal(signal.SIGKILL)
        survivors = [p for p in procs if p is not victim]
        outputs = [p.communicate(timeout=180) for p in survivors]
        assert victim.wait(timeout=10) == -signal.SIGKILL
        assert [p.returncode for p in survivors] == [0, 0], outputs
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert "database is locked" not in "".join(out + err for out, err in outputs)

    final = trials(url, "grid")
    complete = [tr for tr in final if tr.state == TrialState.COMPLETE]
    points = sorted((tr.params["lr"], tr.params["optimizer"]) for tr in complete)
    assert points == sorted((float(lr), opt) for lr, opt in itertools.product(LRS, OPTIMIZERS))  # each exactly once
    killed = next(tr for tr in final if tr.number == killed_trial.number)
    assert killed.state == TrialState.FAIL  # failed by the survivors' heartbeat check, not left RUNNING
    retry = [tr for tr in final if tr.system_attrs.get("failed_trial") == killed.number]
    assert len(retry) == 1 and retry[0].state == TrialState.COMPLETE and retry[0].params == killed.params
    assert len(final) == len(points) + 1  # nothing else: no duplicate, no stray trial
    assert integrity_problems(url) == []
    if backend == "sqlite":  # WAL mode is on the file, so readers never block the writer
        import sqlite3

        path = url.removeprefix("sqlite:///")
        assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_ctrl_c_keeps_finished_trials_and_the_same_command_resumes(tmp_path, sqlite_url):
    args = ["sweep", "--study", "resume", "--storage", sqlite_url, "--dataset", "digits", "--model", "mlp",
            "--width", "32", "--lr", "1e-3..1e-1:log", "--batch-size", "32,64", "--epochs", "40",
            "--pruner", "none", "--trials", "5"]
    proc = hyperlab(*args, cwd=tmp_path)
    try:
        def two_done_one_running():
            states = [tr.state for tr in trials(sqlite_url, "resume")]
            return states.count(TrialState.COMPLETE) >= 2 and TrialState.RUNNING in states

        wait_for(two_done_one_running, 120, "two finished trials and a running one", [proc])
        before = {tr.number: tr.value for tr in trials(sqlite_url, "resume") if tr.state == TrialState.COMPLETE}
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    stopped = trials(sqlite_url, "resume")
    assert not [tr for tr in stopped if tr.state == TrialState.RUNNING]
    assert [tr.user_attrs.get("status") for tr in stopped if tr.state == TrialState.FAIL] == ["interrupted"]
    assert integrity_problems(sqlite_url) == []

    from typer.testing import CliRunner

    from hyperlab.cli import app

    again = CliRunner().invoke(app, args)  # the same command again (in this process: one start-up less)
    assert again.exit_code == 0, again.output
    assert "resuming study 'resume'" in again.output
    final = trials(sqlite_url, "resume")
    complete = {tr.number: tr.value for tr in final if tr.state == TrialState.COMPLETE}
    assert len(complete) == 5 and all(complete[n] == v for n, v in before.items())  # none lost or redone
    assert max(before) < min(n for n in complete if n not in before)  # the study continued after them


def test_workers_option_runs_processes_on_one_sqlite_file(tmp_path, sqlite_url):
    proc = hyperlab("sweep", "--study", "par", "--storage", sqlite_url, "--workers", "2", "--strategy", "random",
                    "--dataset", "moons", "--model", "logistic", "--epochs", "2", "--trials", "6",
                    "--heartbeat", "1", cwd=tmp_path)
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    assert "database is locked" not in out + err and "Traceback" not in err
    final = trials(sqlite_url, "par")
    finished = [tr for tr in final if tr.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    assert 6 <= len(finished) <= 7  # two workers may each start one of the last trials at once
    assert len(finished) == len(final)  # nothing failed or left running
    assert "[w0]" in out or "[w1]" in out
    assert integrity_problems(sqlite_url) == []
