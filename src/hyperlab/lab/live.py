"""What the trainer tells the page while it trains: callbacks that turn the trainer's events
(step end, epoch end, train end) into job events, for one run under ``fit`` or for each member of a
population, redraw the decision boundary of 2-D data every epoch, and end the run cleanly when Stop
is pressed (``StopTraining``)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor
from torch.utils.data import TensorDataset

from hyperlab.data import Data
from hyperlab.engine import Callback, RunResult, StopTraining
from hyperlab.engine.cohort import MemberRun
from hyperlab.engine.history import finite_or_none
from hyperlab.hparams import samples_seen
from hyperlab.i18n import LANGS, t
from hyperlab.lab.datasets import is_two_d
from hyperlab.lab.forms import both
from hyperlab.lab.jobs import Job, JobCancelled
from hyperlab.lessons import Monitor

if TYPE_CHECKING:
    from hyperlab.engine import Run

GRID = 40  # the boundary is drawn from a GRID x GRID grid of predictions
POINTS = 300  # training points drawn under it
PROGRESS_EVERY = 0.2  # seconds between progress events of tools and lessons


class Boundary:
    """A grid over the training points of 2-D data, and the model's prediction on it."""

    def __init__(self, data: Data) -> None:
        X, y = data.train.tensors[:2]  # type: ignore[attr-defined]
        X = X.reshape(len(X), -1).float()
        low, high = X.min(0).values, X.max(0).values
        margin = 0.1 * (high - low) + 1e-6
        self.x0, self.y0 = (low - margin).tolist()
        self.x1, self.y1 = (high + margin).tolist()
        xs = torch.linspace(self.x0, self.x1, GRID)
        ys = torch.linspace(self.y0, self.y1, GRID)
        gy, gx = torch.meshgrid(ys, xs, indexing="ij")  # row-major: row = y, column = x
        self.grid = torch.stack([gx.reshape(-1), gy.reshape(-1)], 1)
        self.n_classes = data.n_outputs
        pick = torch.randperm(len(X), generator=torch.Generator().manual_seed(0))[:POINTS]
        self.points = [[round(a, 3), round(b, 3), int(c)] for (a, b), c in zip(X[pick].tolist(), y[pick].tolist(),
                                                                               strict=True)]

    @classmethod
    def of(cls, data: Data) -> Boundary | None:
        return cls(data) if is_two_d(data) and isinstance(data.train, TensorDataset) else None

    def describe(self) -> dict[str, Any]:
        return {"n": GRID, "x": [self.x0, self.x1], "y": [self.y0, self.y1], "points": self.points,
                "classes": self.n_classes}

    @torch.no_grad()
    def predict(self, model: torch.nn.Module, device: torch.device) -> list[float]:
        """P(class 1) per grid cell for two classes, else the predicted class / (classes - 1)."""
        was_training = model.training
        model.eval()
        try:
            out = model(self.grid.to(device)).float()
        finally:
            model.train(was_training)
        if self.n_classes == 2:
            values = torch.softmax(out, 1)[:, 1]
        else:
            values = out.argmax(1).float() / max(1, self.n_classes - 1)
        return [round(v, 3) for v in values.nan_to_num(0.5).tolist()]


class LiveRun(Callback):
    """Streams one run (member ``member`` of a job): its start, its step losses, every epoch's
    numbers and boundary, and its end (status, divergence in words).

    Under ``fit`` every step is streamed as it ends (``step``) and Stop raises
    ``StopTraining("stopped")`` at the next step. Steps are optional (``steps_optional``): in a
    population, which calls no per-step event, each epoch's step losses are read from the member's
    history at its epoch end and sent as one ``steps`` event; Stop ends every member at its next
    step (``fit_population(stop=)``), its last steps sent with its end."""

    steps_optional = True

    def __init__(self, job: Job, member: int, boundary: Boundary | None = None) -> None:
        self.job, self.member, self.boundary = job, member, boundary
        self.sent = 0  # steps already streamed
        self.population = False  # whether this run trained as a member of a population

    def on_train_start(self, run: Run) -> None:
        h = run.history
        self.population = isinstance(run, MemberRun)
        self.job.emit("member_start", run=self.member, n_train=h.n_train, steps_per_epoch=h.steps_per_epoch,
                      total_steps=h.total_steps, epochs=run.hparams.epochs, metric=h.metric,
                      population=self.population)

    def on_step_end(self, run: Run, loss: Tensor) -> None:
        if self.job.stop_requested.is_set():
            raise StopTraining("stopped")
        h = run.history
        if loss.device.type == "cpu":  # reading a CPU tensor costs nothing: stream every step now
            self._step(run, run.step, float(loss))
        else:  # never wait on an accelerator per step: stream what the loop has read back
            for k in range(self.sent, h.steps_done):
                self._step(run, k + 1, h.step_loss[k])

    def _step(self, run: Run, step: int, loss: float | None) -> None:
        h = run.history
        self.sent = step
        self.job.emit("step", run=self.member, step=step, loss=finite_or_none(loss),
                      samples=samples_seen(h.n_train, h.effective_batch or h.batch_size, step))

    def _flush_steps(self, run: Run) -> None:
        """The recorded step losses not streamed yet, as one ``steps`` event (first step, losses)."""
        h = run.history
        done = h.steps_done
        if done <= self.sent:
            return
        first, losses = self.sent + 1, [finite_or_none(v) for v in h.step_loss[self.sent:done]]
        self.sent = done
        self.job.emit("steps", run=self.member, first=first, losses=losses,
                      samples=samples_seen(h.n_train, h.effective_batch or h.batch_size, done))

    def on_epoch_end(self, run: Run) -> None:
        self._flush_steps(run)
        e = run.history.epochs[-1]
        event: dict[str, Any] = {"run": self.member, "epoch": e.epoch, "step": e.step, "train_loss": e.train_loss,
                                 "val_loss": e.val_loss, "train_metric": e.train_metric, "val_metric": e.val_metric,
                                 "seconds": round(e.seconds, 4)}
        if self.boundary is not None:
            event["boundary"] = self.boundary.predict(run.model, run.device)
        self.job.emit("epoch", **event)
        if self.job.stop_requested.is_set():
            raise StopTraining("stopped")  # fit ends the run; a population ends this member

    def on_train_end(self, run: Run) -> None:
        """The member's last steps (a diverged member's epoch ends here) and its end, in words."""
        self._flush_steps(run)
        summary = RunResult(run.model, run.history, run.hparams, restored_epoch=run.restored_epoch).summary()
        self.job.emit("member_end", run=self.member, status=summary["status"], status_text=both(summary["status"]),
                      summary=summary, diverged=summary["diverged"], diverged_text=diverged_text(summary["diverged"]))


def diverged_text(diverged: dict[str, Any] | None) -> dict[str, str] | None:
    """Where a run diverged, in words, in every language (None if it did not)."""
    if not diverged:
        return None
    return {lang: t("diverged_at", lang, step=diverged["step"], epoch=diverged["epoch"],
                    reason=t(diverged["reason"], lang)) for lang in LANGS}


class Progress(Callback):
    """Counts the steps of a tool or lesson towards a planned total; emits ``progress`` a few times
    a second; raises JobCancelled once Stop is pressed (the tool's own loop ends with it)."""

    def __init__(self, job: Job, counter: list[int], total: list[int]) -> None:
        self.job, self.counter, self.total = job, counter, total
        self.last = 0.0

    def on_step_end(self, run: Run, loss: Tensor) -> None:
        if self.job.stop_requested.is_set():
            raise JobCancelled(self.job.stop_reason or "stopped")
        self.counter[0] += 1
        now = time.monotonic()
        if now - self.last >= PROGRESS_EVERY:
            self.last = now
            self.job.emit("progress", done=self.counter[0], total=self.total[0] or None)


class LabMonitor(Monitor):
    """A lesson's progress bar on the page: one bar over all the lesson's planned steps."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.counter, self.total = [0], [0]

    def begin(self, title: str, total_steps: int) -> None:
        self.counter[0], self.total[0] = 0, total_steps
        self.job.emit("lesson", lesson=title, total=total_steps)

    def callbacks(self, label: str, planned_steps: int) -> list[Callback]:
        return [Progress(self.job, self.counter, self.total)]
