"""``Data``: train/validation/test splits plus what a model and loss need to know."""

from __future__ import annotations

import contextlib
import dataclasses
import weakref
from dataclasses import dataclass, field

import numpy as np
import torch
from torch.utils.data import Dataset, Subset, TensorDataset

from hyperlab.data.arrays import FEATURES, TASKS, Task, as_features, as_ids, as_labels, infer_task
from hyperlab.data.frames import frame_features, is_frame, row_numbers
from hyperlab.data.pairs import adapt, item_pair, labels
from hyperlab.data.split import check_fraction, split_indices
from hyperlab.errors import ConfigError, DataError, check_choice


@dataclass
class Data:
    """Splits of one data set. In-memory sets are ``TensorDataset`` (fast slicing in the trainer)."""

    name: str
    task: Task
    train: Dataset
    val: Dataset | None
    test: Dataset | None
    n_features: int
    n_outputs: int  # classes for classification, targets for regression
    input_shape: tuple[int, ...] = ()
    classes: list[str] = field(default_factory=list)
    label: str | None = None  # the label column of a CSV file
    encoded: dict[str, list[str]] = field(default_factory=dict)  # text columns one-hot encoded: their values
    text_encoding: str | None = None  # a CSV file's: "utf-8-sig" (UTF-8) or "cp949" (Korean, not UTF-8)

    def class_counts(self, split: str) -> list[int]:
        """Rows of each class (output index) in ``split`` ('train', 'val' or 'test'); [] for
        regression or a missing split."""
        dataset = getattr(self, split)
        if self.task != "classification" or dataset is None or len(dataset) == 0:  # type: ignore[arg-type]
            return []
        return torch.bincount(labels(dataset, split), minlength=self.n_outputs).tolist()

    @property
    def n_train(self) -> int:
        return len(self.train)  # type: ignore[arg-type]

    @property
    def metric(self) -> str:
        """The metric a run reports: accuracy for classification, R^2 for regression (higher is better)."""
        return "accuracy" if self.task == "classification" else "r2"

    @property
    def in_memory(self) -> bool:
        return isinstance(self.train, TensorDataset)

    def subsample_train(self, n: int, seed: int = 0) -> Data:
        """A copy whose training split keeps n samples (for showing overfitting)."""
        if not 1 <= n <= self.n_train:
            raise ConfigError("train_size", n, f"must be between 1 and {self.n_train}")
        idx = torch.randperm(self.n_train, generator=torch.Generator().manual_seed(seed))[:n]
        if isinstance(self.train, TensorDataset):
            train: Dataset = TensorDataset(*(t[idx] for t in self.train.tensors))
        else:
            train = Subset(self.train, idx.tolist())
        return dataclasses.replace(self, train=train)

    def describe(self) -> dict:
        return {"name": self.name, "task": self.task, "n_train": self.n_train,
                "n_val": len(self.val) if self.val is not None else 0,  # type: ignore[arg-type]
                "n_test": len(self.test) if self.test is not None else 0,  # type: ignore[arg-type]
                "n_features": self.n_features, "n_outputs": self.n_outputs}


def from_arrays(X: np.ndarray, y: np.ndarray, *, name: str = "arrays", task: Task | None = None,
                seed: int = 0, val_fraction: float = 0.2, test_fraction: float = 0.2,
                input_shape: tuple[int, ...] = (), features: str | None = None) -> Data:
    """Split arrays by seed (stratified for classes) and standardise on the training part only.
    ``X`` may have any shape with samples first (images are flattened, their shape kept as
    ``input_shape``), or be a pandas DataFrame (text columns one-hot encoded, as in a CSV file);
    ``task`` None infers it from ``y`` (``infer_task``). ``features``: how ``X`` is read
    (``FEATURES``): standardised floats (None or "standardise"), floats as given ("raw"), or
    integer ids kept as int64 ("ids", for a model that starts with ``nn.Embedding``)."""
    features = check_choice("features", features or "standardise", FEATURES)
    encoded: dict[str, list[str]] = {}
    if is_frame(X):  # a pandas DataFrame: its text columns one-hot encoded, as a CSV file's
        X, encoded = frame_features(X, "X", row_numbers, features)  # type: ignore[arg-type]
    X, sample_shape = as_ids(X) if features == "ids" else as_features(X)
    y = as_labels(y, len(X))
    if task is None:
        task = infer_task(y)
    if task not in TASKS:
        raise ConfigError("task", task, f"must be one of {', '.join(TASKS)}")
    classes: list[str] = []
    if task == "classification":
        if y.ndim != 1:
            raise DataError(f"y has shape {y.shape}: classification needs one label per sample (1-D)")
        values, y = np.unique(y.astype(str) if y.dtype.kind == "O" else y, return_inverse=True)
        classes = [str(v) for v in values]
        if len(classes) < 2:
            raise DataError(f"y has a single class ({classes[0]!r}): classification needs at least 2 distinct "
                            "labels")
        y = y.astype(np.int64)
    else:
        if y.dtype.kind not in "biuf":
            raise DataError(f"y is not numeric ({y.flat[0]!r}, ...): a regression target must be numbers; "
                            "use task='classification' for labels")
        y = y.astype(np.float32)
        if y.ndim == 1:
            y = y[:, None]
    val_fraction = check_fraction("val_fraction", val_fraction)
    test_fraction = check_fraction("test_fraction", test_fraction)
    if val_fraction + test_fraction >= 0.9:
        raise ConfigError("val_fraction", val_fraction, "with test_fraction must leave >= 10% for training")
    train_idx, val_idx, test_idx = split_indices(len(X), y if task == "classification" else None,
                                                 val_fraction, test_fraction, seed)

    Xs = _standardise(X, train_idx) if features == "standardise" else X
    if task == "regression":  # targets too, so losses and learning rates are on a common scale
        y = _standardise(y, train_idx)

    def split(ix: np.ndarray) -> TensorDataset | None:
        if len(ix) == 0:
            return None
        return TensorDataset(torch.from_numpy(Xs[ix]).contiguous(), torch.from_numpy(y[ix]).contiguous())

    n_outputs = len(classes) if task == "classification" else y.shape[1]
    return Data(name, task, split(train_idx), split(val_idx), split(test_idx),  # type: ignore[arg-type]
                n_features=X.shape[1], n_outputs=n_outputs,
                input_shape=input_shape or sample_shape, classes=classes, encoded=encoded)


def _standardise(a: np.ndarray, train_idx: np.ndarray) -> np.ndarray:
    mean = a[train_idx].mean(axis=0)
    std = a[train_idx].std(axis=0)
    std[std == 0] = 1.0
    return ((a - mean) / std).astype(np.float32)


def from_datasets(train: Dataset, val: Dataset | None = None, test: Dataset | None = None, *,
                  task: Task | None = None, n_outputs: int | None = None, name: str = "dataset") -> Data:
    """Wrap user torch Datasets whose items are (x, y) pairs. ``task`` None: regression for float
    targets, else classification; class labels are the model's output indices, so ``n_outputs`` is
    the largest label in train or val plus one. Items are read as the trainer needs them
    (``pairs.adapt``)."""
    try:
        n = len(train)  # type: ignore[arg-type]
    except TypeError:
        raise DataError(f"train must be a sized Dataset of (x, y) pairs (with __len__), got "
                        f"{type(train).__name__}") from None
    if n == 0:
        raise DataError("train Dataset is empty (len 0): it needs at least one (x, y) pair")
    x0, y0 = item_pair(train[0], "train item 0")
    if task is None:
        task = "regression" if y0.is_floating_point() else "classification"
    if task not in TASKS:
        raise ConfigError("task", task, f"must be one of {', '.join(TASKS)}")
    if task == "classification":
        seen = [int(labels(ds, part).max()) for ds, part in ((train, "train"), (val, "val")) if ds is not None
                and len(ds) > 0]  # type: ignore[arg-type]
        if n_outputs is None:
            n_outputs = max(seen) + 1
        elif max(seen) >= n_outputs:
            raise ConfigError("n_outputs", n_outputs, f"must be more than the largest class label ({max(seen)})")
    elif n_outputs is None:
        n_outputs = int(y0.numel())
    return Data(name, task, adapt(train, task, "train"), adapt(val, task, "val"),  # type: ignore[arg-type]
                adapt(test, task, "test"), n_features=int(x0.numel()), n_outputs=n_outputs,
                input_shape=tuple(x0.shape))


def target_variance(dataset: Dataset) -> float | None:
    """Mean squared deviation of a regression target over a data set (per output, averaged), the
    denominator of R^2; None when it is 0. In-memory tensors are read at once, any other Dataset
    item by item (once per data set object: the result is remembered)."""
    if isinstance(dataset, TensorDataset):
        return _variance(dataset.tensors[1])
    try:
        return _VARIANCES[dataset]
    except (KeyError, TypeError):
        pass
    if isinstance(dataset, Subset) and isinstance(dataset.dataset, TensorDataset):
        value = _variance(dataset.dataset.tensors[1][torch.as_tensor(dataset.indices)])
    else:
        value = _variance(torch.stack([torch.as_tensor(dataset[i][1]) for i in range(len(dataset))]))  # type: ignore[arg-type]
    with contextlib.suppress(TypeError):
        _VARIANCES[dataset] = value
    return value


def _variance(y: torch.Tensor) -> float | None:
    y = y.float()
    return float(((y - y.mean(0)) ** 2).mean()) or None


_VARIANCES: weakref.WeakKeyDictionary[Dataset, float | None] = weakref.WeakKeyDictionary()
