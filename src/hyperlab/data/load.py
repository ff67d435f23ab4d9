"""``load_data``: one entry point for built-in names, CSV files and .npz files."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from hyperlab.data.arrays import FEATURES, TASKS
from hyperlab.data.builtin import BUILTIN
from hyperlab.data.bundle import Data, Task, from_arrays
from hyperlab.data.frames import frame_features
from hyperlab.errors import ConfigError, DataError, check_choice, did_you_mean
from hyperlab.textfiles import UTF8, NotText, text_encoding

if TYPE_CHECKING:
    import pandas as pd


def load_data(source: str | Path = "digits", *, label: str | None = None, task: Task | None = None,
              seed: int = 0, val_fraction: float = 0.2, test_fraction: float = 0.2,
              features: str | None = None) -> Data:
    """Load a built-in set by name, or a user file (.csv with a label column, .npz with X and y).
    ``task`` overrides the task read from a file's labels; a built-in set keeps its own (a
    different one is refused: wine's cultivars are not a quantity, diabetes' progression not classes).
    ``features`` ('standardise', 'raw' or 'ids', see ``from_arrays``) applies to files; a built-in
    set is always standardised."""
    text = str(source)
    kw = dict(task=task, seed=seed, val_fraction=val_fraction, test_fraction=test_fraction)
    if text in BUILTIN:
        loader, builtin_task, _ = BUILTIN[text]
        if task is not None and task != builtin_task:
            check_choice("task", task, TASKS)
            raise ConfigError("task", task, f"must be {builtin_task} for the built-in {text!r} (a {builtin_task} "
                                            "set); it applies to .csv and .npz files")
        if features not in (None, "standardise"):
            check_choice("features", features, FEATURES)
            raise ConfigError("features", features, f"must be 'standardise' for the built-in {text!r}; "
                                                    "it applies to .csv and .npz files")
        if label is not None:
            raise ConfigError("label", label, f"applies to .csv files only: the built-in {text!r} has its own labels")
        X, y, shape = loader(seed)
        return from_arrays(X, y, name=text, input_shape=shape, **{**kw, "task": builtin_task})
    path = Path(text)
    if label is not None and path.suffix.lower() == ".npz":
        raise ConfigError("label", label, "applies to .csv files only: an .npz file holds its labels as y")
    readers = {".csv": lambda: _read_csv(path, label, features), ".npz": lambda: _read_npz(path)}
    if path.suffix.lower() in readers:
        X, y, column, encoded, encoding = readers[path.suffix.lower()]()
        try:
            data = from_arrays(X, y, name=path.stem, features=features, **kw)
        except DataError as exc:  # say which file (a 2-row CSV: how many rows a split needs)
            raise DataError(f"{path}: {exc}") from None
        data.label, data.encoded, data.text_encoding = column, encoded, encoding
        return data
    names = list(BUILTIN)
    raise ConfigError("dataset", text, f"must be one of {', '.join(names)}, or a .csv or .npz file"
                      + did_you_mean(text, names))


SEPARATORS = (",", ";", "\t", "|")  # tried in this order; the one that splits the first lines evenly wins


def _read_csv(path: Path, label: str | None,
              features: str | None) -> tuple[np.ndarray, np.ndarray, str, dict[str, list[str]], str]:
    """Features, label, the label column's name, the one-hot encoded text columns of a CSV file and
    its text encoding (``hyperlab.textfiles.text_encoding``). The separator (``,``, ``;``, tab or ``|``) and whether
    the first line is a header are read from the file's first lines; a file without a header has
    its columns named by position, ``1``, ``2``, ..."""
    import pandas as pd

    if not path.is_file():
        raise ConfigError("dataset", str(path), "must be an existing file")
    try:
        encoding = text_encoding(path)
    except NotText as exc:
        raise DataError(f"{path}: {exc}; save it as UTF-8 (a spreadsheet's 'CSV UTF-8')") from None
    lines = _first_records(path, encoding)
    if not lines:
        raise DataError(f"{path}: is empty; a CSV needs rows of numbers, one column of them the label "
                        "(a header line naming the columns is optional)")
    sep = _separator(lines)
    header = _has_header([next(csv.reader([line], delimiter=sep)) for line in lines[:2]])
    try:
        frame = pd.read_csv(path, sep=sep, header=0 if header else None, encoding=encoding)
        if sep != "," and _decimal_commas(frame):  # "1,5;2,25": a European file's numbers, not text
            frame = pd.read_csv(path, sep=sep, header=0 if header else None, decimal=",", encoding=encoding)
    except Exception as exc:  # noqa: BLE001 - pandas raises many kinds for bad files
        raise DataError(f"{path}: could not be read as CSV ({exc})") from None
    if not header:
        frame.columns = [str(i + 1) for i in range(frame.shape[1])]
    if frame.empty:
        raise DataError(f"{path}: has no rows")
    label = label or str(frame.columns[-1])
    if label not in frame.columns:
        raise ConfigError("label", label, f"must be a column of {path.name}: {', '.join(map(str, frame.columns))}"
                          + did_you_mean(label, map(str, frame.columns)))
    y = frame.pop(label)
    if frame.shape[1] == 0:
        raise DataError(f"{path}: has only the label column {label!r}; a CSV needs feature columns too, "
                        f"separated by one of {', '.join(map(repr, SEPARATORS))}")
    def place(rows: Iterable[int]) -> str:  # data rows (0-based) as the file's lines: "line 3", "lines 3, 5"
        return _line_numbers(_lines(path, rows, sep, header, encoding))

    if y.isna().any():
        raise DataError(f"{path}: label column {label!r} has missing values ({place(np.flatnonzero(y.isna())[:5])})")
    values, encoded = frame_features(frame, str(path), place, features)
    return values, y.to_numpy(), label, encoded, encoding


DECIMAL_COMMA = r"[+-]?(\d+(,\d*)?|,\d+)([eE][+-]?\d+)?"  # 1,5  -0,25  ,5  3  1,5e3


def _decimal_commas(frame: pd.DataFrame) -> bool:
    """Whether a text column holds only numbers written with a decimal comma (``1,5``), as files
    separated by ``;`` or tabs often do; then the file is read again with ``decimal=","``."""
    import pandas as pd

    for column in frame.columns:
        values = frame[column].dropna()
        if len(values) and not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)):
            text = values.astype(str).str.strip()
            if text.str.fullmatch(DECIMAL_COMMA).all() and text.str.contains(",").any():
                return True
    return False


def _first_records(path: Path, encoding: str, n: int = 5) -> list[str]:
    """The first ``n`` non-empty lines of a text file (enough to tell its separator and header)."""
    lines: list[str] = []
    with path.open(newline="", encoding=encoding) as handle:
        for line in handle:
            if line.strip():
                lines.append(line.rstrip("\r\n"))
                if len(lines) == n:
                    break
    return lines


def _separator(lines: list[str]) -> str:
    """The separator that splits every one of ``lines`` into the same number (> 1) of fields, the
    most fields winning (ties: the order of SEPARATORS); ',' when none does."""
    best, fields = ",", 1
    for sep in SEPARATORS:
        counts = {len(record) for record in csv.reader(lines, delimiter=sep)}
        if len(counts) == 1 and (count := counts.pop()) > fields:
            best, fields = sep, count
    return best


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _has_header(records: list[list[str]]) -> bool:
    """False when the first record reads as data: it has a number, and each of its fields is a
    number exactly where the second record's is (an empty field matches either). Else True."""
    if len(records) < 2:
        return True
    first, second = records
    if not any(_is_number(f) for f in first):
        return True
    return any(a.strip() and b.strip() and _is_number(a) != _is_number(b) for a, b in zip(first, second))


def _line_numbers(lines: list[int]) -> str:
    """"line 3" or "lines 3, 5"."""
    return f"line{'s' if len(lines) != 1 else ''} {', '.join(map(str, lines))}"


def _lines(path: Path, rows: Iterable[int], sep: str = ",", header: bool = True,
           encoding: str = UTF8) -> list[int]:
    """Line numbers in the file of data rows (0 = first row after the header), counted as pandas
    reads them: empty lines skipped, a quoted field may span lines."""
    wanted = {int(r) for r in rows}
    found: dict[int, int] = {}
    with path.open(newline="", encoding=encoding) as handle:
        reader = csv.reader(handle, delimiter=sep)
        start = 1
        row = -1 if header else 0  # -1: the header
        for record in reader:
            if record:
                if row in wanted:
                    found[row] = start
                row += 1
            start = reader.line_num + 1
            if len(found) == len(wanted):
                break
    return [found.get(r, r + 1 + header) for r in sorted(wanted)]


def _read_npz(path: Path) -> tuple[np.ndarray, np.ndarray, None, dict[str, list[str]], None]:
    """Arrays ``X`` (samples first, any shape) and ``y`` of a .npz file."""
    if not path.is_file():
        raise ConfigError("dataset", str(path), "must be an existing file")
    try:
        with np.load(path, allow_pickle=False) as arrays:
            names = list(arrays.files)
            if "X" in names and "y" in names:
                return arrays["X"], arrays["y"], None, {}, None
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: could not be read as .npz ({exc})") from None
    missing = [k for k in ("X", "y") if k not in names]
    raise DataError(f"{path}: must hold arrays named 'X' (features) and 'y' (labels or targets); missing "
                    f"{', '.join(missing)} (it has {', '.join(map(repr, names)) or 'no arrays'}); save it as "
                    "np.savez(path, X=..., y=...)")
