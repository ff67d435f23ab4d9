"""A user's torch Dataset as the trainer reads it: items that are ``(x, y)`` pairs of tensors, x in
float32 when it came as float64, a class label as a 0-d int64, a regression target as a 1-D float32
row (so it lines up with the model's ``(batch, outputs)``). Well-formed Datasets are used as they
are; others are seen through ``Pairs``; items that are no pair get an error naming the item."""

from __future__ import annotations

from typing import Any

import torch
from torch.utils.data import Dataset, TensorDataset

from hyperlab.errors import DataError

PAIR = "items must be (x, y) pairs: __getitem__ returns the input and its label or target"


def item_pair(item: Any, where: str) -> tuple[torch.Tensor, torch.Tensor]:
    """``item`` as two tensors, else DataError naming ``where`` (e.g. "train item 0") and what it is."""
    if isinstance(item, dict):
        raise DataError(f"{where} is a dict with keys {', '.join(map(repr, item))}; {PAIR} "
                        "(e.g. return item['x'], item['y'])")
    if not isinstance(item, (tuple, list)) or len(item) != 2:
        what = f"a {type(item).__name__} of {len(item)} values" if isinstance(item, (tuple, list)) \
            else f"a {type(item).__name__}"
        raise DataError(f"{where} is {what}; {PAIR}")
    try:
        return torch.as_tensor(item[0]), torch.as_tensor(item[1])
    except (TypeError, ValueError, RuntimeError) as exc:
        raise DataError(f"{where}: x and y must be tensors, arrays or numbers ({exc})") from None


def conform(x: torch.Tensor, y: torch.Tensor, task: str, where: str) -> tuple[torch.Tensor, torch.Tensor]:
    """One pair in the trainer's form for ``task``."""
    if x.dtype == torch.float64:
        x = x.float()
    if task == "classification":
        if y.numel() != 1 or y.is_floating_point() and not float(y) == int(y):
            raise DataError(f"{where} has label {y.tolist()!r}: a class label must be one integer")
        return x, y.reshape(()).long()
    return x, y.float().reshape(-1)


def is_conformed(x: torch.Tensor, y: torch.Tensor, task: str) -> bool:
    if x.dtype == torch.float64:
        return False
    if task == "classification":
        return y.dtype == torch.int64 and y.dim() == 0
    return y.dtype == torch.float32 and y.dim() == 1


class Pairs(Dataset):
    """A Dataset whose items are read through ``item_pair`` and ``conform``."""

    def __init__(self, dataset: Dataset, task: str, name: str) -> None:
        self.dataset, self.task, self.name = dataset, task, name

    def __len__(self) -> int:
        return len(self.dataset)  # type: ignore[arg-type]

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        where = f"{self.name} item {i}"
        return conform(*item_pair(self.dataset[i], where), self.task, where)


def adapt(dataset: Dataset | None, task: str, name: str) -> Dataset | None:
    """``dataset`` itself when its first item is already in the trainer's form, a converted
    ``TensorDataset`` for in-memory tensors, else ``Pairs`` over it."""
    if dataset is None or len(dataset) == 0:  # type: ignore[arg-type]
        return dataset
    if isinstance(dataset, TensorDataset) and len(dataset.tensors) == 2:
        X, y = dataset.tensors
        x0, y0 = conform(X[0], y[0], task, f"{name} item 0")
        if is_conformed(X[0], y[0], task):
            return dataset
        return TensorDataset(X.to(x0.dtype), y.to(y0.dtype).reshape(len(y), *y0.shape))
    item = dataset[0]
    x0, y0 = item_pair(item, f"{name} item 0")
    conform(x0, y0, task, f"{name} item 0")
    if all(isinstance(v, torch.Tensor) for v in item) and is_conformed(x0, y0, task):
        return dataset
    return Pairs(dataset, task, name)


def labels(dataset: Dataset, name: str) -> torch.Tensor:
    """Every class label of ``dataset`` as int64, checked to be one whole number >= 0 per item."""
    if isinstance(dataset, TensorDataset) and len(dataset.tensors) == 2:
        y = dataset.tensors[1]
        ys = [y.long()] if y.dim() == 1 and not y.is_floating_point() else list(y)
    else:
        ys = [item_pair(dataset[i], f"{name} item {i}")[1] for i in range(len(dataset))]  # type: ignore[arg-type]
    values = ys[0] if len(ys) == 1 and ys[0].dim() == 1 else torch.stack(
        [conform(torch.zeros(()), v, "classification", f"{name} item {i}")[1] for i, v in enumerate(ys)])
    if len(values) and int(values.min()) < 0:
        i = int(torch.nonzero(values < 0)[0])
        raise DataError(f"{name} item {i} has class label {int(values[i])}: a Dataset's class labels are the "
                        "model's output indices, so they must be whole numbers from 0 (0..k-1)")
    return values
