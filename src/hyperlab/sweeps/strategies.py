"""Search strategies and pruners by name, built from Optuna's samplers and pruners.

    >>> check_strategy("tpe"), check_pruner("asha")
    ('tpe', 'asha')
    >>> type(make_pruner("hyperband", max_epochs=27)).__name__
    'HyperbandPruner'

Pruners use epochs as the budget: each trial reports its validation metric after every epoch
(``trial.report(value, epoch)``) and a pruner may stop it there.
"""

from __future__ import annotations

import warnings

import optuna

from hyperlab.errors import ConfigError, check_choice
from hyperlab.sweeps.space import SearchSpace, numeric_dims

STRATEGIES = {
    "tpe": "Tree-structured Parzen Estimator: models good vs bad regions from finished trials (default)",
    "random": "independent uniform / log-uniform draws",
    "grid": "every combination of the listed values, each exactly once (Optuna's trial queue)",
    "cmaes": "CMA-ES over the numeric ranges (needs >= 2 ranges; lists are drawn at random)",
}
PRUNERS = {
    "asha": "successive halving: at epochs 1, 3, 9, ... keep the top third of trials at that epoch",
    "hyperband": "several successive-halving brackets with different starting budgets",
    "median": "stop a trial whose metric is below the median of earlier trials at the same epoch",
    "none": "train every trial for all its epochs",
}
PRUNER_ALIASES = {"successive-halving": "asha", "successive_halving": "asha", "sha": "asha", "nop": "none"}
DEFAULT_STRATEGY = "tpe"
TPE_STARTUP_TRIALS = 8  # random trials before TPE models the results (Optuna's default is 10)
REDUCTION_FACTOR = 3


def check_strategy(name: str) -> str:
    """Validate a --strategy name."""
    return check_choice("strategy", str(name).strip().lower(), STRATEGIES)


def check_pruner(name: str) -> str:
    """Validate a --pruner name (``successive-halving`` is accepted for ``asha``)."""
    name = str(name).strip().lower()
    name = PRUNER_ALIASES.get(name, name)
    return check_choice("pruner", name, PRUNERS)


def default_pruner(strategy: str) -> str:
    """An exhaustive grid trains every point fully; the searching strategies prune (epochs as budget)."""
    return "none" if strategy == "grid" else "asha"


def check_fits(strategy: str, space: SearchSpace) -> None:
    """Raise ConfigError when a strategy cannot search this space (CMA-ES needs numeric ranges)."""
    if strategy == "cmaes" and len(numeric_dims(space)) < 2:
        raise ConfigError("strategy", "cmaes",
                          "needs at least 2 ranges to move through (e.g. --lr 1e-4..1:log --epochs 5..40); "
                          f"this space has {len(numeric_dims(space))}: use tpe or random")
    if strategy == "grid":
        space.grid()  # raises if a dimension is a range


def make_sampler(strategy: str, seed: int | None) -> optuna.samplers.BaseSampler:
    """The Optuna sampler for a strategy. ``grid`` runs queued points, so its sampler is never asked."""
    strategy = check_strategy(strategy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if strategy == "tpe":
            # constant_liar: parallel workers see each other's running trials and spread out
            return optuna.samplers.TPESampler(seed=seed, n_startup_trials=TPE_STARTUP_TRIALS,
                                              multivariate=True, group=True, constant_liar=True)
        if strategy == "cmaes":
            return optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False,
                                                independent_sampler=optuna.samplers.RandomSampler(seed=seed))
        return optuna.samplers.RandomSampler(seed=seed)


def may_prune(pruner: optuna.pruners.BasePruner, epoch: int) -> bool:
    """Whether ``pruner`` (made by ``make_pruner``) can stop a trial after ``epoch``; asking it costs
    a storage read, so a trial asks only then. Successive halving and hyperband decide at their
    rungs, epochs min_resource x factor^k = 1, 3, 9, 27, ... (any other epoch answers no before
    reading anything); median may stop after any epoch; none never."""
    if isinstance(pruner, optuna.pruners.NopPruner):
        return False
    if isinstance(pruner, (optuna.pruners.SuccessiveHalvingPruner, optuna.pruners.HyperbandPruner)):
        while epoch > 1 and epoch % REDUCTION_FACTOR == 0:
            epoch //= REDUCTION_FACTOR
        return epoch == 1
    return True


def make_pruner(name: str, max_epochs: int) -> optuna.pruners.BasePruner:
    """The Optuna pruner for a name; steps are epochs, ``max_epochs`` the largest budget a trial gets."""
    name = check_pruner(name)
    if name == "asha":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=REDUCTION_FACTOR)
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, max_resource=max(1, max_epochs),
                                              reduction_factor=REDUCTION_FACTOR)
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1)
    return optuna.pruners.NopPruner()
