"""The engine: one trainer, its history and its events."""

from hyperlab.engine.callbacks import Callback, EarlyStopping, StopAfter, StopTraining
from hyperlab.engine.checkpoint import Checkpoint, load_checkpoint
from hyperlab.engine.history import EpochRecord, History
from hyperlab.engine.population import SequentialFallbackWarning, fit_population
from hyperlab.engine.trainer import Run, RunResult, TrainingInterrupted, evaluate, fit

__all__ = ["Callback", "Checkpoint", "EarlyStopping", "EpochRecord", "History", "Run", "RunResult",
           "SequentialFallbackWarning", "StopAfter", "StopTraining", "TrainingInterrupted", "evaluate", "fit",
           "fit_population", "load_checkpoint"]
