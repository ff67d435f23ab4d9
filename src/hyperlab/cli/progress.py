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
    """One bar per run; or, given a shared ``progress`` and ``task``, advance a lesson-wide bar
    (one ProgressBar may serve every member of a population: it counts each member's steps apart).

    Under ``fit_population`` (no step events) it moves once per epoch: ``steps_optional``."""

    steps_optional = True

    def __init__(self, progress: Progress, lang: str = "en", task: int | None = None, label: str = "",
                 planned: int | None = None) -> None:
        self.progress, self.lang, self.task, self.label = progress, lang, task, label
        self.planned = planned  # on a shared bar, the steps each run counts for (default: its total_steps)
        self.own_task = task is None
        self.advanced: dict[int | None, int] = {}  # steps advanced so far, per member (None: a single run)

    def add_work(self, steps: int) -> None:
        """More runs than planned are coming (a sweep confirming its choice on more seeds): a shared
        bar's total grows by their ``steps``, so it still ends exactly full."""
        if not self.own_task:
            self.progress.update(self.task, total=self.progress.tasks[self.task].total + steps)  # type: ignore[index, operator]

    def on_train_start(self, run: Run) -> None:
        self.advanced[getattr(run, "member", None)] = run.step
        if self.own_task:
            self.task = self.progress.add_task(self.label or t("train", self.lang), total=run.history.total_steps, info="")
            self.progress.update(self.task, completed=run.step)

    def on_step_end(self, run: Run, loss: Tensor) -> None:
        if run.step % 10 == 0 or run.step == run.history.total_steps:
            # the latest loss the loop has read back (reading this step's would stall a GPU)
            self._advance(run, run.last_loss, run.epoch + 1)

    def on_epoch_end(self, run: Run) -> None:
        self._advance(run, run.history.epochs[-1].train_loss, run.epoch)

    def _advance(self, run: Run, loss: float | None, epoch: int) -> None:
        member = getattr(run, "member", None)
        shown = f" {t('loss', self.lang)} {loss:.4f}" if loss is not None else ""
        self.progress.update(self.task, advance=run.step - self.advanced.get(member, 0),
                             info=f"{self.label} {t('epoch', self.lang)} {epoch}/{run.hparams.epochs}" + shown)
        self.advanced[member] = run.step

    def on_train_end(self, run: Run) -> None:
        """A completed run fills its bar; any other ends where it stopped, saying why (an
        interrupted or diverged run at 100% would claim steps it never took). On a shared bar, a
        run that ended early for good (diverged, stopped, pruned, a step budget) takes its steps
        left (of ``planned``) off the work left, so the bar and its ETA still end at 100%; an
        interrupted one does not, nor a paused one (it resumes later, from where it stopped)."""
        if not self.own_task:
            if run.history.status not in ("interrupted", "paused"):
                planned = run.history.total_steps if self.planned is None else self.planned
                left = planned - self.advanced.get(getattr(run, "member", None), 0)
                self.progress.update(self.task, advance=max(left, 0))
            return
        status = run.history.status
        if status == "completed":
            self.progress.update(self.task, completed=run.history.total_steps)
        else:
            self.progress.update(self.task, completed=run.step, info=f"{self.label} {t(status, self.lang)}".strip())
