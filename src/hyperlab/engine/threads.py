"""How many threads torch uses while training: intra-op threads, and a population's own threads."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

import torch
from torch import Tensor, nn
from torch.utils.data import Dataset
from torch.utils.flop_counter import FlopCounterMode

from hyperlab.engine.batching import first_batch
from hyperlab.errors import check_int

# A training step whose forward pass does fewer multiply-adds than this trains on one intra-op
# thread by default. bench/threads_by_size.py: on two idle cores a second thread saved 25-38% of a
# step from about 20 M multiply-adds per step and nothing below (the digits MLP, 0.8 M, was
# 1.1-1.5x slower with it); beside other work it cost 2.4-12x at every size.
ONE_THREAD_BELOW = 20e6

# the threads a population uses when not told (see ``population_threads``)
_POPULATION_THREADS: contextvars.ContextVar[int | None] = contextvars.ContextVar("population_threads", default=None)


@contextlib.contextmanager
def torch_threads(threads: int | None, *, small_step: bool = False) -> Iterator[None]:
    """Run with ``threads`` intra-op threads, restoring torch's setting afterwards.

    ``threads=None`` leaves torch's setting, except for a ``small_step`` (see ``is_small_step``):
    then one intra-op thread, while a population still spreads its members over as many Python
    threads as torch had (its members' kernels never wait for each other). Small models gain
    nothing from intra-op threads, and on cores shared with other processes (sweep workers, other
    jobs) torch's default of one thread per core can make them many times slower."""
    if threads is None and not small_step:
        yield
        return
    before = torch.get_num_threads()
    if threads is None:  # a small step
        threads, population = 1, before
    else:
        population = threads = check_int("threads", threads, 1)
    token = _POPULATION_THREADS.set(population)
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)
        _POPULATION_THREADS.reset(token)


def population_threads() -> int:
    """How many threads a population uses when not told: torch's intra-op count, or the count
    torch had before ``torch_threads`` chose one intra-op thread for a small step."""
    chosen = _POPULATION_THREADS.get()
    return torch.get_num_threads() if chosen is None else chosen


def forward_macs(model: nn.Module, x: Tensor) -> float | None:
    """Multiply-adds of one forward pass of ``model`` on the batch ``x`` (torch's FLOP counter,
    which counts matrix products and convolutions), or None if the model does not run so.
    Runs in eval mode without gradients, so no running statistic or random state changes."""
    was_training = model.training
    try:
        with torch.no_grad(), torch.random.fork_rng(devices=[]), FlopCounterMode(display=False) as counter:
            model.eval()
            model(x)
        return counter.get_total_flops() / 2
    except Exception:  # the count only guides a default; training will report a real failure itself
        return None
    finally:
        model.train(was_training)


def is_small_step(model: nn.Module, x: Tensor) -> bool:
    """Whether a training step on the batch ``x`` is small enough for one intra-op thread: a CPU
    model whose forward does under ``ONE_THREAD_BELOW`` multiply-adds."""
    if any(p.device.type != "cpu" for p in model.parameters()) or x.device.type != "cpu":
        return False
    macs = forward_macs(model, x)
    return macs is not None and macs < ONE_THREAD_BELOW


def threads_by_step(model: nn.Module, dataset: Dataset, batch_size: int) -> contextlib.AbstractContextManager[None]:
    """``torch_threads`` left to torch's setting, except one intra-op thread when a step of
    ``model`` on the first ``batch_size`` samples of ``dataset`` is small (``is_small_step``)."""
    return torch_threads(None, small_step=is_small_step(model, first_batch(dataset, batch_size)))
