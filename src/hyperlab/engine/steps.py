"""One optimizer step: forward and backward over the step's micro-batches, then the update.

Nothing here reads a value back to the host: the step's loss, correct count and gradient norm
stay on the device, and the loop reads them in one go at a fixed interval (``trainer.sync_steps``).
A GPU is never stalled waiting for a number the loop does not need yet.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from hyperlab.engine.batching import StepBatch
from hyperlab.engine.grads import FlatGrads
from hyperlab.errors import ConfigError, HyperlabError

LossFn = Callable[[Tensor, Tensor], Tensor]


class StepResult(NamedTuple):
    """What one optimizer step measured, on the device."""

    loss: Tensor  # this process's part of the step's mean loss (all of it with one process); 0-d, detached
    outputs: Tensor  # the model's outputs for the last micro-batch, detached
    correct: Tensor | None  # correctly classified samples of the step (classification)
    grad_norm: Tensor  # total gradient norm before any clipping (non-finite when the loss was)


def loss_for(task: str) -> LossFn:
    """Cross-entropy for classification (binary cross-entropy for a single logit), mean squared
    error for regression."""
    return classification_loss if task == "classification" else F.mse_loss


BINARY_LOSSES = (F.binary_cross_entropy_with_logits, F.binary_cross_entropy)


def loss_or_default(loss_fn: LossFn | None, task: str) -> LossFn:
    """The run's loss: the user's, or the task's default. Binary cross-entropy on data read as
    regression (float targets) trains, but its runs are scored by R^2 of the outputs, which a
    classifier's user does not want: a warning says how to read the data as classes."""
    if loss_fn is None:
        return loss_for(task)
    if task == "regression" and (loss_fn in BINARY_LOSSES or isinstance(loss_fn, nn.BCEWithLogitsLoss | nn.BCELoss)):
        warnings.warn("the loss is binary cross-entropy but the data was read as regression (float targets), so "
                      "runs are scored by R^2 of the outputs: read the data with task='classification' "
                      "(as_data(..., task=), --task) for a classifier scored by accuracy", UserWarning, stacklevel=3)
    return loss_fn


def classification_loss(out: Tensor, target: Tensor) -> Tensor:
    """Cross-entropy over class scores for integer labels; binary cross-entropy on the logit for
    the 0/1 float targets ``loss_targets`` gives a model with one output per sample."""
    if target.is_floating_point():
        return F.binary_cross_entropy_with_logits(out, target)
    return F.cross_entropy(out, target)


def one_logit(out: Tensor, target: Tensor, lead: int = 0) -> bool:
    """Integer labels against one output per sample: a binary classifier's logit, ``(B,)`` or
    ``(B, 1)`` (``lead`` leading dimensions of ``out``, a population's members, come first)."""
    return not target.is_floating_point() and out.shape[lead + 1:].numel() == 1


def loss_targets(out: Tensor, target: Tensor, lead: int = 0) -> Tensor:
    """The targets as the loss takes them: as given, except that 0/1 labels for a single logit
    become floats of the logit's shape (what ``binary_cross_entropy_with_logits`` and
    ``nn.BCEWithLogitsLoss`` expect)."""
    if one_logit(out, target, lead):
        return target.to(out.dtype).reshape(*target.shape, *out.shape[lead + 1:])
    return target


def class_hits(out: Tensor, target: Tensor, lead: int = 0) -> Tensor:
    """Which samples are classified right: the highest score's class, or for a single logit
    class 1 where the logit is positive (probability above one half)."""
    if one_logit(out, target, lead):
        predicted = (out > 0).reshape(out.shape[:lead + 1]).long()
    else:
        predicted = out.argmax(-1)
    return predicted == target


def check_class_outputs(out: Tensor, target: Tensor, n_classes: int, lead: int = 0) -> None:
    """Class labels need an output per class (or, for two classes, one logit); refuse fewer before
    training: with 3 outputs on 10 classes the loss fails at the first batch holding a label past 2,
    which may come mid-run, and says only "Target 8 is out of bounds"."""
    if one_logit(out, target, lead):
        if n_classes > 2:
            raise output_mismatch(out.shape[lead:], target.shape[-1:], f"one output per sample is a binary "
                                  f"classifier's logit, and this data has {n_classes} classes: give the model "
                                  f"{n_classes} outputs")
        return
    per_sample = out.shape[lead + 1:]
    if not target.is_floating_point() and len(per_sample) == 1 and per_sample[0] < n_classes:
        raise output_mismatch(out.shape[lead:], target.shape[-1:], f"this data has {n_classes} classes and the "
                              f"model gives {per_sample[0]} outputs per sample: give it {n_classes}, one per class")


# torch's warning when an elementwise loss (mse, l1, huber, ...) broadcasts outputs against targets
# of another shape: the loss then compares every output with every target, a meaningless number
BROADCAST_WARNING = r"Using a target size .* that is different to the input size"


@contextlib.contextmanager
def broadcast_refused() -> Iterator[None]:
    """Within the block, a loss that would broadcast outputs against targets raises (a UserWarning
    raised as an error) instead of warning once and training on a meaningless loss."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=BROADCAST_WARNING, category=UserWarning)
        yield


def output_mismatch(out_shape: Sequence[int], target_shape: Sequence[int], why: object) -> HyperlabError:
    """The error for a model whose outputs do not fit the targets (shapes per batch, one member's)."""
    return HyperlabError(f"the model's output of shape {tuple(out_shape)} does not fit targets of shape "
                         f"{tuple(target_shape)}: {why}")


def like_targets(out: Tensor, target: Tensor, lead: int = 0) -> Tensor:
    """Regression outputs matched to the targets' shape sample by sample, for the squared error of
    R^2: ``(B,)`` outputs against ``(B, 1)`` targets (or the reverse) are the same values, which a
    plain ``out - target`` would broadcast to ``(B, B)``. ``lead`` leading dimensions of ``out``
    (a population's members) are kept; outputs of another size per sample are refused."""
    if out.shape[lead:] == target.shape:
        return out
    if out.shape[lead:].numel() != target.numel():
        raise output_mismatch(out.shape[lead:], target.shape, "regression needs one output per target value")
    return out.reshape(*out.shape[:lead], *target.shape)


# BatchNorm's refusal, in training, of a batch with one value per channel (a lone sample)
LONE_SAMPLE = "Expected more than 1 value per channel when training"


@contextlib.contextmanager
def lone_sample_explained(batch_size: int, n_train: int) -> Iterator[None]:
    """Within the block (a run's training), BatchNorm's refusal of a one-sample batch is raised as a
    ``ConfigError`` naming the batch size that made it (the epoch's last batch is usually the one:
    241 samples at batch size 16 leave 1); anything else passes unchanged."""
    try:
        yield
    except Exception as exc:
        if LONE_SAMPLE not in str(exc):
            raise
        raise _lone_sample_error(batch_size, n_train) from None


def _lone_sample_error(batch_size: int, n_train: int) -> ConfigError:
    if batch_size > 1 and n_train % batch_size == 1:
        why = (f"leaves a last batch of 1 sample in each epoch ({n_train} training samples), which BatchNorm "
               "cannot normalise in training: set drop_last=True or a batch size that leaves more than one over")
    else:
        why = ("gave BatchNorm a batch of 1 sample, which it cannot normalise in training: use a larger batch "
               "size (or drop_last=True)")
    return ConfigError("batch_size", batch_size, why)


def autocast(precision: str, device: torch.device) -> contextlib.AbstractContextManager[Any]:
    """The autocast context for ``precision`` (fp32: none)."""
    if precision == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16 if precision == "bf16" else torch.float16)


def check_precision(precision: str, device: torch.device) -> None:
    """fp16 needs CUDA's gradient scaler; bf16 works on CPU and CUDA."""
    if precision == "fp16" and device.type != "cuda":
        raise ConfigError("precision", precision,
                          f"needs a CUDA device (fp16 trains with a gradient scaler); this run is on "
                          f"{device.type}: use bf16 or fp32")


def grad_scaler(precision: str, device: torch.device) -> torch.amp.GradScaler | None:
    """fp16 keeps small gradients representable by scaling the loss; other precisions need none."""
    return torch.amp.GradScaler(device.type) if precision == "fp16" else None


def train_step(model: nn.Module, optimizer: torch.optim.Optimizer, loss_fn: LossFn, batch: StepBatch, *,
               task: str, params: Sequence[Tensor], grads: FlatGrads | None = None, precision: str = "fp32",
               scaler: torch.amp.GradScaler | None = None, clip_grad_norm: float | None = None,
               world_size: int = 1, no_sync: Callable[[], Any] | None = None,
               n_classes: int | None = None) -> StepResult:
    """One update ``W <- W - lr * update`` from the step's micro-batches (gradients accumulated).

    Each micro-batch's loss is weighted by its share of the step's samples (times the number of
    processes, whose gradients DistributedDataParallel averages), so the update is the one a single
    batch of all those samples would give. ``grads`` keeps the gradients in one buffer so zeroing
    and the norm are one op each; ``no_sync`` (DDP) skips the gradient exchange for all but the
    last micro-batch. ``n_classes`` (given on a run's first step) refuses a single logit for data
    of more than two classes before any update."""
    if grads is not None:
        grads.zero()
    else:
        optimizer.zero_grad(set_to_none=True)
    device = batch.micro[0][0].device
    total: Tensor | None = None
    correct = torch.zeros((), device=device, dtype=torch.long) if task == "classification" else None
    last = len(batch.micro) - 1
    for i, (xb, yb) in enumerate(batch.micro):
        share = len(xb) / batch.samples  # 1 for a plain step: no multiplication, bit-identical
        weight = share * world_size
        sync = no_sync() if no_sync is not None and i < last else contextlib.nullcontext()
        with sync:
            with autocast(precision, device):
                out = model(xb)
                if n_classes is not None:
                    check_class_outputs(out, yb, n_classes)
                loss = loss_fn(out, loss_targets(out, yb))
            weighted = loss if weight == 1 else loss * weight
            (scaler.scale(weighted) if scaler is not None else weighted).backward()
        part = loss.detach() if share == 1 else loss.detach() * share
        total = part if total is None else total + part
        if correct is not None:
            correct += class_hits(out.detach(), yb).sum()
    if clip_grad_norm is not None:
        if scaler is not None:
            scaler.unscale_(optimizer)
        norm = torch.nn.utils.clip_grad_norm_(params, clip_grad_norm)
    if scaler is not None:
        scaler.step(optimizer)
        scaler.update()
    else:
        optimizer.step()
    if clip_grad_norm is None:
        # torch.optim leaves .grad as it was (weight decay and the like work on copies), so the norm
        # of this step's gradient can be taken after the step, where it costs a third as much.
        norm = grads.norm() if grads is not None else grad_norm(params)
    return StepResult(total, out.detach(), correct, norm)  # type: ignore[arg-type]


def grad_norm(params: Sequence[Tensor]) -> Tensor:
    """The 2-norm of all parameters' gradients together."""
    per_tensor = [p.grad for p in params if p.grad is not None]
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(per_tensor))) if per_tensor else torch.zeros(())
