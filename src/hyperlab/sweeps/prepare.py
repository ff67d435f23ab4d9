"""Preparing a study once per session: create it or check the existing one was made with the same
setup, validate the space against the data before anything is created, and queue grid points."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import optuna
from optuna.trial import TrialState

from hyperlab.data import Data
from hyperlab.errors import ConfigError
from hyperlab.models import ModelSpec, build_model
from hyperlab.sweeps.distributed_trials import check_processes
from hyperlab.sweeps.objective import SweepSetup
from hyperlab.sweeps.plan import SweepPlan
from hyperlab.sweeps.results import FINISHED
from hyperlab.sweeps.session import GRID_ATTR
from hyperlab.sweeps.storage import open_storage
from hyperlab.sweeps.strategies import check_fits

DEFAULT_TRIALS = 20
SETUP_ATTR = "hyperlab"
QUEUED_ATTR = "grid_queued"
SETUP_WAIT_S = 60.0


@dataclass
class Prepared:
    """What ``prepare`` settled: the setup in force, the finished-trial target, and whether it is new."""

    setup: SweepSetup
    target: int
    created: bool
    finished_before: int
    grid_size: int | None = None
    data: Data | None = field(default=None, repr=False)  # the validated data, reused in this process
    dropped_batch_sizes: list[int] = field(default_factory=list)  # default ones above the training set


def _stored_setup(storage: optuna.storages.BaseStorage, name: str, wait: float) -> SweepSetup:
    deadline = time.monotonic() + wait
    while True:  # a study another worker has just created gets its setup a moment later
        data = optuna.load_study(study_name=name, storage=storage).user_attrs.get(SETUP_ATTR)
        if isinstance(data, dict):
            return SweepSetup.from_dict(data)
        if time.monotonic() >= deadline:
            raise ConfigError("study", name, "exists but was not made by `hyperlab sweep` "
                                             "(it has no search space); use another --study name")
        time.sleep(0.2)


def _validate(setup: SweepSetup, strategy: str, data: Data | None, model: ModelSpec | None,
              nproc: int = 1) -> tuple[SweepSetup, Data, list[int]]:
    """Fit a default space to the data, then check the space fits the strategy, the data (batch
    sizes, shared by ``nproc`` processes) and the model (it builds); return the fitted setup, the
    data and the dropped batch sizes."""
    bundle = setup.subsample(data) if data is not None else setup.load_data()
    setup, dropped = setup.fit_to_data(bundle.n_train)
    space = setup.search_space()
    check_fits(strategy, space)
    space.check(setup.hparams(), bundle.n_train)
    check_processes(setup, bundle.n_train, nproc)
    if model is None:  # a model given by name must build for this data (a user's object is trusted)
        build_model(setup.model, bundle, width=setup.width, depth=setup.depth, seed=0)
    return setup, bundle, dropped


def prepare(plan: SweepPlan, data: Data | None = None, model: ModelSpec | None = None, *,
            storage: optuna.storages.BaseStorage | None = None) -> Prepared:
    """Create the study, or check that the existing one was made with the same setup; validate the
    space against the data (before anything is created); queue the grid points not yet covered."""
    storage = storage or open_storage(plan.storage, heartbeat=plan.heartbeat, grace=plan.grace)
    checked = _validate(plan.setup, plan.strategy, data, model, plan.nproc) if plan.setup is not None else None
    try:
        study = optuna.create_study(study_name=plan.study, storage=storage, direction="maximize")
        created = True
    except optuna.exceptions.DuplicatedStudyError:
        study, created = optuna.load_study(study_name=plan.study, storage=storage), False
    if created:
        if checked is None:
            checked = _validate(default_setup(), plan.strategy, data, model, plan.nproc)
        setup = checked[0]
        _record_session(study, plan)  # before the setup: a joining worker reads both once the setup is there
        study.set_user_attr(SETUP_ATTR, setup.to_dict())
        previous = None
    else:
        setup = _stored_setup(storage, plan.study, SETUP_WAIT_S)
        previous = optuna.load_study(study_name=plan.study, storage=storage).user_attrs.get("strategy")
        if checked is not None and checked[0] != setup:
            raise ConfigError("study", plan.study, "already exists with other settings ("
                              + "; ".join(checked[0].differences(setup))
                              + "); run the same command as before, or use a new --study name")
        if study.direction != optuna.study.StudyDirection.MAXIMIZE:
            raise ConfigError("study", plan.study, "must maximise the validation metric")
        if checked is None:
            checked = _validate(setup, plan.strategy, data, model, plan.nproc)
        _record_session(study, plan)
    _, bundle, dropped = checked
    name_metric(study, bundle)
    study_id = storage.get_study_id_from_name(plan.study)
    trials = storage.get_all_trials(study_id, deepcopy=False)
    finished = sum(1 for tr in trials if tr.state in FINISHED)
    if plan.strategy != "grid":
        target = plan.trials if plan.trials is not None else max(DEFAULT_TRIALS, finished)
        return Prepared(setup, target, created, finished, data=bundle, dropped_batch_sizes=dropped)
    points = setup.search_space().grid(seed=setup.hparams().seed)
    target = len(points) if plan.trials is None else min(plan.trials, len(points))
    queue_grid(study, storage, points, target, wait=previous == "grid")
    return Prepared(setup, target, created, finished, grid_size=len(points), data=bundle,
                    dropped_batch_sizes=dropped)


def metric_name(data: Data) -> str:
    """What a trial's value is: the validation metric the trainer reports (accuracy or R²)."""
    return f"val_{data.metric}"


def name_metric(study: optuna.Study, data: Data) -> None:
    """Name the objective (optuna-dashboard shows ``val_accuracy`` instead of "Objective 0")."""
    name = metric_name(data)
    if study.metric_names != [name]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            study.set_metric_names([name])


def _record_session(study: optuna.Study, plan: SweepPlan) -> None:
    """The latest session's strategy and pruner, for reports (a study may change strategy)."""
    study.set_user_attr("strategy", plan.strategy)
    study.set_user_attr("pruner", plan.pruner_name)


def queue_grid(study: optuna.Study, storage: optuna.storages.BaseStorage, points: list[dict[str, Any]],
               target: int, wait: bool = False) -> None:
    """Queue the first ``target`` grid points that no live or finished trial covers (once per study:
    workers that join a study another one is queueing wait for it; a resumed or extended study
    queues only what is missing, e.g. the point of an interrupted trial)."""
    deadline = time.monotonic() + SETUP_WAIT_S
    while wait and QUEUED_ATTR not in study.user_attrs and time.monotonic() < deadline:
        time.sleep(0.2)  # the creator is queueing the points right now
        study = optuna.load_study(study_name=study.study_name, storage=storage)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)  # a dead worker's point is retried, not queued again
    study_id = storage.get_study_id_from_name(study.study_name)
    covered = {tr.user_attrs.get(GRID_ATTR) for tr in storage.get_all_trials(study_id, deepcopy=False)
               if tr.state != TrialState.FAIL}
    for index, point in enumerate(points[:target]):
        if index not in covered:
            study.enqueue_trial(point, user_attrs={GRID_ATTR: index})
    study.set_user_attr(QUEUED_ATTR, max(target, study.user_attrs.get(QUEUED_ATTR) or 0))


def default_setup() -> SweepSetup:
    """The setup of a new study given no flags: digits, mlp, the default four-knob space."""
    from hyperlab.sweeps.space import space_or_default

    space = space_or_default([])
    return SweepSetup(space=space.to_dict(), base={}, defaulted=tuple(space.names))
