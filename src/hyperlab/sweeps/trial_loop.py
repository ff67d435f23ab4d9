"""The worker loop: take trials (queued ones first, else from the sampler) until the study holds
its target, run each with a heartbeat, and tell Optuna every outcome, even on Ctrl-C."""

from __future__ import annotations

import time
from collections.abc import Callable

import optuna
from optuna.trial import FrozenTrial, TrialState

from hyperlab.sweeps.session import Heartbeat, Session
from hyperlab.sweeps.signals import SIGNALS


def run_trial(session: Session, trial: optuna.Trial, trial_id: int,
              objective: Callable[[optuna.Trial], float]) -> FrozenTrial:
    """Run the objective with a heartbeat and tell Optuna the outcome (failed on any error or Ctrl-C)."""
    with Heartbeat(session.storage, trial_id):
        try:
            value = objective(trial)
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


def work(session: Session, objective: Callable[[optuna.Trial], float], target: int,
         timeout: float | None = None, on_trial: Callable[[FrozenTrial], None] | None = None,
         on_wait: Callable[[], None] | None = None) -> int:
    """Take trials until the study has ``target`` finished ones (or ``timeout`` s passed); return
    how many this worker ran. Waits while others' trials run: one of them may fail and be retried
    (``on_wait`` is called at each look meanwhile, e.g. to tell waiting ranks the worker is alive)."""
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
            with SIGNALS.deferred():  # a trial is taken whole (with its first heartbeat) or not at all
                taken = session.claim_waiting()
                busy = counts[TrialState.RUNNING] + counts[TrialState.WAITING]
                if taken is None and not session.grid and counts["finished"] + busy < target:
                    taken = session.ask()
            if taken is None:
                if busy:
                    time.sleep(poll)
                    if on_wait is not None:
                        on_wait()
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
                with SIGNALS.deferred():
                    session.fail(taken[0], "interrupted")
            raise
        ran += 1
        if on_trial is not None:
            on_trial(frozen)
    return ran
