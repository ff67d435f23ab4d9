"""Run a lesson (plan -> train through ``fit`` -> measure -> judge) and the tour of all four.

    >>> from hyperlab.lessons import run_lesson
    >>> result = run_lesson("learning-rate", "digits", budget="tiny", out=None)   # doctest: +SKIP
    >>> result.verdicts()                                                       # doctest: +SKIP
    {'lr.too_low': 'confirmed', ...}
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from hyperlab.api import DataSpec, as_data
from hyperlab.engine.distributed import resolve_device
from hyperlab.engine.threads import torch_threads
from hyperlab.errors import ConfigError, check_choice, check_int, check_out_dir, did_you_mean
from hyperlab.hparams import HParams
from hyperlab.i18n import check_lang
from hyperlab.lessons import batch_size, epochs, learning_rate, optimizer
from hyperlab.lessons.base import BUDGETS, LessonContext, LessonResult, Monitor
from hyperlab.models import ModelSpec
from hyperlab.views.display import Displayable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

LESSONS: dict[str, ModuleType] = {"batch-size": batch_size, "learning-rate": learning_rate, "epochs": epochs,
                                  "optimizer": optimizer}
PREFIX = {"batch-size": "batch", "learning-rate": "lr", "epochs": "epochs", "optimizer": "opt"}
DEFAULT_OUT = Path("runs") / "lessons"
TRAINING_KEYS = ("precision", "clip_grad_norm", "compile")  # settings a lesson applies to every run


def lesson_module(name: str) -> ModuleType:
    """The module of a lesson by its CLI name (batch-size, learning-rate, epochs, optimizer)."""
    return LESSONS[check_choice("lesson", name, LESSONS)]


def check_training(training: dict[str, Any] | None) -> dict[str, Any]:
    """Settings every run of a lesson trains with: ``precision``, ``clip_grad_norm``, ``compile``
    (they apply alike to all runs, so the runs still differ only in the knob shown). Validated as
    HParams fields; ``accumulate`` is refused: the lessons choose their batch sizes themselves."""
    training = dict(training or {})
    for key in training:
        if key == "accumulate" and training[key] not in (None, 1):
            raise ConfigError("accumulate", training[key], "lessons choose their own batch sizes (the batch-size "
                              "lesson compares them); use accumulate with `hyperlab train`, the tuners or `sweep`")
        if key not in TRAINING_KEYS + ("accumulate",):
            raise ConfigError("training", key, f"must name only {', '.join(TRAINING_KEYS)}")
    chosen = {k: v for k, v in training.items() if k in TRAINING_KEYS and v is not None}
    HParams(**chosen)  # each value checked as the trainer will check it
    return chosen


def make_context(data: DataSpec = "digits", model: ModelSpec = "mlp", *, seed: int = 0, width: int | None = None,
                 depth: int | None = None, label: str | None = None, device: str | None = None,
                 monitor: Monitor | None = None, population: bool = True,
                 training: dict[str, Any] | None = None, task: str | None = None) -> LessonContext:
    """Load the data and check the model builds, before any training starts."""
    seed = check_int("seed", seed, 0)
    training = check_training(training)
    resolve_device(device)  # a device this machine lacks is refused before any data are read
    ctx = LessonContext(as_data(data, seed=seed, label=label, task=task), model, width, depth, seed, device,
                        monitor or Monitor(), population=bool(population), training=training)
    ctx.new_model(ctx.data)  # a bad model name or a factory that fails is reported now
    return ctx


def execute(name: str, ctx: LessonContext, budget: str = "quick", lang: str = "en", out: str | Path | None = None,
            threads: int | None = 1, **overrides: Any) -> LessonResult:
    """Run one lesson in a prepared context; write its report files into ``out`` if given."""
    lesson = lesson_module(name)
    budget = check_choice("budget", budget, BUDGETS)
    lang = check_lang(lang)
    s = lesson.settings(budget, **overrides)
    started = time.perf_counter()
    specs = lesson.plan(ctx, s)
    ctx.monitor.begin(name, ctx.planned_steps(specs))
    with torch_threads(threads):
        try:
            outcomes = ctx.train_all(specs)
        finally:
            ctx.monitor.end()
        measurements = lesson.measure(ctx, s, outcomes)
    claims = lesson.judge(measurements)
    result = LessonResult(name, budget, {**ctx.describe(), "budget": budget}, lesson.settings_dict(s),
                          measurements, claims, runs=list(outcomes.values()))
    result.seconds = time.perf_counter() - started
    result.lang = lang  # the language its notebook display uses
    if out is not None:
        from hyperlab.lessons.report import write_lesson

        write_lesson(result, Path(out), lang)
    return result


def run_lesson(name: str, data: DataSpec = "digits", model: ModelSpec = "mlp", *, budget: str = "quick",
               seed: int = 0, lang: str = "en", out: str | Path | None = None, width: int | None = None,
               depth: int | None = None, label: str | None = None, device: str | None = None,
               monitor: Monitor | None = None, threads: int | None = 1, population: bool = True,
               training: dict[str, Any] | None = None, task: str | None = None, **overrides: Any) -> LessonResult:
    """Run one lesson ('batch-size', 'learning-rate', 'epochs', 'optimizer') and return its result.

    ``budget`` is 'quick' (about a minute on 2 CPU cores), 'full' (thorough) or 'tiny' (tests);
    ``overrides`` change the lesson's settings by name (e.g. ``sizes=(8, 64)``, ``lrs=(1e-3, 1.0)``).
    With ``out`` the lesson writes ``lesson.json``, ``report.html`` and its PNG plots there.
    ``threads`` sets torch's intra-op threads while it trains (None keeps torch's setting).
    ``population=False`` trains the comparisons one ``fit`` after another instead of as populations
    (same numbers to float tolerance; slower: for checking and benchmarks). ``training`` sets
    ``precision``, ``clip_grad_norm`` or ``compile`` for every run (``{"precision": "bf16"}``;
    bf16 and compiled runs train one ``fit`` after another: populations stack only fp32 runs
    without ``torch.compile``; clipped runs stack). ``label`` and ``task`` are ``as_data``'s (the
    label column of a CSV; the task when not the one read from the labels)."""
    lesson_module(name)
    check_lang(lang)
    check_out_dir("out", out)
    ctx = make_context(data, model, seed=seed, width=width, depth=depth, label=label, device=device,
                       monitor=monitor, population=population, training=training, task=task)
    return execute(name, ctx, budget, lang, out, threads, **overrides)


@dataclass(repr=False)
class TourResult(Displayable):
    """The four lessons run one after another on the same data and model (in a notebook: tour.html's content)."""

    lessons: list[LessonResult]
    files: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"lessons": {r.name: r.to_dict() for r in self.lessons}, "seconds": round(self.seconds, 3),
                "files": {k: str(p) for k, p in self.files.items()}}

    def __repr__(self) -> str:
        return f"TourResult({', '.join(r.name for r in self.lessons)}; {round(self.seconds, 1)} s)"

    def plot(self, which: str | None = None, lang: str | None = None) -> Figure:
        """The tour as a matplotlib Figure: ``None`` stacks each lesson's main figure in one; a
        lesson's name (``"learning-rate"``) gives its main figure, ``"learning-rate:summary"``
        another of its figures (names in ``LessonResult.plot``). ``lang``: default the tour's own."""
        from hyperlab.views.lesson_plots import tour_figure

        lang = check_lang(lang or self.lang)
        if which is None:
            return tour_figure(self.lessons, lang)
        name, _, figure = str(which).partition(":")
        by_name = {r.name: r for r in self.lessons}
        if name not in by_name:
            raise ConfigError("which", which, f"must be a lesson of this tour ({', '.join(by_name)}), "
                                              "optionally with a figure name, e.g. 'learning-rate:summary'"
                              + did_you_mean(name, by_name))
        return by_name[name].plot(figure or None, lang)

    def display_sections(self, lang: str) -> tuple[str, list[Any], str]:
        from hyperlab.lessons.report import tour_display

        return tour_display(self, lang)


def run_tour(data: DataSpec = "digits", model: ModelSpec = "mlp", *, budget: str = "quick", seed: int = 0,
             lang: str = "en", out: str | Path | None = None, width: int | None = None, depth: int | None = None,
             label: str | None = None, device: str | None = None, monitor: Monitor | None = None,
             threads: int | None = 1, lessons: tuple[str, ...] = tuple(LESSONS),
             population: bool = True, training: dict[str, Any] | None = None,
             task: str | None = None) -> TourResult:
    """All lessons into one combined report (``out/tour.html``, ``out/tour.json``) plus one per lesson
    (``out/<lesson>/``)."""
    if isinstance(lessons, str) or not lessons:
        raise ConfigError("lessons", lessons, f"must be a non-empty list of: {', '.join(LESSONS)}")
    for n in lessons:
        lesson_module(n)
    check_lang(lang)
    check_choice("budget", budget, BUDGETS)
    check_out_dir("out", out)
    ctx = make_context(data, model, seed=seed, width=width, depth=depth, label=label, device=device,
                       monitor=monitor, population=population, training=training, task=task)
    started = time.perf_counter()
    results = [execute(n, ctx, budget, lang, Path(out) / n if out is not None else None, threads) for n in lessons]
    tour = TourResult(results, seconds=time.perf_counter() - started)
    tour.lang = lang
    if out is not None:
        from hyperlab.lessons.report import write_tour

        write_tour(tour, Path(out), lang)
    return tour
