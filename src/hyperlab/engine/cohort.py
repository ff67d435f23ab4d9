"""A cohort: population members with the same batch size, trained in lock step on stacked tensors.

The loop mirrors ``fit`` step for step (same batches from ``batches``/``epoch_generator``, same
schedule values, the same divergence rule) so that each member's history is its own ``fit``
run's. Nothing waits on the device inside an epoch: losses, gradient norms, correct counts and the
divergence mask stay on the device and are read once per epoch; a member that diverges is frozen
by the mask at that very step (its loss leaves the summed loss, its update is skipped) and leaves
the stack at the end of the epoch, as do members that finish or are stopped.
"""

from __future__ import annotations

import collections
import contextlib
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from hyperlab.data import Data
from hyperlab.engine import memory
from hyperlab.engine.callbacks import Callback, StopTraining
from hyperlab.engine.history import EpochRecord, History, finite_or_none
from hyperlab.engine.stacked import Stack, member_losses
from hyperlab.engine.steps import class_hits, like_targets, lone_sample_explained
from hyperlab.engine.trainer import (EVAL_BATCH, LossFn, RunResult, batches, diverge_window, epoch_generator,
                                     reference_loss)
from hyperlab.hparams import HParams
from hyperlab.optim.functional import FAMILIES, PopulationOptimizer, member_settings, schedule_table


@dataclass(eq=False)
class MemberRun:
    """One member's live state, shaped like ``Run`` for callbacks (``member`` is its index in the
    population; ``model`` is a normal module holding the member's current weights, built on access)."""

    member: int
    hparams: HParams
    data: Data
    history: History
    device: torch.device
    epoch: int = 0
    step: int = 0
    restored_epoch: int | None = None
    callbacks: list[Callback] = field(default_factory=list)
    stop_status: str | None = None  # set by a callback to stop this member after this epoch
    optimizer: None = None  # the population's optimizer is shared; no torch optimizer per member
    scheduler: None = None
    _cohort: Cohort | None = field(default=None, repr=False)
    _model: nn.Module | None = field(default=None, repr=False)

    @property
    def model(self) -> nn.Module:
        if self._model is not None:
            return self._model
        assert self._cohort is not None
        return self._cohort.stack.member_module(self._cohort.row_of(self))

    @model.setter
    def model(self, module: nn.Module) -> None:
        self._model = module


class Cohort:
    """Members with one batch size (and drop_last) trained together; ``train`` returns their results."""

    def __init__(self, members: Sequence[tuple[int, HParams, nn.Module]], data: Data, template: nn.Module,
                 *, device: torch.device, loss_fn: LossFn, forward: str, callbacks: Sequence[Callback],
                 early_stopping: Callable[[HParams], Callback | None], eval_train: bool, diverge_factor: float,
                 train_set: Dataset, val_set: Dataset | None, train_var: float | None,
                 lock: contextlib.AbstractContextManager[Any] | None = None,
                 stop: threading.Event | None = None, halt: threading.Event | None = None) -> None:
        # order by optimizer family: each family's update is then one set of ops over a row range
        order = sorted(range(len(members)), key=lambda i: list(FAMILIES.values()).index(FAMILIES[members[i][1].optimizer]))
        members = [members[i] for i in order]
        self.data, self.device, self.loss_fn = data, device, loss_fn
        self.eval_train, self.diverge_factor = eval_train, diverge_factor
        self.train_set, self.val_set, self.train_var = train_set, val_set, train_var
        self.callbacks = list(callbacks)
        # cohorts trained on parallel threads share a lock around callbacks and results, and a
        # stop signal (Ctrl-C or an error in another cohort): this one then ends as interrupted
        self.lock = lock if lock is not None else contextlib.nullcontext()
        self.stop = stop
        # the caller's stop (``fit_population(stop=)``): every member ends at its next step, "stopped"
        self.halt = halt
        first = members[0][1]
        self.batch_size, self.drop_last = first.batch_size, first.drop_last
        self.steps_per_epoch = first.steps_per_epoch(data.n_train)
        self.stack = Stack(template, [m for _, _, m in members], forward)
        metric = data.metric
        self.runs: list[MemberRun] = []
        for index, hp, _ in members:
            history = History(task=data.task, metric=metric, n_train=data.n_train, batch_size=hp.batch_size,
                              steps_per_epoch=self.steps_per_epoch, total_steps=hp.epochs * self.steps_per_epoch)
            own = [cb for cb in (early_stopping(hp),) if cb is not None]  # first, as in fit
            self.runs.append(MemberRun(index, hp, data, history, device, callbacks=own + self.callbacks,
                                       _cohort=self))
        tables = [schedule_table(hp, self.steps_per_epoch) for _, hp, _ in members]
        self.lr_host = [t[0] for t in tables]
        width = max(len(t[0]) for t in tables)
        pad = lambda seq: seq + [seq[-1]] * (width - len(seq))
        self.lr_table = torch.tensor([pad(t[0]) for t in tables], dtype=torch.float64, device=device).T.contiguous()
        self.mom_table = torch.tensor([pad(t[1]) for t in tables], dtype=torch.float64, device=device).T.contiguous()
        self.optimizer = PopulationOptimizer(self.stack.flat, [member_settings(hp) for _, hp, _ in members],
                                             momentum_ever=[max(t[1]) > 0 for t in tables], pieces=self.stack.sizes)
        clips = [hp.clip_grad_norm for _, hp, _ in members]  # each member's gradient clipped as fit clips it
        self.max_norms = None if all(c is None for c in clips) else torch.tensor(
            [math.inf if c is None else c for c in clips], dtype=self.stack.flat.dtype, device=device)
        # the divergence rule as fit applies it (``trainer.divergence``), per member: the latest loss
        # against the first, or below a batch of 32 the mean of the last ``window`` against the
        # untrained model's loss on the first 32 training samples
        self.window = diverge_window(members[0][1].effective_batch())
        self.first: Tensor | None = None
        self.recent: collections.deque[Tensor] = collections.deque(maxlen=self.window)
        if self.window > 1:
            self.stack.train(False)
            reference = reference_loss(lambda sample: evaluate_members(self.stack, sample, data.task, loss_fn,
                                                                       device)[0], train_set, device)
            self.stack.train(True)
            reference = reference or [None] * len(self.runs)
            for run, value in zip(self.runs, reference, strict=True):
                run.history.diverge_reference = value
            self.first = torch.tensor([math.nan if v is None else v for v in reference], dtype=torch.float64,
                                      device=device)
        self.peak: dict[str, Any] = {}

    # ---- bookkeeping ---------------------------------------------------------------------------
    def row_of(self, run: MemberRun) -> int:
        return self.runs.index(run)

    def _seeds(self) -> tuple[list[int], Tensor | None]:
        """The distinct shuffle seeds, and each member's position among them (None: all share one)."""
        seeds = sorted({r.hparams.seed for r in self.runs})
        if len(seeds) == 1:
            return seeds, None
        return seeds, torch.tensor([seeds.index(r.hparams.seed) for r in self.runs], device=self.device)

    def _batches(self, epoch: int):
        seeds, index = self._seeds()
        streams = [batches(self.train_set, self.batch_size, self.drop_last, epoch_generator(s, epoch), self.device)
                   for s in seeds]
        for parts in zip(*streams, strict=True):
            if index is None:
                yield parts[0][0], parts[0][1], True
            else:
                xs = torch.stack([p[0] for p in parts]).index_select(0, index)
                ys = torch.stack([p[1] for p in parts]).index_select(0, index)
                yield xs, ys, False

    # ---- one step for every member ---------------------------------------------------------------
    def step(self, xb: Tensor, yb: Tensor, shared: bool, t: int, alive: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Forward, summed loss of the live members, backward, per-member update: (losses, norms, outputs)."""
        out = self.stack.forward(xb, shared)
        losses = member_losses(self.loss_fn, out, yb, shared)
        update = alive & torch.isfinite(losses)  # fit makes no update on a non-finite loss
        # the sum (never the mean) keeps each member's gradient its own; a frozen member adds nothing
        grads = self.stack.backward(torch.where(update, losses, 0.0).sum())
        norms = torch.empty(len(losses), dtype=self.stack.flat.dtype, device=self.device)
        self.optimizer.step(grads, self.lr_table[t], self.mom_table[t], update, norms=norms, max_norms=self.max_norms)
        return losses.detach(), norms, out.detach()

    def _measured_step(self, xb: Tensor, yb: Tensor, shared: bool, t: int, alive: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """The first step, with its peak tensor memory measured (as ``fit`` measures its first step)."""
        if self.device.type == "cuda":
            torch.cuda.reset_peak_memory_stats(self.device)
            result = self.step(xb, yb, shared, t, alive)
            self.peak = {"population_step_peak_bytes": int(torch.cuda.max_memory_allocated(self.device)),
                         "method": "torch.cuda.max_memory_allocated over the population's first step"}
            return result
        existing = [self.stack.flat, *self.stack.buffers.values(), *self.stack.fixed.values(),
                    xb, yb, *[t for seg in self.optimizer.segments for t in seg.state.values()]]
        tracker = memory.LiveTensorBytes(existing)
        with tracker:
            result = self.step(xb, yb, shared, t, alive)
        self.peak = {"population_step_peak_bytes": int(tracker.peak),
                     "method": "live tensor bytes in the population's first step (dispatch mode), "
                               "shared equally by its members"}
        return result

    # ---- the loop ----------------------------------------------------------------------------------
    def train(self, results: dict[int, RunResult]) -> None:
        """Train every member to its end; put each member's result in ``results`` under its index."""
        started = time.perf_counter()
        torch.manual_seed(self.runs[0].hparams.seed)  # dropout masks come from the global generator, as in fit
        members_at_start = len(self.runs)
        with self.lock:
            for run in self.runs:
                for cb in run.callbacks:
                    cb.on_train_start(run)  # type: ignore[arg-type]
        epoch = 0
        try:
            with lone_sample_explained(self.batch_size, self.data.n_train):  # BatchNorm given a lone sample
                while self.runs:
                    self._epoch(epoch, started, results, members_at_start)
                    epoch += 1
        except KeyboardInterrupt:
            self._end_all("interrupted", started, results, members_at_start)
            raise

    def _end_all(self, status: str, started: float, results: dict[int, RunResult], members_at_start: int) -> None:
        """Every member still training ends now, with ``status``."""
        with self.lock:
            for run in list(self.runs):
                run.history.status = status
                self._finish(run, started, results, members_at_start)
        self.runs = []

    def _epoch(self, epoch: int, started: float, results: dict[int, RunResult], members_at_start: int) -> None:
        k = len(self.runs)
        self.stack.train(True)
        alive = torch.ones(k, dtype=torch.bool, device=self.device)
        diverged_at = torch.full((k,), -1, dtype=torch.long, device=self.device)
        correct = torch.zeros(k, dtype=torch.long, device=self.device)
        losses, norms = [], []
        classification = self.data.task == "classification"
        epoch_start, seen, halted = time.perf_counter(), 0, False
        for s, (xb, yb, shared) in enumerate(self._batches(epoch)):
            if self.stop is not None and self.stop.is_set():
                raise KeyboardInterrupt
            if self.halt is not None and self.halt.is_set():
                halted = True
                break
            t = epoch * self.steps_per_epoch + s
            if t == 0:
                loss, norm, out = self._measured_step(xb, yb, shared, t, alive)
            else:
                loss, norm, out = self.step(xb, yb, shared, t, alive)
            now = alive & (~torch.isfinite(loss) | self._exploded(loss, t))
            diverged_at = torch.where(now, s, diverged_at)
            alive = alive & ~now
            losses.append(loss)
            norms.append(norm)
            if classification:
                correct += class_hits(out, yb, lead=1).sum(-1)
            seen += len(yb) if shared else yb.shape[1]
        seconds = time.perf_counter() - epoch_start
        if halted and not losses:  # stopped before this epoch's first step
            self._end_all("stopped", started, results, members_at_start)
            return
        # one read of the device per epoch
        loss_table = torch.stack(losses)
        train_losses = loss_table.mean(0).tolist()
        loss_rows, norm_rows = loss_table.T.tolist(), torch.stack(norms).T.tolist()
        diverged_host, correct_host = diverged_at.tolist(), correct.tolist()
        self.stack.train(False)
        val = evaluate_members(self.stack, self.val_set, self.data.task, self.loss_fn, self.device) \
            if not halted else ([], [])
        train_eval = (evaluate_members(self.stack, self.train_set, self.data.task, self.loss_fn, self.device)
                      if self.eval_train and not halted else None)
        with self.lock:  # callbacks and results: one cohort at a time
            done: list[MemberRun] = []
            for row, run in enumerate(list(self.runs)):
                hist = run.history
                steps = len(loss_rows[row]) if diverged_host[row] < 0 else diverged_host[row] + 1
                offset = epoch * self.steps_per_epoch
                hist.step_lr.extend(self.lr_host[row][offset:offset + steps])
                hist.step_loss.extend(finite_or_none(v) for v in loss_rows[row][:steps])
                hist.step_grad_norm.extend(finite_or_none(g) for g in norm_rows[row][:steps])
                if diverged_host[row] >= 0:
                    value = loss_rows[row][steps - 1]
                    hist.step_grad_norm[-1] = None
                    hist.diverged = {"step": offset + steps, "epoch": epoch + 1, "loss": finite_or_none(value),
                                     "reason": "exploded" if math.isfinite(value) else "non-finite"}
                    run.step = offset + steps - 1
                    hist.status = "diverged"
                    done.append(run)
                    continue
                run.step = offset + steps
                if halted:  # its steps this epoch are recorded; a part of an epoch gets no epoch record
                    hist.status = "stopped"
                    done.append(run)
                    continue
                run.epoch = epoch + 1
                train_loss = train_losses[row]
                train_metric = (correct_host[row] / seen if classification
                                else 1.0 - train_loss / self.train_var if self.train_var else None)
                if train_eval is not None:
                    train_loss, train_metric = train_eval[0][row], train_eval[1][row]
                hist.epochs.append(EpochRecord(
                    epoch=run.epoch, step=run.step, train_loss=finite_or_none(train_loss),
                    train_metric=finite_or_none(train_metric), val_loss=val[0][row], val_metric=val[1][row],
                    lr=self.lr_host[row][min(run.step, len(self.lr_host[row]) - 1)], seconds=seconds,
                    samples_per_second=seen / seconds))
                hist.seconds = time.perf_counter() - started
                try:
                    for cb in run.callbacks:
                        cb.on_epoch_end(run)  # type: ignore[arg-type]
                    if run.stop_status:
                        raise StopTraining(run.stop_status)
                except StopTraining as stop:
                    hist.status = stop.status
                    done.append(run)
                    continue
                if run.epoch >= run.hparams.epochs:
                    hist.status = "completed"
                    done.append(run)
            for run in done:
                self._finish(run, started, results, members_at_start)
        if done:
            keep = [row for row, run in enumerate(self.runs) if run not in done]
            self.runs = [self.runs[row] for row in keep]
            if keep:
                self._keep(keep)

    def _exploded(self, loss: Tensor, t: int) -> Tensor | bool:
        """Which members' losses exploded at step ``t`` (``trainer.divergence``, on the device)."""
        loss = loss.double()
        if self.window == 1:
            self.first = loss if t == 0 else self.first
            latest = loss
        else:
            self.recent.append(loss)
            if t + 1 < self.window:
                return False
            latest = torch.stack(list(self.recent)).sum(0) / self.window
        assert self.first is not None
        return (self.first > 0) & (latest > self.diverge_factor * self.first)

    def _keep(self, rows: list[int]) -> None:
        index = torch.tensor(rows, device=self.device)
        self.stack.keep(rows)
        self.optimizer.keep(rows, self.stack.flat)
        self.lr_host = [self.lr_host[r] for r in rows]
        self.lr_table = self.lr_table[:, index].contiguous()
        self.mom_table = self.mom_table[:, index].contiguous()
        if self.max_norms is not None:
            self.max_norms = self.max_norms[index]
        if self.first is not None:
            self.first = self.first[index]
        self.recent = collections.deque((loss[index] for loss in self.recent), maxlen=self.window)

    def _finish(self, run: MemberRun, started: float, results: dict[int, RunResult], members: int) -> None:
        """A member leaves: its model becomes a normal module; records and callbacks as fit ends a run."""
        hist = run.history
        run.model = self.stack.member_module(self.row_of(run))
        run.model.train(True)
        hist.seconds = time.perf_counter() - started
        best = hist.best()
        hist.best_epoch = hist.best_epoch or (best.epoch if best else None)
        share = self.peak.get("population_step_peak_bytes", 0) // members
        hist.peak_memory.update(step_peak_bytes=share, population_members=members, **self.peak)
        memory.finish(hist.peak_memory, self.device)
        if self.device.type == "cuda":
            hist.peak_memory["peak_bytes"] = share
        for cb in run.callbacks:
            cb.on_train_end(run)  # type: ignore[arg-type]
        run._cohort = None
        results[run.member] = RunResult(run.model, hist, run.hparams, restored_epoch=run.restored_epoch)


# ---- evaluation of every member ------------------------------------------------------------------

@torch.no_grad()
def evaluate_members(stack: Stack, dataset: Dataset | None, task: str, loss_fn: LossFn,
                     device: torch.device) -> tuple[list[float | None], list[float | None]]:
    """Each member's (mean loss, metric) over a split, as ``trainer.evaluate`` computes them."""
    k = stack.members
    if dataset is None or len(dataset) == 0:  # type: ignore[arg-type]
        return [None] * k, [None] * k
    total = torch.zeros(k, dtype=torch.float64, device=device)
    correct = torch.zeros(k, dtype=torch.float64, device=device)
    sq_err = torch.zeros(k, dtype=torch.float64, device=device)
    targets, n = [], 0
    if isinstance(dataset, TensorDataset):
        X, y = dataset.tensors
        loader = ((X[i:i + EVAL_BATCH], y[i:i + EVAL_BATCH]) for i in range(0, len(X), EVAL_BATCH))
    else:
        loader = DataLoader(dataset, batch_size=EVAL_BATCH)
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        out = stack.forward(xb, shared=True)
        total += member_losses(loss_fn, out, yb, shared=True).double() * len(xb)
        n += len(xb)
        if task == "classification":
            correct += class_hits(out, yb, lead=1).sum(-1).double()
        else:
            sq_err += ((like_targets(out, yb, lead=1) - yb) ** 2).reshape(k, -1).sum(1).double()
            targets.append(yb)
    losses = [finite_or_none(v / n) for v in total.tolist()]
    if task == "classification":
        return losses, [finite_or_none(c / n) for c in correct.tolist()]
    y_all = torch.cat(targets)
    total_sq = float(((y_all - y_all.mean(0)) ** 2).sum())
    return losses, [finite_or_none(1.0 - e / total_sq if total_sq > 0 else 0.0) for e in sq_err.tolist()]

