"""Running a study: prepare it once (create or resume, queue grid points), then workers that each
take trials until the study holds ``--trials`` finished ones.

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

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from hyperlab.data import Data
from hyperlab.engine import Callback
from hyperlab.errors import ConfigError, HyperlabError
from hyperlab.models import ModelSpec, build_model
from hyperlab.sweeps.objective import STATUS_ATTR, Objective, SweepSetup
from hyperlab.sweeps.results import FINISHED, study_summary, trial_line
from hyperlab.sweeps.storage import DEFAULT_HEARTBEAT_S, open_storage, storage_url
from hyperlab.sweeps.strategies import check_fits, check_pruner, check_strategy, make_pruner, make_sampler

DEFAULT_TRIALS = 20
SETUP_ATTR = "hyperlab"
GRID_ATTR = "grid_point"
QUEUED_ATTR = "grid_queued"
SETUP_WAIT_S = 60.0


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) stopped the sweep; ``summary`` describes what the study holds."""

    def __init__(self, summary: dict[str, Any]) -> None:
        super().__init__("sweep interrupted")
        self.summary = summary


@dataclass
class SweepPlan:
    """How to run a study, as plain data (it is sent to worker processes)."""

    study: str
    storage: str
    setup: SweepSetup | None  # None: use the one stored with an existing study
    strategy: str = "tpe"
    pruner: str | None = None  # None: the strategy's default
    trials: int | None = None  # finished trials the study should hold; None: 20, or the whole grid
    timeout: float | None = None  # seconds each worker keeps starting trials
    workers: int = 1
    heartbeat: int = DEFAULT_HEARTBEAT_S
    grace: int | None = None
    echo: str = "stdout"  # where each finished trial's line goes: stdout, stderr or none
    lang: str = "en"

    def __post_init__(self) -> None:
        self.storage = storage_url(self.storage)
        self.strategy = check_strategy(self.strategy)
        if self.pruner is not None:
            self.pruner = check_pruner(self.pruner)
        if not isinstance(self.study, str) or not self.study.strip():
            raise ConfigError("study", self.study, "must be a non-empty name")
        for name, value, low in (("trials", self.trials, 0), ("workers", self.workers, 1),
                                 ("heartbeat", self.heartbeat, 1)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < low):
                raise ConfigError(name, value, f"must be an integer >= {low}")
        if self.timeout is not None and not (isinstance(self.timeout, (int, float)) and self.timeout > 0):
            raise ConfigError("timeout", self.timeout, "must be a number of seconds > 0")

    @property
    def pruner_name(self) -> str:
        from hyperlab.sweeps.strategies import default_pruner

        return self.pruner or default_pruner(self.strategy)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["setup"] = self.setup.to_dict() if self.setup else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SweepPlan:
        data = dict(data)
        data["setup"] = SweepSetup.from_dict(data["setup"]) if data.get("setup") else None
        return cls(**data)


@dataclass
class Prepared:
    """What ``prepare`` settled: the setup in force, the finished-trial target, and whether it is new."""

    setup: SweepSetup
    target: int
    created: bool
    finished_before: int
    grid_size: int | None = None
    data: Data | None = field(default=None, repr=False)  # the validated data, reused in this process


# ---- one process's handle on the study -----------------------------------------------------

class Session:
    """A worker's connection to a study: its storage, its Optuna study object, counting and claiming."""

    def __init__(self, plan: SweepPlan, setup: SweepSetup, *, seed: int | None = None) -> None:
        self.plan = plan
        self.storage = open_storage(plan.storage, heartbeat=plan.heartbeat, grace=plan.grace)
        max_epochs = _max_epochs(setup)
        self.study = optuna.load_study(study_name=plan.study, storage=self.storage,
                                       sampler=make_sampler(plan.strategy, seed),
                                       pruner=make_pruner(plan.pruner_name, max_epochs))
        self.study_id = self.storage.get_study_id_from_name(plan.study)
        self.grid = plan.strategy == "grid"

    def trials(self, states: tuple[TrialState, ...] | None = None) -> list[FrozenTrial]:
        return self.storage.get_all_trials(self.study_id, deepcopy=False, states=states)

    def counts(self) -> Counter:
        """Trials by state, plus ``finished``: complete + pruned trials, what --trials counts (for a
        grid, only its points: trials of another strategy in the same study do not fill the grid)."""
        trials = self.trials()
        counts: Counter = Counter(tr.state for tr in trials)
        counts["finished"] = sum(1 for tr in trials if tr.state in FINISHED
                                 and (not self.grid or GRID_ATTR in tr.user_attrs))
        return counts

    def trial_id(self, number: int) -> int:
        return self.storage.get_trial_id_from_study_id_trial_number(self.study_id, number)

    def fail_stale(self) -> None:
        """Fail trials whose worker stopped beating (and queue their retries)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            optuna.storages.fail_stale_trials(self.study)

    def claim_waiting(self) -> tuple[optuna.Trial, int] | None:
        """Take one queued trial (grid point or retry): WAITING -> RUNNING is atomic in the storage."""
        # read through the study (its cache must know each trial it will hand to optuna.Trial)
        for frozen in self.study.get_trials(deepcopy=False, states=(TrialState.WAITING,)):
            trial_id = self.trial_id(frozen.number)
            try:
                if not self.storage.set_trial_state_values(trial_id, state=TrialState.RUNNING):
                    continue  # another worker took it first
            except optuna.exceptions.UpdateFinishedTrialError:
                continue
            self.storage.record_heartbeat(trial_id)  # from here a dead worker is noticed
            return optuna.Trial(self.study, trial_id), trial_id
        return None

    def ask(self) -> tuple[optuna.Trial, int]:
        """A fresh trial from the sampler (it takes a queued one first if any appeared meanwhile)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "heartbeat is supposed to be used with optimize": we beat ourselves
            trial = self.study.ask()
        trial_id = self.trial_id(trial.number)
        self.storage.record_heartbeat(trial_id)
        return trial, trial_id

    def covered_by_other(self, trial_number: int) -> bool:
        """Whether a lower-numbered, not failed trial holds the same grid point (then this one is a duplicate)."""
        mine = next(tr for tr in self.trials() if tr.number == trial_number).user_attrs.get(GRID_ATTR)
        return mine is not None and any(
            tr.number < trial_number and tr.state != TrialState.FAIL and tr.user_attrs.get(GRID_ATTR) == mine
            for tr in self.trials())

    def fail(self, trial: optuna.Trial, status: str, error: str = "") -> None:
        """Mark a trial failed with a reason, unless it already finished."""
        try:
            trial.set_user_attr(STATUS_ATTR, status)
            if error:
                trial.set_user_attr("error", error[:500])
        except Exception:  # noqa: BLE001 - the state below matters more than the reason
            pass
        self.study.tell(trial, state=TrialState.FAIL, skip_if_finished=True)


class Heartbeat:
    """Records every ``interval`` seconds that this worker is alive while it runs a trial."""

    def __init__(self, storage: optuna.storages.RDBStorage, trial_id: int) -> None:
        self.storage, self.trial_id = storage, trial_id
        self.interval = storage.get_heartbeat_interval()
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def _beat(self) -> None:
        while not self.stop.wait(self.interval):
            try:
                self.storage.record_heartbeat(self.trial_id)
            except Exception:  # noqa: BLE001 - a missed beat is made up by the next one
                pass

    def __enter__(self) -> Heartbeat:
        if self.interval:
            self.thread = threading.Thread(target=self._beat, daemon=True, name="hyperlab-heartbeat")
            self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()


# ---- preparing a study -----------------------------------------------------------------------

def _max_epochs(setup: SweepSetup) -> int:
    dim = setup.search_space().get("epochs")
    if dim is None:
        return setup.hparams().epochs
    return int(max(dim.choices) if dim.choices else dim.high)  # type: ignore[arg-type]


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


def _validate(setup: SweepSetup, strategy: str, data: Data | None, model: ModelSpec | None) -> Data:
    """Check the space fits the strategy, the data (batch sizes) and the model (it builds); return the data."""
    space = setup.search_space()
    check_fits(strategy, space)
    bundle = setup.subsample(data) if data is not None else setup.load_data()
    space.check(setup.hparams(), bundle.n_train)
    if model is None:  # a model given by name must build for this data (a user's object is trusted)
        build_model(setup.model, bundle, width=setup.width, depth=setup.depth, seed=0)
    return bundle


def prepare(plan: SweepPlan, data: Data | None = None, model: ModelSpec | None = None) -> Prepared:
    """Create the study, or check that the existing one was made with the same setup; validate the
    space against the data (before anything is created); queue the grid points not yet covered."""
    storage = open_storage(plan.storage, heartbeat=plan.heartbeat, grace=plan.grace)
    bundle = _validate(plan.setup, plan.strategy, data, model) if plan.setup is not None else None
    try:
        study = optuna.create_study(study_name=plan.study, storage=storage, direction="maximize")
        created = True
    except optuna.exceptions.DuplicatedStudyError:
        study, created = optuna.load_study(study_name=plan.study, storage=storage), False
    if created:
        setup = plan.setup or default_setup()
        if bundle is None:
            bundle = _validate(setup, plan.strategy, data, model)
        _record_session(study, plan)  # before the setup: a joining worker reads both once the setup is there
        study.set_user_attr(SETUP_ATTR, setup.to_dict())
        previous = None
    else:
        setup = _stored_setup(storage, plan.study, SETUP_WAIT_S)
        previous = optuna.load_study(study_name=plan.study, storage=storage).user_attrs.get("strategy")
        if plan.setup is not None and plan.setup != setup:
            raise ConfigError("study", plan.study, "already exists with other settings ("
                              + "; ".join(plan.setup.differences(setup))
                              + "); run the same command as before, or use a new --study name")
        if study.direction != optuna.study.StudyDirection.MAXIMIZE:
            raise ConfigError("study", plan.study, "must maximise the validation metric")
        if bundle is None:
            bundle = _validate(setup, plan.strategy, data, model)
        _record_session(study, plan)
    study_id = storage.get_study_id_from_name(plan.study)
    trials = storage.get_all_trials(study_id, deepcopy=False)
    finished = sum(1 for tr in trials if tr.state in FINISHED)
    if plan.strategy != "grid":
        target = plan.trials if plan.trials is not None else max(DEFAULT_TRIALS, finished)
        return Prepared(setup, target, created, finished, data=bundle)
    points = setup.search_space().grid(seed=setup.hparams().seed)
    target = len(points) if plan.trials is None else min(plan.trials, len(points))
    queue_grid(study, storage, points, target, wait=previous == "grid")
    return Prepared(setup, target, created, finished, grid_size=len(points), data=bundle)


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

    return SweepSetup(space=space_or_default([]).to_dict(), base={})


# ---- the worker loop -------------------------------------------------------------------------

def run_trial(session: Session, trial: optuna.Trial, trial_id: int,
              objective: Callable[[optuna.Trial], float]) -> FrozenTrial:
    """Run the objective with a heartbeat and tell Optuna the outcome (failed on any error or Ctrl-C)."""
    with Heartbeat(session.storage, trial_id):
        try:
            value = objective(trial)
        except optuna.TrialPruned:
            with _SIGNALS.deferred():
                return session.study.tell(trial, state=TrialState.PRUNED)
        except KeyboardInterrupt:
            with _SIGNALS.deferred():
                session.fail(trial, "interrupted")
            raise
        except Exception as exc:
            with _SIGNALS.deferred():
                session.fail(trial, "failed", f"{type(exc).__name__}: {exc}")
            raise
        with _SIGNALS.deferred():
            return session.study.tell(trial, value)


def work(session: Session, objective: Callable[[optuna.Trial], float], target: int,
         timeout: float | None = None, on_trial: Callable[[FrozenTrial], None] | None = None) -> int:
    """Take trials until the study has ``target`` finished ones (or ``timeout`` s passed); return
    how many this worker ran. Waits while others' trials run: one of them may fail and be retried."""
    deadline = time.monotonic() + timeout if timeout else None
    poll = min(1.0, session.plan.heartbeat / 2)
    ran = 0
    while deadline is None or time.monotonic() < deadline:
        session.fail_stale()
        counts = session.counts()
        if counts["finished"] >= target:
            break
        taken: tuple[optuna.Trial, int] | None = None
        try:
            with _SIGNALS.deferred():  # a trial is taken whole (with its first heartbeat) or not at all
                taken = session.claim_waiting()
                busy = counts[TrialState.RUNNING] + counts[TrialState.WAITING]
                if taken is None and not session.grid and counts["finished"] + busy < target:
                    taken = session.ask()
            if taken is None:
                if busy:
                    time.sleep(poll)
                    continue
                break
            trial, trial_id = taken
            if session.grid and session.covered_by_other(trial.number):
                session.fail(trial, "duplicate")
                continue
            frozen = run_trial(session, trial, trial_id, objective)
            taken = None
        except KeyboardInterrupt:
            if taken is not None:  # interrupted between taking a trial and running it (no-op if told)
                with _SIGNALS.deferred():
                    session.fail(taken[0], "interrupted")
            raise
        ran += 1
        if on_trial is not None:
            on_trial(frozen)
    return ran


# ---- running workers: in this process, or N processes ---------------------------------------

class _StopOnSignal:
    """SIGINT/SIGTERM -> KeyboardInterrupt once (repeats are ignored so the clean-up can finish).

    Inside ``deferred()`` (taking a trial, telling its outcome) the signal waits until the block
    ends, so a trial is never left RUNNING half-created (without a heartbeat nobody would fail it).
    """

    def __init__(self) -> None:
        self.stopping = False
        self.depth = 0  # > 0 inside deferred()
        self.pending = False
        self.previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: Any) -> None:
        if self.stopping:
            return
        self.stopping = True
        if self.depth:
            self.pending = True
            return
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
        if self.pending and not self.depth:
            self.pending = False
            raise KeyboardInterrupt

    def __enter__(self) -> _StopOnSignal:
        self.stopping = self.pending = False
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        self.previous.clear()


_SIGNALS = _StopOnSignal()  # installed by run_sweep / worker processes; deferred() is harmless without


def _echo(plan: SweepPlan, label: str) -> Callable[[FrozenTrial], None] | None:
    if plan.echo == "none":
        return None
    stream = sys.stderr if plan.echo == "stderr" else sys.stdout

    def echo(trial: FrozenTrial) -> None:
        print(trial_line(trial, plan.lang, label), file=stream, flush=True)
    return echo


def _seed(setup: SweepSetup, worker: int, finished_before: int) -> int:
    """Different for each worker and each session, so resumed or parallel samplers do not repeat draws."""
    return (setup.hparams().seed * 1_000_003 + worker * 7919 + finished_before * 104_729) % (2**31)


def _worker_main(plan_data: dict[str, Any], worker: int, target: int, finished_before: int,
                 threads: int) -> None:
    """Entry point of a worker process (spawned: a clean interpreter, its own storage connection)."""
    import torch

    torch.set_num_threads(threads)
    plan = SweepPlan.from_dict(plan_data)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with _SIGNALS:
        try:
            setup = plan.setup
            assert setup is not None
            session = Session(plan, setup, seed=_seed(setup, worker, finished_before))
            work(session, Objective(setup), target, plan.timeout, _echo(plan, f"[w{worker}] "))
        except KeyboardInterrupt:
            sys.exit(130)
        except HyperlabError as exc:
            print(f"error: [w{worker}] {exc}", file=sys.stderr, flush=True)
            sys.exit(2)


@dataclass
class SweepOutcome:
    """What a sweep run did: the study's summary, whether it was new, and what it held before."""

    summary: dict[str, Any]
    created: bool
    finished_before: int
    grid_size: int | None = None
    setup: SweepSetup | None = None


def run_sweep(plan: SweepPlan, *, data: Data | None = None, model: ModelSpec | None = None,
              callbacks: list[Callback] | None = None, device: str | None = None,
              on_prepared: Callable[[Prepared], None] | None = None) -> SweepOutcome:
    """Prepare the study and run ``plan.workers`` workers on it until it holds its target.

    ``data``/``model`` objects (Python API) need ``workers == 1``: other processes rebuild the
    objective from the study's stored setup (names, paths, ``module:function``).
    """
    if plan.workers > 1 and (model is not None or data is not None or callbacks):
        raise ConfigError("workers", plan.workers, "more than 1 needs the model and data by name, path or "
                                                   "module:function (worker processes rebuild them)")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    target = None
    try:
        prepared = prepare(plan, data, model)
        target = prepared.target
        if on_prepared is not None:
            on_prepared(prepared)
        plan = replace(plan, setup=prepared.setup)
        if plan.workers == 1:
            with _SIGNALS:
                session = Session(plan, prepared.setup, seed=_seed(prepared.setup, 0, prepared.finished_before))
                objective = Objective(prepared.setup, prepared.data, model, callbacks=callbacks, device=device)
                work(session, objective, prepared.target, plan.timeout, _echo(plan, ""))
        else:
            _run_processes(plan, prepared)
    except KeyboardInterrupt:
        raise SweepInterrupted(_summary(plan, target)) from None
    return SweepOutcome(_summary(plan, target), prepared.created, prepared.finished_before, prepared.grid_size,
                        prepared.setup)


def _summary(plan: SweepPlan, target: int | None) -> dict[str, Any]:
    storage = open_storage(plan.storage, heartbeat=None, retry=False)
    try:
        study = optuna.load_study(study_name=plan.study, storage=storage)
    except KeyError:  # stopped before the study existed
        return {"study": plan.study, "finished": 0, "target": target, "counts": {}, "best": None}
    summary = study_summary(study, target)
    summary.update(strategy=plan.strategy, pruner=plan.pruner_name)
    return summary


def _run_processes(plan: SweepPlan, prepared: Prepared) -> None:
    ctx = multiprocessing.get_context("spawn")
    threads = max(1, (os.cpu_count() or 1) // plan.workers)
    procs = [ctx.Process(target=_worker_main, name=f"hyperlab-worker-{i}",
                         args=(plan.to_dict(), i, prepared.target, prepared.finished_before, threads))
             for i in range(plan.workers)]
    for proc in procs:
        proc.start()
    try:
        for proc in procs:
            proc.join()
    except KeyboardInterrupt:
        for proc in procs:  # a terminal's Ctrl-C reached them too; a signal to this process alone did not
            if proc.is_alive() and proc.pid:
                os.kill(proc.pid, signal.SIGINT)
        for proc in procs:
            proc.join(60)
            if proc.is_alive():
                proc.terminate()
        raise
    codes = [proc.exitcode for proc in procs]
    if any(code == 130 for code in codes):
        raise KeyboardInterrupt
    failed = [i for i, code in enumerate(codes) if code not in (0, None)]
    if failed and len(failed) == len(procs):
        raise HyperlabError(f"all {len(procs)} workers stopped with errors (see above)")
    if failed:
        print(f"warning: workers {failed} stopped with errors (see above); the others finished the study",
              file=sys.stderr, flush=True)
