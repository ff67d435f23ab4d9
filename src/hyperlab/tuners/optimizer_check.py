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
import statistics
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
    """One optimizer: its range-test learning rate and the short run at it (None if it failed). On
    several seeds, ``best_val_metric`` and ``best_val_loss`` are the means of each seed's best epoch,
    ``seed_metrics`` each seed's best metric, ``histories`` each seed's run (``history`` the first)."""

    optimizer: str
    lr: float | None
    history: History | None
    best_epoch: int | None
    best_val_metric: float | None
    best_val_loss: float | None
    steps: int
    samples: int
    error: str | None = None
    histories: list[History] = field(default_factory=list)
    seed_metrics: list[float | None] = field(default_factory=list)
    seed_losses: list[float | None] = field(default_factory=list)


@dataclass(repr=False)
class OptimizerCheckResult(TunerDisplay):
    runs: list[OptimizerRun]
    suggested_optimizer: str
    epochs: int
    metric: str
    lr_finds: dict[str, LRFindResult | LRSweepResult] = field(default_factory=dict)
    seeds: int = 1  # seeds each candidate trained on (hparams.seed, +1, ...), together in one population
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

    def seeds_apart(self) -> bool | None:
        """On several seeds: whether every seed of the best candidate did better than every seed of
        the second (on what decided between them); None on one seed or with one candidate."""
        ranked = self.ranked()
        if self.seeds < 2 or len(ranked) < 2:
            return None
        compared = _seeds_compared(ranked[0], ranked[1])
        return None if compared is None else compared[0]

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
                "seeds": self.seeds, "seeds_apart": self.seeds_apart(),
                "runs": [{"optimizer": r.optimizer, "lr": r.lr, "lr_found_by": self.lr_source(r.optimizer),
                          "best_epoch": r.best_epoch, "best_val_metric": r.best_val_metric,
                          "best_val_loss": r.best_val_loss, "seed_metrics": r.seed_metrics,
                          "seed_losses": r.seed_losses, "steps": r.steps,
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
                    lr_method: str = "range", seeds: int = 1) -> OptimizerCheckResult:
    """Train each optimizer for ``epochs`` at its own learning rate (``lrs[name]`` when given, else
    from its range test, or from a short sweep with ``lr_method="sweep"``), all candidates together
    as one population, and compare their best validation metric. ``seeds`` > 1 trains each
    candidate on that many seeds (its own initial weights and shuffle order; a user's module
    starts every seed from its own weights) in the same population, compares their means and says
    whether the seeds of the first two overlap. Example:
    ``optimizer_check("mlp", "digits", optimizers=["sgd", "adam"]).suggested_optimizer``."""
    hp = as_hparams(hparams)
    check_out_dir("out", out)
    subject = as_subject(model, data, seed=hp.seed, setup=setup)
    names = list(dict.fromkeys(optimizer_name(o) for o in optimizers))
    if not names:
        raise ConfigError("optimizers", list(optimizers), "must name at least one optimizer")
    epochs = check_int("epochs", epochs, 1)
    seeds = check_int("seeds", seeds, 1)
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
        members = [with_optimizer(hp, name).replace(lr=lr, epochs=epochs, early_stopping=False, seed=hp.seed + k)
                   for name, lr in chosen.items() for k in range(seeds)]
        results = subject.train_together(members, [[Deadline(deadline, min_epochs=1), *callbacks] for _ in members]) \
            if members else []
    for k, (name, lr) in enumerate(chosen.items()):
        by_name[name] = _candidate(name, lr, [r.history for r in results[k * seeds:(k + 1) * seeds]])
    runs = [by_name[name] for name in names]
    scored = [r for r in runs if r.best_val_metric is not None]
    if not scored:
        raise HyperlabError("no optimizer produced a validation score: "
                            + "; ".join(f"{r.optimizer}: {r.error or 'diverged'}" for r in runs))
    winner = max(scored, key=_score)
    metric = scored[0].history.metric  # type: ignore[union-attr]
    result_ = OptimizerCheckResult(runs, winner.optimizer, epochs, metric, finds, seeds=seeds)
    result_.explanation = explain(result_, lang)
    result_.lang = lang  # the language its notebook display uses
    path = plot_path(out, "optimizers.png")
    if path is not None:
        result_.plot = plot_optimizers(result_, path, lang=lang)
    return result_


def _candidate(name: str, lr: float, histories: list[History]) -> OptimizerRun:
    """One optimizer's runs (one per seed) as its scores: each seed's best epoch, and their means."""
    bests = [h.epochs[best - 1] if (best := best_epoch_of(h)) else None for h in histories]
    metrics = [b.val_metric if b is not None else None for b in bests]
    scored = [b for b in bests if b is not None and b.val_metric is not None]
    losses = [b.val_loss for b in scored if b.val_loss is not None]
    first = next((b for b in bests if b is not None), None)
    return OptimizerRun(name, lr, histories[0], first.epoch if first else None,
                        statistics.fmean(b.val_metric for b in scored) if scored else None,  # type: ignore[misc]
                        statistics.fmean(losses) if losses else None,
                        sum(h.steps_done for h in histories),
                        sum(samples_seen(h.n_train, h.effective_batch, h.steps_done) for h in histories),
                        histories=histories, seed_metrics=metrics,
                        seed_losses=[b.val_loss if b is not None else None for b in bests])


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
        if result.seeds > 1:
            seen = [m for m in r.seed_metrics if m is not None]
            note += t("oc.seeds_missing", lang, k=result.seeds - len(seen)) if len(seen) < result.seeds else ""
            lines.append(t("oc.row_seeds", lang, optimizer=r.optimizer, lr=r.lr, source=source, metric=metric,
                           value=r.best_val_metric, seeds=result.seeds, lo=min(seen), hi=max(seen),
                           epochs=result.epochs, note=note))
        else:
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
    if result.seeds > 1 and len(ranked) > 1 and (said := _seeds_line(ranked[0], ranked[1], metric, lang)):
        lines.append(said)
    return lines


def _seeds_compared(first: OptimizerRun, second: OptimizerRun) -> tuple[bool, bool, list[float], list[float]] | None:
    """(apart, by_loss, first's seeds, second's seeds) on what decided between the two: the metric,
    or the validation loss when their metrics tie; apart when every seed of the first did better
    than every seed of the second. None without the values to compare."""
    by_loss = first.best_val_metric == second.best_val_metric
    a, b = ([m for m in (r.seed_losses if by_loss else r.seed_metrics) if m is not None] for r in (first, second))
    if not a or not b:
        return None
    apart = max(a) < min(b) if by_loss else min(a) > max(b)
    return apart, by_loss, a, b


def _seeds_line(first: OptimizerRun, second: OptimizerRun, metric: str, lang: str) -> str:
    """Whether the first two candidates' seeds overlap on what decided between them: a gap within
    seed noise says either will do ("" without the values to compare)."""
    compared = _seeds_compared(first, second)
    if compared is None:
        return ""
    apart, by_loss, a, b = compared
    what = f"{t('val', lang)} {t('loss', lang) if by_loss else metric}"
    shown = "{:.4g}".format if by_loss else "{:.4f}".format  # as the rows print each
    if apart:
        return t("oc.seeds_apart", lang, first=first.optimizer, second=second.optimizer, what=what,
                 worst=shown(max(a) if by_loss else min(a)), best=shown(min(b) if by_loss else max(b)))
    return t("oc.seeds_overlap", lang, first=first.optimizer, second=second.optimizer, what=what,
             lo1=shown(min(a)), hi1=shown(max(a)), lo2=shown(min(b)), hi2=shown(max(b)))


def plot_optimizers(result: OptimizerCheckResult, path: Path, *, lang: str = "en") -> Path:
    """``optimizers_figure`` saved as PNG at ``path``."""
    from hyperlab.views.plots import save

    return save(optimizers_figure(result, lang=lang), path)


def optimizers_figure(result: OptimizerCheckResult, *, lang: str = "en") -> Figure:
    """Validation loss and metric per epoch for each optimizer at its own learning rate (on several
    seeds: their mean, with a band from the lowest to the highest)."""
    from hyperlab.views.plots import draw_spread, subplots, use_font

    use_font(lang)
    fig, (ax_loss, ax_metric) = subplots(1, 2, figsize=(11, 4))
    for i, r in enumerate(result.runs):
        histories = [h for h in (r.histories or [r.history]) if h is not None and h.epochs]
        if not histories:
            continue
        label = f"{r.optimizer} (lr {r.lr:.2g})"
        lw = 2.2 if r.optimizer == result.suggested_optimizer else 1.2
        for ax, field_ in ((ax_loss, "val_loss"), (ax_metric, "val_metric")):
            draw_spread(ax, histories, field_, "o-", markersize=3, label=label, lw=lw, color=f"C{i % 10}")
    ax_loss.set_ylabel(f"{t('val', lang)} {t('loss', lang)}")
    ax_metric.set_ylabel(f"{t('val', lang)} {t(result.metric, lang)}")
    for ax in (ax_loss, ax_metric):
        ax.set_xlabel(t("epoch", lang))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(t("oc.title", lang))
    return fig
