"""The learning rate when the batch size changes: linear and square-root scaling, with warmup.

Multiplying the batch size by k averages k times more samples per step, so each step's gradient
is less noisy. For SGD (with or without momentum) the linear rule ``lr * k`` keeps the same
progress per sample (Goyal et al. 2017, "Accurate, Large Minibatch SGD"), with a gradual warmup
because the larger steps are unstable early on; for adaptive optimizers (Adam, RMSprop...) the
square-root rule ``lr * sqrt(k)`` is the one that keeps their dynamics (Malladi et al. 2022, "On
the SDEs and Scaling Rules for Adaptive Gradient Algorithms"). Both hold only up to about the
critical batch size.

    >>> scale_lr(0.1, 32, 256, optimizer="sgd").suggested_lr
    0.8
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hyperlab.errors import check_choice, check_out_dir
from hyperlab.hparams import OPTIMIZERS, HParams
from hyperlab.i18n import t
from hyperlab.tuners.common import check_float, check_int, log_axis, plot_path
from hyperlab.tuners import texts  # noqa: F401 - registers the tuner texts

LINEAR_OPTIMIZERS = ("sgd", "momentum", "nesterov")
MAX_WARMUP_EPOCHS = 5  # Goyal et al.: 5 epochs of warmup for k = 32 (batch 8192 from 256)
MAX_WARMUP_SHARE = 0.2  # never more than this share of the whole run


@dataclass
class LRScaling:
    """Linear and square-root scaled learning rates, the suggested one, and a warmup."""

    lr: float
    from_batch: int
    to_batch: int
    optimizer: str
    linear_lr: float
    sqrt_lr: float
    rule: str  # "linear" or "sqrt"
    warmup_epochs: float
    warmup_steps: int | None
    critical_batch_size: float | None = None
    plot: Path | None = None
    explanation: list[str] = field(default_factory=list)

    @property
    def suggested_lr(self) -> float:
        return self.linear_lr if self.rule == "linear" else self.sqrt_lr

    def to_dict(self) -> dict[str, Any]:
        return {"suggested_lr": self.suggested_lr, "linear_lr": self.linear_lr, "sqrt_lr": self.sqrt_lr,
                "rule": self.rule, "warmup_epochs": self.warmup_epochs, "warmup_steps": self.warmup_steps,
                "lr": self.lr, "from_batch": self.from_batch, "to_batch": self.to_batch,
                "optimizer": self.optimizer, "critical_batch_size": self.critical_batch_size,
                "plot": str(self.plot) if self.plot else None, "explanation": self.explanation}


def scale_lr(lr: float, from_batch: int, to_batch: int, *, optimizer: str | None = None, n_train: int | None = None,
             epochs: int | None = None, critical_batch_size: float | None = None, out: str | Path | None = None,
             lang: str = "en") -> LRScaling:
    """Scale ``lr`` tuned at ``from_batch`` to ``to_batch``; suggest the rule that fits ``optimizer``
    (default: the optimizer runs here use when none is given, adam) and a warmup (in steps too when
    ``n_train`` is given; at most 20% of ``epochs`` when given).
    Example: ``scale_lr(3e-3, 32, 128, optimizer="adam").suggested_lr`` is 6e-3."""
    lr = check_float("lr", lr)
    check_out_dir("out", out)
    from_batch = check_int("from_batch", from_batch, 1)
    to_batch = check_int("to_batch", to_batch, 1)
    optimizer = check_choice("optimizer", HParams().optimizer if optimizer is None else optimizer, OPTIMIZERS)
    if n_train is not None:
        n_train = check_int("n_train", n_train, 1)
        to_batch = check_int("to_batch", to_batch, 1, n_train, "at most the training set size")
    if epochs is not None:
        epochs = check_int("epochs", epochs, 1)
    if critical_batch_size is not None:
        critical_batch_size = check_float("critical_batch_size", critical_batch_size)
    k = to_batch / from_batch
    rule = "linear" if optimizer in LINEAR_OPTIMIZERS else "sqrt"
    warmup_epochs = 0.0
    if k > 1:
        warmup_epochs = float(min(MAX_WARMUP_EPOCHS, math.ceil(math.log2(k))))
        if epochs is not None:
            warmup_epochs = min(warmup_epochs, MAX_WARMUP_SHARE * epochs)
    warmup_steps = None
    if n_train is not None:
        warmup_steps = math.ceil(warmup_epochs * math.ceil(n_train / to_batch))
    result = LRScaling(lr, from_batch, to_batch, optimizer, lr * k, lr * math.sqrt(k), rule, warmup_epochs,
                       warmup_steps, critical_batch_size)
    result.explanation = explain(result, n_train, lang)
    path = plot_path(out, "lr_scaling.png")
    if path is not None:
        result.plot = plot_scaling(result, path, lang=lang)
    return result


def explain(result: LRScaling, n_train: int | None, lang: str = "en") -> list[str]:
    k = result.to_batch / result.from_batch
    lines = [t("lrs.scaled", lang, b0=result.from_batch, b1=result.to_batch, k=k, lin=result.linear_lr,
               lr=result.lr, sq=result.sqrt_lr, root=math.sqrt(k)),
             t(f"lrs.why.{result.rule}", lang, optimizer=result.optimizer, lr=result.suggested_lr)]
    if result.warmup_epochs > 0:
        steps = "" if result.warmup_steps is None or n_train is None else \
            t("lrs.warmup_steps", lang, steps=result.warmup_steps, spe=math.ceil(n_train / result.to_batch))
        lines.append(t("lrs.warmup", lang, epochs=result.warmup_epochs, steps=steps, k=k))
    else:
        lines.append(t("lrs.no_warmup", lang))
    if result.critical_batch_size is not None and result.to_batch > result.critical_batch_size:
        lines.append(t("lrs.critical", lang, b1=result.to_batch, crit=result.critical_batch_size))
    return lines


def plot_scaling(result: LRScaling, path: Path, *, lang: str = "en") -> Path:
    """Both rules as lines of lr against batch size (log-log), the old and new batch marked."""
    import numpy as np

    from hyperlab.views.plots import save, subplots, use_font

    use_font(lang)
    fig, ax = subplots(figsize=(6.5, 4))
    lo, hi = min(result.from_batch, result.to_batch) / 2, max(result.from_batch, result.to_batch) * 2
    b = np.geomspace(max(lo, 1), hi, 50)
    ax.plot(b, result.lr * b / result.from_batch, label=t("lrs.linear", lang), lw=2.2 if result.rule == "linear" else 1)
    ax.plot(b, result.lr * np.sqrt(b / result.from_batch), label=t("lrs.sqrt", lang),
            lw=2.2 if result.rule == "sqrt" else 1)
    ax.scatter([result.from_batch], [result.lr], color="k", zorder=3)
    ax.scatter([result.to_batch] * 2, [result.linear_lr, result.sqrt_lr], color=["C0", "C1"], zorder=3)
    if result.critical_batch_size is not None:
        ax.axvline(result.critical_batch_size, color="C3", ls="--", label="B_crit")
    log_axis(ax, "x", 2)
    log_axis(ax, "y")
    ax.set_xlabel(t("batch_size", lang))
    ax.set_ylabel(t("lr", lang))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(t("lrs.title", lang))
    return save(fig, path)
