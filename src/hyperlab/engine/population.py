"""``fit_population``: K configurations of one model trained at once, each as its own ``fit`` would.

    >>> import hyperlab
    >>> data = hyperlab.load_data("digits").subsample_train(200)
    >>> runs = fit_population("mlp", data, [hyperlab.HParams(lr=lr, epochs=1) for lr in (1e-3, 1e-2)], width=16)
    >>> [r.history.steps_per_epoch for r in runs]
    [7, 7]

Members share the architecture and the data; each has its own HParams: learning rate, optimizer
and its options, schedule, epochs, seed (its own initial weights and shuffle order), early
stopping and batch size. Members with the same batch size (and drop_last) form a cohort that
steps together on stacked parameters (``engine/stacked.py``) with per-member optimizer updates
(``optim/functional.py``); cohorts of different batch sizes are trained one after another.
A cohort larger than ``max_members`` (or than what fits in ``memory_limit`` bytes, from the
measured step memory of one and two members) is split into chunks trained one after another:
chunks never change the results.

Threads: with ``threads=N`` (default: ``engine.threads.population_threads()``, torch's intra-op
thread count unless the CLI chose one intra-op thread for a small step) a cohort of at least
``N * MIN_SPLIT`` members is dealt into N chunks of alike work, trained at once on N threads with
one intra-op thread each (torch releases the GIL inside its kernels; on shared cores this keeps
going where intra-op threads stall waiting for each other), and chunks of ``max_members`` or of
different batch sizes also train N at a time. The results are those of one thread to float
rounding, as ``fit``'s are (a member's place in the stacked tensors can change which BLAS kernel
computes its rows, and so the last bits: seen on an AVX-512 CPU).
Cohorts stay on one thread when their forward draws random numbers (dropout: the masks come from
the one global generator), with the vmap forward, on a GPU, and under ``memory_limit``.

Callbacks are ordinary ``Callback`` objects called for each member with a run view
(``MemberRun``: ``member`` is the member's index in ``hparams_list``; ``history``, ``epoch``,
``step``, ``hparams`` and ``model``, a module with the member's current weights). Events:
``on_train_start``, ``on_epoch_end`` and ``on_train_end``, per member. ``on_epoch_end`` may stop
that member alone (``run.stop_status = "pruned"`` or ``raise StopTraining("pruned")``); the other
members go on. One callback object sees every member, so keep per-member state keyed by
``run.member``; with threads, callbacks are called one at a time, but members of different
chunks interleave. ``on_step_end`` is not called (it would make every step wait for the losses): a
callback that needs it is refused.

A module that cannot be stacked (vmap refuses it, e.g. it calls ``.item()`` in forward or has an
nn.GRU/LSTM/RNN; its forward replaces a buffer instead of updating it in place; mixed dtypes;
parameters that get no gradient) is trained member by member with ``fit``, with a
``SequentialFallbackWarning`` saying why: slower, never a different answer. Random numbers drawn in
forward (dropout masks) are drawn for all members at once, so such a member matches its ``fit`` in
distribution, not step for step.
"""

from __future__ import annotations

import copy
import threading
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from hyperlab.data import Data, DataSpec, as_data
from hyperlab.engine import memory
from hyperlab.engine.distributed import resolve_device
from hyperlab.engine.callbacks import AsMember, Callback, EarlyStopping, StopTraining
from hyperlab.engine.cohort import Cohort, MemberRun
from hyperlab.engine.stacked import member_losses, replaced_buffers
from hyperlab.engine.steps import broadcast_refused, check_class_outputs, loss_or_default, output_mismatch
from hyperlab.engine.threads import population_threads, torch_threads
from hyperlab.engine.trainer import (DIVERGE_FACTOR, LossFn, RunResult, TrainingInterrupted, _target_variance, _to_device,
                                     fit)
from hyperlab.errors import ConfigError, HyperlabError, check_choice, check_int
from hyperlab.hparams import HParams
from hyperlab.models import ModelSpec, build_model
from hyperlab.optim.functional import FAMILIES

FORWARDS = ("auto", "matmul", "vmap")
# members per thread, at least, before a cohort is split across threads: halves of 8 and of 4 took
# 39% and 65% more CPU time than one cohort of 16 or 8 (halves of 32: the same), for a gain only
# when both cores are free
MIN_SPLIT = 16


class SequentialFallbackWarning(UserWarning):
    """The population could not be stacked and was trained member by member with ``fit``."""


class PopulationInterrupted(KeyboardInterrupt):
    """Ctrl-C during population training; ``results`` holds each member's result so far (status
    "interrupted" for those under way, histories up to their last finished epoch; None for
    members of cohorts not yet started)."""

    def __init__(self, results: list[RunResult | None]) -> None:
        super().__init__("population training interrupted")
        self.results = results


def fit_population(model: ModelSpec, data: DataSpec, hparams_list: Sequence[HParams | dict[str, Any]], *,
                   callbacks: Sequence[Callback] = (), device: torch.device | str | None = None,
                   loss_fn: LossFn | None = None, max_members: int | None = None,
                   memory_limit: int | str | None = None, width: int | None = None, depth: int | None = None,
                   eval_train: bool = False, diverge_factor: float = DIVERGE_FACTOR,
                   forward: str = "auto", threads: int | None = None,
                   stop: threading.Event | None = None) -> list[RunResult]:
    """Train one member per HParams at once; return their results in the order given.

    ``data`` is anything ``as_data`` takes (anything but ``Data`` is split by the first member's
    seed). ``model`` is a built-in name, ``module:function`` or factory (each member gets
    ``build_model(model, data, width=, depth=, seed=hp.seed)``: the weights ``fit`` would start
    from) or an ``nn.Module`` (every member starts from a copy of its weights). Each result has
    exactly the form ``fit`` returns. ``forward`` picks the stacked forward pass: ``matmul``
    (nn.Sequential of Linear and elementwise layers), ``vmap`` (any module) or ``auto``.
    ``threads`` is how many CPU threads the population may use (None:
    ``population_threads()``);
    see the module docstring for how it uses them. Once ``stop`` (an Event, e.g. a page's Stop
    button) is set, every member ends at its next step with status "stopped", its steps so far
    recorded, as ``StopTraining("stopped")`` from a step callback ends a ``fit`` run.
    """
    hps, data = _check_members(hparams_list, data)
    if max_members is not None:
        max_members = check_int("max_members", max_members, 1)
    given_limit, memory_limit = memory_limit, memory.parse_bytes(memory_limit)  # bytes, or a size such as "64MB"
    check_choice("forward", forward, FORWARDS)
    threads = population_threads() if threads is None else check_int("threads", threads, 1)
    callbacks = _check_callbacks(callbacks)
    device = resolve_device(device)
    loss_fn = loss_or_default(loss_fn, data.task)
    initial = _initial_models(model, data, hps, width, depth, device)
    template = initial(0)

    setup = {"data": data, "template": template, "device": device, "loss_fn": loss_fn, "callbacks": callbacks,
             "early_stopping": _early_stopping, "eval_train": eval_train, "diverge_factor": diverge_factor,
             "train_set": _to_device(data.train, device), "val_set": _to_device(data.val, device),
             "train_var": _target_variance(data.train) if loss_fn is F.mse_loss else None, "halt": stop}
    groups: dict[tuple[int, bool], list[int]] = {}
    for i, hp in enumerate(hps):
        groups.setdefault((hp.batch_size, hp.drop_last), []).append(i)

    reason = _settings_not_stacked(hps)
    chosen, reason = (None, reason) if reason else _choose_forward(forward, hps, groups, initial, setup)
    if chosen is None:
        warnings.warn(f"fit_population: training the {len(hps)} members one after another with fit: {reason}",
                      SequentialFallbackWarning, stacklevel=2)
        done: list[RunResult | None] = []
        halt = [_StopOnEvent(stop)] if stop is not None else []
        for i, hp in enumerate(hps):
            try:
                done.append(fit(initial(i, fresh=True), data, hp,
                                callbacks=[*halt, *(AsMember(i, cb) for cb in callbacks)], device=device,
                                loss_fn=loss_fn, eval_train=eval_train, diverge_factor=diverge_factor))
            except TrainingInterrupted as interrupted:  # the members finished so far are kept, as when stacked
                raise PopulationInterrupted(done + [interrupted.result] + [None] * (len(hps) - i - 1)) from None
        return done  # type: ignore[return-value]

    workers = threads if _parallel_safe(chosen, template, device, memory_limit) else 1
    chunks = []
    split_by_memory: dict[int, int] = {}  # member -> the chunk size the memory limit allowed its cohort
    for indices in groups.values():
        size = len(indices) if max_members is None else max_members
        if memory_limit is not None:
            size = min(size, members_within(memory_limit, [hps[i] for i in indices[:2]], initial, chosen, setup,
                                            given=given_limit))
            if size < len(indices):
                split_by_memory.update(dict.fromkeys(indices, size))
        if workers > 1 and max_members is None and memory_limit is None and len(indices) >= workers * MIN_SPLIT:
            chunks += balanced_split(indices, hps, workers)
        else:
            chunks += [indices[start:start + size] for start in range(0, len(indices), size)]
    memory.reset_process_peak()
    results: dict[int, RunResult] = {}
    for i in range(len(hps)):
        initial(i)  # every seed's model built here, not on the threads (building seeds torch's generator)
    make = lambda chunk, **extra: Cohort([(i, hps[i], initial(i)) for i in chunk], forward=chosen, **setup, **extra)
    try:
        if workers > 1 and len(chunks) > 1:
            _train_on_threads(chunks, make, results, min(workers, len(chunks)))
        else:
            for chunk in chunks:
                make(chunk).train(results)
    except KeyboardInterrupt:
        raise PopulationInterrupted([results.get(i) for i in range(len(hps))]) from None
    for i, size in split_by_memory.items():  # recorded, so what says how they trained can say so
        results[i].history.peak_memory["memory_limit_chunk"] = size
    return [results[i] for i in range(len(hps))]


def balanced_split(indices: list[int], hps: list[HParams], parts: int) -> list[list[int]]:
    """``indices`` dealt into ``parts`` chunks with alike work: as many steps and the same mix of
    optimizers in each (members sorted by epochs, then optimizer family, dealt in turn)."""
    families = list(FAMILIES.values())
    order = sorted(indices, key=lambda i: (-hps[i].epochs, families.index(FAMILIES[hps[i].optimizer])))
    return [sorted(order[j::parts]) for j in range(parts)]


def _parallel_safe(forward: str, template: nn.Module, device: torch.device, memory_limit: int | None) -> bool:
    """Whether cohorts may train on parallel threads: CPU, the matmul forward, nothing random in the
    forward (dropout masks come from the one global generator, whose draws threads would interleave)
    and no memory limit (chunks at once would need their memory at once)."""
    random = any(isinstance(m, nn.modules.dropout._DropoutNd) and m.p > 0 for m in template.modules())
    return device.type == "cpu" and forward == "matmul" and not random and memory_limit is None


def _train_on_threads(chunks: list[list[int]], make: Callable[..., Cohort], results: dict[int, RunResult],
                      workers: int) -> None:
    """Train the chunks' cohorts on ``workers`` threads, each with one intra-op thread (torch releases
    the GIL inside its kernels). Callbacks and results are taken one cohort at a time under a lock;
    Ctrl-C or an error in one cohort stops the others (their members end as interrupted)."""
    lock, stop = threading.Lock(), threading.Event()
    queue = list(reversed(chunks))
    errors: list[BaseException] = []

    def work() -> None:
        while not stop.is_set():
            with lock:
                if not queue:
                    return
                chunk = queue.pop()
            try:
                make(chunk, lock=lock, stop=stop).train(results)
            except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
                errors.append(exc)
                stop.set()
                return

    with torch_threads(1):
        pool = [threading.Thread(target=work, name=f"hyperlab-population-{n}", daemon=True) for n in range(workers)]
        for thread in pool:
            thread.start()
        try:
            for thread in pool:
                while thread.is_alive():
                    thread.join(0.05)
        except KeyboardInterrupt:
            stop.set()
            for thread in pool:
                thread.join()
            raise
    failures = [e for e in errors if not isinstance(e, KeyboardInterrupt)]
    if failures:
        raise failures[0]
    if errors:
        raise KeyboardInterrupt


def members_within(limit: int, sample: list[HParams], initial: Callable[[int], nn.Module], forward: str,
                   setup: dict[str, Any], given: int | str | None = None) -> int:
    """How many members of this batch size fit in ``limit`` bytes: the first step of one member
    and of two are measured (as ``fit`` measures its first step), giving the fixed and the
    per-member cost. ``given``: the limit as the user wrote it, for the message."""
    one = _probe_peak([sample[0]], initial, forward, setup)
    two = _probe_peak([sample[0], sample[-1]], initial, forward, setup)
    per_member = max(two - one, 1)
    fixed = max(one - per_member, 0)
    if limit < fixed + per_member:
        least = fixed + per_member
        raise ConfigError("memory_limit", limit if given is None else given,
                          f"must be at least {memory.human_bytes(least)} ({least} bytes): one member's training "
                          f"step at batch size {sample[0].batch_size} measured that much")
    return (limit - fixed) // per_member


def _probe_peak(members: list[HParams], initial: Callable[[int], nn.Module], forward: str,
                setup: dict[str, Any]) -> int:
    """Measured peak tensor bytes of one step of a throwaway cohort."""
    cohort = Cohort([(-1, hp.replace(early_stopping=False), initial(0)) for hp in members],
                    forward=forward, **{**setup, "callbacks": ()})
    xb, yb, shared = next(cohort._batches(0))
    state = torch.get_rng_state()
    try:
        cohort._measured_step(xb, yb, shared, 0, torch.ones(len(members), dtype=torch.bool, device=cohort.device))
    finally:
        torch.set_rng_state(state)
    return cohort.peak["population_step_peak_bytes"]


def _choose_forward(forward: str, hps: list[HParams], groups: dict[tuple[int, bool], list[int]],
                    initial: Callable[[int], nn.Module], setup: dict[str, Any]) -> tuple[str | None, str]:
    """The stacked forward that trains a trial step of two members, or (None, why none does)."""
    indices = next(iter(groups.values()))
    pair = [indices[0], indices[-1]]
    candidates = ["matmul", "vmap"] if forward == "auto" else [forward]
    reason = ""
    for kind in candidates:
        state = torch.get_rng_state()
        try:
            cohort = Cohort([(i, hps[i].replace(early_stopping=False), initial(i)) for i in pair],
                            forward=kind, **{**setup, "callbacks": ()})
            xb, yb, shared = next(cohort._batches(0))
            replaced = replaced_buffers(cohort.stack.template, xb if shared else xb[0]) if kind == "vmap" else []
            if replaced:
                return None, (f"buffer {replaced[0]!r} is replaced in forward (self.<name> = ...), which a stacked "
                              "forward would lose; update it in place (.copy_(), +=, .mul_()) to train stacked")
            alive = torch.ones(2, dtype=torch.bool, device=cohort.device)
            out = cohort.stack.forward(xb, shared)
            if cohort.data.task == "classification":
                check_class_outputs(out, yb, cohort.data.n_outputs, lead=1)
            with broadcast_refused():
                try:
                    losses = member_losses(cohort.loss_fn, out, yb, shared)
                except UserWarning as exc:  # outputs and targets of different shapes: fit refuses them too
                    raise output_mismatch(out.shape[1:], yb.shape if shared else yb.shape[1:], exc) from None
            grads = torch.autograd.grad(losses.sum(), list(cohort.stack.params.values()), allow_unused=True)
            unused = [n for n, g in zip(cohort.stack.params, grads, strict=True) if g is None]
            if unused:
                return None, (f"parameter {unused[0]!r} gets no gradient (torch.optim skips such a parameter, "
                              "a stacked update would not)")
            cohort.step(xb, yb, shared, 0, alive)
            return kind, ""
        except HyperlabError:  # a model that does not fit the data: fit would refuse it as well
            raise
        except Exception as exc:  # noqa: BLE001 - any failure means: not stackable this way
            reason = f"the {kind} forward failed: {exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        finally:
            torch.set_rng_state(state)
    return None, reason


# ---- checks and pieces ---------------------------------------------------------------------------

def _check_members(hparams_list: Sequence[HParams | dict[str, Any]], data: DataSpec) -> tuple[list[HParams], Data]:
    """The members as HParams and the data as ``Data`` (split by the first member's seed), each
    member's batch checked against the training set's size."""
    if isinstance(hparams_list, (HParams, dict, str)) or not isinstance(hparams_list, Sequence) or not hparams_list:
        raise ConfigError("hparams_list", hparams_list if not isinstance(hparams_list, HParams) else "HParams(...)",
                          "must be a non-empty list of HParams (one per member)")
    hps = []
    for i, hp in enumerate(hparams_list):
        if isinstance(hp, dict):
            try:
                hp = HParams(**hp)
            except ConfigError as exc:
                raise ConfigError(f"hparams_list[{i}].{exc.field}", exc.value, exc.allowed) from None
        if not isinstance(hp, HParams):
            raise ConfigError(f"hparams_list[{i}]", type(hp).__name__, "must be an HParams or a dict of settings")
        hps.append(hp)
    data = as_data(data, seed=hps[0].seed)
    for i, hp in enumerate(hps):
        try:
            hp.check_data_size(data.n_train)
        except ConfigError as exc:
            raise ConfigError(f"hparams_list[{i}].{exc.field}", exc.value, exc.allowed) from None
    return hps, data


# settings a cohort does not stack yet, with the value that stacks
_STACKED_ONLY = {"accumulate": 1, "precision": "fp32", "compile": False}


def _settings_not_stacked(hps: list[HParams]) -> str | None:
    """Why these members cannot step together on stacked parameters, or None."""
    for i, hp in enumerate(hps):
        for name, stacked in _STACKED_ONLY.items():
            if getattr(hp, name) != stacked:
                return f"member {i} has {name}={getattr(hp, name)!r} (stacked members need {name}={stacked!r})"
    return None


def _check_callbacks(callbacks: Sequence[Callback]) -> list[Callback]:
    callbacks = list(callbacks)
    for i, cb in enumerate(callbacks):
        if not isinstance(cb, Callback):
            raise ConfigError(f"callbacks[{i}]", type(cb).__name__, "must be a hyperlab Callback")
        if type(cb).on_step_end is not Callback.on_step_end:
            raise ConfigError(f"callbacks[{i}]", type(cb).__name__,
                              "must not need on_step_end: fit_population calls on_train_start, on_epoch_end and "
                              "on_train_end for each member (a call per step would make every step wait for the "
                              "losses); use fit for per-step callbacks")
    return callbacks


def _early_stopping(hp: HParams) -> Callback | None:
    return EarlyStopping(hp.patience, hp.min_delta, hp.restore_best) if hp.early_stopping else None


def _initial_models(model: ModelSpec, data: Data, hps: list[HParams], width: int | None, depth: int | None,
                    device: torch.device) -> Callable[..., nn.Module]:
    """Member i's starting module: what ``build_model(..., seed=hp.seed)`` gives (or a given module's
    weights). ``initial(i)`` is shared by members of one seed and only read (stacking copies it);
    ``initial(i, fresh=True)`` is a copy to train."""
    by_seed: dict[int, nn.Module] = {}
    given = copy.deepcopy(model).to(device) if isinstance(model, nn.Module) else None

    def initial(i: int, fresh: bool = False) -> nn.Module:
        if given is not None:
            return copy.deepcopy(given) if fresh else given
        seed = hps[i].seed
        if seed not in by_seed:
            by_seed[seed] = build_model(model, data, width=width, depth=depth, seed=seed)
            shapes = [(n, tuple(t.shape)) for n, t in by_seed[seed].state_dict().items()]
            first = next(iter(by_seed.values()))
            if shapes != [(n, tuple(t.shape)) for n, t in first.state_dict().items()]:
                raise ConfigError("model", getattr(model, "__name__", model),
                                  f"must build the same architecture for every seed (seed {seed} differs)")
            by_seed[seed].to(device)
        return copy.deepcopy(by_seed[seed]) if fresh else by_seed[seed]

    return initial


class _StopOnEvent(Callback):
    """``fit_population(stop=)`` under the sequential fallback: the member ends at its next step."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def on_step_end(self, run: Any, loss: Any) -> None:
        if self.event.is_set():
            raise StopTraining("stopped")


__all__ = ["FORWARDS", "MIN_SPLIT", "MemberRun", "PopulationInterrupted", "SequentialFallbackWarning", "balanced_split",
           "fit_population", "members_within"]
