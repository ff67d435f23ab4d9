"""The bridge from an Optuna trial to ``hyperlab.engine.fit``: one trial = one run of the one trainer.

Each epoch's validation metric is reported as the trial's intermediate value (step = epoch), so
Optuna's pruners use epochs as the budget and optuna-dashboard draws the learning curves. The
trial's user attributes keep its status (completed, pruned, diverged, interrupted), training steps
and seconds, the divergence step and epoch, its full settings and its whole history.

A diverged trial is not a crash: it ends as Optuna ``PRUNED`` (finished, counted toward
``--trials``, the sweep goes on) with the constraint ``diverged = 1`` (``trial.set_constraint``),
which ranks it below every feasible trial in TPE's model, so TPE learns that region is bad.

A population of trials (``sweep --population K``) trains through ``fit_population`` instead: the
same sampling (``Objective.hparams_for``), the same per-epoch reports (``PruningReporter`` sends
member i's values to trial i) and the same recording and outcome (``trial_value``).
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
import socket
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import optuna
import torch
from torch import nn

from hyperlab.api import as_data
from hyperlab.data import Data
from hyperlab.engine import Callback, Run, RunResult, StopTraining, TrainingInterrupted, fit
from hyperlab.engine.population import fit_population
from hyperlab.engine.threads import threads_by_step
from hyperlab.data.arrays import FEATURES, TASKS
from hyperlab.errors import ConfigError, HyperlabError, check_choice
from hyperlab.hparams import HParams, whole_set_batch
from hyperlab.members import PerMember
from hyperlab.models import ModelSpec, build_model
from hyperlab.sweeps.signals import SIGNALS
from hyperlab.sweeps.space import SearchSpace, space_or_default, split_specs
from hyperlab.sweeps.strategies import may_prune
from hyperlab.sweeps.tensorboard import trial_callbacks

STATUS_ATTR = "status"
POPULATION_ATTR = "population"  # trials stacked in one cohort share this tag (worker#first trial/b<batch size>)
SIG_DIGITS = 6  # stored histories keep 6 significant digits (a trial's attributes stay small)


@dataclass
class SweepSetup:
    """What every trial of a study trains: data, model and the fixed settings, plus the search space.

    Plain data (stored in the study as the user attribute ``hyperlab``), so that workers on other
    machines rebuild exactly the same objective.
    """

    dataset: str = "digits"
    label: str | None = None
    task: str | None = None  # overrides the task read from the labels (None: inferred)
    features: str | None = None  # how a data file's features are read (None: standardised)
    train_size: int | None = None
    model: str = "mlp"
    width: int | None = None
    depth: int | None = None
    base: dict[str, Any] = field(default_factory=dict)  # fixed HParams settings
    space: dict[str, Any] = field(default_factory=dict)  # SearchSpace.to_dict()
    # settings the user did not name (searched in the default space, or a batch size left at its
    # default): ``fit_to_data`` may narrow them; never stored or compared (the fitted setup is what a
    # study keeps)
    defaulted: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def build(cls, specs: dict[str, Any] | None = None, *, dataset: str = "digits", label: str | None = None,
              task: str | None = None, features: str | None = None, train_size: int | None = None,
              model: str = "mlp", width: int | None = None, depth: int | None = None,
              settings: dict[str, Any] | None = None) -> SweepSetup:
        """A validated setup from space specs (``{"lr": "1e-4..1:log", ...}``; a single value fixes that
        setting) and fixed ``settings``; no searched setting at all means the default four-knob space."""
        dims, fixed = split_specs(specs or {})
        settings = dict(settings or {})
        if task is not None:
            check_choice("task", task, TASKS)
        if features is not None:
            check_choice("features", features, FEATURES)
        for dim in dims:
            if dim.name in settings:
                raise ConfigError(dim.name, settings[dim.name], f"is both fixed and searched ({dim.describe()}); "
                                                                "give one or the other")
        if train_size is not None and (isinstance(train_size, bool) or not isinstance(train_size, int)
                                       or train_size < 1):
            raise ConfigError("train_size", train_size, "must be a positive integer")
        base = HParams(**{**settings, **fixed})
        space = space_or_default(dims, fixed_names=set(fixed) | set(settings))
        space.check(base)
        return cls(dataset=dataset, label=label, task=task, features=features, train_size=train_size, model=model,
                   width=width, depth=depth, base=base.to_dict(), space=space.to_dict(),
                   defaulted=tuple(space.names) if not dims else
                   ("batch_size",) if "batch_size" not in {d.name for d in dims} | set(fixed) | set(settings) else ())

    def fit_to_data(self, n_train: int) -> tuple[SweepSetup, list[int]]:
        """This setup with the default batch sizes whose step (x accumulate) exceeds the training set dropped (a default
        must fit the data; batch sizes the user typed are checked, never changed), and the dropped ones.
        One remaining size is fixed; none remaining fixes the batch at the whole training set, as
        ``train`` does when no batch size is given."""
        if "batch_size" not in self.defaulted:
            return self, []
        dim = self.search_space().get("batch_size")
        accumulate = self.hparams().accumulate  # a step takes batch_size x accumulate samples
        if dim is None:  # not searched, not given: the default batch size, if it fits
            default = self.hparams().batch_size
            if default * accumulate <= n_train:
                return self, []
            base = {**self.base, "batch_size": whole_set_batch(n_train, accumulate)}
            return replace(self, base=HParams(**base).to_dict()), [default]
        if not dim.choices:
            return self, []
        kept = [b for b in dim.choices if b * accumulate <= n_train]
        dropped = [b for b in dim.choices if b * accumulate > n_train]
        if not dropped:
            return self, []
        space = {k: v for k, v in self.space.items() if k != "batch_size"}
        base = dict(self.base)
        if len(kept) >= 2:
            space["batch_size"] = ",".join(str(b) for b in kept)
            space = SearchSpace.from_dict(space).to_dict()  # the searched order
        else:
            base["batch_size"] = kept[0] if kept else whole_set_batch(n_train, accumulate)
        return replace(self, space=space, base=HParams(**base).to_dict()), dropped

    def hparams(self) -> HParams:
        return HParams(**self.base)

    def search_space(self) -> SearchSpace:
        return SearchSpace.from_dict(self.space)

    def max_epochs(self) -> int:
        """The largest number of epochs a trial can get (the pruners' budget)."""
        dim = self.search_space().get("epochs")
        if dim is None:
            return self.hparams().epochs
        return int(max(dim.choices) if dim.choices else dim.high)  # type: ignore[arg-type]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["defaulted"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SweepSetup:
        return cls(**{k: data.get(k, getattr(cls(), k)) for k in cls.__dataclass_fields__})

    def differences(self, other: SweepSetup) -> list[str]:
        """``name: mine != theirs`` for each setting that differs (to explain a refused resume)."""
        out = []
        mine, theirs = self.to_dict(), other.to_dict()
        for key in mine:
            if mine[key] != theirs[key]:
                out.append(f"{key}: {theirs[key]!r} != {mine[key]!r}")
        return out

    def load_data(self) -> Data:
        """The data every trial uses (same split seed as the fixed settings; optionally subsampled)."""
        data = as_data(self.dataset, seed=self.hparams().seed, label=self.label, task=self.task,  # type: ignore[arg-type]
                       features=self.features)
        return self.subsample(data)

    def subsample(self, data: Data) -> Data:
        if self.train_size is not None:
            data = data.subsample_train(self.train_size, seed=self.hparams().seed)
        if data.val is None or len(data.val) == 0:  # type: ignore[arg-type]
            raise ConfigError("dataset", self.dataset, "needs a validation split: a sweep scores each trial "
                                                       "by its validation metric")
        return data


def worker_id() -> str:
    """``host:pid`` of this process, stored on each trial (which worker ran it)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def round_floats(value: Any, digits: int = SIG_DIGITS) -> Any:
    """The same structure with floats rounded to ``digits`` significant digits (None stays None)."""
    if isinstance(value, float):
        if not math.isfinite(value) or value == 0:
            return value if math.isfinite(value) else None
        return float(f"{value:.{digits}g}")
    if isinstance(value, dict):
        return {k: round_floats(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [round_floats(v, digits) for v in value]
    return value


class PruningReporter(Callback):
    """After each epoch: report the validation metric to Optuna and stop the run if the pruner says so.

    Given a list of trials (a population), member i reports to ``trials[i]`` and is stopped alone."""

    def __init__(self, trial: optuna.trial.BaseTrial | Sequence[optuna.trial.BaseTrial]) -> None:
        self.trials = [trial] if isinstance(trial, optuna.trial.BaseTrial) else list(trial)

    def on_epoch_end(self, run: Run) -> None:
        if self.should_prune(run):
            raise StopTraining("pruned", f"pruned after epoch {run.history.epochs[-1].epoch}")

    def should_prune(self, run: Run) -> bool:
        """Report the epoch's validation metric and ask the pruner whether to stop here. Never after
        the run's last epoch: stopping then saves nothing, and would store a finished trial as pruned."""
        record = run.history.epochs[-1]
        if record.val_metric is None:
            return False
        trial = self.trials[getattr(run, "member", 0)]  # fit's Run has no member: one trial
        last = record.epoch >= run.hparams.epochs
        with SIGNALS.deferred():  # a Ctrl-C waits for the report's write: never half a database transaction
            trial.report(record.val_metric, record.epoch)
            return not last and may_prune(trial.study.pruner, record.epoch) and trial.should_prune()


def record_result(trial: optuna.Trial, result: RunResult, status: str | None = None) -> None:
    """Store what the run measured on the trial (its history in full, rounded); an attribute with
    no value (no divergence) is not written: each one is a storage write, and readers default to None."""
    summary = result.summary()
    diverged = summary["diverged"]
    attrs = {  # few keys: each is one write to the storage
        STATUS_ATTR: status or result.status,
        "steps": summary["steps"], "train_seconds": summary["seconds"],
        "diverged_step": diverged["step"] if diverged else None,
        "diverged_epoch": diverged["epoch"] if diverged else None,
        "hparams": result.hparams.to_dict(),
        "history": result.history.to_dict(),
    }
    for key, value in attrs.items():
        if value is not None:
            trial.set_user_attr(key, round_floats(value))


class Objective:
    """Callable objective for Optuna: sample the space, train with ``fit``, return the final
    validation metric (higher is better); pruned and diverged trials raise ``TrialPruned``."""

    def __init__(self, setup: SweepSetup, data: Data | None = None, model: ModelSpec | None = None, *,
                 callbacks: list[Callback] | None = None, device: str | None = None,
                 tensorboard: str | None = None, threads_by_size: bool = False) -> None:
        self.setup = setup
        self.space = setup.search_space()
        self.base = setup.hparams()
        self.data = data if data is not None else setup.load_data()  # given data is used as it is
        self.model_spec: ModelSpec = model if model is not None else setup.model
        self.callbacks = list(callbacks or [])
        self.device = device
        self.tensorboard = tensorboard  # the plan's folder: each trial writes its own run there
        # no --threads: a trial whose step is small trains on one intra-op thread (``torch_threads``)
        self.threads_by_size = threads_by_size

    def new_model(self, seed: int) -> nn.Module:
        """A fresh model for each trial: same initial weights (seed) for every trial."""
        spec = copy.deepcopy(self.model_spec) if isinstance(self.model_spec, nn.Module) else self.model_spec
        return build_model(spec, self.data, width=self.setup.width, depth=self.setup.depth, seed=seed)

    def params_for(self, trial: optuna.Trial) -> dict[str, Any]:
        """Sample this trial's searched settings from the space (and note which worker runs it)."""
        trial.set_user_attr("worker", worker_id())
        return self.space.suggest(trial)

    def hparams_for(self, trial: optuna.Trial) -> HParams:
        """This trial's settings: the fixed ones with the sampled ones over them."""
        return self.base.replace(**self.params_for(trial))

    def __call__(self, trial: optuna.Trial) -> float:
        params = self.params_for(trial)
        with interrupts_recorded(trial):
            result = self.train_trial(trial, params)
        return trial_value(trial, result)

    def train_trial(self, trial: optuna.Trial, params: dict[str, Any]) -> RunResult:
        """Train a trial's ``params``, reporting each epoch to Optuna (which may prune it)."""
        return self.train(params, [PruningReporter(trial), *trial_callbacks(self.tensorboard, trial)])

    def train(self, params: dict[str, Any], callbacks: list[Callback]) -> RunResult:
        """Train one trial's ``params`` (over the fixed settings) from the same initial weights."""
        hp = self.base.replace(**params)
        net = self.new_model(hp.seed)
        with self.threads_for(net, hp.batch_size):
            return fit(net, self.data, hp, callbacks=[*callbacks, *self.callbacks], device=self.device,
                       measure_memory=False)

    def threads_for(self, net: nn.Module | None, batch_size: int) -> contextlib.AbstractContextManager[None]:
        """One intra-op thread for a small step when the threads are chosen by size, else as set."""
        if not self.threads_by_size or net is None:
            return contextlib.nullcontext()
        return threads_by_step(net, self.data.train, batch_size)

    def train_population(self, trials: Sequence[optuna.Trial], hparams: Sequence[HParams]) -> list[RunResult]:
        """Train the trials' settings together with one ``fit_population`` call (member i is trial
        i: its per-epoch values go to its own trial, whose pruner may stop it alone; it writes its
        own TensorBoard run); raises ``PopulationInterrupted`` on Ctrl-C with each member's result so far."""
        per_trial = PerMember([trial_callbacks(self.tensorboard, trial) for trial in trials])
        with torch.random.fork_rng(devices=[]):
            probe = self.new_model(0) if self.threads_by_size else None
        with self.threads_for(probe, max(hp.batch_size for hp in hparams)):
            return fit_population(self.model_spec, self.data, list(hparams),
                                  callbacks=[PruningReporter(trials), per_trial, *self.callbacks],
                                  device=self.device, width=self.setup.width, depth=self.setup.depth)


@contextlib.contextmanager
def interrupts_recorded(trial: optuna.Trial) -> Iterator[None]:
    """On Ctrl-C during training, store what the run measured (status ``interrupted``) and re-raise."""
    try:
        yield
    except TrainingInterrupted as stop:
        record_result(trial, stop.result, "interrupted")
        raise


def trial_value(trial: optuna.Trial, result: RunResult) -> float:
    """A finished run as the trial's outcome: record it, then return its score (the final validation
    metric) or raise ``TrialPruned`` (pruned, or diverged with the constraint ``diverged = 1``)."""
    record_result(trial, result)
    if result.status == "diverged":
        d = result.history.diverged or {}
        trial.set_constraint("diverged", 1.0)
        raise optuna.TrialPruned(f"diverged at step {d.get('step')} (epoch {d.get('epoch')})")
    if result.status == "pruned":
        raise optuna.TrialPruned(f"pruned after epoch {len(result.history.epochs)}")
    value = result.summary()["final_val_metric"]
    if value is None:
        raise HyperlabError(f"trial {trial.number} ended with no finite validation metric")
    return float(value)
