"""Choose the four for your own model and data: LR range test and learning-rate sweep, batch-size finder, gradient noise
scale, learning-rate scaling, epoch advice, optimizer check, and ``advise`` that runs them in order.

    >>> from hyperlab.tuners import lr_find, lr_sweep, batch_find, noise_scale, scale_lr, epoch_find
    >>> from hyperlab.tuners import optimizer_check, advise
"""

from hyperlab.tuners.advise import Advice, advise
from hyperlab.tuners.batch_find import BatchFindResult, batch_find, parse_bytes
from hyperlab.tuners.common import Subject, TunerSetup
from hyperlab.tuners.epochs import EpochAdvice, epoch_find
from hyperlab.tuners.lr_find import LRFindResult, lr_find
from hyperlab.tuners.lr_scaling import LRScaling, scale_lr
from hyperlab.tuners.lr_sweep import LRSweepResult, confirm_sweep, lr_sweep
from hyperlab.tuners.noise_scale import NoiseScaleResult, noise_scale
from hyperlab.tuners.optimizer_check import OptimizerCheckResult, optimizer_check

__all__ = ["Advice", "BatchFindResult", "EpochAdvice", "LRFindResult", "LRScaling", "LRSweepResult", "NoiseScaleResult",
           "OptimizerCheckResult", "Subject", "TunerSetup", "advise", "batch_find", "confirm_sweep", "epoch_find",
           "lr_find", "lr_sweep", "noise_scale", "optimizer_check", "parse_bytes", "scale_lr"]
