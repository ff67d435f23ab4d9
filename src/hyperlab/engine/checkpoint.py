"""Checkpoints: written atomically at epoch end, loaded with ``weights_only=True``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from hyperlab.engine import distributed
from hyperlab.engine.callbacks import Callback
from hyperlab.engine.history import History
from hyperlab.errors import HyperlabError

if TYPE_CHECKING:
    from hyperlab.engine.trainer import Run


_UMASK = os.umask(0o022)  # read once (os.umask can only be read by setting it) and put back
os.umask(_UMASK)


def atomic_write_bytes(path: Path, write: Any) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it into place:
    a crash mid-write never leaves a half-written file where a good one was."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.fchmod(fd, 0o666 & ~_UMASK)  # as open() would make it (mkstemp makes 0600)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Checkpoint(Callback):
    """Save model, optimizer, scheduler, RNG state, history and callback state every ``every`` epochs
    (in a data-parallel run every rank must have it: each gives its RNG state, rank 0 alone writes)."""

    def __init__(self, path: str | Path, every: int = 1) -> None:
        self.path, self.every = Path(path), every

    def on_epoch_end(self, run: Run) -> None:
        if run.epoch % self.every == 0 or run.epoch == run.hparams.epochs or run.stop_status:
            state = checkpoint_state(run)
            if distributed.is_main():
                atomic_write_bytes(self.path, lambda f: torch.save(state, f))


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Read a checkpoint safely (tensors and plain data only)."""
    path = Path(path)
    if not path.is_file():
        raise HyperlabError(f"no checkpoint at {path}")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - a damaged or foreign file
        raise HyperlabError(f"{path} is not a readable hyperlab checkpoint ({exc})") from None


def checkpoint_state(run: Run) -> dict[str, Any]:
    """Everything needed to resume exactly: weights, optimizer, schedule, RNG (every rank's in a
    data-parallel run: each draws its own dropout masks), history, callbacks."""
    rng = torch.get_rng_state()
    return {
        "model": run.model.state_dict(),
        "optimizer": run.optimizer.state_dict(),
        "scheduler": run.scheduler.state_dict() if run.scheduler is not None else None,
        "rng": rng,
        "rng_ranks": distributed.gather_objects(rng),
        "epoch": run.epoch, "step": run.step,
        "history": run.history.to_dict(),
        "hparams": run.hparams.to_dict(),
        "callbacks": [cb.state_dict() for cb in run.callbacks],
    }


def restore_state(run: Run, state: dict[str, Any]) -> None:
    """Put a run back exactly as the checkpoint left it; refuse a checkpoint made with other settings."""
    if state["hparams"] != run.hparams.to_dict():
        changed = sorted(k for k, v in state["hparams"].items() if run.hparams.to_dict().get(k) != v)
        raise HyperlabError(f"cannot resume: the checkpoint was made with different settings ({', '.join(changed)})")
    processes = state["history"].get("world_size", 1)
    if processes != run.history.world_size:
        raise HyperlabError(f"cannot resume: the checkpoint was made by {processes} process(es) and this run has "
                            f"{run.history.world_size}; the effective batch would change (use --nproc {processes})")
    run.model.load_state_dict(state["model"])
    run.optimizer.load_state_dict(state["optimizer"])
    if run.scheduler is not None and state["scheduler"] is not None:
        run.scheduler.load_state_dict(state["scheduler"])
    ranks = state.get("rng_ranks")
    torch.set_rng_state(ranks[run.loop.rank] if ranks else state["rng"])
    run.epoch, run.step = state["epoch"], state["step"]
    loaded = History.from_dict(state["history"])
    run.history.__dict__.update(loaded.__dict__)
    run.history.status = "running"
    for cb, cb_state in zip(run.callbacks, state["callbacks"], strict=False):
        cb.load_state_dict(cb_state)
