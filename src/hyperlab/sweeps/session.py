"""One process's handle on a study: its storage and Optuna study object, counting, claiming and
failing trials, and the heartbeat that tells other workers this one is alive."""

from __future__ import annotations

import threading
import warnings
from collections import Counter

import optuna
from optuna.trial import FrozenTrial, TrialState

from hyperlab.sweeps.objective import STATUS_ATTR, SweepSetup
from hyperlab.sweeps.plan import SweepPlan
from hyperlab.sweeps.results import FINISHED
from hyperlab.sweeps.storage import beats, open_storage
from hyperlab.sweeps.strategies import make_pruner, make_sampler

GRID_ATTR = "grid_point"


class Session:
    """A worker's connection to a study: its storage, its Optuna study object, counting and claiming."""

    def __init__(self, plan: SweepPlan, setup: SweepSetup, *, seed: int | None = None,
                 storage: optuna.storages.BaseStorage | None = None) -> None:
        self.plan = plan
        self.storage = storage or open_storage(plan.storage, heartbeat=plan.heartbeat, grace=plan.grace)
        self.study = optuna.load_study(study_name=plan.study, storage=self.storage,
                                       sampler=make_sampler(plan.strategy, seed),
                                       pruner=make_pruner(plan.pruner_name, setup.max_epochs()))
        self.study_id = self.storage.get_study_id_from_name(plan.study)
        self.grid = plan.strategy == "grid"
        self.beats = beats(self.storage)

    def beat(self, trial_id: int) -> None:
        """Record that this worker is alive and runs ``trial_id`` (from here a dead worker is noticed)."""
        if self.beats:
            self.storage.record_heartbeat(trial_id)

    def trials(self, states: tuple[TrialState, ...] | None = None) -> list[FrozenTrial]:
        """The study's trials, read through the study's cache: finished trials are read once (with
        their histories), later only running and new ones, so a look costs the same at trial 1 or 1000."""
        return self.study.get_trials(deepcopy=False, states=states)

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
            self.beat(trial_id)
            return optuna.Trial(self.study, trial_id), trial_id
        return None

    def ask(self) -> tuple[optuna.Trial, int]:
        """A fresh trial from the sampler (it takes a queued one first if any appeared meanwhile)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "heartbeat is supposed to be used with optimize": we beat ourselves
            trial = self.study.ask()
        trial_id = self.trial_id(trial.number)
        self.beat(trial_id)
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
    """Records every ``interval`` seconds that this worker is alive while it runs a trial (or each
    trial of a population)."""

    def __init__(self, storage: optuna.storages.BaseStorage, *trial_ids: int) -> None:
        self.storage, self.trial_ids = storage, trial_ids
        self.interval = storage.get_heartbeat_interval() if beats(storage) else None
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def _beat(self) -> None:
        while not self.stop.wait(self.interval):
            for trial_id in self.trial_ids:
                try:
                    self.storage.record_heartbeat(trial_id)
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
