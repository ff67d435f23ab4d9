"""A run directory: config.yaml, history.json, summary.json, curves.png and checkpoint.pt.

Every file is written to a temporary name and renamed into place, so a run that fails
part-way never leaves a corrupted record behind.
"""

from __future__ import annotations

import json
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
