"""hyperlab: see and choose batch size, learning rate, epochs and optimizer with real training runs."""

from hyperlab.api import as_data, as_hparams, expand_grid, train, train_many
from hyperlab.data import Data, from_arrays, from_datasets, load_data
from hyperlab.engine import Callback, EarlyStopping, History, RunResult, StopTraining, evaluate, fit, fit_population
from hyperlab.errors import ConfigError, DataError, HyperlabError
from hyperlab.hparams import OPTIMIZERS, HParams
from hyperlab.models import build_model

__version__ = "0.1.0"

__all__ = ["OPTIMIZERS", "Callback", "ConfigError", "Data", "DataError", "EarlyStopping", "HParams",
           "History", "HyperlabError", "RunResult", "StopTraining", "as_data", "as_hparams",
           "build_model", "evaluate", "expand_grid", "fit", "fit_population", "from_arrays", "from_datasets", "load_data",
           "train", "train_many"]
