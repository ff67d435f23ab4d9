"""LR range test: grow the learning rate exponentially over a planned number of steps (100 by
default, as Lightning's and fastai's ``lr_find``), watch the smoothed loss, stop when it explodes,
and suggest a learning rate by three rules.

A range test is a number of steps, not an epoch: on a small data set the steps run over as many
passes as needed (the explanation says how many), so the sweep is never squeezed into the few
steps of one short epoch. Every step goes through ``hyperlab.engine.fit``; a callback sets the
next step's learning rate and raises ``StopTraining`` when the bias-corrected moving average of the
loss passes ``stop_factor`` times its lowest value. The model is put back exactly as it was found.

    >>> result = lr_find("logistic", "wine", {"optimizer": "sgd", "batch_size": 8}, steps=12)
    >>> sorted(result.suggestions)
    ['min_div_10', 'steepest', 'valley']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from torch import Tensor

from hyperlab.api import DataSpec, as_hparams
from hyperlab.engine import Callback, Run, StopTraining
from hyperlab.errors import ConfigError, HyperlabError, check_choice, check_out_dir
from hyperlab.hparams import HParams, samples_seen
from hyperlab.i18n import t
from hyperlab.models import ModelSpec
from hyperlab.tuners.common import (
    Deadline,
    Subject,
    TunerSetup,
    as_subject,
    check_float,
    check_int,
    geometric_median,
    log_axis,
    plot_path,
    preserved,
)
from hyperlab.tuners import texts  # noqa: F401 - registers the tuner texts
from hyperlab.tuners.display import TunerDisplay

if TYPE_CHECKING:
    from matplotlib.figure import Figure, SubFigure

RULES = ("steepest", "valley", "min_div_10")
RECOMMENDED_RULE = "min_div_10"
DEFAULT_STEPS = 100  # Lightning's and fastai's lr_find default
MIN_STEPS = 10
MAX_STEPS = 10_000
SKIP_BEGIN = 10  # first smoothed points are an average of a batch or two: not trusted (Lightning skips 10 too)
MAX_REPEATS = 20


@dataclass
class RangeTest:
    """One range test: the learning rate and loss of each step, the smoothed loss and the rules."""

    seed: int
    lrs: list[float]
    losses: list[float | None]
    smoothed: list[float]
    stop_reason: str  # exploded, diverged, finished or budget
    suggestions: dict[str, float | None]
    marks: dict[str, int]  # index on the curve of each rule's point (min_div_10: of the minimum)
    valley: tuple[int, int] | None
    steepest_slope: float | None  # d(smoothed loss) / d(log10 lr) at the steepest point
    first: int = 0  # index of the first trusted point of the curve (see ``trusted_from``)


@dataclass(repr=False)
class LRFindResult(TunerDisplay):
    """The range test(s) and their suggestions; ``suggested_lr`` is the recommended rule's value."""

    tests: list[RangeTest]
    suggestions: dict[str, float | None]
    recommended_rule: str
    suggested_lr: float
    spread: dict[str, dict[str, float]]
    min_lr: float
    max_lr: float
    steps: int
    steps_per_epoch: int
    n_train: int
    smoothing: float
    stop_factor: float
    hparams: HParams
    plot: Path | None = None
    explanation: list[str] = field(default_factory=list)

    @property
    def steps_run(self) -> int:
        return sum(len(test.lrs) for test in self.tests)

    @property
    def passes(self) -> float:
        """Passes over the training set made by the first test's steps (1.0 = one epoch)."""
        return samples_seen(self.n_train, self.hparams.effective_batch(), len(self.tests[0].lrs)) / self.n_train

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe: each suggestion as a number under its rule's name, plus the curves."""
        return {
            "method": "range", "suggested_lr": self.suggested_lr, "recommended_rule": self.recommended_rule,
            **{rule: self.suggestions.get(rule) for rule in RULES},
            "spread": self.spread, "repeats": len(self.tests),
            "min_lr": self.min_lr, "max_lr": self.max_lr, "steps": self.steps,
            "steps_per_epoch": self.steps_per_epoch, "n_train": self.n_train, "passes": self.passes,
            "steps_run": self.steps_run,
            "smoothing": self.smoothing, "stop_factor": self.stop_factor,
            "optimizer": self.hparams.optimizer, "batch_size": self.hparams.batch_size,
            "tests": [asdict(test) for test in self.tests],
            "plot": str(self.plot) if self.plot else None, "explanation": self.explanation,
        }


def trusted_from(points: int) -> int:
    """Index of the first smoothed point that is trusted: the first few average only a batch or two
    (on small data one lucky batch would pass for the minimum), so they neither count as a
    minimum nor set the level that the explosion check compares with."""
    return min(SKIP_BEGIN, points // 5)


class RangeTestCallback(Callback):
    """Sets the learning rate of every step from ``lrs`` and stops when the smoothed loss explodes."""

    def __init__(self, lrs: Sequence[float], smoothing: float, stop_factor: float) -> None:
        self.lrs, self.beta, self.stop_factor = list(lrs), smoothing, stop_factor
        self.smoothed: list[float] = []
        self._average, self._best = 0.0, math.inf
        self.first = trusted_from(len(self.lrs))

    def on_train_start(self, run: Run) -> None:
        self._set_lr(run, self.lrs[0])

    def on_step_end(self, run: Run, loss: Tensor) -> None:
        loss = float(loss)  # the range test needs every step's loss to stop at the explosion
        self._average = self.beta * self._average + (1 - self.beta) * loss
        smoothed = self._average / (1 - self.beta ** run.step)  # bias correction
        self.smoothed.append(smoothed)
        if len(self.smoothed) > self.first:
            self._best = min(self._best, smoothed)
        if smoothed > self.stop_factor * self._best:
            raise StopTraining("exploded")
        if run.step >= len(self.lrs):
            raise StopTraining("finished")
        self._set_lr(run, self.lrs[run.step])

    @staticmethod
    def _set_lr(run: Run, lr: float) -> None:
        for group in run.optimizer.param_groups:
            group["lr"] = lr


def suggest(lrs: Sequence[float], smoothed: Sequence[float],
            skip: int | None = None) -> tuple[dict[str, float | None], dict[str, Any]]:
    """The three rules on one curve, from its ``skip``-th point on (default ``trusted_from``):
    (suggestions, details for plots and explanations)."""
    x = np.log10(np.asarray(lrs, dtype=float))
    y = np.asarray(smoothed, dtype=float)
    first = trusted_from(len(y)) if skip is None else skip
    lowest = first + int(np.argmin(y[first:]))
    suggestions: dict[str, float | None] = dict.fromkeys(RULES)
    details: dict[str, Any] = {"marks": {}, "valley": None, "slope": None, "lowest": lowest, "why": {},
                               "first": first}
    if lowest == first:
        for rule in RULES:
            details["why"][rule] = "no_fall"
        return suggestions, details
    # minimum / 10
    suggestions["min_div_10"] = float(lrs[lowest]) / 10
    details["marks"]["min_div_10"] = lowest
    # steepest descent of the smoothed loss against log10(lr), before the minimum
    if lowest - first >= 2:
        slope = np.gradient(y[first:lowest + 1], x[first:lowest + 1])
        steep = first + int(np.argmin(slope))
        suggestions["steepest"] = float(lrs[steep])
        details["marks"]["steepest"], details["slope"] = steep, float(slope[steep - first])
    else:
        details["why"]["steepest"] = "few_points"
    # valley: the longest stretch over which the smoothed loss keeps falling, its middle
    start, end = (first + i for i in longest_decrease(y[first:]))
    if end > start:
        middle = start + (end - start) // 2
        suggestions["valley"] = float(lrs[middle])
        details["marks"]["valley"], details["valley"] = middle, (start, end)
    else:
        details["why"]["valley"] = "no_fall"
    return suggestions, details


def longest_decrease(y: np.ndarray) -> tuple[int, int]:
    """(first, last) index of the longest run of consecutive points where ``y`` keeps falling.

    Consecutive, not a subsequence: on a flat, noisy start the smoothed loss rises now and then,
    which breaks a run, while a subsequence would thread through the noise and span the flat part.
    """
    best, start = (0, 0), 0
    for i in range(1, len(y)):
        if y[i] >= y[i - 1]:
            start = i
        elif i - start > best[1] - best[0]:
            best = (start, i)
    return best


def range_test(subject: Subject, hp: HParams, lrs: Sequence[float], *, smoothing: float, stop_factor: float,
               seed: int, deadline: float | None = None, callbacks: Sequence[Callback] = ()) -> RangeTest:
    """One range test through ``fit``, over as many passes over the data as its steps need; the model's
    state is put back afterwards."""
    model = subject.model(seed)
    epochs = math.ceil(len(lrs) / hp.steps_per_epoch(subject.data.n_train))
    hp = hp.replace(lr=lrs[0], epochs=epochs, schedule="constant", warmup_steps=0, early_stopping=False, seed=seed)
    tracker = RangeTestCallback(lrs, smoothing, stop_factor)
    with preserved(model):
        result = subject.fit(model, hp, [tracker, Deadline(deadline), *callbacks], measure_memory=False,
                             diverge_factor=math.inf)
    history = result.history
    n, first = len(tracker.smoothed), tracker.first
    if n < first + 3:
        raise HyperlabError(f"the range test measured only {n} {'step' if n == 1 else 'steps'} before it stopped "
                            f"({history.status}); use a lower min_lr or a larger time budget")
    status = history.status if history.status in ("exploded", "finished", "budget", "diverged") else "finished"
    curve_lrs = [float(v) for v in history.step_lr[:n]]
    suggestions, details = suggest(curve_lrs, tracker.smoothed, first)
    return RangeTest(seed=seed, lrs=curve_lrs, losses=list(history.step_loss[:n]), smoothed=tracker.smoothed,
                     stop_reason=status, suggestions=suggestions, marks=details["marks"],
                     valley=details["valley"], steepest_slope=details["slope"], first=first)


def lr_find(model: ModelSpec | Subject = "mlp", data: DataSpec | None = "digits",
            hparams: HParams | dict[str, Any] | None = None, *, min_lr: float = 1e-6, max_lr: float = 10.0,
            steps: int | None = None, repeats: int = 1, smoothing: float = 0.9, stop_factor: float = 4.0,
            rule: str = RECOMMENDED_RULE, out: str | Path | None = None, plot_name: str = "lr_find.png",
            lang: str = "en", setup: TunerSetup | None = None, deadline: float | None = None,
            callbacks: Sequence[Callback] = ()) -> LRFindResult:
    """Run the LR range test ``repeats`` times (seeds ``seed``, ``seed+1``...) and suggest a learning rate.

    ``steps`` (default 100) is the length of the sweep from ``min_lr`` to ``max_lr``, run over as
    many passes over the data as it needs. With ``out`` a plot (``plot_name``) is written there.
    Example: ``lr_find("mlp", "digits", {"optimizer": "adam", "batch_size": 16}).suggested_lr``.
    """
    hp = as_hparams(hparams)
    check_out_dir("out", out)
    subject = as_subject(model, data, seed=hp.seed, setup=setup)
    min_lr = check_float("min_lr", min_lr)
    max_lr = check_float("max_lr", max_lr)
    if max_lr <= min_lr:
        raise ConfigError("max_lr", max_lr, f"must be greater than min_lr ({min_lr:g})")
    repeats = check_int("repeats", repeats, 1, MAX_REPEATS)
    smoothing = check_float("smoothing", smoothing, low=0.0, low_open=False, high=0.999)
    stop_factor = check_float("stop_factor", stop_factor, low=1.0)
    rule = check_choice("rule", rule, RULES)
    n = subject.data.n_train
    hp.check_data_size(n)
    spe = hp.steps_per_epoch(n)
    steps = DEFAULT_STEPS if steps is None else check_int("steps", steps, MIN_STEPS, MAX_STEPS)

    lrs = [min_lr * (max_lr / min_lr) ** (k / (steps - 1)) for k in range(steps)]
    tests = [range_test(subject, hp, lrs, smoothing=smoothing, stop_factor=stop_factor, seed=hp.seed + i,
                        deadline=deadline, callbacks=callbacks) for i in range(repeats)]
    suggestions: dict[str, float | None] = {}
    spread: dict[str, dict[str, float]] = {}
    for name in RULES:
        values = [test.suggestions[name] for test in tests if test.suggestions[name] is not None]
        suggestions[name] = geometric_median(values) if values else None  # type: ignore[arg-type]
        if len(values) > 1:
            spread[name] = {"min": min(values), "max": max(values), "ratio": max(values) / min(values),
                            "n": len(values)}
    chosen = suggestions[rule]
    if chosen is None:
        raise HyperlabError(f"the loss did not decrease between lr {min_lr:g} and {max_lr:g} "
                            f"(stopped: {tests[0].stop_reason}); try a lower --min-lr, more --steps "
                            f"or another optimizer")
    result = LRFindResult(tests=tests, suggestions=suggestions, recommended_rule=rule, suggested_lr=chosen,
                          spread=spread, min_lr=min_lr, max_lr=max_lr, steps=steps, steps_per_epoch=spe, n_train=n,
                          smoothing=smoothing, stop_factor=stop_factor, hparams=hp)
    result.explanation = explain(result, lang)
    result.lang = lang  # the language its notebook display uses
    path = plot_path(out, plot_name)
    if path is not None:
        result.plot = plot_lr_find(result, path, lang=lang)
    return result


def explain(result: LRFindResult, lang: str = "en") -> list[str]:
    """Sentences computed from the measured curve(s)."""
    test = result.tests[0]
    reason = t(f"lrf.stop.{test.stop_reason}", lang, factor=result.stop_factor)
    lines = [t("lrf.ran", lang, min_lr=result.min_lr, max_lr=result.max_lr, steps=result.steps,
               n=result.n_train, spe=result.steps_per_epoch, passes=result.passes,
               optimizer=result.hparams.optimizer, batch=result.hparams.batch_size, done=len(test.lrs),
               stop_lr=test.lrs[-1], reason=reason, beta=result.smoothing)]
    if len(result.tests) > 1:  # the sentences below read one curve; the numbers used are medians
        seed = result.hparams.seed
        medians = ", ".join(f"{t(f'lrf.{rule}', lang)} {value:.3g}" for rule in RULES
                            if (value := result.suggestions[rule]) is not None)
        lines.append(t("lrf.first_of", lang, seed=seed, k=len(result.tests), last=seed + len(result.tests) - 1,
                       medians=medians))
    _, details = suggest(test.lrs, test.smoothed, test.first)
    for rule in RULES:
        value = test.suggestions[rule]
        if value is None:
            lines.append(t("lrf.rule.none", lang, rule=t(f"lrf.{rule}", lang),
                           why=t(f"lrf.why.{details['why'].get(rule, 'few_points')}", lang)))
        elif rule == "steepest":
            lines.append(t("lrf.rule.steepest", lang, slope=test.steepest_slope, lr=value))
        elif rule == "valley":
            lo, hi = test.valley  # type: ignore[misc]
            lines.append(t("lrf.rule.valley", lang, n=hi - lo + 1, lo=test.lrs[lo], hi=test.lrs[hi], lr=value))
        else:
            at = details["lowest"]
            lines.append(t("lrf.rule.min_div_10", lang, loss=test.smoothed[at], at=test.lrs[at], lr=value))
    if test.stop_reason in ("finished", "budget") and details["lowest"] >= 0.95 * (len(test.lrs) - 1):
        lines.append(t("lrf.edge", lang, lr=test.lrs[-1]))
    rule_name = t(f"lrf.{result.recommended_rule}", lang)
    lines.append(t("lrf.verdict", lang, rule=rule_name, lr=result.suggested_lr))
    spread = result.spread.get(result.recommended_rule)
    if spread:
        ratio = spread["ratio"]
        trust = t("lrf.trust.high" if ratio <= 2 else "lrf.trust.mid" if ratio <= 5 else "lrf.trust.low", lang,
                  ratio=ratio)
        lines.append(t("lrf.spread", lang, k=len(result.tests), rule=rule_name, lo=spread["min"], hi=spread["max"],
                       ratio=ratio, trust=trust))
    return lines


def plot_lr_find(result: LRFindResult, path: Path, *, lang: str = "en") -> Path:
    """``lr_find_figure`` saved as PNG at ``path``."""
    from hyperlab.views.plots import save

    return save(lr_find_figure(result, lang=lang), path)


def lr_find_figure(result: LRFindResult, *, lang: str = "en", into: SubFigure | None = None) -> Figure:
    """Loss against learning rate (log axis), every repeat's smoothed curve, and all three rules marked."""
    from hyperlab.views.plots import subplots, use_font

    use_font(lang)
    fig, ax = subplots(figsize=(7.5, 4.2), into=into)
    for i, test in enumerate(result.tests):
        raw = [np.nan if v is None else v for v in test.losses]
        ax.plot(test.lrs, raw, color="0.75", lw=0.8, label=t("lrf.raw", lang) if i == 0 else None)
        ax.plot(test.lrs, test.smoothed, color="C0", lw=1.6 if i == 0 else 1.0, alpha=1 if i == 0 else 0.5,
                label=t("lrf.smoothed", lang) if i == 0 else None)
    colors = {"steepest": "C1", "valley": "C2", "min_div_10": "C3"}
    for rule in RULES:
        value = result.suggestions[rule]
        if value is None:
            continue
        chosen = rule == result.recommended_rule
        label = f"{t(f'lrf.{rule}', lang)}: {value:.2g}" + (f" ({t('lrf.recommended', lang)})" if chosen else "")
        ax.axvline(value, color=colors[rule], lw=2.4 if chosen else 1.2, ls="-" if chosen else "--", label=label)
    start = max(test.smoothed[0] for test in result.tests)
    low = min(min(test.smoothed) for test in result.tests)
    span = max(start - low, 1e-6 * abs(start), 1e-12)
    ax.set_ylim(low - 0.15 * span, start + 0.6 * span)  # the exploding tail is cut off
    log_axis(ax)
    ax.set_xlabel(t("lr", lang))
    ax.set_ylabel(t("loss", lang))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"{t('lrf.title', lang)}: {result.hparams.optimizer}, {t('batch_size', lang)} "
                 f"{result.hparams.batch_size}")
    return fig
