"""Checking user arrays before they are split: features as finite float32 rows, labels as one value
(or one row of targets) per sample, and the task they imply. Each error names the array, the row
(and column) and what is allowed."""

from __future__ import annotations

from typing import Literal

import numpy as np

from hyperlab.errors import DataError

Task = Literal["classification", "regression"]
TASKS = ("classification", "regression")
# how ``from_arrays`` reads X: standardised on the training split, floats as given, integer ids
FEATURES = ("standardise", "raw", "ids")


def as_features(X: object) -> tuple[np.ndarray, tuple[int, ...]]:
    """``X`` as float32 rows of features, and the shape of one sample: a 1-D array is one feature,
    more than 2 dimensions (images) are flattened and their shape kept for a model that wants it."""
    X, shape = _rows(X, "features")
    X = X.astype(np.float32)
    bad = ~np.isfinite(X)
    if bad.any():
        row, col = map(int, np.argwhere(bad)[0])
        raise DataError(f"X has a missing or infinite value ({float(X[row, col])}) in row {row}, column {col} "
                        f"({int(bad.any(axis=1).sum())} row(s) in all); features must be finite numbers")
    return X, shape


def as_ids(X: object) -> tuple[np.ndarray, tuple[int, ...]]:
    """``X`` as int64 rows of token or category ids (for a model that starts with ``nn.Embedding``),
    kept as they are: whole numbers >= 0, else DataError naming the first cell that is not."""
    X, shape = _rows(X, "ids")
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(X) | (X < 0) | (X != np.round(X)) if X.dtype.kind == "f" else X < 0
    if bad.any():
        row, col = map(int, np.argwhere(bad)[0])
        raise DataError(f"X has {X[row, col].item()!r} in row {row}, column {col}: with features='ids' every value "
                        "must be a whole number >= 0 (an index into the model's nn.Embedding)")
    return X.astype(np.int64), shape


def _rows(X: object, what: str) -> tuple[np.ndarray, tuple[int, ...]]:
    """``X`` as a 2-D array of numbers, samples first, and the shape of one sample."""
    X = np.asarray(X)
    if X.ndim == 0 or len(X) == 0:
        raise DataError(f"X has shape {X.shape}: it must hold at least one sample (a row of {what})")
    if X.ndim == 1:
        X = X[:, None]
    shape = tuple(X.shape[1:])
    X = X.reshape(len(X), -1)
    if X.dtype.kind not in "biuf":
        X = _numeric(X)
    return X, shape


def _numeric(X: np.ndarray) -> np.ndarray:
    """An object or text array as float64, else DataError naming the first cell that is no number."""
    out = np.empty(X.shape, dtype=np.float64)
    for (row, col), value in np.ndenumerate(X):
        try:
            if isinstance(value, (bool, np.bool_)):
                raise TypeError
            out[row, col] = float(value)
        except (TypeError, ValueError):
            raise DataError(f"X must be numeric: row {row}, column {col} is {value!r}; features must be numbers "
                            "(encode text columns as numbers first)") from None
    return out


def as_labels(y: object, n: int) -> np.ndarray:
    """``y`` as one label or target per sample: 1-D, or 2-D for several regression targets (a single
    column ``(n, 1)`` becomes 1-D, so its task is inferred like any label column)."""
    y = np.asarray(y)
    if y.ndim == 0:
        raise DataError(f"y must hold one label per sample, got a single value {y.item()!r}")
    if len(y) != n:
        raise DataError(f"X has {n} rows but y has {len(y)}; they must have one row per sample each")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim > 2:
        raise DataError(f"y has shape {y.shape}: it must be 1-D (one label per sample) or 2-D (samples x targets)")
    missing = _missing(y)
    if missing.any():
        rows = np.flatnonzero(missing.reshape(len(y), -1).any(axis=1))
        raise DataError(f"y has missing or infinite values in row{'s' if len(rows) > 1 else ''} "
                        f"{', '.join(map(str, rows[:5]))}{' ...' if len(rows) > 5 else ''}; every sample needs a "
                        "label")
    return y


def _missing(y: np.ndarray) -> np.ndarray:
    if y.dtype.kind in "fc":
        return ~np.isfinite(y)
    if y.dtype.kind == "O":
        return np.vectorize(lambda v: v is None or (isinstance(v, float) and not np.isfinite(v)), otypes=[bool])(y)
    return np.zeros(y.shape, dtype=bool)


def max_classes(n: int) -> int:
    """The most distinct integer values a label column may have and still be read as classes."""
    return max(2, min(100, n // 5))


def infer_task(y: np.ndarray) -> Task:
    """Classification for text or boolean labels, and for integer values (3 or 3.0) with at most
    ``max_classes(len(y))`` distinct values; anything else is regression."""
    if y.dtype.kind in "OUSb":
        return "classification"
    if y.ndim == 1 and np.all(np.isfinite(y)) and np.all(np.equal(np.mod(y, 1), 0)):
        if len(np.unique(y)) <= max_classes(len(y)):
            return "classification"
    return "regression"
