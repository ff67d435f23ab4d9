"""``load_data``: one entry point for built-in names, CSV files and .npz files."""

from __future__ import annotations

import csv
from collections.abc import Iterable
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
    readers = {".csv": lambda: _read_csv(path, label), ".npz": lambda: _read_npz(path)}
    if path.suffix.lower() in readers:
        X, y = readers[path.suffix.lower()]()
        try:
            return from_arrays(X, y, name=path.stem, **kw)
        except DataError as exc:  # say which file (a 2-row CSV: how many rows a split needs)
            raise DataError(f"{path}: {exc}") from None
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
        lines = _lines(path, np.flatnonzero(y.isna())[:5])
        raise DataError(f"{path}: label column {label!r} has missing values ({_line_numbers(lines)})")
    bad = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if bad:
        column = frame[bad[0]]
        not_numbers = np.flatnonzero(pd.to_numeric(column, errors="coerce").isna() & column.notna())
        row = int(not_numbers[0]) if len(not_numbers) else 0
        raise DataError(f"{path}: feature column {bad[0]!r} is not numeric: {column.iloc[row]!r} on line "
                        f"{_lines(path, [row])[0]}; convert it or drop the column")
    missing = frame.isna().any()
    if missing.any():
        column = str(missing[missing].index[0])
        lines = _lines(path, np.flatnonzero(frame[column].isna())[:5])
        raise DataError(f"{path}: column {column!r} has missing values ({_line_numbers(lines)})")
    return frame.to_numpy(dtype=np.float64), y.to_numpy()


def _line_numbers(lines: list[int]) -> str:
    """"line 3" or "lines 3, 5"."""
    return f"line{'s' if len(lines) != 1 else ''} {', '.join(map(str, lines))}"


def _lines(path: Path, rows: Iterable[int]) -> list[int]:
    """Line numbers in the file of data rows (0 = first row after the header), counted as pandas
    reads them: empty lines skipped, a quoted field may span lines."""
    wanted = {int(r) for r in rows}
    found: dict[int, int] = {}
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        start = 1
        row = -1  # the header
        for record in reader:
            if record:
                if row in wanted:
                    found[row] = start
                row += 1
            start = reader.line_num + 1
            if len(found) == len(wanted):
                break
    return [found.get(r, r + 2) for r in sorted(wanted)]


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
