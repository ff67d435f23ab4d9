"""The one training loop. Lessons, tuners and sweeps all call ``fit``; features hang off callbacks.

``fit`` reads top to bottom: ``set_up``, then per epoch ``train_one_epoch`` and ``end_epoch``, then
``finish``. Which samples a step sees lives in ``batching``, what a step does in ``steps``. The
loop never waits on the device per step: losses and gradient norms are read back every
``SYNC_EVERY`` steps and at epoch end, and the divergence check runs on what was read, so the
step it records is still exact. Inside a torch.distributed process group (torchrun) the same
loop trains data-parallel: the model runs in DistributedDataParallel and each rank takes its
share of every step (``engine.distributed`` says how).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from hyperlab.data import Data, DataSpec, as_data, target_variance
from hyperlab.engine import distributed, memory
from hyperlab.engine.batching import StepBatch, batches, epoch_generator, first_samples, step_batches
from hyperlab.engine.callbacks import Callback, EarlyStopping, StopTraining
from hyperlab.engine.checkpoint import restore_state
from hyperlab.engine.grads import FlatGrads
from hyperlab.engine.history import EpochRecord, History, finite_or_none
from hyperlab.engine.steps import (LossFn, StepResult, broadcast_refused, check_precision, class_hits,
                                  grad_scaler, like_targets, lone_sample_explained, loss_for, loss_or_default,
                                  loss_targets, output_mismatch, train_step)
from hyperlab.errors import ConfigError, HyperlabError
from hyperlab.hparams import HParams, as_hparams
from hyperlab.optim import build_optimizer, build_scheduler
from hyperlab.views.display import Displayable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Run", "RunResult", "TrainingInterrupted", "batches", "epoch_generator", "evaluate", "fit",
           "diverge_window", "divergence", "loss_for", "train_step"]

DIVERGE_FACTOR = 20.0  # a loss this many times its first value counts as diverged
# ... where, below a batch of this many samples, "loss" is the mean over steps that hold this many and
# "its first value" the untrained model's loss on this many samples, so that one sample's loss, the
# first or a later one, never decides
DIVERGE_SAMPLES = 32
EVAL_BATCH = 4096
SYNC_EVERY = 32  # steps between reads of the buffered losses (and the divergence check)


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during training; ``result`` holds everything measured until then."""

    def __init__(self, result: RunResult) -> None:
        super().__init__("training interrupted")
        self.result = result


@dataclass
class Loop:
    """What the loop needs besides the run's public state: set up once by ``set_up``."""

    loss_fn: LossFn
    train_set: Dataset
    val_set: Dataset | None
    params: list[Tensor]  # trainable parameters, cached (walking the module tree costs per step)
    fuse_grads: bool
    measure_memory: bool
    eval_train: bool
    diverge_factor: float
    train_var: float | None  # target variance, for a train R^2 from the mean MSE
    scaler: torch.amp.GradScaler | None = None  # fp16 only
    rank: int = 0
    world_size: int = 1
    net: nn.Module | None = None  # what the steps run: the model, or the model in DistributedDataParallel
    grads: FlatGrads | None = None  # gradients in one buffer, from the second step on
    diverge_window: int = 1  # steps averaged by the divergence rule (``diverge_window``)
    started: float = 0.0  # perf_counter at the start, less the seconds of a resumed history


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
    last_loss: float | None = None  # the latest step loss read back from the device
    pending_losses: list[Tensor] = field(default_factory=list)  # steps not yet read into history
    pending_norms: list[Tensor] = field(default_factory=list)
    loop: Loop = field(default=None, repr=False)  # type: ignore[assignment]


@dataclass(repr=False)
class RunResult(Displayable):
    """What ``fit`` returns: the trained model, its history and the settings that made it.

    In a notebook it shows its summary table and learning curves (``display(lang)``, ``plot()``)."""

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

    def __repr__(self) -> str:
        final = self.history.final()
        metric = (f", val {self.history.metric} {final.val_metric:.4f}"
                  if final and final.val_metric is not None else "")
        return f"RunResult({self.status}, {len(self.history.epochs)}/{self.hparams.epochs} epochs{metric})"

    def plot(self, lang: str | None = None) -> Figure:
        """The learning curves (loss and metric per epoch) as a matplotlib Figure."""
        from hyperlab.views.plots import learning_curves_figure

        return learning_curves_figure(self.history, lang=lang or self.lang)

    def display_sections(self, lang: str) -> tuple[str, list[Any], str]:
        """The summary table (as ``hyperlab train`` prints it) and the learning curves."""
        from hyperlab.i18n import t
        from hyperlab.views import texts  # noqa: F401 - registers the view texts
        from hyperlab.views.plots import learning_curves_figure, png_bytes
        from hyperlab.views.report import Section
        from hyperlab.views.run_summary import summary_rows

        hp = self.hparams
        rows = summary_rows(self.summary(), self.history, hp, lang)
        table = [{"": label, t("view.value", lang): value} for label, value in rows]
        curves = png_bytes(learning_curves_figure(self.history, lang=lang))
        title = t("view.run_title", lang, optimizer=hp.optimizer, batch=hp.batch_size, lr=hp.lr)
        return title, [Section(t("view.summary", lang), table=table),
                       Section(t("view.curves", lang), images=[curves])], ""


# ---- the loop's pieces ---------------------------------------------------------------------

def diverge_window(samples_per_step: int) -> int:
    """How many steps' losses the divergence rule averages: enough for ``DIVERGE_SAMPLES`` samples."""
    return max(1, -(-DIVERGE_SAMPLES // samples_per_step))


def divergence(losses: list[float], window: int, factor: float = DIVERGE_FACTOR,
               reference: float | None = None) -> str | None:
    """Why a run whose step losses so far are ``losses`` (finite, the latest last) counts as diverged,
    or None (a non-finite loss is "non-finite", told before it is recorded): "exploded" when its
    latest loss passes ``factor`` times its first (``window`` 1: a batch of 32 or more), or, below,
    once the mean of its last ``window`` losses passes ``factor`` times ``reference``
    (``reference_loss``; the first losses are not the reference there: at a high rate the first
    updates have already blown them up)."""
    if len(losses) < window:
        return None
    first, latest = (losses[0], losses[-1]) if window == 1 else (reference, sum(losses[-window:]) / window)
    return "exploded" if first is not None and first > 0 and latest > factor * first else None


def reference_loss(evaluate_on: Callable[[Dataset], Any], dataset: Dataset, device: torch.device) -> Any:
    """``evaluate_on`` the first ``DIVERGE_SAMPLES`` training samples: the untrained model's mean loss
    on them is the divergence rule's reference below a batch of that many. None when the model fails
    there: its first training step then reports what is wrong, as it would without this."""
    try:
        return evaluate_on(TensorDataset(*first_samples(dataset, DIVERGE_SAMPLES, device)))
    except Exception:  # noqa: BLE001 - the step says it better (a model that returns a tuple, say)
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
        total_loss += float(loss_fn(out, loss_targets(out, yb))) * len(xb)
        n += len(xb)
        if task == "classification":
            correct += float(class_hits(out, yb).sum())
        else:
            sq_err += float(((like_targets(out, yb) - yb) ** 2).sum())
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


# ---- the loop's pieces ---------------------------------------------------------------------

# ---- the loop ------------------------------------------------------------------------------

def fit(model: nn.Module, data: DataSpec, hparams: HParams | dict[str, Any] | None, *,
        callbacks: Sequence[Callback] = (),
        device: torch.device | str | None = None, loss_fn: LossFn | None = None,
        eval_train: bool = False, measure_memory: bool = True, fuse_grads: bool = True,
        diverge_factor: float = DIVERGE_FACTOR, resume_from: dict[str, Any] | None = None) -> RunResult:
    """Train ``model`` on ``data`` with ``hparams``; return its history. Emits callback events.

    ``data`` is anything ``as_data`` takes (a ``Data`` is used as it is; anything else is split by
    ``hparams.seed``); ``hparams`` an HParams or a dict of settings (None: the defaults).

    ``fuse_grads`` keeps the gradients as views of one buffer (same values, cheaper per-step
    gradient norm); it turns itself off for sparse, mixed-device or partly unused parameters."""
    run = set_up(model, data, hparams, callbacks=callbacks, device=device, loss_fn=loss_fn,
                 eval_train=eval_train, measure_memory=measure_memory, fuse_grads=fuse_grads,
                 diverge_factor=diverge_factor, resume_from=resume_from)
    try:
        for cb in run.callbacks:  # a callback may end the run before its first step (StopTraining)
            cb.on_train_start(run)
        if run.stop_status:  # resumed from a run that had ended (stopped early...): nothing is left to train
            raise StopTraining(run.stop_status)
        with lone_sample_explained(run.hparams.batch_size, run.history.n_train):  # BatchNorm given 1 sample
            for epoch in range(run.epoch, run.hparams.epochs):
                trained = train_one_epoch(run, epoch)
                end_epoch(run, trained)
        run.history.status = "completed"
    except StopTraining as stop:
        run.history.status = stop.status
    except KeyboardInterrupt:
        run.history.status = "interrupted"
    return finish(run)


def set_up(model: nn.Module, data: DataSpec, hparams: HParams | dict[str, Any] | None, *,
           callbacks: Sequence[Callback],
           device: torch.device | str | None, loss_fn: LossFn | None, eval_train: bool,
           measure_memory: bool, fuse_grads: bool, diverge_factor: float,
           resume_from: dict[str, Any] | None) -> Run:
    """Check the settings against the data and device, seed, build optimizer, schedule and
    history; resume from a checkpoint if given."""
    if not isinstance(model, nn.Module):
        raise ConfigError("model", model, "must be an nn.Module for fit; hyperlab.train takes a built-in name, "
                                          "'module:function' or a factory (or build one with hyperlab.build_model)")
    hp = as_hparams(hparams)
    data = as_data(data, seed=hp.seed)
    world = distributed.world_size()  # > 1 inside a process group (torchrun): data-parallel
    hp.check_data_size(data.n_train, world)
    distributed.check_shares(hp, data.n_train, world)
    device = distributed.resolve_device(device)
    check_precision(hp.precision, device)
    torch.manual_seed(hp.seed + distributed.rank())  # rank r draws its own dropout masks (seed + r)
    model.to(device)
    if hp.compile:
        model.compile()
    net = distributed.wrap(model, device) if world > 1 else model
    loss_fn = loss_or_default(loss_fn, data.task)
    steps_per_epoch = hp.steps_per_epoch(data.n_train, world)
    optimizer = build_optimizer(model.parameters(), hp)
    scheduler = build_scheduler(optimizer, hp, steps_per_epoch)
    history = History(task=data.task, metric=data.metric,
                      n_train=data.n_train, batch_size=hp.batch_size, steps_per_epoch=steps_per_epoch,
                      total_steps=hp.epochs * steps_per_epoch, accumulate=hp.accumulate,
                      world_size=world, effective_batch=hp.effective_batch(world))
    callbacks = list(callbacks)
    if hp.early_stopping:  # first, so later callbacks (checkpoints) see its decision
        callbacks.insert(0, EarlyStopping(hp.patience, hp.min_delta, hp.restore_best))
    run = Run(model, optimizer, scheduler, hp, data, history, device, callbacks=callbacks)
    run.loop = Loop(
        loss_fn=loss_fn, train_set=_to_device(data.train, device), val_set=_to_device(data.val, device),
        params=[p for p in model.parameters() if p.requires_grad], fuse_grads=fuse_grads,
        measure_memory=measure_memory, eval_train=eval_train, diverge_factor=diverge_factor,
        # train R^2 from the epoch's mean MSE (exact for the default loss; a custom loss gets none)
        train_var=_target_variance(data.train) if loss_fn is F.mse_loss else None,
        scaler=grad_scaler(hp.precision, device), rank=distributed.rank(), world_size=world, net=net)
    if resume_from is not None:
        restore_state(run, resume_from)
    run.loop.diverge_window = diverge_window(hp.effective_batch(world))
    if run.loop.diverge_window > 1 and run.history.diverge_reference is None:  # a resumed run keeps its own
        run.history.diverge_reference = reference_loss(
            lambda sample: evaluate(model, sample, data.task, loss_fn, device)[0], data.train, device)
    memory.reset_process_peak()
    run.loop.started = time.perf_counter() - history.seconds
    return run


class EpochPass(NamedTuple):
    """What one pass over the training set measured."""

    seconds: float
    seen: int  # samples
    train_loss: float  # mean of the steps' losses, as the optimizer saw them
    train_metric: float | None  # accuracy of those steps' predictions, or R^2 from the mean MSE


def train_one_epoch(run: Run, epoch: int) -> EpochPass:
    """One pass over the shuffled training set. Raises StopTraining("diverged") at the first
    diverged step (found when the buffered losses are read: every SYNC_EVERY steps and here)."""
    hp, loop = run.hparams, run.loop
    run.model.train()
    epoch_start, seen = time.perf_counter(), 0
    losses: list[Tensor] = []
    correct: list[Tensor] = []
    for batch in step_batches(loop.train_set, hp.batch_size, epoch_generator(hp.seed, epoch), run.device,
                              accumulate=hp.accumulate, drop_last=hp.drop_last, rank=loop.rank,
                              world_size=loop.world_size):
        run.history.step_lr.append(run.optimizer.param_groups[0]["lr"])
        step = _first_step(run, batch) if run.step == 0 else _step(run, batch)
        if run.scheduler is not None:
            run.scheduler.step()
        run.step += 1
        seen += batch.samples
        losses.append(step.loss)
        run.pending_losses.append(step.loss)
        run.pending_norms.append(step.grad_norm)
        if step.correct is not None:
            correct.append(step.correct)
        for cb in run.callbacks:
            cb.on_step_end(run, step.loss)
        if run.step % SYNC_EVERY == 0:
            sync_steps(run)
    seconds = time.perf_counter() - epoch_start
    sync_steps(run)
    # each rank holds its part of every step's loss and its own correct count: sum them over ranks
    train_loss = float(distributed.sum_over_ranks(torch.stack(losses)).mean())
    if correct:
        train_metric: float | None = float(distributed.sum_over_ranks(torch.stack(correct).sum())) / seen
    else:
        train_metric = 1.0 - train_loss / loop.train_var if loop.train_var else None
    return EpochPass(seconds, seen, train_loss, train_metric)


def sync_steps(run: Run) -> None:
    """Read the buffered step losses and gradient norms into the history (one read for all);
    at the first diverged one, record where and end the run (StopTraining "diverged")."""
    if not run.pending_losses:
        return
    loop, history = run.loop, run.history
    # the step's loss is the sum of the ranks' parts: one exchange for all the buffered steps
    losses = distributed.sum_over_ranks(torch.stack(run.pending_losses)).tolist()
    norms = torch.stack(run.pending_norms).tolist()
    run.pending_losses.clear()
    run.pending_norms.clear()
    for loss, norm in zip(losses, norms, strict=True):
        history.step_loss.append(finite_or_none(loss))
        reason = ("non-finite" if not math.isfinite(loss)
                  else divergence(history.step_loss, loop.diverge_window, loop.diverge_factor,
                                  history.diverge_reference))
        history.step_grad_norm.append(None if reason else finite_or_none(norm))
        if reason:
            step = history.steps_done
            del history.step_lr[step:]
            run.step = step - 1  # the diverged step did not count
            history.diverged = {"step": step, "epoch": math.ceil(step / history.steps_per_epoch),
                                "loss": finite_or_none(loss), "reason": reason}
            raise StopTraining("diverged", f"loss {loss} at step {step}")
    run.last_loss = losses[-1]


def end_epoch(run: Run, trained: EpochPass) -> None:
    """Evaluate, append the epoch's record, tell the callbacks; stop if one of them asked to."""
    loop, data = run.loop, run.data
    seconds, seen, train_loss, train_metric = trained
    val_loss = val_metric = None
    if loop.rank == 0:  # rank 0 evaluates and tells the others (see engine.distributed)
        if loop.eval_train:
            train_loss, train_metric = evaluate(run.model, loop.train_set, data.task, loop.loss_fn, run.device)  # type: ignore[assignment]
        val_loss, val_metric = evaluate(run.model, loop.val_set, data.task, loop.loss_fn, run.device)
    if loop.world_size > 1:
        train_loss, train_metric, val_loss, val_metric = distributed.from_rank0(  # type: ignore[assignment]
            [train_loss, train_metric, val_loss, val_metric], run.device)
    run.epoch += 1
    run.history.epochs.append(EpochRecord(
        epoch=run.epoch, step=run.step, train_loss=finite_or_none(train_loss),
        train_metric=finite_or_none(train_metric), val_loss=val_loss, val_metric=val_metric,
        lr=run.optimizer.param_groups[0]["lr"], seconds=seconds, samples_per_second=seen / seconds))
    run.history.seconds = time.perf_counter() - loop.started
    for cb in run.callbacks:
        cb.on_epoch_end(run)
    if run.stop_status:
        raise StopTraining(run.stop_status)


def finish(run: Run) -> RunResult:
    """Read what is buffered, record time, best epoch and memory, tell the callbacks."""
    history = run.history
    if history.status == "interrupted" and run.loop.world_size > 1:
        run.pending_losses.clear()  # the other ranks may be anywhere: no exchange after Ctrl-C
        run.pending_norms.clear()
    try:
        sync_steps(run)  # a run stopped mid-interval (callback, Ctrl-C) may still hold a diverged step
    except StopTraining as stop:
        history.status = stop.status
    del history.step_lr[len(history.step_loss):]  # a step cut short by an interrupt left no loss
    history.seconds = time.perf_counter() - run.loop.started
    best = history.best()
    history.best_epoch = history.best_epoch or (best.epoch if best else None)
    memory.finish(history.peak_memory, run.device)
    for cb in run.callbacks:
        cb.on_train_end(run)
    result = RunResult(run.model, history, run.hparams, restored_epoch=run.restored_epoch)
    if history.status == "interrupted":
        raise TrainingInterrupted(result)
    return result


def _step(run: Run, batch: StepBatch, first: bool = False) -> StepResult:
    loop, hp = run.loop, run.hparams
    n_classes = run.data.n_outputs if first and run.data.task == "classification" else None
    net = loop.net or run.model
    no_sync = getattr(net, "no_sync", None)  # DDP: exchange gradients once, after the last micro-batch
    step = train_step(net, run.optimizer, loop.loss_fn, batch, task=run.data.task, params=loop.params,
                      grads=loop.grads, precision=hp.precision, scaler=loop.scaler,
                      clip_grad_norm=hp.clip_grad_norm, world_size=loop.world_size, no_sync=no_sync,
                      n_classes=n_classes)
    if loop.grads is None and loop.fuse_grads:
        # after the first step, when every gradient exists: keep them in one buffer
        loop.grads = FlatGrads.attach(loop.params)
        loop.fuse_grads = loop.grads is not None
    return step


def _first_step(run: Run, batch: StepBatch) -> StepResult:
    """The first step, measured for peak memory; a model that does not fit the data gets a clear error."""
    state = torch.get_rng_state()
    try:
        with broadcast_refused():  # outputs of another shape than the targets: refused before any update
            if not run.loop.measure_memory:
                return _step(run, batch, first=True)
            tensors = [t for pair in batch.micro for t in pair]
            with memory.track_step_memory(run.model, run.optimizer, run.device, run.history.peak_memory, tensors):
                return _step(run, batch, first=True)
    except HyperlabError:  # already says what is wrong
        raise
    except Exception as exc:  # noqa: BLE001 - explained below, then re-raised as the cause
        torch.set_rng_state(state)
        check_model_fits(run.model, run.loop.loss_fn, *batch.micro[0])  # raises the specific explanation
        raise HyperlabError(f"the first training step failed: {exc.__class__.__name__}: {exc}") from exc


def check_model_fits(model: nn.Module, loss_fn: LossFn, xb: Tensor, yb: Tensor) -> None:
    """Raise a clear error when the model and data do not fit together."""
    try:
        out = model(xb)
    except Exception as exc:  # noqa: BLE001 - any failure here is a model/data mismatch
        raise HyperlabError(f"the model failed on a batch of shape {tuple(xb.shape)}: {exc}"
                            f"{_features_hint(xb, exc)}") from None
    if not isinstance(out, Tensor):
        raise HyperlabError(f"the model must return a tensor of outputs, got {type(out).__name__}")
    try:
        with broadcast_refused():
            loss = loss_fn(out, loss_targets(out, yb))
    except Exception as exc:  # noqa: BLE001
        raise output_mismatch(out.shape, yb.shape, exc) from None
    if not isinstance(loss, Tensor) or loss.dim() != 0 or not loss.requires_grad:
        raise HyperlabError("the loss must be a scalar tensor that depends on the model's parameters")


def _features_hint(xb: Tensor, exc: Exception) -> str:
    """What to change when a model and the features' dtype do not fit: ids for an embedding, floats else."""
    if not xb.is_floating_point():
        return ("; the features are integer ids (int64): the model must start with an nn.Embedding, or read "
                "the data as floats (features='standardise')")
    if "embedding" in str(exc).lower():
        return ("; the model reads integer ids (an nn.Embedding): read the data with features='ids' "
                "(on the command line: --features ids)")
    return ""


def _to_device(dataset: Dataset | None, device: torch.device) -> Dataset | None:
    if isinstance(dataset, TensorDataset) and dataset.tensors[0].device != device:
        return TensorDataset(*(t.to(device) for t in dataset.tensors))
    return dataset


def _target_variance(dataset: Dataset) -> float | None:
    return target_variance(dataset)  # any Dataset, so a user's own Dataset gets a train R^2 too
