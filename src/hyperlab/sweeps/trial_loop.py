"""The worker loop: take trials (queued ones first, else from the sampler) until the study holds
its target, run each with a heartbeat, and tell Optuna every outcome, even on Ctrl-C.

With ``population`` K > 1 (``sweep --population K``) a worker takes up to K trials at once (never
more than the study still needs), samples each one's settings as it takes it (so TPE's constant
liar sees them), trains them together with one ``fit_population`` call and tells each trial its
own outcome, mapped as for a single trial (``tell_outcome``)."""

from __future__ import annotations

import time
from collections.abc import Callable

import optuna
from optuna.trial import FrozenTrial, TrialState

from hyperlab.engine import RunResult
from hyperlab.hparams import HParams
from hyperlab.members import trained_together
from hyperlab.sweeps.objective import POPULATION_ATTR, Objective, record_result, trial_value, worker_id
from hyperlab.sweeps.session import Heartbeat, Session
from hyperlab.sweeps.signals import SIGNALS

Taken = tuple[optuna.Trial, int]


def tell_outcome(session: Session, trial: optuna.Trial, outcome: Callable[[], float]) -> FrozenTrial:
    """Tell Optuna what ``outcome()`` gave: its value (complete), ``TrialPruned`` (pruned), or
    failed on Ctrl-C (``interrupted``) or any error (``failed``, then re-raised)."""
    try:
        value = outcome()
    except optuna.TrialPruned:
        with SIGNALS.deferred():
            return session.study.tell(trial, state=TrialState.PRUNED)
    except KeyboardInterrupt:
        with SIGNALS.deferred():
            session.fail(trial, "interrupted")
        raise
    except Exception as exc:
        with SIGNALS.deferred():
            session.fail(trial, "failed", f"{type(exc).__name__}: {exc}")
        raise
    with SIGNALS.deferred():
        return session.study.tell(trial, value)


def run_trial(session: Session, trial: optuna.Trial, trial_id: int,
              objective: Callable[[optuna.Trial], float]) -> FrozenTrial:
    """Run the objective with a heartbeat and tell Optuna the outcome (failed on any error or Ctrl-C)."""
    with Heartbeat(session.storage, trial_id):
        return tell_outcome(session, trial, lambda: objective(trial))


def take(session: Session, k: int, room: int,
         sample: Callable[[optuna.Trial], HParams] | None = None) -> tuple[list[Taken], list[HParams]]:
    """Up to ``k`` trials: queued ones first (grid points, retries), else fresh ones from the sampler
    (never for a grid), at most ``room`` of those (what the study still needs beyond its live
    trials); with ``sample``, each trial's settings, sampled as it is taken (TPE's constant liar
    then sees them when it samples the next). If sampling fails, no taken trial is left running."""
    taken: list[Taken] = []
    hparams: list[HParams] = []
    try:
        while len(taken) < k:
            claimed = session.claim_waiting()
            if claimed is None:
                if session.grid or room <= 0:
                    break
                claimed, room = session.ask(), room - 1
            taken.append(claimed)
            if sample is not None:
                hparams.append(sample(claimed[0]))
    except Exception as exc:
        for trial, _ in taken:
            session.fail(trial, "failed", f"{type(exc).__name__}: {exc}")
        raise
    return taken, hparams


def run_population(session: Session, trials: list[optuna.Trial], hparams: list[HParams], trial_ids: list[int],
                   objective: Objective) -> list[FrozenTrial]:
    """Train the trials together (heartbeats for each) and tell each its outcome. On Ctrl-C, members
    that had finished are told their outcome and the others are failed as ``interrupted``."""
    with Heartbeat(session.storage, *trial_ids):
        try:
            results: list[RunResult | None] = list(objective.train_population(trials, hparams))
        except KeyboardInterrupt as stop:
            results = list(getattr(stop, "results", None) or [None] * len(trials))
            with SIGNALS.deferred():
                finished = [(t, r) for t, r in zip(trials, results, strict=True) if r and r.status != "interrupted"]
                for trial, result in zip(trials, results, strict=True):
                    if result is not None and result.status == "interrupted":
                        record_result(trial, result, "interrupted")
                    if result is None or result.status == "interrupted":
                        session.fail(trial, "interrupted")
                tell_each(session, finished)
            raise
        except Exception as exc:
            with SIGNALS.deferred():
                for trial in trials:
                    session.fail(trial, "failed", f"{type(exc).__name__}: {exc}")
            raise
        with SIGNALS.deferred():
            population = f"{worker_id()}#{trials[0].number}"
            for trial, result in zip(trials, results, strict=True):
                # a cohort's members (one batch size, stacked) share one wall time; cohorts, and
                # members trained one after another (the fallback), each add their own
                if result is not None and trained_together(result.history):
                    trial.set_user_attr(POPULATION_ATTR, f"{population}/b{result.hparams.batch_size}"
                                        + ("d" if result.hparams.drop_last else ""))
            return tell_each(session, list(zip(trials, results, strict=True)))


def tell_each(session: Session, pairs: list[tuple[optuna.Trial, RunResult | None]]) -> list[FrozenTrial]:
    """Record and tell each trial its run's outcome; an error on one (no finite metric) fails that
    trial alone and is raised once the others are told."""
    told, errors = [], []
    for trial, result in pairs:
        try:
            told.append(tell_outcome(session, trial, lambda t=trial, r=result: trial_value(t, r)))
        except Exception as exc:  # noqa: BLE001 - raised below, after the other trials are told
            errors.append(exc)
    if errors:
        raise errors[0]
    return told


def work(session: Session, objective: Callable[[optuna.Trial], float], target: int,
         timeout: float | None = None, on_trial: Callable[[FrozenTrial], None] | None = None,
         on_wait: Callable[[], None] | None = None) -> int:
    """Take trials until the study has ``target`` finished ones (or ``timeout`` s passed); return
    how many this worker ran. Waits while others' trials run: one of them may fail and be retried
    (``on_wait`` is called at each look meanwhile, e.g. to tell waiting ranks the worker is alive).
    ``session.plan.population`` trials at a time train together (``objective`` is then an Objective)."""
    deadline = time.monotonic() + timeout if timeout else None
    poll = min(1.0, session.plan.heartbeat / 2)
    k = session.plan.population
    ran = 0
    while deadline is None or time.monotonic() < deadline:
        session.fail_stale()
        counts = session.counts()
        if counts["finished"] >= target:
            break
        taken: list[Taken] = []
        try:
            with SIGNALS.deferred():  # trials are taken whole (with a first heartbeat) or not at all
                busy = counts[TrialState.RUNNING] + counts[TrialState.WAITING]
                taken, hparams = take(session, k, target - counts["finished"] - busy,
                                      objective.hparams_for if k > 1 else None)  # type: ignore[attr-defined]
            if not taken:
                if busy:
                    time.sleep(poll)
                    if on_wait is not None:
                        on_wait()
                    continue
                break
            if session.grid:
                dupes = {i for i, (trial, _) in enumerate(taken) if session.covered_by_other(trial.number)}
                for i in dupes:
                    session.fail(taken[i][0], "duplicate")
                taken = [tr for i, tr in enumerate(taken) if i not in dupes]
                hparams = [hp for i, hp in enumerate(hparams) if i not in dupes]
                if not taken:
                    continue
            if k == 1:
                frozen = [run_trial(session, *taken[0], objective)]
            else:
                frozen = run_population(session, [t for t, _ in taken], hparams, [i for _, i in taken],
                                        objective)  # type: ignore[arg-type]
            taken = []
        except KeyboardInterrupt:
            with SIGNALS.deferred():  # taken but not yet run (a no-op for trials already told)
                for trial, _ in taken:
                    session.fail(trial, "interrupted")
            raise
        ran += len(frozen)
        if on_trial is not None:
            for trial in frozen:
                on_trial(trial)
    return ran
