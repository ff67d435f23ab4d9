"""Data for training: built-in offline sets, CSV/.npz files, or any torch Dataset.

    >>> data = load_data("digits", seed=0)
    >>> data.task, data.n_train, data.n_outputs
    ('classification', 1078, 10)
"""

from hyperlab.data.bundle import Data, from_arrays, from_datasets
from hyperlab.data.builtin import BUILTIN, describe_builtin
from hyperlab.data.load import load_data

__all__ = ["BUILTIN", "Data", "describe_builtin", "from_arrays", "from_datasets", "load_data"]
