"""`hyperlab sweep --nproc N`: each trial trained by N gloo ranks with DDP, rank 0 alone at the study.

Real processes, real storages (SQLite and the suite's PostgreSQL server): the ranks train the one set
of parameters rank 0 sampled (and reach the same weights), a trial's value is what `hyperlab train
--nproc 2` gives for its parameters, a pruned trial stops on every rank and the sweep goes on, a
rank that dies ends the sweep with one line and a failed trial, and bad process counts exit 2."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState
from typer.testing import CliRunner

from hyperlab.cli import app
from hyperlab.sweeps import sweep
from hyperlab.sweeps.objective import SweepSetup
from hyperlab.sweeps.plan import SweepPlan
from hyperlab.sweeps.storage import integrity_problems, open_storage

runner = CliRunner()
KNOBS = ["--batch-size", "8", "--epochs", "3", "--optimizer", "adam"]
WINE = ["--dataset", "wine", "--model", "mlp", *KNOBS]
LRS = "0.03,0.01,1e-6"  # grid order (seed 0): 0.03, 1e-6, 0.01 -- the hopeless 1e-6 comes after a good one


def hyperlab(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "hyperlab", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def trials(url: str, study: str) -> list[optuna.trial.FrozenTrial]:
    storage = open_storage(url, heartbeat=None, retry=False)
    return sorted(storage.get_all_trials(storage.get_study_id_from_name(study)), key=lambda tr: tr.number)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_ranks_train_what_rank0_sampled_and_a_pruned_trial_stops_on_both(backend, request, tmp_path):
    setup = SweepSetup.build({"lr": LRS}, dataset="wine", settings={"batch_size": 8, "epochs": 3, "optimizer": "adam"})
    assert [p["lr"] for p in setup.search_space().grid(seed=0)] == [0.03, 1e-6, 0.01]  # what the test relies on
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")
    done = hyperlab("sweep", "--study", "ddp", "--storage", url, *WINE, "--lr", LRS, "--strategy", "grid",
                    "--pruner", "asha", "--nproc", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # the trial line shows the effective batch: 8 per process x 2 processes
    assert done.stdout.count("effective batch 16 = 8 x 1 micro-batch x 2 processes") == 3, done.stdout

    final = trials(url, "ddp")
    assert [tr.state for tr in final][:2] == [TrialState.COMPLETE, TrialState.PRUNED]
    assert all(tr.state in (TrialState.COMPLETE, TrialState.PRUNED) for tr in final) and len(final) == 3
    for tr in final:
        history, ranks = tr.user_attrs["history"], tr.user_attrs["ranks"]
        assert (history["world_size"], history["effective_batch"]) == (2, 16)
        assert tr.user_attrs["hparams"]["lr"] == tr.params["lr"]
        # one set of parameters: both ranks trained rank 0's sample and ended with the same loss and weights
        assert [r["rank"] for r in ranks] == [0, 1]
        assert all(r["params"] == tr.params and r["world_size"] == 2 for r in ranks)
        assert ranks[0]["final_loss"] == ranks[1]["final_loss"] and ranks[0]["weights"] == ranks[1]["weights"]
    pruned = final[1]  # lr 1e-6 lags trial 0 at ASHA's first rung: stopped after epoch 1, on both ranks
    assert pruned.params == {"lr": 1e-6} and len(pruned.user_attrs["history"]["epochs"]) == 1
    assert list(pruned.intermediate_values) == [1]
    assert len(final[0].user_attrs["history"]["epochs"]) == 3
    assert not integrity_problems(url)

    if backend == "sqlite":  # the completed trial's value is the same run as `hyperlab train --nproc 2`
        trained = hyperlab("train", *WINE, "--lr", "0.03", "--nproc", "2", "--json", "--quiet",
                           "--out", str(tmp_path / "run"), cwd=tmp_path)
        assert trained.returncode == 0, trained.stderr
        summary = json.loads(trained.stdout)["summary"]
        assert math.isclose(final[0].value, summary["final_val_metric"], rel_tol=1e-6)
        step_loss = json.loads(trained.stdout)["history"]["step_loss"]
        assert final[0].user_attrs["history"]["step_loss"] == pytest.approx(step_loss, rel=1e-5)


DYING = '''
import os, signal
from torch import nn

def build(n_features, n_outputs):
    """A linear model, except on rank 1, which is killed when it builds one."""
    if os.environ.get("RANK") == "1":
        os.kill(os.getpid(), signal.SIGKILL)
    return nn.Linear(n_features, n_outputs)
'''


@pytest.mark.slow
def test_a_rank_that_dies_fails_the_trial_and_ends_the_sweep_with_one_line(sqlite_url, tmp_path):
    (tmp_path / "dying.py").write_text(DYING)
    done = hyperlab("sweep", "--study", "dies", "--storage", sqlite_url, "--dataset", "wine", "--model", "dying:build",
                    *KNOBS, "--lr", "0.01,0.03", "--strategy", "grid", "--nproc", "2",
                    cwd=tmp_path, timeout=300)
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("error: data-parallel run stopped; rank 1 failed: Signal 9 (SIGKILL)"), done.stderr
    assert "Traceback" not in done.stderr
    final = trials(sqlite_url, "dies")
    # the trial being trained is marked failed (not left running); the other grid point waits in the queue
    assert [tr.state for tr in final] == [TrialState.FAIL, TrialState.WAITING]
    assert final[0].user_attrs["status"] == "failed"  # a lost process, not a Ctrl-C
    assert not integrity_problems(sqlite_url)


@pytest.mark.slow
def test_two_workers_of_two_ranks_share_one_study(sqlite_url, tmp_path):
    done = hyperlab("sweep", "--study", "wxn", "--storage", sqlite_url, *WINE, "--lr", LRS, "--strategy", "grid",
                    "--pruner", "none", "--workers", "2", "--nproc", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    final = trials(sqlite_url, "wxn")
    assert sorted(tr.params["lr"] for tr in final) == [1e-6, 0.01, 0.03]  # each grid point once
    assert all(tr.state == TrialState.COMPLETE and len(tr.user_attrs["ranks"]) == 2 for tr in final)
    assert done.stdout.count("[w") == 3 and "effective batch 16" in done.stdout


@pytest.mark.parametrize("args, message", [
    (["--nproc", "0"], "nproc=0 is invalid: must be an integer >= 1"),
    (["--nproc", "two"], "nproc='two' is invalid: must be an integer"),
    (["--nproc", "2", "--batch-size", "8,60"], "nproc=2 is invalid: makes a step of 60 x 1 x 2 processes = 120"),
    (["--nproc", "3", "--batch-size", "7"],
     "nproc=3 is invalid: the last step of each epoch has 1 sample (106 samples, steps of 7 x 1 x 3 = 21)"),
])
def test_process_counts_that_cannot_work_exit_2_before_the_study_exists(args, message, tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    result = runner.invoke(app, ["sweep", "--study", "bad", "--storage", url, "--dataset", "wine", "--epochs", "1",
                                 "--lr", "0.01,0.1", *args])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split()) and "Traceback" not in result.output
    assert not (tmp_path / "s.db").exists() or "bad" not in optuna.get_all_study_names(url)


def test_nproc_needs_a_database():
    result = runner.invoke(app, ["sweep", "--storage", ":memory:", "--dataset", "wine", "--lr", "0.01,0.1",
                                 "--nproc", "2"])
    assert result.exit_code == 2
    assert "nproc=2 is invalid: more than 1 needs a database" in result.output and "Traceback" not in result.output


def test_nproc_in_yaml_and_python_is_validated_the_same(tmp_path):
    (tmp_path / "sweep.yaml").write_text("dataset: wine\nnproc: -1\nspace:\n  lr: 0.01,0.1\n")
    result = runner.invoke(app, ["sweep", "--config", str(tmp_path / "sweep.yaml"),
                                 "--storage", f"sqlite:///{tmp_path / 's.db'}"])
    assert result.exit_code == 2 and "nproc=-1 is invalid: must be an integer >= 1" in result.output
    with pytest.raises(Exception, match="nproc=True is invalid"):
        SweepPlan(study="s", storage=":memory:", setup=None, nproc=True)  # type: ignore[arg-type]
    from hyperlab.api import as_data

    with pytest.raises(Exception, match="nproc=2 is invalid: more than 1 needs the model and data by name"):
        sweep({"lr": "0.01,0.1"}, data=as_data("wine"), storage=f"sqlite:///{tmp_path / 'p.db'}", nproc=2)
    with pytest.raises(Exception, match="device='cpu' is invalid: cannot be set with nproc > 1"):
        sweep({"lr": "0.01,0.1"}, data="wine", storage=f"sqlite:///{tmp_path / 'p.db'}", nproc=2, device="cpu")


def test_threads_are_shared_by_every_process_of_every_worker():
    plan = SweepPlan(study="s", storage="sqlite:///x.db", setup=None, workers=2, nproc=2)
    assert plan.worker_threads(8) == 2 and plan.worker_threads(2) == 1
    assert SweepPlan(study="s", storage="sqlite:///x.db", setup=None, nproc=4).worker_threads(8) == 2
    assert SweepPlan(study="s", storage="sqlite:///x.db", setup=None, nproc=2, threads=3).worker_threads(8) == 3


@pytest.mark.parametrize("batch, accumulate, world, shown", [
    (8, 1, 2, "effective batch 16 = 8 x 1 micro-batch x 2 processes"),
    (32, 4, 1, "effective batch 128 = 32 x 4 micro-batches x 1 process"),
    (32, 1, 1, None),  # the plain case: the batch size alone, as before
])
def test_the_trial_line_shows_the_effective_batch(batch, accumulate, world, shown):
    from hyperlab.sweeps.results import trial_line

    history = {"batch_size": batch, "accumulate": accumulate, "world_size": world,
               "effective_batch": batch * accumulate * world}
    trial = optuna.trial.create_trial(params={"lr": 0.01}, distributions={"lr": optuna.distributions.FloatDistribution(
        1e-3, 1.0)}, value=0.9, user_attrs={"history": history, "train_seconds": 1.0})
    line = trial_line(trial, "en")
    assert (shown in line) if shown else ("effective batch" not in line), line
    if shown and world > 1:
        assert "유효 배치 16 = 배치 8 x 마이크로배치 1개 x 프로세스 2개" in trial_line(trial, "ko")
