"""Running a study: prepare it once (create or resume, queue grid points), then workers that each
take trials until the study holds ``--trials`` finished ones.

The parts, one job each: ``plan`` (what to run, as plain data), ``prepare`` (the study, once per
session), ``session`` (one process's handle on the study, and its heartbeat), ``trial_loop`` (take,
run and tell trials), ``signals`` (Ctrl-C), ``processes`` (``--workers N``); this module joins them.

- **Budget**: ``trials`` counts the study's finished trials (complete, pruned, diverged) over every
  session, so re-running the same command resumes and a larger number extends the study.
- **Exactly once for grids**: each grid point is a queued trial (``study.enqueue_trial``); a worker
  claims a queued trial by switching it WAITING -> RUNNING, which the storage does atomically
  (row lock on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), and a grid worker never asks the
  sampler for a fresh trial. A claimed point that another live trial already covers (possible
  only if two sessions queued the grid at the same moment) is skipped as ``duplicate``.
- **Dead workers**: every running trial records a heartbeat; a trial whose worker died is failed
  after the grace period by whichever worker looks next, and queued again once (with its
  parameters) by ``RetryHeartbeatStaleTrialCallback``.
- **Ctrl-C**: the trial being trained is marked failed (status ``interrupted``) before the worker
  stops; finished trials are already in storage.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import optuna

from hyperlab.data import Data
from hyperlab.engine import Callback
from hyperlab.engine.threads import torch_threads
from hyperlab.errors import ConfigError
from hyperlab.models import ModelSpec
from hyperlab.sweeps.distributed_trials import run_ranks
from hyperlab.sweeps.objective import Objective
from hyperlab.sweeps.plan import SweepInterrupted, SweepOutcome, SweepPlan
from hyperlab.sweeps.prepare import Prepared, prepare
from hyperlab.sweeps.processes import echo, run_processes, worker_seed
from hyperlab.sweeps.results import study_summary
from hyperlab.sweeps.session import Session
from hyperlab.sweeps.signals import SIGNALS
from hyperlab.sweeps.storage import open_storage
from hyperlab.sweeps.tensorboard import check_folder, claim_folder
from hyperlab.sweeps.trial_loop import work


def run_sweep(plan: SweepPlan, *, data: Data | None = None, model: ModelSpec | None = None,
              callbacks: list[Callback] | None = None, device: str | None = None,
              on_prepared: Callable[[Prepared], None] | None = None) -> SweepOutcome:
    """Prepare the study and run ``plan.workers`` workers on it until it holds its target.

    ``data``/``model`` objects (Python API) need ``workers == nproc == 1``: other processes rebuild the
    objective from the study's stored setup (names, paths, ``module:function``).
    """
    for name, count in (("workers", plan.workers), ("nproc", plan.nproc)):
        if count > 1 and (model is not None or data is not None or callbacks):
            raise ConfigError(name, count, "more than 1 needs the model and data by name, path or "
                                           "module:function (other processes rebuild them)")
    if plan.nproc > 1 and device is not None:
        raise ConfigError("device", device, "cannot be set with nproc > 1: each process trains on its own "
                                            "device (cuda:LOCAL_RANK, or the CPU)")
    check_folder(plan.tensorboard, plan.study)  # before the study is created or changed
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    target, storage = None, None
    try:
        storage = open_storage(plan.storage, heartbeat=plan.heartbeat, grace=plan.grace)  # one per process
        prepared = prepare(plan, data, model, storage=storage)
        claim_folder(plan.tensorboard, plan.study)
        target = prepared.target
        if on_prepared is not None:
            on_prepared(prepared)
        plan = replace(plan, setup=prepared.setup)
        if plan.workers == 1 and plan.nproc > 1:
            run_ranks(plan, prepared.target, worker_seed(prepared.setup, 0, prepared.finished_before),
                      threads=plan.worker_threads(os.cpu_count() or 1))
        elif plan.workers == 1:
            with SIGNALS, torch_threads(plan.worker_threads(os.cpu_count() or 1)):
                session = Session(plan, prepared.setup, seed=worker_seed(prepared.setup, 0, prepared.finished_before),
                                  storage=storage)
                objective = Objective(prepared.setup, prepared.data, model, callbacks=callbacks, device=device,
                                      tensorboard=plan.tensorboard, threads_by_size=plan.threads is None)
                work(session, objective, prepared.target, plan.timeout, echo(plan, ""))
        else:
            run_processes(plan, prepared)
    except KeyboardInterrupt:
        raise SweepInterrupted(_interrupted_summary(plan, target, storage)) from None
    outcome = SweepOutcome(_summary(plan, target, storage), prepared.created, prepared.finished_before,
                           prepared.grid_size, prepared.setup, storage=plan.storage)
    outcome.lang = plan.lang  # the language its notebook display uses
    return outcome


def _interrupted_summary(plan: SweepPlan, target: int | None,
                         storage: optuna.storages.BaseStorage | None) -> dict[str, Any]:
    """The summary after Ctrl-C. A Ctrl-C in the middle of an import or of opening the database can
    leave them unusable in this process (seen: sqlalchemy half imported), so a summary that cannot
    be read is ``finished: None`` instead of a traceback; what the database holds is untouched."""
    try:
        return _summary(plan, target, storage)
    except Exception:  # noqa: BLE001 - the study stays as it is; only this process cannot read it
        return {"study": plan.study, "finished": None, "target": target, "counts": {}, "best": None}


def _summary(plan: SweepPlan, target: int | None, storage: optuna.storages.BaseStorage | None) -> dict[str, Any]:
    storage = storage or open_storage(plan.storage, heartbeat=None, retry=False)
    try:
        study = optuna.load_study(study_name=plan.study, storage=storage)
    except KeyError:  # stopped before the study existed
        return {"study": plan.study, "finished": 0, "target": target, "counts": {}, "best": None}
    summary = study_summary(study, target)
    summary.update(strategy=plan.strategy, pruner=plan.pruner_name)
    return summary
