"""Worker processes on this machine (``--workers N``): spawned interpreters, each with its own
storage connection, seed and torch threads; Ctrl-C reaches every one of them. With ``--nproc M``
each worker starts M data-parallel ranks of its own (``distributed_trials``)."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

import optuna
from optuna.trial import FrozenTrial

from hyperlab.errors import HyperlabError
from hyperlab.sweeps.distributed_trials import run_ranks
from hyperlab.sweeps.objective import Objective, SweepSetup
from hyperlab.sweeps.plan import SweepPlan
from hyperlab.sweeps.prepare import Prepared
from hyperlab.sweeps.results import trial_line
from hyperlab.sweeps.session import Session
from hyperlab.sweeps.signals import SIGNALS
from hyperlab.sweeps.trial_loop import work


def echo(plan: SweepPlan, label: str) -> Callable[[FrozenTrial], None] | None:
    """What prints each finished trial's line (to stdout, stderr or nowhere, as the plan says)."""
    if plan.echo == "none":
        return None
    stream = sys.stderr if plan.echo == "stderr" else sys.stdout

    def print_line(trial: FrozenTrial) -> None:
        print(trial_line(trial, plan.lang, label), file=stream, flush=True)
    return print_line


def worker_seed(setup: SweepSetup, worker: int, finished_before: int) -> int:
    """Different for each worker and each session, so resumed or parallel samplers do not repeat draws."""
    return (setup.hparams().seed * 1_000_003 + worker * 7919 + finished_before * 104_729) % (2**31)


def worker_main(plan_data: dict[str, Any], worker: int, target: int, finished_before: int,
                threads: int) -> None:
    """Entry point of a worker process (spawned: a clean interpreter, its own storage connection)."""
    import torch

    torch.set_num_threads(threads)
    plan = SweepPlan.from_dict(plan_data)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with SIGNALS:
        try:
            setup = plan.setup
            assert setup is not None
            seed, label = worker_seed(setup, worker, finished_before), f"[w{worker}] "
            if plan.nproc > 1:  # this worker's trials are trained by plan.nproc ranks
                run_ranks(plan, target, seed, label, threads)
            else:
                objective = Objective(setup, tensorboard=plan.tensorboard, threads_by_size=plan.threads is None)
                work(Session(plan, setup, seed=seed), objective, target, plan.timeout, echo(plan, label))
        except KeyboardInterrupt:
            sys.exit(130)
        except HyperlabError as exc:
            print(f"error: [w{worker}] {exc}", file=sys.stderr, flush=True)
            sys.exit(2)


def run_processes(plan: SweepPlan, prepared: Prepared) -> None:
    """Start ``plan.workers`` worker processes and wait for them; Ctrl-C is passed on to each."""
    ctx = multiprocessing.get_context("spawn")
    threads = plan.worker_threads(os.cpu_count() or 1)
    procs = [ctx.Process(target=worker_main, name=f"hyperlab-worker-{i}",
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
