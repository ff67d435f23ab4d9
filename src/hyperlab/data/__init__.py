"""Data for training: built-in offline sets, CSV/.npz files, or any torch Dataset.

    >>> data = load_data("digits", seed=0)
    >>> data.task, data.n_train, data.n_outputs
    ('classification', 1078, 10)

``as_data`` is the one rule for what "data" may be (see its docstring).
"""

from hyperlab.data.builtin import BUILTIN, describe_builtin
from hyperlab.data.bundle import Data, from_arrays, from_datasets, target_variance
from hyperlab.data.load import load_data
from hyperlab.data.spec import DataSpec, as_data
from hyperlab.data.split import VAL_FRACTION, with_validation

__all__ = ["BUILTIN", "VAL_FRACTION", "Data", "DataSpec", "as_data", "describe_builtin", "from_arrays",
           "from_datasets", "load_data", "target_variance", "with_validation"]
