"""How many epochs: train with early stopping on the validation split and read where validation
stopped improving, judged as the Deep Learning Tuning Playbook does: a best epoch in the first
10% of the budget means the budget is far too long; one in the last 25% means train longer.

    >>> result = epoch_find("logistic", "wine", {"lr": 0.05, "batch_size": 16}, max_epochs=6, patience=2)
    >>> 1 <= result.suggested_epochs <= 6
    True
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyperlab.api import DataSpec, as_hparams
from hyperlab.engine import Callback, EpochRecord, History
from hyperlab.errors import HyperlabError, check_out_dir
from hyperlab.hparams import HParams
from hyperlab.i18n import t
from hyperlab.models import ModelSpec
from hyperlab.tuners.common import Deadline, Subject, TunerSetup, as_subject, check_int, plot_path, preserved
from hyperlab.tuners import texts  # noqa: F401 - registers the tuner texts
from hyperlab.tuners.display import TunerDisplay

if TYPE_CHECKING:
    from matplotlib.figure import Figure, SubFigure

TOO_EARLY = 0.10  # best epoch within the first 10% of the budget: far too long
TOO_LATE = 0.75  # best epoch within the last 25%: train longer
VERDICTS = ("too_long", "ok", "train_longer")


@dataclass(repr=False)
class EpochAdvice(TunerDisplay):
    """The early-stopped run, the recommended number of epochs and the playbook's verdict."""

    history: History
    max_epochs: int
    patience: int
    best_epoch: int  # by validation metric (ties: lower validation loss)
    best_loss_epoch: int | None  # by validation loss (what early stopping watched)
    verdict: str  # too_long, ok, train_longer
    next_budget: int
    hparams: HParams
    plot: Path | None = None
    explanation: list[str] = field(default_factory=list)
    seed_best_epochs: list[int | None] = field(default_factory=list)  # on several seeds: each one's best epoch

    @property
    def suggested_epochs(self) -> int:
        return self.best_epoch

    @property
    def best_record(self) -> EpochRecord:
        return self.history.epochs[self.best_epoch - 1]

    def to_dict(self) -> dict[str, Any]:
        best = self.best_record
        return {"suggested_epochs": self.suggested_epochs, "best_epoch": self.best_epoch,
                "best_loss_epoch": self.best_loss_epoch, "verdict": self.verdict, "next_budget": self.next_budget,
                "max_epochs": self.max_epochs, "patience": self.patience, "epochs_run": len(self.history.epochs),
                "status": self.history.status, "best_val_metric": best.val_metric, "best_val_loss": best.val_loss,
                "metric": self.history.metric, "steps": self.history.steps_done,
                "seed_best_epochs": self.seed_best_epochs or [self.best_epoch],
                "history": self.history.to_dict(), "plot": str(self.plot) if self.plot else None,
                "explanation": self.explanation}


def best_epoch_of(history: History) -> int | None:
    """The epoch with the best validation metric; ties go to the lower validation loss, then the earlier."""
    scored = [e for e in history.epochs if e.val_metric is not None]
    if not scored:
        return None
    return min(scored, key=lambda e: (-e.val_metric, math.inf if e.val_loss is None else e.val_loss,  # type: ignore[operator]
                                      e.epoch)).epoch


def judge(best: int, budget: int) -> tuple[str, int]:
    """The playbook's verdict on where the best epoch lies in the budget, and the budget to try next."""
    share = best / budget
    if share <= TOO_EARLY:
        return "too_long", max(2 * best, 2)
    if share > TOO_LATE:
        return "train_longer", 2 * budget
    return "ok", budget


def epoch_find(model: ModelSpec | Subject = "mlp", data: DataSpec | None = "digits",
               hparams: HParams | dict[str, Any] | None = None, *, max_epochs: int | None = None,
               patience: int | None = None, out: str | Path | None = None, lang: str = "en",
               setup: TunerSetup | None = None, deadline: float | None = None,
               callbacks: Sequence[Callback] = (), seeds: int = 1) -> EpochAdvice:
    """Train with early stopping (``max_epochs``, default ``hparams.epochs``; ``patience``, default
    ``hparams.patience``) and recommend the epoch where validation stopped improving. ``seeds`` > 1
    trains that many seeds together as one population, each stopping on its own, and recommends
    the median of their best epochs (the advice then describes the seed whose best epoch that is).
    Example: ``epoch_find("mlp", "digits", {"lr": 3e-3}, max_epochs=40).suggested_epochs``."""
    hp = as_hparams(hparams)
    check_out_dir("out", out)
    subject = as_subject(model, data, seed=hp.seed, setup=setup)
    max_epochs = hp.epochs if max_epochs is None else check_int("max_epochs", max_epochs, 2)
    if max_epochs < 2:
        raise HyperlabError("epochs must be at least 2 to see where validation stops improving")
    patience = hp.patience if patience is None else check_int("patience", patience, 1)
    seeds = check_int("seeds", seeds, 1)
    if subject.data.val is None or len(subject.data.val) == 0:  # type: ignore[arg-type]
        raise HyperlabError("epoch advice needs a validation split, and this data has none")
    hp = hp.replace(epochs=max_epochs, early_stopping=True, patience=patience, restore_best=True)
    histories = _early_stopped(subject, hp, seeds, [Deadline(deadline, min_epochs=1), *callbacks])
    bests = [best_epoch_of(h) for h in histories]
    found = sorted(b for b in bests if b is not None)
    middle = statistics.median_low(found) if found else None
    history = histories[bests.index(middle)] if middle is not None else histories[0]
    best = middle
    if best is None:
        d = history.diverged or {}
        raise HyperlabError(f"no epoch finished with a finite validation score (status {history.status}"
                            + (f", diverged at step {d.get('step')}" if d else "") + "); lower the learning rate")
    losses = [e for e in history.epochs if e.val_loss is not None]
    best_loss = min(losses, key=lambda e: e.val_loss).epoch if losses else None  # type: ignore[arg-type, return-value]
    budget = max_epochs if history.status != "budget" else len(history.epochs)
    verdict, next_budget = judge(best, budget)
    if history.status == "budget" and verdict == "train_longer":
        next_budget = max(next_budget, max_epochs)
    advice = EpochAdvice(history, max_epochs, patience, best, best_loss, verdict, next_budget, hp,
                         seed_best_epochs=bests if seeds > 1 else [])
    advice.explanation = explain(advice, lang)
    advice.lang = lang  # the language its notebook display uses
    path = plot_path(out, "epochs.png")
    if path is not None:
        advice.plot = plot_epochs(advice, path, lang=lang)
    return advice


def _early_stopped(subject: Subject, hp: HParams, seeds: int, callbacks: list[Callback]) -> list[History]:
    """The early-stopped run on ``hp.seed``, or on ``seeds`` seeds trained together as one population."""
    with preserved(subject.user_module):
        if seeds == 1:
            return [subject.fit(subject.model(hp.seed), hp, callbacks, measure_memory=False).history]
        members = [hp.replace(seed=hp.seed + k) for k in range(seeds)]
        results = subject.train_together(members, [list(callbacks) for _ in members])
    return [r.history for r in results]


def explain(advice: EpochAdvice, lang: str = "en") -> list[str]:
    """Sentences computed from the early-stopped history."""
    h, best = advice.history, advice.best_record
    loss_epoch = advice.best_loss_epoch or advice.best_epoch
    metric = t(h.metric, lang)
    loss = h.epochs[loss_epoch - 1].val_loss  # a loss of 0.0 is a value, not a missing one
    lines = [t("ep.ran", lang, max_epochs=advice.max_epochs, patience=advice.patience, run=len(h.epochs),
               status=t(h.status, lang), metric=metric, best=advice.best_epoch, value=best.val_metric,
               best_loss=loss_epoch, loss=math.nan if loss is None else loss)]
    if h.status == "budget":
        lines.append(t("ep.budget_cut", lang, run=len(h.epochs), max_epochs=advice.max_epochs))
    if h.diverged:
        lines.append(t("ep.diverged", lang, step=h.diverged["step"], epoch=h.diverged["epoch"]))
    if h.status == "stopped_early" and advice.best_epoch == len(h.epochs):
        lines.append(t("ep.metric_still_rising", lang, metric=metric, epoch=advice.best_epoch,
                       loss_epoch=loss_epoch, patience=advice.patience))
    budget = advice.max_epochs if h.status != "budget" else len(h.epochs)
    lines.append(t(f"ep.{advice.verdict}", lang, best=advice.best_epoch, budget=budget, early=TOO_EARLY,
                   late=1 - TOO_LATE, share=advice.best_epoch / budget, next=advice.next_budget))
    if best.train_metric is not None and best.val_metric is not None:
        lines.append(t("ep.gap", lang, metric=metric, gap=best.train_metric - best.val_metric))
    if advice.seed_best_epochs:
        shown = ", ".join("–" if b is None else str(b) for b in advice.seed_best_epochs)
        lines.append(t("ep.seeds", lang, seeds=len(advice.seed_best_epochs), bests=shown, best=advice.best_epoch))
    return lines


def plot_epochs(advice: EpochAdvice, path: Path, *, lang: str = "en") -> Path:
    """``epochs_figure`` saved as PNG at ``path``."""
    from hyperlab.views.plots import save

    return save(epochs_figure(advice, lang=lang), path)


def epochs_figure(advice: EpochAdvice, *, lang: str = "en", into: SubFigure | None = None) -> Figure:
    """Train and validation loss and metric per epoch, the best epoch, and the playbook's zones."""
    from hyperlab.views.plots import subplots, use_font

    use_font(lang)
    h = advice.history
    budget = advice.max_epochs if h.status != "budget" else len(h.epochs)
    fig, axes = subplots(1, 2, figsize=(11, 4), into=into)
    epochs = h.column("epoch")
    for ax, name in zip(axes, ("loss", "metric"), strict=True):
        for split, style in (("train", "-"), ("val", "--")):
            values = [math.nan if v is None else v for v in h.column(f"{split}_{name}")]
            ax.plot(epochs, values, style, marker="o", markersize=3, label=t(split, lang))
        ax.axvspan(0.5, max(TOO_EARLY * budget, 0.5) + 0.5, color="red", alpha=0.08,
                   label=t("ep.zone_early", lang, share=TOO_EARLY))
        ax.axvspan(TOO_LATE * budget + 0.5, budget + 0.5, color="orange", alpha=0.12,
                   label=t("ep.zone_late", lang, share=1 - TOO_LATE))
        ax.axvline(advice.best_epoch, color="green", lw=2, label=f"{t('best_epoch', lang)}: {advice.best_epoch}")
        ax.set_xlim(0.5, budget + 0.5)
        ax.set_xlabel(t("epoch", lang))
        ax.set_ylabel(t("loss", lang) if name == "loss" else t(h.metric, lang))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(t("ep.title", lang))
    return fig
