"""A rich progress bar fed by the trainer's events (epoch, step, loss, ETA)."""

from __future__ import annotations

from rich.console import Console
from torch import Tensor
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from hyperlab.engine import Callback, Run
from hyperlab.i18n import t


def make_progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[info]}"), TimeRemainingColumn(), console=console,
                    transient=False, disable=console.quiet)


class ProgressBar(Callback):
    """One bar per run; or, given a shared ``progress`` and ``task``, advance a lesson-wide bar."""

    def __init__(self, progress: Progress, lang: str = "en", task: int | None = None, label: str = "") -> None:
        self.progress, self.lang, self.task, self.label = progress, lang, task, label
        self.own_task = task is None

    def on_train_start(self, run: Run) -> None:
        if self.own_task:
            self.task = self.progress.add_task(self.label or "train", total=run.history.total_steps, info="")
            self.progress.update(self.task, completed=run.step)

    def on_step_end(self, run: Run, loss: Tensor) -> None:
        if run.step % 10 == 0 or run.step == run.history.total_steps:
            # the latest loss the loop has read back (reading this step's would stall a GPU)
            shown = f" {t('loss', self.lang)} {run.last_loss:.4f}" if run.last_loss is not None else ""
            self.progress.update(self.task, advance=10 if run.step % 10 == 0 else run.step % 10,
                                 info=f"{self.label} {t('epoch', self.lang)} {run.epoch + 1}/{run.hparams.epochs}"
                                      + shown)

    def on_train_end(self, run: Run) -> None:
        if self.own_task:
            self.progress.update(self.task, completed=run.history.total_steps)
