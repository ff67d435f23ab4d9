"""A run directory: config.yaml, history.json, summary.json, curves.png and checkpoint.pt.

Every file is written to a temporary name and renamed into place, so a run that fails
part-way never leaves a corrupted record behind. A run that replaces an earlier one is written
into a staging directory beside it first (:func:`staging`) and moved over it file by file only
once it is saved (:func:`commit_run`): a run that fails leaves the earlier one whole.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from hyperlab.engine import distributed
from hyperlab.engine.checkpoint import atomic_write_bytes
from hyperlab.engine.history import History

if TYPE_CHECKING:
    from hyperlab.engine.trainer import RunResult


def write_json(path: str | Path, data: Any) -> Path:
    """Strict JSON (NaN/inf refused: histories record them as None plus a divergence)."""
    text = json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False)
    path = Path(path)
    atomic_write_bytes(path, lambda f: f.write(text.encode("utf-8")))
    return path


def write_text(path: str | Path, text: str) -> Path:
    path = Path(path)
    atomic_write_bytes(path, lambda f: f.write(text.encode("utf-8")))
    return path


RUN_FILES = ("config.yaml", "history.json", "summary.json", "curves.png", "checkpoint.pt")  # what a run writes


def holds_run(run_dir: str | Path) -> bool:
    """Whether ``run_dir`` holds files of an earlier run (any file a run directory gets)."""
    return any((Path(run_dir) / name).is_file() for name in RUN_FILES)


def staging(target: str | Path) -> Path:
    """A fresh hidden sibling of ``target`` (``.<name>.partial``) where a run or comparison that
    replaces ``target`` is written first (rank 0 clears what a killed earlier attempt left)."""
    target = Path(target)
    stage = target.parent / f".{target.name}.partial"
    discard(stage)
    return stage


def discard(stage: str | Path) -> None:
    """Remove a staging directory (after a failure; the earlier run stays as it was)."""
    if distributed.is_main():
        shutil.rmtree(stage, ignore_errors=True)


def commit_run(stage: str | Path, run_dir: str | Path) -> Path:
    """Move the run saved in ``stage`` over ``run_dir``: each file replaces the earlier one in one
    rename, a file of the earlier run that this one did not write (a checkpoint) is removed, and
    nothing else in ``run_dir`` is touched. Returns ``run_dir``; rank 0 alone moves files."""
    stage, run_dir = Path(stage), Path(run_dir)
    if stage == run_dir or not distributed.is_main():
        return run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    for name in RUN_FILES:
        if (stage / name).is_file():
            os.replace(stage / name, run_dir / name)
        else:
            (run_dir / name).unlink(missing_ok=True)
    shutil.rmtree(stage, ignore_errors=True)
    return run_dir


def remove_run(run_dir: str | Path) -> None:
    """Remove the files a run wrote into ``run_dir``, and the directory if nothing else is left."""
    run_dir = Path(run_dir)
    for name in RUN_FILES:
        (run_dir / name).unlink(missing_ok=True)
    try:
        run_dir.rmdir()
    except OSError:  # it holds something hyperlab did not write: left alone
        pass


def save_run(result: RunResult, run_dir: str | Path, *, setup: dict[str, Any] | None = None,
             lang: str = "en") -> Path:
    """Write the run's config, history, summary and learning-curve plot into ``run_dir``
    (in a data-parallel run, rank 0 alone writes; the others only learn where)."""
    from hyperlab.views.plots import plot_learning_curves

    run_dir = Path(run_dir)
    if not distributed.is_main():
        result.run_dir = run_dir
        return run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    result.run_dir = run_dir
    config = {**(setup or {}), **result.hparams.to_dict()}
    write_text(run_dir / "config.yaml", yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    write_json(run_dir / "history.json", result.history.to_dict())
    write_json(run_dir / "summary.json", result.summary())
    plot_learning_curves(result.history, run_dir / "curves.png", lang=lang)
    return run_dir


def load_run(run_dir: str | Path) -> tuple[dict[str, Any], History, dict[str, Any]]:
    """(config, history, summary) of a saved run."""
    run_dir = Path(run_dir)
    config = yaml.safe_load((run_dir / "config.yaml").read_text(encoding="utf-8"))
    history = History.from_dict(json.loads((run_dir / "history.json").read_text(encoding="utf-8")))
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    return config, history, summary
