"""The trial -> fit bridge with real (tiny) training: intermediate values, pruning, divergence."""

from __future__ import annotations

import optuna
import pytest
from optuna.trial import TrialState

from hyperlab.data import load_data
from hyperlab.engine import Callback, StopTraining
from hyperlab.sweeps.objective import Objective, SweepSetup
from hyperlab.sweeps.results import trial_status
from hyperlab.sweeps.strategies import check_fits, check_pruner, check_strategy, make_pruner, make_sampler
from hyperlab.sweeps.space import parse_space
from hyperlab.errors import ConfigError


@pytest.fixture(scope="module")
def moons():
    return load_data("moons", seed=0)


def _study(pruner=None, sampler=None):
    return optuna.create_study(direction="maximize", pruner=pruner or optuna.pruners.NopPruner(),
                               sampler=sampler or optuna.samplers.RandomSampler(seed=0))


def test_each_epoch_is_an_intermediate_value_and_history_is_kept(moons):
    setup = SweepSetup.build({"lr": "0.01,0.1", "epochs": 3, "batch_size": 64}, dataset="moons", model="logistic")
    study = _study()
    study.optimize(Objective(setup, moons), n_trials=2)
    for trial in study.trials:
        history = trial.user_attrs["history"]
        assert trial.state == TrialState.COMPLETE and trial.user_attrs["status"] == "completed"
        assert sorted(trial.intermediate_values) == [1, 2, 3]
        assert [trial.intermediate_values[e["epoch"]] for e in history["epochs"]] == pytest.approx(
            [e["val_metric"] for e in history["epochs"]], abs=1e-5)
        assert trial.value == pytest.approx(history["epochs"][-1]["val_metric"], abs=1e-5)
        assert trial.user_attrs["steps"] == 3 * 10 == len(history["step_loss"])  # 600 / 64 -> 10 steps per epoch
        assert trial.user_attrs["hparams"]["lr"] == trial.params["lr"]


def test_a_pruned_trial_stops_training_at_that_epoch(moons):
    setup = SweepSetup.build({"lr": "0.01,0.1", "epochs": 5}, dataset="moons", model="logistic")
    study = _study(pruner=optuna.pruners.ThresholdPruner(lower=1.01))  # accuracy can never reach it
    study.optimize(Objective(setup, moons), n_trials=1)
    trial = study.trials[0]
    assert trial.state == TrialState.PRUNED and trial_status(trial) == "pruned"
    assert list(trial.intermediate_values) == [1]
    assert len(trial.user_attrs["history"]["epochs"]) == 1 and trial.user_attrs["status"] == "pruned"
    assert trial.value == pytest.approx(trial.intermediate_values[1])  # Optuna keeps the last reported value


def test_a_trial_is_never_pruned_after_its_last_epoch(tmp_path):
    """Stopping a run after its last epoch saves nothing and would store a finished trial as pruned
    (``results`` listed a 3-epoch trial that had trained all 3 as pruned). Epochs 1 and 2 are
    searched and the pruner stops every trial it is asked about, so after epoch 1 one trial is
    finished and the other pruned: alone, and as one population."""
    from hyperlab.sweeps import SweepPlan, open_study
    from hyperlab.sweeps.prepare import prepare
    from hyperlab.sweeps.session import Session
    from hyperlab.sweeps.trial_loop import work

    for population in (1, 2):
        url = f"sqlite:///{tmp_path / f'p{population}.db'}"
        setup = SweepSetup.build({"epochs": "1,2"}, dataset="moons", model="logistic", settings={"lr": 0.05})
        plan = SweepPlan(study="last", storage=url, setup=setup, strategy="grid", population=population,
                         echo="none")
        prepared = prepare(plan)
        session = Session(plan, prepared.setup, seed=0)
        session.study.pruner = optuna.pruners.ThresholdPruner(lower=1.01)  # accuracy can never reach it
        assert work(session, Objective(prepared.setup, prepared.data), prepared.target) == 2
        by_epochs = {tr.params["epochs"]: tr for tr in open_study("last", url).trials}
        assert by_epochs[1].state == TrialState.COMPLETE and trial_status(by_epochs[1]) == "complete", population
        assert list(by_epochs[1].intermediate_values) == [1]
        assert by_epochs[2].state == TrialState.PRUNED and list(by_epochs[2].intermediate_values) == [1]


def test_a_diverged_trial_is_recorded_not_crashed_and_marked_infeasible(moons):
    setup = SweepSetup.build({"lr": "0.05,1000", "epochs": 2, "optimizer": "sgd"}, dataset="moons",
                             model="logistic")
    study = _study(sampler=optuna.samplers.GridSampler({"lr": [0.05, 1000.0]}))
    study.optimize(Objective(setup, moons), n_trials=2)
    by_lr = {tr.params["lr"]: tr for tr in study.trials}
    diverged = by_lr[1000.0]
    assert diverged.state == TrialState.PRUNED and trial_status(diverged) == "diverged"
    assert diverged.user_attrs["diverged_step"] >= 1 and diverged.user_attrs["diverged_epoch"] == 1
    assert diverged.constraints == {"diverged": 1.0}
    assert by_lr[0.05].state == TrialState.COMPLETE and by_lr[0.05].constraints == {}
    # TPE's model ranks the infeasible (diverged) trial below every feasible one
    from optuna.samplers._tpe.sampler import _split_trials

    below, above = _split_trials(study, study.trials, n_below=1)
    assert below[0].number == by_lr[0.05].number and above[0].number == diverged.number


def test_user_module_starts_every_trial_from_the_same_weights(moons):
    from torch import nn

    net = nn.Sequential(nn.Linear(2, 2))
    before = [p.detach().clone() for p in net.parameters()]
    setup = SweepSetup.build({"lr": "0.1,0.5", "epochs": 1}, dataset="moons", model="mine")
    study = _study(sampler=optuna.samplers.GridSampler({"lr": [0.1, 0.5]}))
    study.optimize(Objective(setup, moons, net), n_trials=2)
    assert all((a == b).all() for a, b in zip(before, net.parameters()))  # the user's object is untouched
    losses = {tr.user_attrs["history"]["epochs"][0]["val_loss"] for tr in study.trials}
    assert len(losses) == 2  # each trial trained its own copy with its own lr


def test_an_interrupted_trial_keeps_its_partial_history_and_fails(moons):
    class CtrlC(Callback):
        def on_epoch_end(self, run):
            if run.epoch == 2:
                raise KeyboardInterrupt

    setup = SweepSetup.build({"lr": "0.01,0.1", "epochs": 5}, dataset="moons", model="logistic")
    study = _study()
    with pytest.raises(KeyboardInterrupt):
        study.optimize(Objective(setup, moons, callbacks=[CtrlC()]), n_trials=1)
    trial = study.trials[0]
    assert trial.state == TrialState.FAIL and trial.user_attrs["status"] == "interrupted"
    assert len(trial.user_attrs["history"]["epochs"]) == 2


def test_strategy_and_pruner_names():
    assert check_strategy("TPE") == "tpe" and check_pruner("successive-halving") == "asha"
    with pytest.raises(ConfigError, match="did you mean 'tpe'"):
        check_strategy("tp")
    with pytest.raises(ConfigError, match="did you mean 'hyperband'"):
        check_pruner("hyperbnd")
    assert isinstance(make_sampler("cmaes", 0), optuna.samplers.CmaEsSampler)
    assert isinstance(make_sampler("tpe", 0), optuna.samplers.TPESampler)
    assert isinstance(make_pruner("asha", 9), optuna.pruners.SuccessiveHalvingPruner)
    assert isinstance(make_pruner("median", 9), optuna.pruners.MedianPruner)
    assert isinstance(make_pruner("none", 9), optuna.pruners.NopPruner)
    with pytest.raises(ConfigError, match="needs at least 2 ranges"):
        check_fits("cmaes", parse_space({"lr": "1e-3..1:log", "optimizer": "sgd,adam"}))
    check_fits("cmaes", parse_space({"lr": "1e-3..1:log", "epochs": "2..9"}))


def test_stop_training_status_reaches_the_history(moons):
    class Halt(Callback):
        def on_epoch_end(self, run):
            raise StopTraining("pruned")

    setup = SweepSetup.build({"lr": "0.01,0.1", "epochs": 4}, dataset="moons", model="logistic")
    study = _study()
    study.optimize(Objective(setup, moons, callbacks=[Halt()]), n_trials=1)
    assert study.trials[0].state == TrialState.PRUNED


@pytest.mark.parametrize("name", ["asha", "hyperband", "median", "none"])
def test_asking_the_pruner_only_where_it_can_decide_prunes_the_same_trials(name):
    """may_prune skips the epochs where the pruner always answers no (each ask reads the storage)."""
    import math

    from hyperlab.sweeps.strategies import may_prune

    def stops(ask_every_epoch: bool) -> list[int]:
        study = optuna.create_study(study_name="same", direction="maximize", pruner=make_pruner(name, 40),
                                    sampler=optuna.samplers.RandomSampler(seed=0))
        stopped = []
        for number in range(40):
            trial = study.ask()
            speed = 0.05 + 0.9 * ((number * 7919) % 97) / 97  # a different, fixed learning curve per trial
            epoch = 0
            for epoch in range(1, 41):
                trial.report(1 - math.exp(-speed * epoch), epoch)
                if (ask_every_epoch or may_prune(study.pruner, epoch)) and trial.should_prune():
                    break
            stopped.append(epoch)
            study.tell(trial, state=TrialState.PRUNED) if epoch < 40 else study.tell(trial, 1 - math.exp(-speed * 40))
        return stopped

    every, where_it_can = stops(True), stops(False)
    assert every == where_it_can
    if name in ("asha", "hyperband"):
        assert set(every) - {40} <= {1, 3, 9, 27} and min(every) < 40  # it did prune, at rungs only
