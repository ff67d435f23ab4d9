"""What the trainer tells the page while it trains: callbacks that turn the trainer's events
(step end, epoch end) into job events, redraw the decision boundary of 2-D data every epoch, and
end the run cleanly when Stop is pressed (``StopTraining``)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor
from torch.utils.data import TensorDataset

from hyperlab.data import Data
from hyperlab.engine import Callback, StopTraining
from hyperlab.engine.history import finite_or_none
from hyperlab.hparams import samples_seen
from hyperlab.lab.datasets import is_two_d
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
    """Streams one run (member ``member`` of a job): every step's loss, every epoch's numbers and
    boundary; raises ``StopTraining("stopped")`` at the next step once Stop is pressed."""

    def __init__(self, job: Job, member: int, boundary: Boundary | None = None) -> None:
        self.job, self.member, self.boundary = job, member, boundary
        self.sent = 0  # steps already streamed (off the CPU: read from the history in batches)

    def on_train_start(self, run: Run) -> None:
        h = run.history
        self.job.emit("member_start", run=self.member, n_train=h.n_train, steps_per_epoch=h.steps_per_epoch,
                      total_steps=h.total_steps, epochs=run.hparams.epochs, metric=h.metric)

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

    def on_epoch_end(self, run: Run) -> None:
        e = run.history.epochs[-1]
        event: dict[str, Any] = {"run": self.member, "epoch": e.epoch, "step": e.step, "train_loss": e.train_loss,
                                 "val_loss": e.val_loss, "train_metric": e.train_metric, "val_metric": e.val_metric,
                                 "seconds": round(e.seconds, 4)}
        if self.boundary is not None:
            event["boundary"] = self.boundary.predict(run.model, run.device)
        self.job.emit("epoch", **event)


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
