"""Choosing the learning rate from real runs: a population of log-spaced constant rates, each
trained for the run's planned epochs, the best chosen on validation loss.

The range test (``lr_find``) reads the training loss of one run whose rate grows every step; this
trains every candidate rate as its own run (all of them at once, as one population), so the choice
is measured where it matters: on held-out data, after real training at that rate. Two measured
choices (``bench/lr_choice.py``): the horizon is the planned run's, because the best constant rate
depends on how long you train (100 steps favour fast rates that 20 epochs punish); and each rate is
judged with its neighbours a quarter decade either side, so a lucky rate in a noisy valley or one
beside a rate that diverges is not chosen over the middle of the good range.

    >>> result = lr_sweep("logistic", "wine", {"optimizer": "sgd", "batch_size": 16}, steps=20)
    >>> result.suggested_lr in result.lrs
    True
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyperlab.api import DataSpec, as_hparams
from hyperlab.engine import Callback, History
from hyperlab.errors import ConfigError, HyperlabError
from hyperlab.hparams import HParams, samples_seen
from hyperlab.i18n import steps_arithmetic, t
from hyperlab.members import train_members, trained_together
from hyperlab.models import ModelSpec
from hyperlab.tuners import texts  # noqa: F401 - registers the tuner texts
from hyperlab.tuners.common import (
    Deadline,
    Subject,
    TunerSetup,
    as_subject,
    check_float,
    check_int,
    log_axis,
    plot_path,
    preserved,
)
from hyperlab.tuners.display import TunerDisplay
from hyperlab.tuners.lr_find import DEFAULT_STEPS

if TYPE_CHECKING:
    from matplotlib.figure import Figure, SubFigure

DEFAULT_MIN_LR = 1e-5
DEFAULT_MAX_LR = 10.0
DEFAULT_PER_DECADE = 4  # a quarter decade between rates: 25 rates over 1e-5 .. 10
MAX_RATES = 64
SMOOTH_DECADES = 0.25  # a rate is judged with its neighbours this far either side (log10 lr)


@dataclass(repr=False)
class LRSweepResult(TunerDisplay):
    """Each rate's short run, the rate chosen and what the sweep cost (epochs, steps, samples)."""

    lrs: list[float]
    scores: list[float | None]  # final validation loss per rate (None: diverged or no score)
    judged: list[float | None]  # the mean score of each rate and its neighbours (None: one of them has none)
    histories: list[History]
    suggested_lr: float
    best_index: int
    epochs: int  # epochs each rate trained
    steps: int  # planned steps per rate (epochs x steps per epoch)
    steps_per_epoch: int
    n_train: int
    criterion: str  # "val_loss" or "train_loss" (data without a validation split)
    hparams: HParams
    plot: Path | None = None
    explanation: list[str] = field(default_factory=list)
    lang: str = "en"  # the language of its notebook display

    @property
    def steps_run(self) -> int:
        return sum(h.steps_done for h in self.histories)

    @property
    def samples(self) -> int:
        return sum(samples_seen(h.n_train, h.effective_batch, h.steps_done) for h in self.histories)

    @property
    def epochs_run(self) -> float:
        """Passes over the training set, all rates together."""
        return self.samples / self.n_train

    @property
    def together(self) -> bool:
        """Whether the rates trained stacked as one population (else one after another)."""
        return all(trained_together(h) for h in self.histories)

    @property
    def recommended_rule(self) -> str:
        return "sweep"

    @property
    def suggestions(self) -> dict[str, float | None]:
        """Shaped like the range test's: the one "rule" here is the sweep itself."""
        return {"sweep": self.suggested_lr}

    @property
    def at_edge(self) -> bool:
        return self.best_index in (0, len(self.lrs) - 1)

    def to_dict(self) -> dict[str, Any]:
        return {"method": "sweep", "suggested_lr": self.suggested_lr, "lrs": self.lrs, "scores": self.scores,
                "judged": self.judged, "criterion": self.criterion, "statuses": [h.status for h in self.histories],
                "epochs": self.epochs, "steps": self.steps, "steps_per_epoch": self.steps_per_epoch,
                "n_train": self.n_train, "steps_run": self.steps_run, "samples": self.samples,
                "epochs_run": self.epochs_run, "at_edge": self.at_edge, "optimizer": self.hparams.optimizer,
                "batch_size": self.hparams.batch_size, "plot": str(self.plot) if self.plot else None,
                "explanation": self.explanation}


def sweep_rates(min_lr: float, max_lr: float, per_decade: int) -> list[float]:
    """Log-spaced rates from ``min_lr`` to ``max_lr`` (both included), ``per_decade`` per decade."""
    count = max(1, round(math.log10(max_lr / min_lr) * per_decade))
    return [min_lr * (max_lr / min_lr) ** (k / count) for k in range(count + 1)]


def lr_sweep(model: ModelSpec | Subject = "mlp", data: DataSpec | None = "digits",
             hparams: HParams | dict[str, Any] | None = None, *, min_lr: float = DEFAULT_MIN_LR,
             max_lr: float = DEFAULT_MAX_LR, per_decade: int = DEFAULT_PER_DECADE, steps: int | None = None,
             out: str | Path | None = None, plot_name: str = "lr_sweep.png", lang: str = "en",
             setup: TunerSetup | None = None, deadline: float | None = None,
             callbacks: Sequence[Callback] = ()) -> LRSweepResult:
    """Train each log-spaced constant rate for the planned run (``hparams.epochs`` epochs; ``steps``
    cuts it to at least that many steps, rounded up to whole epochs) as one population; suggest the
    rate whose final validation loss, averaged with its neighbours' (``judge``), is lowest. A
    diverged rate never wins. Example: ``lr_sweep("mlp", "digits", {"optimizer": "adam"}).suggested_lr``."""
    hp = as_hparams(hparams)
    subject = as_subject(model, data, seed=hp.seed, setup=setup)
    min_lr = check_float("min_lr", min_lr)
    max_lr = check_float("max_lr", max_lr)
    if max_lr <= min_lr:
        raise ConfigError("max_lr", max_lr, f"must be greater than min_lr ({min_lr:g})")
    per_decade = check_int("per_decade", per_decade, 1, 10)
    if steps is not None:
        steps = check_int("steps", steps, 1, 100_000)
    n = subject.data.n_train
    hp.check_data_size(n)
    lrs = sweep_rates(min_lr, max_lr, per_decade)
    if len(lrs) > MAX_RATES:
        raise ConfigError("per_decade", per_decade, f"makes {len(lrs)} rates between {min_lr:g} and {max_lr:g}; "
                          f"at most {MAX_RATES}")
    spe = hp.steps_per_epoch(n)
    epochs = hp.epochs if steps is None else math.ceil(steps / spe)
    base = hp.replace(epochs=epochs, schedule="constant", warmup_steps=0, early_stopping=False)
    members = [base.replace(lr=lr) for lr in lrs]
    module = subject.user_module
    with preserved(module):
        start = subject.model(hp.seed) if module is not None else subject.spec
        results = train_members(start, subject.data, members,
                                callbacks=[[Deadline(deadline), *callbacks] for _ in members],
                                device=subject.setup.device, loss_fn=subject.setup.loss_fn,
                                width=subject.setup.width, depth=subject.setup.depth)
    histories = [r.history for r in results]
    criterion = "val_loss" if subject.data.val is not None else "train_loss"
    scores = scores_at_common_epoch(histories, criterion)
    if all(s is None for s in scores):
        raise HyperlabError(f"no learning rate between {min_lr:g} and {max_lr:g} finished its {epochs} epoch(s) "
                            f"with a finite loss; try a lower --min-lr")
    judged = judge(lrs, scores)
    ranked = judged if any(j is not None for j in judged) else scores  # every survivor beside a failed rate
    best = min((i for i, v in enumerate(ranked) if v is not None), key=lambda i: ranked[i])  # type: ignore[arg-type, return-value]
    result = LRSweepResult(lrs=lrs, scores=scores, judged=judged, histories=histories, suggested_lr=lrs[best],
                           best_index=best, epochs=epochs, steps=epochs * spe, steps_per_epoch=spe, n_train=n,
                           criterion=criterion, hparams=hp)
    result.explanation = explain(result, lang)
    result.lang = lang
    path = plot_path(out, plot_name)
    if path is not None:
        result.plot = plot_lr_sweep(result, path, lang=lang)
    return result


def judge(lrs: Sequence[float], scores: Sequence[float | None],
          decades: float = SMOOTH_DECADES) -> list[float | None]:
    """Each rate's score averaged with those of the rates within ``decades`` of it (log10): one
    seed's losses are noisy from rate to rate, and the middle of a good range is the safer choice
    than a lucky point at its edge. None where the rate or a neighbour has no score (diverged), so
    a rate beside one that diverges is not chosen while another is left."""
    out: list[float | None] = []
    for lr in lrs:
        near = [s for other, s in zip(lrs, scores) if abs(math.log10(other / lr)) <= decades + 1e-9]
        out.append(None if any(s is None for s in near) else sum(near) / len(near))  # type: ignore[arg-type]
    return out


def scores_at_common_epoch(histories: list[History], criterion: str) -> list[float | None]:
    """Each run's loss at the last epoch every surviving run reached (a time budget can stop runs a
    different number of epochs in): a diverged run, or one without that epoch, scores None."""
    alive = [h for h in histories if h.status != "diverged" and h.epochs]
    if not alive:
        return [None] * len(histories)
    epoch = min(len(h.epochs) for h in alive)
    return [getattr(h.epochs[epoch - 1], criterion) if h in alive else None for h in histories]


def range_test_cost(n_train: int, batch_size: int, steps: int = DEFAULT_STEPS) -> tuple[int, float, int]:
    """What a default range test costs on this data: (steps, passes, samples)."""
    samples = samples_seen(n_train, batch_size, steps)
    return steps, samples / n_train, samples


def explain(result: LRSweepResult, lang: str = "en") -> list[str]:
    """Sentences from the measured runs: what was trained, what it cost, what won and why."""
    hp = result.hparams
    arithmetic = steps_arithmetic(result.n_train, hp.batch_size, result.steps_per_epoch, lang,
                                  accumulate=hp.accumulate)
    how = t("lrs.together" if result.together else "lrs.one_by_one", lang)
    lines = [t("lrs.ran", lang, k=len(result.lrs), lo=result.lrs[0], hi=result.lrs[-1], epochs=result.epochs,
               steps=result.steps, optimizer=hp.optimizer, arithmetic=arithmetic, how=how)]
    diverged = [lr for lr, h in zip(result.lrs, result.histories) if h.status == "diverged"]
    if diverged:
        lines.append(t("lrs.diverged", lang, count=len(diverged), lowest=min(diverged)))
    steps, passes, samples = range_test_cost(result.n_train, hp.effective_batch())
    lines.append(t("lrs.cost", lang, steps=result.steps_run, epochs=result.epochs_run, samples=result.samples,
                   r_steps=steps, r_passes=passes, r_samples=samples))
    judged = result.judged[result.best_index]
    if judged is None or judged == result.scores[result.best_index]:  # judged alone (no neighbour near)
        lines.append(t(f"lrs.verdict.{result.criterion}", lang, lr=result.suggested_lr,
                       loss=result.scores[result.best_index]))
    else:
        lowest = min(range(len(result.lrs)), key=lambda i: math.inf if result.scores[i] is None else result.scores[i])
        lines.append(t("lrs.verdict.judged", lang, lr=result.suggested_lr, judged=judged,
                       loss=result.scores[result.best_index], what=t(f"lrs.{result.criterion}", lang)))
        if lowest != result.best_index:
            lines.append(t("lrs.not_lowest", lang, lr=result.lrs[lowest], loss=result.scores[lowest]))
    if result.at_edge:
        lines.append(t("lrs.edge", lang, lr=result.suggested_lr))
    return lines


def plot_lr_sweep(result: LRSweepResult, path: Path, *, lang: str = "en") -> Path:
    """The sweep's plot saved as PNG at ``path``."""
    from hyperlab.views.plots import save

    return save(lr_sweep_figure(result, lang=lang), path)


def lr_sweep_figure(result: LRSweepResult, *, lang: str = "en", into: SubFigure | None = None) -> Figure:
    """Final loss against learning rate (log axis), the chosen rate marked; diverged rates as x."""
    from hyperlab.views.plots import subplots, use_font

    use_font(lang)
    fig, ax = subplots(figsize=(7.5, 4.2), into=into)
    ok = [(lr, s) for lr, s in zip(result.lrs, result.scores) if s is not None]
    ax.plot([lr for lr, _ in ok], [s for _, s in ok], "o-", color="C0", label=t(f"lrs.{result.criterion}", lang))
    judged = [(lr, j) for lr, j in zip(result.lrs, result.judged) if j is not None]
    if judged and judged != ok:
        ax.plot([lr for lr, _ in judged], [j for _, j in judged], "-", color="C1", lw=2, alpha=0.8,
                label=t("lrs.judged", lang))
    top = max(s for _, s in ok)
    failed = [lr for lr, s in zip(result.lrs, result.scores) if s is None]
    if failed:
        ax.plot(failed, [top] * len(failed), "x", color="red", markersize=9, label=t("diverged", lang))
    ax.axvline(result.suggested_lr, color="C3", lw=2.2, label=f"{t('lrf.recommended', lang)}: {result.suggested_lr:.2g}")
    log_axis(ax)
    ax.set_xlabel(t("lr", lang))
    ax.set_ylabel(t(f"lrs.{result.criterion}", lang))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"{t('lsw.title', lang)}: {result.hparams.optimizer}, {t('batch_size', lang)} "
                 f"{result.hparams.batch_size}, {result.epochs} {t('epochs', lang)}")
    return fig
