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
        "stop_status": run.stop_status,  # a callback ended the run here (stopped early...): resuming trains no more
        "data": data_identity(run),
        "history": run.history.to_dict(),
        "hparams": run.hparams.to_dict(),
        "callbacks": [cb.state_dict() for cb in run.callbacks],
    }


def data_identity(run: Run) -> dict[str, Any]:
    """What a checkpoint's data are known by: name, task, training rows, features and outputs."""
    data = run.data
    return {"name": data.name, "task": data.task, "n_train": data.n_train, "n_features": data.n_features,
            "n_outputs": data.n_outputs}


def restore_state(run: Run, state: dict[str, Any]) -> None:
    """Put a run back exactly as the checkpoint left it; refuse a checkpoint made with other
    settings (more epochs with a per-step schedule excepted: the run trains on to them), other
    data or another model, naming what differs."""
    now, saved = run.hparams.to_dict(), state["hparams"]
    changed = sorted(k for k in saved.keys() | now.keys() if saved.get(k) != now.get(k))
    if changed and (why := _why_not_longer(state, now, changed)) is not None:
        named = ", ".join(f"{k} {saved.get(k)!r} (now {now.get(k)!r})" for k in changed)
        raise HyperlabError(f"cannot resume: the checkpoint was made with other settings: {named}{why}; "
                            "train without --resume to start a new run")
    made_on, here = state.get("data"), data_identity(run)
    if made_on is not None and made_on != here:
        raise HyperlabError(f"cannot resume: the checkpoint was made on other data ({_describe(made_on)}) than this "
                            f"run's ({_describe(here)})")
    processes = state["history"].get("world_size", 1)
    if processes != run.history.world_size:
        raise HyperlabError(f"cannot resume: the checkpoint was made by {processes} process(es) and this run has "
                            f"{run.history.world_size}; the effective batch would change (use --nproc {processes})")
    try:
        run.model.load_state_dict(state["model"])
    except RuntimeError as exc:  # another architecture: missing, unexpected or differently shaped weights
        first = str(exc).strip().splitlines()
        raise HyperlabError("cannot resume: the checkpoint's weights do not fit this model (another model, width or "
                            f"depth?): {first[1].strip() if len(first) > 1 else first[0]}") from None
    run.optimizer.load_state_dict(state["optimizer"])
    if run.scheduler is not None and state["scheduler"] is not None:
        run.scheduler.load_state_dict(state["scheduler"])
    ranks = state.get("rng_ranks")
    torch.set_rng_state(ranks[run.loop.rank] if ranks else state["rng"])
    run.epoch, run.step = state["epoch"], state["step"]
    run.stop_status = state.get("stop_status")
    loaded = History.from_dict(state["history"])
    total_steps = run.history.total_steps
    run.history.__dict__.update(loaded.__dict__)
    run.history.status = "running"
    run.history.total_steps = total_steps  # a longer run plans more steps
    for cb, cb_state in zip(run.callbacks, state["callbacks"], strict=False):
        cb.load_state_dict(cb_state)


def _why_not_longer(state: dict[str, Any], now: dict[str, Any], changed: list[str]) -> str | None:
    """None when ``now`` only trains for more epochs than the checkpoint's run (``changed``: the
    settings that differ), with a schedule that a longer run leaves unchanged up to there (constant,
    step, warmup: laid out per step): resuming then gives exactly the weights of a run trained that
    long from the start. Else why not ('' when more than the epochs changed)."""
    saved = state["hparams"]
    if changed != ["epochs"] or now["epochs"] < saved["epochs"]:
        return ""
    if state.get("stop_status"):
        return f" (the run had ended: {state['stop_status'].replace('_', ' ')})"
    if now["schedule"] not in ("constant", "step", "warmup"):
        return f" (a {now['schedule']} schedule is spread over the whole run, so a longer run is another run)"
    if now["warmup_steps"] >= saved["epochs"] * state["history"]["steps_per_epoch"]:
        return " (its warmup was cut to fit the shorter run)"
    return None


def _describe(identity: dict[str, Any]) -> str:
    return (f"{identity['name']!r}, {identity['task']}: {identity['n_train']} training rows, "
            f"{identity['n_features']} features, {identity['n_outputs']} outputs")
