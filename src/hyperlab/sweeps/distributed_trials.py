"""Data-parallel trials (``hyperlab sweep --nproc N``): each trial is trained by N processes with
DistributedDataParallel through the one trainer (``engine.distributed``); rank 0 alone talks to the study.

Every rank makes the same collectives in the same order, so none is left waiting:

- **Rank 0 leads.** It runs the worker loop (``trial_loop.work``) with its own session and
  heartbeat: claims or asks each trial, samples its parameters and broadcasts ``("trial", params)``
  (``broadcast_object_list``). Ranks other than 0 never open the storage; they wait for the next
  message and train what it says. When the study holds its target rank 0 broadcasts ``("stop",)``;
  while it waits for other workers' trials it broadcasts ``("wait",)`` at each look, so the
  others' wait never reaches the collective timeout.
- **Pruning.** After each epoch rank 0 reports the validation metric to Optuna and asks the
  pruner; its answer is broadcast (``SharedPruning``) and every rank stops at that epoch.
  Divergence and early stopping already decide from numbers all ranks share (summed losses,
  rank 0's validation), so they stop together too.
- **Agreement.** After the run every rank's parameters, final loss and a checksum of its weights
  are gathered on rank 0 and stored on the trial (user attribute ``ranks``); if they differ the
  trial fails (Optuna users meet exactly this: every rank sampling its own parameters).
- **Failures.** A rank that dies makes the others' next collective fail (gloo closes its
  connections; collectives time out otherwise) and the launcher stops the rest with SIGTERM;
  rank 0 marks its trial failed (status ``failed``, not ``interrupted``: Ctrl-C is SIGINT), or the
  heartbeat check does later if rank 0 itself died, and the sweep ends with one line naming the
  rank that failed.
"""

from __future__ import annotations

import math
import signal
from typing import Any

import optuna
import torch
import torch.distributed as dist

from hyperlab.engine import Callback, Run, RunResult, StopTraining, distributed
from hyperlab.errors import ConfigError, HyperlabError
from hyperlab.sweeps.objective import Objective, PruningReporter, SweepSetup, round_floats
from hyperlab.sweeps.plan import SweepPlan
from hyperlab.sweeps.signals import SIGNALS
from hyperlab.sweeps.tensorboard import trial_callbacks

TRIAL, WAIT, STOP = "trial", "wait", "stop"
RANKS_ATTR = "ranks"


def check_processes(setup: SweepSetup, n_train: int, nproc: int) -> None:
    """Refuse, before anything starts (before the study is created), a batch size of the setup that
    N processes cannot share: a step of batch x accumulate x N samples above the training set (with
    one process too: a fixed batch size above it), or a last step that leaves a process without
    samples (``engine.distributed.check_shares``)."""
    base = setup.hparams()
    dim = setup.search_space().get("batch_size")
    if dim is None:
        sizes = [base.batch_size]
    elif nproc <= 1:
        return  # one process: a searched batch size is checked by SearchSpace.check
    else:
        sizes = list(dim.choices) if dim.choices else list(range(int(dim.low), int(dim.high) + 1))  # type: ignore[arg-type]
    for size in sizes:
        hp = base.replace(batch_size=size)
        hp.check_data_size(n_train, nproc)
        distributed.check_shares(hp, n_train, nproc)


def from_leader(message: tuple[Any, ...] | None = None) -> tuple[Any, ...]:
    """Rank 0's ``message`` on every rank (the others pass nothing and get it back)."""
    box = [message]
    dist.broadcast_object_list(box, src=0)
    return box[0]  # type: ignore[return-value]


class SharedPruning(Callback):
    """After each epoch: rank 0 asks the pruner (through its ``PruningReporter``), every rank gets
    the answer, and all of them stop at the same epoch."""

    def __init__(self, reporter: PruningReporter | None) -> None:
        self.reporter = reporter  # None on ranks other than 0

    def on_epoch_end(self, run: Run) -> None:
        asked = self.reporter is not None and self.reporter.should_prune(run)
        [stop] = distributed.from_rank0([1.0 if asked else 0.0], run.device)
        if stop:
            raise StopTraining("pruned", f"pruned after epoch {run.history.epochs[-1].epoch}")


def rank_reports(result: RunResult, params: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Each rank's trained ``params``, final loss and weight checksum, gathered on rank 0 (None on
    the others); raises HyperlabError on rank 0 if the ranks did not train the same model."""
    trained = result.hparams.to_dict()
    losses = [v for v in result.history.step_loss if v is not None]
    with torch.no_grad():
        weights = float(sum(p.detach().double().abs().sum() for p in result.model.parameters()))
    mine = {"rank": distributed.rank(), "params": {k: trained[k] for k in params},
            "final_loss": losses[-1] if losses else None, "weights": weights,
            "world_size": result.history.world_size}
    reports = distributed.gather_objects(mine) or [mine]
    if not distributed.is_main():
        return None
    first = reports[0]
    for other in reports[1:]:
        if other["params"] != first["params"] or not math.isclose(other["weights"], first["weights"], rel_tol=1e-6):
            raise HyperlabError(f"the processes of one trial disagree: rank 0 trained {first['params']} "
                                f"(weights {first['weights']:.6g}), rank {other['rank']} trained "
                                f"{other['params']} (weights {other['weights']:.6g})")
    return reports


class LeaderObjective(Objective):
    """Rank 0's objective: like ``Objective`` (same sampling, recording and telling), but it
    broadcasts each trial's parameters and pruning decisions, and checks the ranks agree."""

    def train_trial(self, trial: optuna.Trial, params: dict[str, Any]) -> RunResult:
        from_leader((TRIAL, params))
        try:
            result = self.train(params, [SharedPruning(PruningReporter(trial)),
                                         *trial_callbacks(self.tensorboard, trial)])  # rank 0 writes
        except KeyboardInterrupt:
            if SIGNALS.signum == signal.SIGTERM:  # the launcher stops every rank once one has failed
                raise distributed.DistributedError("stopped by the launcher (SIGTERM): another process "
                                                   "of this trial failed") from None
            raise  # Ctrl-C: the trial is interrupted, as in a sweep without --nproc
        trial.set_user_attr(RANKS_ATTR, round_floats(rank_reports(result, params)))
        return result


def follow(objective: Objective) -> None:
    """A rank other than 0: train each trial rank 0 sends, until it says stop."""
    while True:
        message = from_leader()
        if message[0] == STOP:
            return
        if message[0] == TRIAL:
            params = message[1]
            rank_reports(objective.train(params, [SharedPruning(None)]), params)


def rank_main(plan_data: dict[str, Any], target: int, seed: int, label: str) -> int:
    """One rank of a data-parallel worker (inside the process group ``distributed.launch`` made):
    rank 0 leads the worker loop and returns how many trials it ran; the others follow."""
    from hyperlab.sweeps.processes import echo
    from hyperlab.sweeps.session import Session
    from hyperlab.sweeps.trial_loop import work

    plan = SweepPlan.from_dict(plan_data)
    setup = plan.setup
    assert setup is not None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if not distributed.is_main():
        follow(Objective(setup))
        return 0
    with SIGNALS:
        session = Session(plan, setup, seed=seed)
        ran = work(session, LeaderObjective(setup, tensorboard=plan.tensorboard), target, plan.timeout, echo(plan, label),
                   on_wait=lambda: from_leader((WAIT,)))
    from_leader((STOP,))
    return ran


def run_ranks(plan: SweepPlan, target: int, seed: int, label: str = "", threads: int | None = None) -> int:
    """Start ``plan.nproc`` processes that take the study's trials together until it holds
    ``target``; return how many trials they ran. Raises DistributedError if a rank fails."""
    if plan.setup is None:
        raise ConfigError("setup", None, "is needed to start data-parallel trials (prepare the study first)")
    return distributed.launch(plan.nproc, rank_main, plan.to_dict(), target, seed, label, threads=threads)
