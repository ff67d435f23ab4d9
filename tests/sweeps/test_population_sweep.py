"""`sweep --population K`: K trials trained together by one fit_population call, each told its own
outcome exactly as the one-trial path tells it; per-member pruning and divergence; grids covered
once; --trials respected; Ctrl-C; two workers on PostgreSQL. Real (tiny) training and real storages."""

from __future__ import annotations

import os
import subprocess
import sys

import optuna
import pytest
from optuna.trial import TrialState
from typer.testing import CliRunner

from hyperlab.cli import app
from hyperlab.engine import Callback
from hyperlab.sweeps import SweepInterrupted, SweepPlan, SweepSetup, open_study, sweep
from hyperlab.sweeps.objective import Objective
from hyperlab.sweeps.prepare import prepare
from hyperlab.sweeps.results import trial_status
from hyperlab.sweeps.session import Session
from hyperlab.sweeps.storage import integrity_problems, open_storage
from hyperlab.sweeps.trial_loop import work

runner = CliRunner()
# digits, 200 training rows, a small MLP, 3 epochs: two batch sizes (two cohorts) x lrs x optimizers
TINY = {"data": "digits", "model": "mlp", "width": 16, "train_size": 200, "epochs": 3, "strategy": "grid",
        "pruner": "none", "threads": 1}
GRID = {"lr": "0.003,0.03", "optimizer": "sgd,adam", "batch_size": "32,64"}


def finished(url: str, study: str) -> dict[tuple, optuna.trial.FrozenTrial]:
    trials = open_study(study, url).get_trials(deepcopy=False)
    return {(tr.params["lr"], tr.params["optimizer"], tr.params["batch_size"]): tr for tr in trials}


def test_population_gives_each_trial_what_the_one_trial_path_gives(sqlite_url):
    one = sweep(GRID, study="one", storage=sqlite_url, **TINY)
    together = sweep(GRID, study="pop", storage=sqlite_url, population=5, **TINY)  # 8 points: 5, then 3
    assert one.summary["finished"] == together.summary["finished"] == 8
    solo, pop = finished(sqlite_url, "one"), finished(sqlite_url, "pop")
    assert sorted(solo) == sorted(pop) and len(pop) == 8  # every grid point exactly once
    for key, tr in pop.items():
        ref = solo[key]
        assert tr.state == ref.state == TrialState.COMPLETE
        assert tr.value == pytest.approx(ref.value, abs=1e-6)
        assert tr.intermediate_values.keys() == ref.intermediate_values.keys() == {1, 2, 3}
        assert list(tr.intermediate_values.values()) == pytest.approx(list(ref.intermediate_values.values()),
                                                                       abs=1e-6)
        for attr in ("status", "steps", "hparams"):
            assert tr.user_attrs[attr] == ref.user_attrs[attr], attr
        assert tr.user_attrs["history"]["step_loss"] == pytest.approx(ref.user_attrs["history"]["step_loss"],
                                                                      rel=1e-4)
        assert tr.user_attrs["grid_point"] == ref.user_attrs["grid_point"]
    # the first population held five trials at once: they ran in one worker, side by side
    workers = {tr.user_attrs["worker"] for tr in pop.values()}
    assert len(workers) == 1
    # two populations (5, then 3), each of two cohorts (batch sizes 32 and 64) trained one after the
    # other: a cohort's trials share a wall time, counted once in the summary; cohorts add up
    groups: dict[str, list[float]] = {}
    alone = [tr.user_attrs["train_seconds"] for tr in pop.values() if "population" not in tr.user_attrs]
    for tr in pop.values():
        if "population" in tr.user_attrs:
            groups.setdefault(tr.user_attrs["population"], []).append(tr.user_attrs["train_seconds"])
    assert len({tag.split("/")[0] for tag in groups}) == 2 and len(groups) + len(alone) >= 3  # a population of two cohorts
    for tag in groups:
        assert {tr.params["batch_size"] for tr in pop.values() if tr.user_attrs.get("population") == tag} == \
            {int(tag.split("/b")[1])}
    assert together.summary["train_seconds"] == pytest.approx(sum(max(g) for g in groups.values()) + sum(alone),
                                                              abs=2e-3)
    assert together.summary["train_seconds"] < sum(sum(g) for g in groups.values())
    assert all("population" not in tr.user_attrs for tr in solo.values())
    assert one.summary["train_seconds"] == pytest.approx(sum(tr.user_attrs["train_seconds"] for tr in solo.values()),
                                                         abs=2e-3)
    assert integrity_problems(sqlite_url) == []


def test_trials_count_is_respected_no_over_ask(sqlite_url):
    outcome = sweep({"lr": "1e-3..1e-1:log", "optimizer": "sgd,adam"}, data="moons", model="logistic", study="r",
                    storage=sqlite_url, strategy="random", pruner="none", trials=5, population=4, epochs=2)
    trials = open_study("r", sqlite_url).get_trials(deepcopy=False)
    assert outcome.summary["finished"] == 5
    assert len(trials) == 5 and {tr.state for tr in trials} == {TrialState.COMPLETE}  # 4, then only 1 more
    extended = sweep({"lr": "1e-3..1e-1:log", "optimizer": "sgd,adam"}, data="moons", model="logistic", study="r",
                     storage=sqlite_url, strategy="tpe", pruner="none", trials=7, population=4, epochs=2)
    assert extended.summary["finished"] == 7 and len(open_study("r", sqlite_url).trials) == 7


def test_pruner_stops_one_member_while_the_others_finish(sqlite_url):
    setup = SweepSetup.build({"lr": "0.00001,0.01,0.03", "optimizer": "adam"}, dataset="digits", model="mlp",
                             width=32, train_size=200, settings={"epochs": 3, "batch_size": 16})
    plan = SweepPlan(study="prune", storage=sqlite_url, setup=setup, strategy="grid", population=3, echo="none")
    prepared = prepare(plan)
    session = Session(plan, prepared.setup, seed=0)
    session.study.pruner = optuna.pruners.ThresholdPruner(lower=0.3)  # lr 1e-5 cannot reach 30% in one epoch
    assert work(session, Objective(prepared.setup, prepared.data), prepared.target) == 3
    by_lr = {tr.params["lr"]: tr for tr in open_study("prune", sqlite_url).trials}
    slow = by_lr[0.00001]
    assert slow.state == TrialState.PRUNED and trial_status(slow) == "pruned"
    assert list(slow.intermediate_values) == [1] and len(slow.user_attrs["history"]["epochs"]) == 1
    for lr in (0.01, 0.03):  # trained on after their neighbour stopped
        assert by_lr[lr].state == TrialState.COMPLETE and list(by_lr[lr].intermediate_values) == [1, 2, 3]
        assert by_lr[lr].value == pytest.approx(by_lr[lr].user_attrs["history"]["epochs"][-1]["val_metric"],
                                                abs=1e-5)


def test_a_diverging_member_is_pruned_with_the_constraint_and_the_others_complete(tmp_path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    result = runner.invoke(app, ["sweep", "--study", "d", "--storage", url, "--dataset", "moons", "--model",
                                 "logistic", "--epochs", "2", "--optimizer", "sgd", "--lr", "0.05,0.1,1000",
                                 "--strategy", "grid", "--population", "3"])
    assert result.exit_code == 0, result.output
    assert "diverged" in result.output and "3 of 3 trials finished" in result.output
    assert result.output.count("trial ") >= 3  # one line per trial, as without a population
    by_lr = {tr.params["lr"]: tr for tr in open_study("d", url).trials}
    bad = by_lr[1000.0]
    assert bad.state == TrialState.PRUNED and trial_status(bad) == "diverged"
    assert bad.constraints == {"diverged": 1.0} and bad.user_attrs["diverged_epoch"] == 1
    for lr in (0.05, 0.1):
        assert by_lr[lr].state == TrialState.COMPLETE and by_lr[lr].constraints == {}
        assert len(by_lr[lr].user_attrs["history"]["epochs"]) == 2


class StopAtEpoch(Callback):
    """Ctrl-C (as a KeyboardInterrupt) at the end of the given epoch."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_epoch_end(self, run) -> None:
        if run.epoch == self.epoch:
            raise KeyboardInterrupt


def test_ctrl_c_fails_every_trial_under_way_and_tells_the_finished_ones(sqlite_url):
    space = {"lr": "0.01,0.03", "epochs": "1,3"}
    with pytest.raises(SweepInterrupted):
        sweep(space, data="moons", model="logistic", study="c", storage=sqlite_url, strategy="grid", population=4,
              callbacks=[StopAtEpoch(2)])
    trials = open_study("c", sqlite_url).get_trials(deepcopy=False)
    assert len(trials) == 4 and not [tr for tr in trials if tr.state == TrialState.RUNNING]
    short = [tr for tr in trials if tr.params["epochs"] == 1]
    long = [tr for tr in trials if tr.params["epochs"] == 3]
    assert {tr.state for tr in short} == {TrialState.COMPLETE}  # finished before Ctrl-C: kept
    assert {tr.state for tr in long} == {TrialState.FAIL}
    assert {tr.user_attrs["status"] for tr in long} == {"interrupted"}
    assert all(tr.user_attrs["history"]["epochs"] for tr in long)  # what they measured is kept
    again = sweep(space, data="moons", model="logistic", study="c", storage=sqlite_url, strategy="grid",
                  population=4)  # the same call resumes: the interrupted points run again
    assert again.summary["finished"] == 4
    assert integrity_problems(sqlite_url) == []


@pytest.mark.parametrize("value", ["0", "abc", "-2", "1.5"])
def test_bad_population_is_one_line_exit_2(tmp_path, value):
    url = f"sqlite:///{tmp_path / 'bad.db'}"
    result = runner.invoke(app, ["sweep", "--study", "bad", "--storage", url, "--dataset", "moons", "--epochs", "1",
                                 "--population", value])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"error: population='{value}' is invalid: must be an integer >= 1")
    assert "Traceback" not in result.output and not (tmp_path / "bad.db").exists()


def test_population_from_yaml_and_python_validation(tmp_path):
    config = tmp_path / "sweep.yaml"
    config.write_text("dataset: moons\nmodel: logistic\nepochs: 2\nstrategy: grid\npopulation: 3\n"
                      "space:\n  lr: [0.01, 0.1, 1.0]\n")
    url = f"sqlite:///{tmp_path / 'y.db'}"
    result = runner.invoke(app, ["sweep", "--study", "y", "--storage", url, "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "3 of 3 trials finished" in result.output
    for bad in (0, None, True, 2.5):
        with pytest.raises(Exception, match="population=") as err:
            SweepPlan(study="x", storage=":memory:", setup=None, population=bad)
        assert "integer >= 1" in str(err.value)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_workers_with_populations_on_postgresql_complete_the_study(pg_url, tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "hyperlab", "sweep", "--study", "pp", "--storage", pg_url,
                           "--workers", "2", "--population", "4", "--strategy", "random", "--dataset", "digits",
                           "--model", "mlp", "--width", "32", "--epochs", "4",
                           "--lr", "1e-3..1e-1:log", "--optimizer", "sgd,adam", "--trials", "16"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    storage = open_storage(pg_url, heartbeat=None, retry=False)
    trials = storage.get_all_trials(storage.get_study_id_from_name("pp"), deepcopy=False)
    done = [tr for tr in trials if tr.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    assert len(done) == len(trials) and 16 <= len(trials) <= 16 + 4  # nothing failed; at most (N-1) x K extra
    by_worker: dict[str, int] = {}
    for tr in trials:
        by_worker[tr.user_attrs["worker"]] = by_worker.get(tr.user_attrs["worker"], 0) + 1
    assert len(by_worker) == 2  # each worker trained its own populations
    assert "[w0]" in proc.stdout and "[w1]" in proc.stdout
    assert integrity_problems(pg_url) == []


def test_population_with_data_parallel_trials_is_refused_before_the_study_exists(tmp_path):
    url = f"sqlite:///{tmp_path / 'both.db'}"
    result = runner.invoke(app, ["sweep", "--study", "both", "--storage", url, "--dataset", "moons", "--epochs", "1",
                                 "--population", "4", "--nproc", "2"])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: population=4 is invalid: cannot be combined with nproc > 1")
    assert not (tmp_path / "both.db").exists()


def test_each_member_of_a_population_writes_its_own_tensorboard_run(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    tb = tmp_path / "tb"
    outcome = sweep({"lr": [0.01, 0.1, 1.0]}, data="moons", model="logistic", study="tb",
                    storage=f"sqlite:///{tmp_path / 'tb.db'}", strategy="grid", population=3, epochs=2,
                    tensorboard=tb)
    trials = outcome.study().trials
    assert sorted(p.name for p in tb.iterdir() if p.is_dir()) == sorted(f"trial-{tr.number}" for tr in trials)
    for trial in trials:
        events = EventAccumulator(str(tb / f"trial-{trial.number}"))
        events.Reload()
        losses = [e.value for e in events.Scalars("step/loss")]
        assert losses == pytest.approx(trial.user_attrs["history"]["step_loss"], rel=1e-5)


def _item_net(n_features, n_outputs):
    """Reads a number in forward: torch.vmap refuses it, so its population trains one after another."""
    from torch import nn

    class ItemNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(n_features, n_outputs)

        def forward(self, x):
            out = self.lin(x)
            return out * (1.0 if out.abs().max().item() > 0 else 0.5)

    return ItemNet()


def test_a_population_that_fell_back_adds_up_its_trials_training_time():
    # members trained one after another do not share a wall time: counting the longest alone
    # under-reported the study's training time
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        outcome = sweep({"lr": "0.01,0.1"}, data="wine", model=_item_net, study="fallback", storage=":memory:",
                        strategy="grid", pruner="none", trials=2, epochs=2, population=2, threads=1)
    trials = open_study("fallback", ":memory:").get_trials(deepcopy=False)
    assert len(trials) == 2 and all("population" not in tr.user_attrs for tr in trials)
    assert outcome.summary["train_seconds"] == pytest.approx(sum(tr.user_attrs["train_seconds"] for tr in trials),
                                                             abs=2e-3)
