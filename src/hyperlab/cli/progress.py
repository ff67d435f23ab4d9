"""A rich progress bar fed by the trainer's events (epoch, step, loss, ETA)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from torch import Tensor

from hyperlab.engine import Callback, Run
from hyperlab.i18n import t


def make_progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[info]}"), TimeRemainingColumn(), console=console,
                    transient=False, disable=console.quiet)


class ProgressBar(Callback):
    """One bar per run; or, given a shared ``progress`` and ``task``, advance a lesson-wide bar.

    Under ``fit_population`` (no step events) it moves once per epoch: ``steps_optional``."""

    steps_optional = True

    def __init__(self, progress: Progress, lang: str = "en", task: int | None = None, label: str = "") -> None:
        self.progress, self.lang, self.task, self.label = progress, lang, task, label
        self.own_task = task is None
        self.shown = 0  # steps this bar has advanced for this run

    def on_train_start(self, run: Run) -> None:
        self.shown = run.step
        if self.own_task:
            self.task = self.progress.add_task(self.label or "train", total=run.history.total_steps, info="")
            self.progress.update(self.task, completed=run.step)

    def on_step_end(self, run: Run, loss: Tensor) -> None:
        if run.step % 10 == 0 or run.step == run.history.total_steps:
            # the latest loss the loop has read back (reading this step's would stall a GPU)
            self._advance(run, run.last_loss, run.epoch + 1)

    def on_epoch_end(self, run: Run) -> None:
        self._advance(run, run.history.epochs[-1].train_loss, run.epoch)

    def _advance(self, run: Run, loss: float | None, epoch: int) -> None:
        shown = f" {t('loss', self.lang)} {loss:.4f}" if loss is not None else ""
        self.progress.update(self.task, advance=run.step - self.shown,
                             info=f"{self.label} {t('epoch', self.lang)} {epoch}/{run.hparams.epochs}" + shown)
        self.shown = run.step

    def on_train_end(self, run: Run) -> None:
        """A completed run fills its bar; any other ends where it stopped, saying why (an
        interrupted or diverged run at 100% would claim steps it never took)."""
        if not self.own_task:
            return
        status = run.history.status
        if status == "completed":
            self.progress.update(self.task, completed=run.history.total_steps)
        else:
            self.progress.update(self.task, completed=run.step, info=f"{self.label} {t(status, self.lang)}".strip())
