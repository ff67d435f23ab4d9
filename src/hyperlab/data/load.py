"""``load_data``: one entry point for built-in names, CSV files and .npz files."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hyperlab.data.builtin import BUILTIN
from hyperlab.data.bundle import Data, Task, from_arrays
from hyperlab.errors import ConfigError, DataError, did_you_mean


def load_data(source: str | Path = "digits", *, label: str | None = None, task: Task | None = None,
              seed: int = 0, val_fraction: float = 0.2, test_fraction: float = 0.2) -> Data:
    """Load a built-in set by name, or a user file (.csv with a label column, .npz with X and y)."""
    text = str(source)
    kw = dict(task=task, seed=seed, val_fraction=val_fraction, test_fraction=test_fraction)
    if text in BUILTIN:
        loader, builtin_task, _ = BUILTIN[text]
        X, y, shape = loader(seed)
        return from_arrays(X, y, name=text, input_shape=shape, **{**kw, "task": task or builtin_task})
    path = Path(text)
    if path.suffix.lower() == ".csv":
        X, y = _read_csv(path, label)
        return from_arrays(X, y, name=path.stem, **kw)
    if path.suffix.lower() == ".npz":
        X, y = _read_npz(path)
        return from_arrays(X, y, name=path.stem, **kw)
    names = list(BUILTIN)
    raise ConfigError("dataset", text, f"must be one of {', '.join(names)}, or a .csv or .npz file"
                      + did_you_mean(text, names))


def _read_csv(path: Path, label: str | None) -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd

    if not path.is_file():
        raise ConfigError("dataset", str(path), "must be an existing file")
    try:
        frame = pd.read_csv(path)
    except Exception as exc:  # noqa: BLE001 - pandas raises many kinds for bad files
        raise DataError(f"{path}: could not be read as CSV ({exc})") from None
    if frame.empty:
        raise DataError(f"{path}: has no rows")
    label = label or str(frame.columns[-1])
    if label not in frame.columns:
        raise ConfigError("label", label, f"must be a column of {path.name}: {', '.join(map(str, frame.columns))}"
                          + did_you_mean(label, map(str, frame.columns)))
    y = frame.pop(label)
    if y.isna().any():
        raise DataError(f"{path}: label column {label!r} has missing values in rows "
                        f"{', '.join(str(i + 2) for i in np.flatnonzero(y.isna())[:5])} (line numbers)")
    bad = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if bad:
        raise DataError(f"{path}: feature column {bad[0]!r} is not numeric "
                        f"(e.g. {frame[bad[0]].iloc[0]!r}); convert it or drop it")
    missing = frame.isna().any()
    if missing.any():
        column = str(missing[missing].index[0])
        rows = np.flatnonzero(frame[column].isna())[:5] + 2
        raise DataError(f"{path}: column {column!r} has missing values (lines {', '.join(map(str, rows))})")
    return frame.to_numpy(dtype=np.float64), y.to_numpy()


def _read_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    if not path.is_file():
        raise ConfigError("dataset", str(path), "must be an existing file")
    try:
        with np.load(path, allow_pickle=False) as arrays:
            missing = [k for k in ("X", "y") if k not in arrays]
            if missing:
                raise DataError(f"{path}: must hold arrays 'X' and 'y'; missing {', '.join(missing)} "
                                f"(has {', '.join(arrays.files) or 'nothing'})")
            return arrays["X"].reshape(len(arrays["X"]), -1), arrays["y"]
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: could not be read as .npz ({exc})") from None
