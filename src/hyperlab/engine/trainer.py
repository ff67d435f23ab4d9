"""The one training loop. Lessons, tuners and sweeps all call ``fit``; features hang off callbacks.

The loop's pieces (``batches``, ``loss_for``, ``train_step``, ``is_diverged``, ``evaluate``) are
plain functions so that later engines (population training) reuse them instead of forking.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from hyperlab.data import Data, target_variance
from hyperlab.engine import memory
from hyperlab.engine.callbacks import Callback, EarlyStopping, StopTraining
from hyperlab.engine.checkpoint import restore_state
from hyperlab.engine.grads import FlatGrads
from hyperlab.engine.history import EpochRecord, History, finite_or_none
from hyperlab.errors import HyperlabError
from hyperlab.hparams import HParams
from hyperlab.optim import build_optimizer, build_scheduler

LossFn = Callable[[Tensor, Tensor], Tensor]
DIVERGE_FACTOR = 20.0  # a loss this many times its first value counts as diverged
EVAL_BATCH = 4096


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during training; ``result`` holds everything measured until then."""

    def __init__(self, result: RunResult) -> None:
        super().__init__("training interrupted")
        self.result = result


@dataclass
class Run:
    """Live state of a run, as callbacks see it."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler | None
    hparams: HParams
    data: Data
    history: History
    device: torch.device
    epoch: int = 0  # epochs finished
    step: int = 0  # optimizer steps taken
    restored_epoch: int | None = None
    callbacks: list[Callback] = field(default_factory=list)
    stop_status: str | None = None  # set by a callback to end the run after this epoch
    pending_losses: list[Tensor] = field(default_factory=list)  # this epoch's steps, not yet in history
    pending_norms: list[Tensor] = field(default_factory=list)


@dataclass
class RunResult:
    """What ``fit`` returns: the trained model, its history and the settings that made it."""

    model: nn.Module
    history: History
    hparams: HParams
    run_dir: Path | None = None
    restored_epoch: int | None = None

    @property
    def status(self) -> str:
        return self.history.status

    def summary(self) -> dict[str, Any]:
        """Headline numbers, JSON-safe."""
        h = self.history
        best = h.epochs[h.best_epoch - 1] if h.best_epoch else None
        # the epoch whose weights the returned model holds (the restored one after early stopping)
        final = h.epochs[self.restored_epoch - 1] if self.restored_epoch else h.final()
        return {
            "status": h.status, "metric": h.metric,
            "final_val_metric": final.val_metric if final else None,
            "final_val_loss": final.val_loss if final else None,
            "final_train_loss": final.train_loss if final else None,
            "model_epoch": final.epoch if final else None,
            "best_val_metric": best.val_metric if best else None,
            "best_epoch": h.best_epoch,
            "epochs_run": len(h.epochs), "steps": h.steps_done,
            "steps_per_epoch": h.steps_per_epoch, "n_train": h.n_train,
            "diverged": h.diverged, "stopped_epoch": h.stopped_epoch,
            "restored_epoch": self.restored_epoch,
            "peak_memory_bytes": h.peak_memory.get("peak_bytes"),
            "seconds": round(h.seconds, 4),
            "run_dir": str(self.run_dir) if self.run_dir else None,
        }


# ---- the loop's pieces ---------------------------------------------------------------------

def batches(dataset: Dataset, batch_size: int, drop_last: bool, generator: torch.Generator,
            device: torch.device) -> Iterator[tuple[Tensor, Tensor]]:
    """Shuffled mini-batches: index slicing for in-memory tensors, a DataLoader otherwise."""
    if isinstance(dataset, TensorDataset):
        X, y = dataset.tensors
        n = len(X)
        order = torch.randperm(n, generator=generator).to(X.device)
        stop = n - n % batch_size if drop_last else n
        for start in range(0, stop, batch_size):
            idx = order[start:start + batch_size]
            yield X[idx], y[idx]
        return
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, drop_last=drop_last, generator=generator)
    for xb, yb in loader:
        yield xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)


def loss_for(task: str) -> LossFn:
    """Cross-entropy for classification, mean squared error for regression."""
    return F.cross_entropy if task == "classification" else F.mse_loss


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, loss_fn: LossFn, xb: Tensor, yb: Tensor,
               params: Sequence[Tensor] | None = None,
               grads: FlatGrads | None = None) -> tuple[float, Tensor, Tensor, Tensor | None]:
    """One update ``W <- W - lr * update``: returns (loss value, loss, outputs, total gradient norm).
    A non-finite loss makes no update and has no norm.
    ``params`` (the trainable parameters, cached by the caller) saves walking the module tree at
    every step; ``grads`` keeps the gradients in one buffer so zeroing and the norm are one op each."""
    out = model(xb)
    loss = loss_fn(out, yb)
    value = loss.item()
    if not math.isfinite(value):
        return value, loss.detach(), out.detach(), None
    if grads is not None:
        grads.zero()
    else:
        optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    # torch.optim leaves .grad as it was (weight decay and the like work on copies), so the norm
    # of this step's gradient can be taken after the step, where it costs a third as much.
    if grads is not None:
        return value, loss.detach(), out.detach(), grads.norm()
    params = params if params is not None else [p for p in model.parameters() if p.requires_grad]
    per_tensor = [p.grad for p in params if p.grad is not None]
    norm = torch.linalg.vector_norm(torch.stack(torch._foreach_norm(per_tensor))) if per_tensor else torch.zeros(())
    return value, loss.detach(), out.detach(), norm


def is_diverged(loss: float, first_loss: float | None, factor: float = DIVERGE_FACTOR) -> str | None:
    """Why a loss counts as diverged ("non-finite", "exploded"), or None."""
    if not math.isfinite(loss):
        return "non-finite"
    if first_loss is not None and first_loss > 0 and loss > factor * first_loss:
        return "exploded"
    return None


@torch.no_grad()
def evaluate(model: nn.Module, dataset: Dataset | None, task: str, loss_fn: LossFn,
             device: torch.device) -> tuple[float | None, float | None]:
    """(mean loss, metric) over a split: accuracy for classification, R^2 for regression."""
    if dataset is None or len(dataset) == 0:  # type: ignore[arg-type]
        return None, None
    was_training = model.training
    model.eval()
    total_loss, correct, n = 0.0, 0.0, 0
    targets, sq_err = [], 0.0
    loader = (_slices(dataset, device) if isinstance(dataset, TensorDataset)
              else DataLoader(dataset, batch_size=EVAL_BATCH))
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        out = model(xb)
        total_loss += float(loss_fn(out, yb)) * len(xb)
        n += len(xb)
        if task == "classification":
            correct += float((out.argmax(1) == yb).sum())
        else:
            sq_err += float(((out - yb) ** 2).sum())
            targets.append(yb)
    model.train(was_training)
    if task == "classification":
        metric = correct / n
    else:
        y = torch.cat(targets)
        total_sq = float(((y - y.mean(0)) ** 2).sum())
        metric = 1.0 - sq_err / total_sq if total_sq > 0 else 0.0
    return finite_or_none(total_loss / n), finite_or_none(metric)


def _slices(dataset: TensorDataset, device: torch.device) -> Iterator[tuple[Tensor, Tensor]]:
    X, y = dataset.tensors
    for start in range(0, len(X), EVAL_BATCH):
        yield X[start:start + EVAL_BATCH].to(device), y[start:start + EVAL_BATCH].to(device)


def epoch_generator(seed: int, epoch: int) -> torch.Generator:
    """The shuffle order of each epoch depends only on (seed, epoch), so resuming is exact."""
    return torch.Generator().manual_seed(seed * 1_000_003 + epoch)


# ---- the loop ------------------------------------------------------------------------------

def fit(model: nn.Module, data: Data, hparams: HParams, *, callbacks: Sequence[Callback] = (),
        device: torch.device | str | None = None, loss_fn: LossFn | None = None,
        eval_train: bool = False, measure_memory: bool = True, fuse_grads: bool = True,
        diverge_factor: float = DIVERGE_FACTOR, resume_from: dict[str, Any] | None = None) -> RunResult:
    """Train ``model`` on ``data`` with ``hparams``; return its history. Emits callback events.

    ``fuse_grads`` keeps the gradients as views of one buffer (same values, cheaper per-step
    gradient norm); it turns itself off for sparse, mixed-device or partly unused parameters."""
    hp = hparams
    hp.check_data_size(data.n_train)
    device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    torch.manual_seed(hp.seed)
    model.to(device)
    train_set, val_set = _to_device(data.train, device), _to_device(data.val, device)
    params = [p for p in model.parameters() if p.requires_grad]
    grads: FlatGrads | None = None  # gradients in one buffer, from the second step on (fuse_grads)
    loss_fn = loss_fn or loss_for(data.task)
    steps_per_epoch = hp.steps_per_epoch(data.n_train)
    optimizer = build_optimizer(model.parameters(), hp)
    scheduler = build_scheduler(optimizer, hp, steps_per_epoch)
    history = History(task=data.task, metric="accuracy" if data.task == "classification" else "r2",
                      n_train=data.n_train, batch_size=hp.batch_size, steps_per_epoch=steps_per_epoch,
                      total_steps=hp.epochs * steps_per_epoch)
    callbacks = list(callbacks)
    if hp.early_stopping:  # first, so later callbacks (checkpoints) see its decision
        callbacks.insert(0, EarlyStopping(hp.patience, hp.min_delta, hp.restore_best))
    run = Run(model, optimizer, scheduler, hp, data, history, device, callbacks=callbacks)
    if resume_from is not None:
        restore_state(run, resume_from)
    # train R^2 from the epoch's mean MSE (exact for the default loss; a custom loss gets none)
    train_var = _target_variance(data.train) if loss_fn is F.mse_loss else None
    first_loss = next((v for v in history.step_loss if v is not None), None)
    memory.reset_process_peak()
    started = time.perf_counter() - history.seconds

    for cb in callbacks:
        cb.on_train_start(run)
    try:
        for epoch in range(run.epoch, hp.epochs):
            model.train()
            epoch_start, seen = time.perf_counter(), 0
            losses, norms = run.pending_losses, run.pending_norms
            predictions: list[Tensor] = []
            labels: list[Tensor] = []
            for xb, yb in batches(train_set, hp.batch_size, hp.drop_last, epoch_generator(hp.seed, epoch), device):
                history.step_lr.append(optimizer.param_groups[0]["lr"])
                if run.step == 0:
                    value, loss, out, grad_norm = _first_step(run, loss_fn, xb, yb, params, measure_memory)
                else:
                    value, loss, out, grad_norm = train_step(model, optimizer, loss_fn, xb, yb, params, grads)
                if grads is None and fuse_grads and grad_norm is not None:
                    grads = FlatGrads.attach(params)  # after the first step, when every gradient exists
                    fuse_grads = grads is not None
                first_loss = value if first_loss is None else first_loss
                reason = is_diverged(value, first_loss, diverge_factor)
                if reason:
                    _flush_steps(run)
                    history.step_loss.append(finite_or_none(value))
                    history.step_grad_norm.append(None)
                    history.diverged = {"step": run.step + 1, "epoch": epoch + 1,
                                        "loss": finite_or_none(value), "reason": reason}
                    raise StopTraining("diverged", f"loss {value} at step {run.step + 1}")
                if scheduler is not None:
                    scheduler.step()
                run.step += 1
                seen += len(xb)
                losses.append(loss)
                norms.append(grad_norm)  # type: ignore[arg-type]
                if data.task == "classification":
                    predictions.append(out.argmax(1))
                    labels.append(yb)
                for cb in callbacks:
                    cb.on_step_end(run, value)
            seconds = time.perf_counter() - epoch_start
            train_loss = float(torch.stack(losses).mean())
            _flush_steps(run)
            train_metric = (float((torch.cat(predictions) == torch.cat(labels)).sum()) / seen
                            if data.task == "classification"
                            else 1.0 - train_loss / train_var if train_var else None)
            if eval_train:
                train_loss, train_metric = evaluate(model, train_set, data.task, loss_fn, device)
            val_loss, val_metric = evaluate(model, val_set, data.task, loss_fn, device)
            run.epoch = epoch + 1
            history.epochs.append(EpochRecord(
                epoch=run.epoch, step=run.step, train_loss=finite_or_none(train_loss),
                train_metric=finite_or_none(train_metric), val_loss=val_loss, val_metric=val_metric,
                lr=optimizer.param_groups[0]["lr"], seconds=seconds, samples_per_second=seen / seconds))
            history.seconds = time.perf_counter() - started
            for cb in callbacks:
                cb.on_epoch_end(run)
            if run.stop_status:
                raise StopTraining(run.stop_status)
        history.status = "completed"
    except StopTraining as stop:
        history.status = stop.status
    except KeyboardInterrupt:
        history.status = "interrupted"
    _flush_steps(run)
    del history.step_lr[len(history.step_loss):]  # a step cut short by an interrupt left no loss
    history.seconds = time.perf_counter() - started
    best = history.best()
    history.best_epoch = history.best_epoch or (best.epoch if best else None)
    memory.finish(history.peak_memory, device)
    for cb in callbacks:
        cb.on_train_end(run)
    result = RunResult(model, history, hp, restored_epoch=run.restored_epoch)
    if history.status == "interrupted":
        raise TrainingInterrupted(result)
    return result


def _first_step(run: Run, loss_fn: LossFn, xb: Tensor, yb: Tensor, params: list[Tensor],
                measure_memory: bool) -> tuple[float, Tensor, Tensor, Tensor | None]:
    """The first step, measured for peak memory; a model that does not fit the data gets a clear error."""
    state = torch.get_rng_state()
    try:
        if not measure_memory:
            return train_step(run.model, run.optimizer, loss_fn, xb, yb, params)
        with memory.track_step_memory(run.model, run.optimizer, run.device, run.history.peak_memory, (xb, yb)):
            return train_step(run.model, run.optimizer, loss_fn, xb, yb, params)
    except Exception as exc:  # noqa: BLE001 - explained below, then re-raised as the cause
        torch.set_rng_state(state)
        check_model_fits(run.model, loss_fn, xb, yb)  # raises the specific explanation
        raise HyperlabError(f"the first training step failed: {exc.__class__.__name__}: {exc}") from exc


def check_model_fits(model: nn.Module, loss_fn: LossFn, xb: Tensor, yb: Tensor) -> None:
    """Raise a clear error when the model and data do not fit together."""
    try:
        out = model(xb)
    except Exception as exc:  # noqa: BLE001 - any failure here is a model/data mismatch
        raise HyperlabError(f"the model failed on a batch of shape {tuple(xb.shape)}: {exc}") from None
    if not isinstance(out, Tensor):
        raise HyperlabError(f"the model must return a tensor of outputs, got {type(out).__name__}")
    try:
        loss = loss_fn(out, yb)
    except Exception as exc:  # noqa: BLE001
        raise HyperlabError(f"the model's output of shape {tuple(out.shape)} does not fit targets of "
                            f"shape {tuple(yb.shape)}: {exc}") from None
    if not isinstance(loss, Tensor) or loss.dim() != 0 or not loss.requires_grad:
        raise HyperlabError("the loss must be a scalar tensor that depends on the model's parameters")


def _flush_steps(run: Run) -> None:
    """Move the buffered per-step tensors of the current epoch into the history (one sync per epoch)."""
    if run.pending_losses:
        run.history.step_loss.extend(finite_or_none(v) for v in torch.stack(run.pending_losses).tolist())
        run.history.step_grad_norm.extend(finite_or_none(g) for g in torch.stack(run.pending_norms).tolist())
        run.pending_losses.clear()
        run.pending_norms.clear()


def _to_device(dataset: Dataset | None, device: torch.device) -> Dataset | None:
    if isinstance(dataset, TensorDataset) and dataset.tensors[0].device != device:
        return TensorDataset(*(t.to(device) for t in dataset.tensors))
    return dataset


def _target_variance(dataset: Dataset) -> float | None:
    return target_variance(dataset)  # any Dataset, so a user's own Dataset gets a train R^2 too
