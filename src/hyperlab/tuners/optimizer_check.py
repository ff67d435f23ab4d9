"""Optimizer check: a short, fair comparison of a few optimizers, each at the learning rate its own
LR range test (or short sweep, ``lr_method="sweep"``) suggests (an optimizer compared at another's
learning rate says nothing). The candidates' short runs train together as one population.

    >>> result = optimizer_check("logistic", "wine", {"batch_size": 8}, optimizers=["sgd", "adam"],
    ...                          epochs=2, lr_find_options={"steps": 10})
    >>> result.suggested_optimizer in ("sgd", "adam")
    True
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyperlab.api import DataSpec, as_hparams
from hyperlab.engine import Callback, History
from hyperlab.errors import ConfigError, HyperlabError, check_choice, check_out_dir
from hyperlab.hparams import HParams, optimizer_name, samples_seen
from hyperlab.i18n import t
from hyperlab.members import train_members
from hyperlab.models import ModelSpec
from hyperlab.tuners import texts  # noqa: F401 - registers the tuner texts
from hyperlab.tuners.common import (
    Deadline,
    Subject,
    TunerSetup,
    as_subject,
    check_int,
    plot_path,
    preserved,
    with_optimizer,
)
from hyperlab.tuners.epochs import best_epoch_of
from hyperlab.tuners.lr_find import LRFindResult, lr_find
from hyperlab.tuners.display import TunerDisplay
from hyperlab.tuners.lr_sweep import LRSweepResult, lr_sweep

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DEFAULT_OPTIMIZERS = ("sgd", "momentum", "adam")
LR_METHODS = ("range", "sweep")


@dataclass
class OptimizerRun:
    """One optimizer: its range-test learning rate and the short run at it (None if it failed)."""

    optimizer: str
    lr: float | None
    history: History | None
    best_epoch: int | None
    best_val_metric: float | None
    best_val_loss: float | None
    steps: int
    samples: int
    error: str | None = None


@dataclass(repr=False)
class OptimizerCheckResult(TunerDisplay):
    runs: list[OptimizerRun]
    suggested_optimizer: str
    epochs: int
    metric: str
    lr_finds: dict[str, LRFindResult | LRSweepResult] = field(default_factory=dict)
    plot: Path | None = None
    explanation: list[str] = field(default_factory=list)

    @property
    def suggested_lr(self) -> float:
        return next(r.lr for r in self.runs if r.optimizer == self.suggested_optimizer)  # type: ignore[return-value]

    def ranked(self) -> list[OptimizerRun]:
        """The runs with a validation score, best first: by metric, then by lower validation loss
        (the order the suggestion was chosen by)."""
        return sorted((r for r in self.runs if r.best_val_metric is not None), key=_score, reverse=True)

    def scores_text(self, lang: str = "en") -> str:
        """'sgd 0.9667, adam 0.9583', best first; where metrics print the same, each one's validation
        loss too, since the loss decided between them."""
        runs = self.ranked()
        shown = [f"{r.best_val_metric:.4f}" for r in runs]
        return ", ".join(f"{r.optimizer} {value}" + (f" ({t('oc.tie_loss', lang, loss=r.best_val_loss)})"
                                                     if shown.count(value) > 1 and r.best_val_loss is not None else "")
                         for r, value in zip(runs, shown))

    def lr_source(self, optimizer: str) -> dict[str, Any]:
        """How an optimizer's learning rate was found: {'method': 'range'}, {'method': 'sweep',
        'epochs': N} or {'method': 'given'}."""
        found = self.lr_finds.get(optimizer)
        if found is None:
            return {"method": "given"}
        return {"method": "sweep", "epochs": found.epochs} if isinstance(found, LRSweepResult) else {"method": "range"}

    def to_dict(self) -> dict[str, Any]:
        return {"suggested_optimizer": self.suggested_optimizer, "suggested_lr": self.suggested_lr,
                "epochs": self.epochs, "metric": self.metric,
                "runs": [{"optimizer": r.optimizer, "lr": r.lr, "lr_found_by": self.lr_source(r.optimizer),
                          "best_epoch": r.best_epoch, "best_val_metric": r.best_val_metric,
                          "best_val_loss": r.best_val_loss, "steps": r.steps,
                          "status": r.history.status if r.history else None, "error": r.error} for r in self.runs],
                "plot": str(self.plot) if self.plot else None, "explanation": self.explanation}


def _score(run: OptimizerRun) -> tuple[float, float]:
    return (run.best_val_metric if run.best_val_metric is not None else -math.inf,
            -(run.best_val_loss if run.best_val_loss is not None else math.inf))


def optimizer_check(model: ModelSpec | Subject = "mlp", data: DataSpec | None = "digits",
                    hparams: HParams | dict[str, Any] | None = None, *,
                    optimizers: Sequence[str] = DEFAULT_OPTIMIZERS, epochs: int = 5,
                    lrs: dict[str, float] | None = None, lr_find_options: dict[str, Any] | None = None,
                    out: str | Path | None = None, lang: str = "en", setup: TunerSetup | None = None,
                    deadline: float | None = None, callbacks: Sequence[Callback] = (),
                    lr_method: str = "range") -> OptimizerCheckResult:
    """Train each optimizer for ``epochs`` at its own learning rate (``lrs[name]`` when given, else
    from its range test, or from a short sweep with ``lr_method="sweep"``), all candidates together
    as one population, and compare their best validation metric. Example:
    ``optimizer_check("mlp", "digits", optimizers=["sgd", "adam"]).suggested_optimizer``."""
    hp = as_hparams(hparams)
    check_out_dir("out", out)
    subject = as_subject(model, data, seed=hp.seed, setup=setup)
    names = list(dict.fromkeys(optimizer_name(o) for o in optimizers))
    if not names:
        raise ConfigError("optimizers", list(optimizers), "must name at least one optimizer")
    epochs = check_int("epochs", epochs, 1)
    hp.check_data_size(subject.data.n_train)
    check_choice("lr_method", lr_method, LR_METHODS)
    by_name: dict[str, OptimizerRun] = {}
    finds: dict[str, LRFindResult | LRSweepResult] = {}
    chosen: dict[str, float] = {}
    with preserved(subject.user_module):
        for name in names:  # each optimizer's own learning rate first
            if deadline is not None and time.perf_counter() > deadline and (chosen or by_name):
                by_name[name] = OptimizerRun(name, None, None, None, None, None, 0, 0, "budget")
                continue
            hp_o = with_optimizer(hp, name)  # its rate swept over the planned run (hp.epochs), as advise's lr stage
            try:
                if lrs and name in lrs:
                    chosen[name] = lrs[name]
                else:
                    find = lr_find if lr_method == "range" else lr_sweep
                    finds[name] = find(subject, hparams=hp_o, deadline=deadline, out=out, lang=lang,
                                       plot_name=f"lr_{'find' if lr_method == 'range' else 'sweep'}_{name}.png",
                                       **(lr_find_options or {}))
                    chosen[name] = finds[name].suggested_lr
            except HyperlabError as exc:
                by_name[name] = OptimizerRun(name, None, None, None, None, None, 0, 0, str(exc))
        # then the candidates' short runs, together
        start = subject.model(hp.seed) if subject.user_module is not None else subject.spec
        members = [with_optimizer(hp, name).replace(lr=lr, epochs=epochs, early_stopping=False)
                   for name, lr in chosen.items()]
        results = train_members(start, subject.data, members,
                                callbacks=[[Deadline(deadline, min_epochs=1), *callbacks] for _ in members],
                                device=subject.setup.device, loss_fn=subject.setup.loss_fn,
                                width=subject.setup.width, depth=subject.setup.depth) if members else []
    for (name, lr), result in zip(chosen.items(), results, strict=True):
        h = result.history
        seen = samples_seen(h.n_train, h.effective_batch, h.steps_done)
        best = best_epoch_of(h)
        record = h.epochs[best - 1] if best else None
        by_name[name] = OptimizerRun(name, lr, h, best, record.val_metric if record else None,
                                  record.val_loss if record else None, h.steps_done, seen)
    runs = [by_name[name] for name in names]
    scored = [r for r in runs if r.best_val_metric is not None]
    if not scored:
        raise HyperlabError("no optimizer produced a validation score: "
                            + "; ".join(f"{r.optimizer}: {r.error or 'diverged'}" for r in runs))
    winner = max(scored, key=_score)
    metric = scored[0].history.metric  # type: ignore[union-attr]
    result_ = OptimizerCheckResult(runs, winner.optimizer, epochs, metric, finds)
    result_.explanation = explain(result_, lang)
    result_.lang = lang  # the language its notebook display uses
    path = plot_path(out, "optimizers.png")
    if path is not None:
        result_.plot = plot_optimizers(result_, path, lang=lang)
    return result_


def explain(result: OptimizerCheckResult, lang: str = "en") -> list[str]:
    """One line per optimizer and the verdict, from the measured runs."""
    metric = t(result.metric, lang)
    lines = []
    for r in result.runs:
        if r.best_val_metric is None:
            why = t("oc.skipped", lang) if r.error == "budget" else (r.error or t("diverged", lang))
            lines.append(t("oc.failed", lang, optimizer=r.optimizer, why=why))
            continue
        note = t("oc.cut", lang) if r.history.status == "budget" else \
            t("oc.diverged", lang) if r.history.status == "diverged" else ""  # type: ignore[union-attr]
        found = result.lr_source(r.optimizer)
        source = t("oc.given", lang) if found["method"] == "given" else \
            t("oc.swept", lang, epochs=found["epochs"]) if found["method"] == "sweep" else t("lrf.title", lang)
        lines.append(t("oc.row", lang, optimizer=r.optimizer, lr=r.lr, source=source, metric=metric,
                       value=r.best_val_metric, epoch=r.best_epoch, epochs=result.epochs, note=note))
    ranked = result.ranked()
    if len(ranked) > 1 and ranked[0].best_val_metric == ranked[1].best_val_metric:  # tied: the loss decided
        first, second = ranked[0], ranked[1]
        key = "oc.verdict_tie" if _score(first) != _score(second) else "oc.verdict_same"  # same: listed first
        lines.append(t(key, lang, optimizer=first.optimizer, value=first.best_val_metric,
                       second=second.optimizer, metric=metric, loss=first.best_val_loss, other=second.best_val_loss,
                       epochs=result.epochs))
    elif len(ranked) > 1:
        lines.append(t("oc.verdict", lang, optimizer=ranked[0].optimizer, value=ranked[0].best_val_metric,
                       second=ranked[1].optimizer, gap=ranked[0].best_val_metric - ranked[1].best_val_metric,
                       epochs=result.epochs))
    else:
        lines.append(t("oc.alone", lang, optimizer=ranked[0].optimizer))
    return lines


def plot_optimizers(result: OptimizerCheckResult, path: Path, *, lang: str = "en") -> Path:
    """``optimizers_figure`` saved as PNG at ``path``."""
    from hyperlab.views.plots import save

    return save(optimizers_figure(result, lang=lang), path)


def optimizers_figure(result: OptimizerCheckResult, *, lang: str = "en") -> Figure:
    """Validation loss and metric per epoch for each optimizer at its own learning rate."""
    from hyperlab.views.plots import subplots, use_font

    use_font(lang)
    fig, (ax_loss, ax_metric) = subplots(1, 2, figsize=(11, 4))
    for r in result.runs:
        if r.history is None or not r.history.epochs:
            continue
        label = f"{r.optimizer} (lr {r.lr:.2g})"
        epochs = r.history.column("epoch")
        ax_loss.plot(epochs, [math.nan if v is None else v for v in r.history.column("val_loss")], "o-",
                     markersize=3, label=label, lw=2.2 if r.optimizer == result.suggested_optimizer else 1.2)
        ax_metric.plot(epochs, [math.nan if v is None else v for v in r.history.column("val_metric")], "o-",
                       markersize=3, label=label, lw=2.2 if r.optimizer == result.suggested_optimizer else 1.2)
    ax_loss.set_ylabel(f"{t('val', lang)} {t('loss', lang)}")
    ax_metric.set_ylabel(f"{t('val', lang)} {t(result.metric, lang)}")
    for ax in (ax_loss, ax_metric):
        ax.set_xlabel(t("epoch", lang))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(t("oc.title", lang))
    return fig
