"""Splitting data by seed: train/validation/test for arrays (stratified by class), and the
validation hold-out for a data set that has none. numpy and torch only (no scikit-learn)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch.utils.data import Dataset, Subset, TensorDataset

from hyperlab.errors import ConfigError, DataError

if TYPE_CHECKING:
    from hyperlab.data.bundle import Data

VAL_FRACTION = 0.2  # the default validation hold-out, everywhere


def check_fraction(name: str, fraction: float) -> float:
    """``fraction`` as a float in [0, 1), else ConfigError naming it."""
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 <= fraction < 1:
        raise ConfigError(name, fraction, "must be a number in [0, 1) (0 means no such split)")
    return float(fraction)


def split_sizes(n: int, val_fraction: float, test_fraction: float) -> tuple[int, int, int]:
    """(train, val, test) sizes for ``n`` rows: ceil(n * (val + test)) held out, shared between
    validation and test in proportion (test rounded up), as scikit-learn's two-step split did."""
    held_fraction = val_fraction + test_fraction
    n_held = math.ceil(n * held_fraction - 1e-9) if held_fraction > 0 else 0
    n_test = math.ceil(n_held * test_fraction / held_fraction - 1e-9) if test_fraction > 0 else 0
    return n - n_held, n_held - n_test, n_test


def min_rows(val_fraction: float, test_fraction: float) -> int:
    """The fewest rows that leave at least one row in training and in each split asked for."""
    n = 1
    while True:
        n_train, n_val, n_test = split_sizes(n, val_fraction, test_fraction)
        if n_train >= 1 and (n_val >= 1 or val_fraction == 0) and (n_test >= 1 or test_fraction == 0):
            return n
        n += 1


def split_indices(n: int, labels: np.ndarray | None, val_fraction: float, test_fraction: float,
                  seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted (train, val, test) row indices, sizes from ``split_sizes``. With ``labels`` each
    class is spread over the splits in proportion to its size (largest remainders), so every
    split keeps the class balance. The same seed gives the same split."""
    needed = min_rows(val_fraction, test_fraction)
    if n < needed:
        parts = "/".join(f"{round(100 * f)}" for f in (1 - val_fraction - test_fraction, val_fraction,
                                                       test_fraction))
        raise DataError(f"{n} row{'s are' if n != 1 else ' is'} too few: a {parts} train/validation/test split "
                        f"needs at least {needed} rows (one in each split); add rows (from Python you may "
                        "also lower val_fraction/test_fraction)")
    _, n_val, n_test = split_sizes(n, val_fraction, test_fraction)
    rng = np.random.default_rng(seed)
    if labels is None:
        groups = [rng.permutation(n)]
    else:
        _, inverse = np.unique(labels, return_inverse=True)
        groups = [rng.permutation(np.flatnonzero(inverse == k)) for k in range(inverse.max() + 1)]
    counts = np.array([len(g) for g in groups])
    test_counts = _proportional(counts, n_test)
    val_counts = _proportional(counts - test_counts, n_val)
    train, val, test = [], [], []
    for group, t, v in zip(groups, test_counts, val_counts, strict=True):
        test.append(group[:t])
        val.append(group[t:t + v])
        train.append(group[t + v:])
    return tuple(np.sort(np.concatenate(part)) for part in (train, val, test))  # type: ignore[return-value]


def _proportional(counts: np.ndarray, total: int) -> np.ndarray:
    """``total`` shared among groups in proportion to ``counts`` (largest remainders, ties to the
    first group); never more than a group has."""
    if total == 0 or counts.sum() == 0:
        return np.zeros_like(counts)
    exact = counts * (total / counts.sum())
    share = np.floor(exact).astype(np.int64)
    extra = total - int(share.sum())
    share[np.argsort(-(exact - share), kind="stable")[:extra]] += 1
    return np.minimum(share, counts)


def with_validation(data: Data, seed: int = 0, fraction: float = VAL_FRACTION) -> Data:
    """``data`` itself if it has a validation split; else a copy with ``fraction`` of the training
    set held out by ``seed`` (at least one sample). The one hold-out rule for a torch Dataset given
    as data (``hyperlab.train``, the tuners, sweeps, lessons)."""
    if data.val is not None and len(data.val) > 0:  # type: ignore[arg-type]
        return data
    n = data.n_train
    n_val = max(1, int(n * fraction))
    if n - n_val < 1:
        raise DataError(f"the data has no validation split and {n} training sample{'s' if n != 1 else ''} "
                        "are too few to hold one out (at least 2 are needed)")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    val_idx, train_idx = order[:n_val], order[n_val:]
    if isinstance(data.train, TensorDataset):
        train: Dataset = TensorDataset(*(t[train_idx] for t in data.train.tensors))
        val: Dataset = TensorDataset(*(t[val_idx] for t in data.train.tensors))
    else:
        train, val = Subset(data.train, train_idx.tolist()), Subset(data.train, val_idx.tolist())
    return replace(data, train=train, val=val)
