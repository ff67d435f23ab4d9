"""Events the trainer emits at step and epoch end; progress bars, early stopping, checkpoints,
pruning and live streaming subscribe by subclassing ``Callback``."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from torch import Tensor

    from hyperlab.engine.trainer import Run


class StopTraining(Exception):
    """Raised by a callback to end the run now, with a status (e.g. "pruned", "interrupted")."""

    def __init__(self, status: str = "interrupted", reason: str = "") -> None:
        super().__init__(reason or status)
        self.status = status


class Callback:
    """No-op hooks; override the ones you need. ``run`` exposes model, optimizer, history, epoch, step.

    ``on_step_end`` gets the step's loss as a 0-d tensor still on the device: ``float(loss)``
    reads it (and waits for the device); ``run.last_loss`` is the latest value the loop has read."""

    def on_train_start(self, run: Run) -> None: ...
    def on_step_end(self, run: Run, loss: Tensor) -> None: ...
    def on_epoch_end(self, run: Run) -> None: ...
    def on_train_end(self, run: Run) -> None: ...

    def state_dict(self) -> dict[str, Any]:
        """State to keep in a checkpoint so a resumed run behaves as if never stopped."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None: ...


class AsMember(Callback):
    """A population member's callback on a run trained alone with ``fit`` (the sequential fallback,
    or a member resumed on its own): ``run.member`` is set before each event, so a callback shared
    by the members (one progress bar) tells them apart."""

    def __init__(self, member: int, callback: Callback) -> None:
        self.member, self.callback = member, callback

    def _run(self, run: Any) -> Any:
        run.member = self.member
        return run

    def on_train_start(self, run: Any) -> None:
        self.callback.on_train_start(self._run(run))

    def on_epoch_end(self, run: Any) -> None:
        self.callback.on_epoch_end(self._run(run))

    def on_train_end(self, run: Any) -> None:
        self.callback.on_train_end(self._run(run))


class StopAfter(Callback):
    """End the run (status ``status``) once ``steps`` optimizer steps are done."""

    def __init__(self, steps: int, status: str = "probe_done") -> None:
        self.steps, self.status = steps, status

    def on_step_end(self, run: Run, loss: Tensor) -> None:
        if run.step >= self.steps:
            raise StopTraining(self.status)


class EarlyStopping(Callback):
    """Stop when validation loss has not improved by ``min_delta`` for ``patience`` epochs;
    optionally put back the weights of the best epoch."""

    def __init__(self, patience: int = 5, min_delta: float = 0.0, restore_best: bool = True) -> None:
        self.patience, self.min_delta, self.restore_best = patience, min_delta, restore_best
        self.best_loss: float | None = None
        self.best_epoch: int | None = None
        self.best_state: dict[str, Any] | None = None
        self.bad_epochs = 0

    def on_epoch_end(self, run: Run) -> None:
        loss = run.history.epochs[-1].val_loss
        if loss is None:
            return
        if self.best_loss is None or loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = loss, run.epoch, 0
            if self.restore_best:
                self.best_state = copy.deepcopy(run.model.state_dict())
            return
        self.bad_epochs += 1
        if self.bad_epochs >= self.patience:
            run.history.stopped_epoch = run.epoch
            run.stop_status = "stopped_early"

    def on_train_end(self, run: Run) -> None:
        if self.best_epoch is not None:
            run.history.best_epoch = self.best_epoch
        if self.restore_best and self.best_state is not None and self.best_epoch != run.epoch:
            run.model.load_state_dict(self.best_state)
            run.restored_epoch = self.best_epoch

    def state_dict(self) -> dict[str, Any]:
        return {"best_loss": self.best_loss, "best_epoch": self.best_epoch,
                "best_state": self.best_state, "bad_epochs": self.bad_epochs}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best_loss, self.best_epoch = state["best_loss"], state["best_epoch"]
        self.best_state, self.bad_epochs = state["best_state"], state["bad_epochs"]
