"""``TensorBoard``: a callback that writes a run's history as TensorBoard event files.

Per-step loss, learning rate and gradient norm (``step/*``, x = optimizer step), per-epoch train
and validation loss and metric (``epoch/*``, x = epoch), and the hyperparameters with the final
numbers through TensorBoard's hparams plugin, so runs written side by side compare in its HParams
view. The steps are written from ``run.history`` at each epoch end and at the end of the run:
the loop reads its losses back in batches, and this callback never makes it read one step sooner.

    >>> import hyperlab
    >>> from hyperlab.engine.tensorboard import TensorBoard
    >>> result = hyperlab.train("mlp", "digits", {"epochs": 2}, callbacks=[TensorBoard("tb/run-1")])

Then ``tensorboard --logdir tb``. With ``fit_population`` each member gets its own run folder,
``<log_dir>/member-<i>``; with ``per_run=True`` each run the callback sees (a sweep's trials) gets
``<log_dir>/run-<k>-<optimizer>-b<batch>-lr<lr>``; ``hparams={...}`` replaces the values shown in the
HParams view (a sweep shows each trial's searched parameters). Needs the optional ``tensorboard`` package (``pip install
'hyperlab[tensorboard]'``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyperlab.engine import distributed
from hyperlab.engine.callbacks import Callback
from hyperlab.errors import ConfigError, HyperlabError, check_out_dir

if TYPE_CHECKING:
    from torch.utils.tensorboard import SummaryWriter

    from hyperlab.engine.history import History
    from hyperlab.hparams import HParams

INSTALL_HINT = "pip install 'hyperlab[tensorboard]'"
HPARAM_FIELDS = ("batch_size", "lr", "epochs", "optimizer", "schedule", "seed")
FINAL_METRICS = ("final/val_metric", "final/val_loss", "final/train_loss", "final/best_val_metric")


def tensorboard_missing() -> str | None:
    """Why TensorBoard output cannot be written here (the package to install), or None."""
    try:
        import tensorboard  # noqa: F401
        from torch.utils.tensorboard import SummaryWriter  # noqa: F401
    except ImportError:
        return f"TensorBoard output needs the tensorboard package: {INSTALL_HINT}"
    return None


def check_log_dir(log_dir: Any) -> str | None:
    """The folder as text (None: no TensorBoard output); a ConfigError naming ``tensorboard`` when
    it is not a folder name or when the tensorboard package is missing (the one line
    ``train --tensorboard`` and ``sweep --tensorboard`` print)."""
    if log_dir is None:
        return None
    if not isinstance(log_dir, (str, Path)) or not str(log_dir).strip():
        raise ConfigError("tensorboard", log_dir, "must be a folder for TensorBoard's event files")
    missing = tensorboard_missing()
    if missing:
        raise ConfigError("tensorboard", str(log_dir), missing)
    return str(log_dir)


def hparam_values(hp: HParams, history: History) -> dict[str, Any]:
    """The hyperparameters shown in the HParams view (the four, the schedule, the seed, the effective batch)."""
    values: dict[str, Any] = {name: getattr(hp, name) for name in HPARAM_FIELDS}
    values["effective_batch"] = history.effective_batch
    return values


def final_metrics(history: History) -> dict[str, float]:
    """The final numbers of a run, keyed by their TensorBoard tags (missing ones left out)."""
    final, best = history.final(), history.best()
    values = {"final/val_metric": final.val_metric if final else None,
              "final/val_loss": final.val_loss if final else None,
              "final/train_loss": final.train_loss if final else None,
              "final/best_val_metric": best.val_metric if best else None}
    return {k: v for k, v in values.items() if v is not None}


class _Writer:
    """One run's event file and how much of its history is written already."""

    def __init__(self, path: Path, steps_done: int, epochs_done: int) -> None:
        from torch.utils.tensorboard import SummaryWriter

        self.writer: SummaryWriter = SummaryWriter(log_dir=str(path))
        self.steps, self.epochs = steps_done, epochs_done

    def write_new(self, history: History) -> None:
        """Write the steps and epochs that appeared in the history since the last call."""
        w, upto = self.writer, min(len(history.step_loss), len(history.step_lr), len(history.step_grad_norm))
        for i in range(self.steps, upto):
            for tag, value in (("step/loss", history.step_loss[i]), ("step/lr", history.step_lr[i]),
                               ("step/grad_norm", history.step_grad_norm[i])):
                if value is not None:  # a diverged step's loss is None: nothing to draw
                    w.add_scalar(tag, value, i + 1)
        self.steps = max(self.steps, upto)
        for record in history.epochs[self.epochs:]:
            for split in ("train", "val"):
                for field, name in (("loss", "loss"), ("metric", history.metric)):
                    value = getattr(record, f"{split}_{field}")
                    if value is not None:
                        w.add_scalar(f"epoch/{split}_{name}", value, record.epoch)
            w.add_scalar("epoch/lr", record.lr, record.epoch)
        self.epochs = len(history.epochs)

    def close(self, hp: HParams, history: History, values: dict[str, Any] | None = None) -> None:
        """Write the rest, the hparams summary (``values``, default the run's settings) and the
        final numbers; close the file."""
        from torch.utils.tensorboard.summary import hparams

        self.write_new(history)
        metrics = final_metrics(history)
        shown = values if values is not None else hparam_values(hp, history)
        experiment, session_start, session_end = hparams(shown, metrics)
        for summary in (experiment, session_start, session_end):
            self.writer.file_writer.add_summary(summary)  # type: ignore[union-attr]
        for tag, value in metrics.items():
            self.writer.add_scalar(tag, value, len(history.epochs))
        self.writer.close()


class TensorBoard(Callback):
    """Write the run (or each population member) to TensorBoard event files under ``log_dir``."""

    def __init__(self, log_dir: str | Path, *, per_run: bool = False, hparams: dict[str, Any] | None = None) -> None:
        missing = tensorboard_missing()
        if missing:
            raise HyperlabError(missing)
        check_out_dir("log_dir", log_dir)
        self.log_dir = Path(log_dir)
        self.per_run = per_run
        self.hparams = hparams  # the HParams view's values; None: the run's settings (``hparam_values``)
        self.runs_started = 0
        self.writers: dict[int | None, _Writer] = {}

    def path_of(self, member: int | None, hp: HParams | None = None) -> Path:
        """The run folder: ``log_dir`` for a single run, ``log_dir/member-<i>`` for a population member;
        with ``per_run`` (one callback for many runs, e.g. a sweep's trials) ``log_dir/run-<k>-<settings>``."""
        if member is not None:
            return self.log_dir / f"member-{member}"
        if not self.per_run or hp is None:
            return self.log_dir
        return self.log_dir / f"run-{self.runs_started - 1:03d}-{hp.optimizer}-b{hp.batch_size}-lr{hp.lr:.3g}"

    def on_train_start(self, run: Any) -> None:
        if not distributed.is_main():  # data-parallel: rank 0 alone writes records
            return
        member = getattr(run, "member", None)
        self.runs_started += member is None
        history = run.history  # a resumed run's earlier steps were written by the run before
        self.writers[member] = _Writer(self.path_of(member, run.hparams), len(history.step_loss),
                                       len(history.epochs))

    def on_epoch_end(self, run: Any) -> None:
        writer = self.writers.get(getattr(run, "member", None))
        if writer is not None:
            writer.write_new(run.history)

    def on_train_end(self, run: Any) -> None:
        writer = self.writers.pop(getattr(run, "member", None), None)
        if writer is not None:
            writer.close(run.hparams, run.history, self.hparams)


class OneRunTensorBoard(TensorBoard):
    """``TensorBoard`` for one run (a sweep's trial, one member of ``train``'s comparison), written into
    ``log_dir`` itself also when that run trains as a member of a population, where the plain
    callback, given to the whole population, adds ``member-<i>``."""

    def path_of(self, member: int | None, hp: HParams | None = None) -> Path:
        return self.log_dir
