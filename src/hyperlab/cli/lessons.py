"""`hyperlab lesson batch-size|learning-rate|epochs|optimizer` and `hyperlab tour`.

Each lesson trains its runs through the one trainer with one progress bar over the whole lesson,
prints a short table of its claims and verdicts, and writes report.html, lesson.json and PNGs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from hyperlab.cli import Group, app, texts  # noqa: F401 - texts registers the command-line texts
from hyperlab.cli import options as o
from hyperlab.cli.progress import ProgressBar, make_progress
from hyperlab.engine import Callback
from hyperlab.engine.trainer import TrainingInterrupted
from hyperlab.i18n import t
from hyperlab.lessons import LESSONS, LessonResult, Monitor, run_lesson, run_tour
from hyperlab.lessons.runner import check_training
from hyperlab.lessons import texts as lesson_texts  # noqa: F401 - registers the lesson texts
from hyperlab.lessons.report import title_of
from hyperlab.lessons.runner import DEFAULT_OUT

FullOpt = Annotated[bool, typer.Option("--full", help="The thorough version (more sizes, rates, epochs, steps).")]

VERDICT_STYLE = {"confirmed": "green", "not_observed": "yellow", "contradicted": "red"}


HELP = {
    "batch-size": "Batch size: steps per epoch, loss noise, speed, memory, generalization (measured).",
    "learning-rate": "Learning rate: a log-spaced range, each classified too slow / good / oscillating / diverged.",
    "epochs": "Epochs: underfitting, overfitting (train vs validation) and early stopping.",
    "optimizer": "Optimizer: the seven at their own best lr on the task, and paths on 2-D surfaces.",
}


class RichMonitor(Monitor):
    """One rich progress bar per lesson, advanced by every run of the lesson."""

    def __init__(self, progress: Progress, lang: str) -> None:
        self.progress, self.lang = progress, lang
        self.task: int | None = None
        self.done = 0

    def begin(self, title: str, total_steps: int) -> None:
        self.task = self.progress.add_task(title_of(title, self.lang), total=total_steps, info="")
        self.done = 0

    def callbacks(self, label: str, planned_steps: int) -> list[Callback]:
        self.done += planned_steps
        return [ProgressBar(self.progress, self.lang, task=self.task, label=label, planned=planned_steps)]

    def end(self) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.done)


def claims_table(result: LessonResult, lang: str) -> Table:
    """The short terminal summary of a lesson: each claim, its verdict and the measured evidence."""
    table = Table(title=f"{title_of(result.name, lang)} ({result.seconds:.1f} s)", show_lines=True)
    table.add_column(t("lesson.claim", lang), ratio=3, overflow="fold")
    table.add_column(t("lesson.verdict", lang), ratio=1, overflow="fold")
    table.add_column(t("lesson.evidence", lang), ratio=4, overflow="fold")
    for c in result.claims:
        table.add_row(c.text("claim", lang), f"[{VERDICT_STYLE[c.verdict]}]{c.text('verdict', lang)}[/]",
                      c.text("evidence", lang))
    return table


def _run(names: list[str] | None, *, dataset: str | None, label: str | None, task: str | None,
         features: str | None, model: str | None, width: int | None, depth: int | None, full: bool,
         seed: str | None, lang: str, out: Path | None, json_out: bool, quiet: bool, threads: int | None,
         scale: dict[str, object]) -> None:
    lang = o.lang_of(lang)
    setup = o.resolve(dataset=dataset, label=label, task=task, features=features, model=model, width=width,
                      depth=depth, seed=seed, **scale)
    training = check_training({key: getattr(setup.hparams, key) for key in o.SCALE_KEYS})  # before any output
    budget = "full" if full else "quick"
    console: Console = o.console(quiet, json_out)
    data = setup.read_data(lang, quiet)  # loaded once, here, to say what was read from a file (as train does)
    common = {"model": setup.model, "budget": budget, "seed": setup.hparams.seed, "lang": lang,
              "width": setup.width, "depth": setup.depth, "label": setup.label, "task": setup.task,
              "threads": threads,
              "training": training}
    try:
        with make_progress(console) as progress:
            monitor = RichMonitor(progress, lang)
            if names is None:
                out = out or DEFAULT_OUT / "tour"
                tour = run_tour(data, out=out, monitor=monitor, **common)
                results, payload, report = tour.lessons, tour.to_dict(), tour.files["report"]
            else:
                out = out or DEFAULT_OUT / names[0]
                result = run_lesson(names[0], data, out=out, monitor=monitor, **common)
                results, payload, report = [result], result.to_dict(), result.files["report"]
    except TrainingInterrupted:
        typer.echo(t("cli.lesson_interrupted", lang), err=True)
        raise typer.Exit(130) from None
    if json_out:
        o.print_json(payload)
    for result in results:
        console.print(claims_table(result, lang))
        console.print(t("cli.report_at", lang, path=result.files["report"]))
    if names is None:
        console.print(t("cli.tour_report_at", lang, path=report))


def _lesson_command(name: str) -> Callable[..., None]:
    def lesson(dataset: o.DatasetOpt = None, label: o.LabelOpt = None, task: o.TaskOpt = None,
               features: o.FeaturesOpt = None, model: o.ModelOpt = None,
               width: o.WidthOpt = None, depth: o.DepthOpt = None, full: FullOpt = False, seed: o.SeedOpt = None,
               lang: o.LangOpt = "en", out: o.OutOpt = None, json_out: o.JsonOpt = False,
               quiet: o.QuietOpt = False, threads: o.ThreadsOpt = 1,
               accumulate: o.AccumulateOpt = None, precision: o.PrecisionOpt = None,
               clip_grad_norm: o.ClipGradNormOpt = None, compile_: o.CompileOpt = None) -> None:
        _run([name], dataset=dataset, label=label, task=task, features=features, model=model, width=width,
             depth=depth, full=full, seed=seed, lang=lang, out=out, json_out=json_out, quiet=quiet, threads=threads,
             scale=o.scale_flags(accumulate, precision, clip_grad_norm, compile_))

    lesson.__doc__ = HELP[name]
    lesson.__name__ = name.replace("-", "_")
    return lesson


def tour(dataset: o.DatasetOpt = None, label: o.LabelOpt = None, task: o.TaskOpt = None,
         features: o.FeaturesOpt = None, model: o.ModelOpt = None,
         width: o.WidthOpt = None, depth: o.DepthOpt = None, full: FullOpt = False, seed: o.SeedOpt = None,
         lang: o.LangOpt = "en", out: o.OutOpt = None, json_out: o.JsonOpt = False, quiet: o.QuietOpt = False,
         threads: o.ThreadsOpt = 1, accumulate: o.AccumulateOpt = None, precision: o.PrecisionOpt = None,
         clip_grad_norm: o.ClipGradNormOpt = None, compile_: o.CompileOpt = None) -> None:
    """All four lessons (batch size, learning rate, epochs, optimizer) into one report."""
    _run(None, dataset=dataset, label=label, task=task, features=features, model=model, width=width, depth=depth,
         full=full, seed=seed, lang=lang, out=out, json_out=json_out, quiet=quiet, threads=threads,
         scale=o.scale_flags(accumulate, precision, clip_grad_norm, compile_))


def register(command) -> None:  # noqa: ANN001 - see hyperlab.cli.command
    """Add `hyperlab lesson <name>` for each lesson and `hyperlab tour`."""
    sub = typer.Typer(cls=Group, no_args_is_help=True,
                      help="One lesson: measured runs that show what a hyperparameter does.")
    for name in LESSONS:
        command(_lesson_command(name), name=name, target=sub)
    app.add_typer(sub, name="lesson")
    command(tour)
