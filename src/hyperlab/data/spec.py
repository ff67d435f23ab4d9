"""``as_data``: the one rule for what "data" may be, used by ``train``, the tuners, sweeps and lessons.

    >>> as_data("wine", seed=0).describe()["n_val"]
    36
"""

from __future__ import annotations

from pathlib import Path
from typing import Union

from torch.utils.data import Dataset

from hyperlab.data.bundle import Data, Task, from_arrays, from_datasets
from hyperlab.data.load import load_data
from hyperlab.data.split import VAL_FRACTION, check_fraction, with_validation
from hyperlab.errors import ConfigError

DataSpec = Union[Data, str, Path, Dataset, tuple]
FORMS = ("a built-in name, a .csv/.npz path, (X, y) arrays, a torch Dataset, "
         "(train_dataset, val_dataset) or Data")


def as_data(data: DataSpec, *, seed: int = 0, label: str | None = None, val: Dataset | None = None,
            val_fraction: float = VAL_FRACTION, task: Task | None = None, features: str | None = None) -> Data:
    """Turn what a user calls "data" into ``Data`` (train / validation / test splits).

    - a built-in name or a .csv/.npz path, or ``(X, y)`` arrays: split by ``seed`` into
      train / validation / test (validation ``val_fraction``, test 0.2; stratified by class);
    - a torch ``Dataset`` of ``(x, y)`` pairs: ``val_fraction`` of it held out for validation
      (by ``seed``), unless ``val=`` gives the validation Dataset;
    - ``(train_dataset, val_dataset)``: your own split, used as it is;
    - ``Data``: used as it is.

    ``val_fraction=0`` means no validation split (then nothing reports a validation number).
    ``task`` ('classification' or 'regression') overrides the task inferred from the labels.
    ``features`` says how arrays and files read X: 'standardise' (the default: mean 0, sd 1 on the
    training split), 'raw' (floats as given) or 'ids' (whole numbers kept as int64, for a model
    that starts with ``nn.Embedding``); a Dataset's x is always used as given.
    """
    val_fraction = check_fraction("val_fraction", val_fraction)
    if val is not None and not (isinstance(data, Dataset) and isinstance(val, Dataset)):
        raise ConfigError("val", type(val).__name__, "must be a torch Dataset, given with a torch Dataset as "
                          f"data (data is {type(data).__name__}, which has its own splits)")
    given = isinstance(data, (Data, Dataset)) or isinstance(data, tuple) and any(isinstance(d, Dataset) for d in data)
    if features is not None and given:
        raise ConfigError("features", features, "applies to arrays and .csv/.npz files; "
                          f"a {type(data).__name__}'s features are used as given")
    if isinstance(data, Data):
        if task is not None and task != data.task:
            raise ConfigError("task", task, f"must match the given Data's task ({data.task}): Data is used as it is")
        return data
    if isinstance(data, (str, Path)):
        return load_data(data, label=label, seed=seed, val_fraction=val_fraction, task=task, features=features)
    if isinstance(data, Dataset):
        if val is not None:
            return from_datasets(data, val, task=task)
        bundle = from_datasets(data, task=task)
        return with_validation(bundle, seed, val_fraction) if val_fraction > 0 else bundle
    if isinstance(data, tuple) and len(data) == 2:
        first, second = data
        if isinstance(first, Dataset) and isinstance(second, Dataset):
            return from_datasets(first, second, task=task)
        if isinstance(first, Dataset) or isinstance(second, Dataset):
            raise ConfigError("data", f"({type(first).__name__}, {type(second).__name__})",
                              "a pair must be (X, y) arrays or (train_dataset, val_dataset), not one of each")
        return from_arrays(first, second, seed=seed, val_fraction=val_fraction, task=task, features=features)
    raise ConfigError("data", type(data).__name__, f"must be {FORMS}")
