"""Pieces every tuner shares: how the model is built and trained (``TunerSetup``), the model and
data being tuned (``Subject``), leaving a user's model exactly as it was found (``preserved``), a
callback that ends a probe run at a deadline, up-front checks of numeric arguments, and where
plots go."""

from __future__ import annotations

import contextlib
import copy
import math
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from hyperlab.api import DataSpec, as_data
from hyperlab.data import Data, with_validation
from hyperlab.engine import Callback, Run, RunResult, StopTraining, fit
from hyperlab.engine.distributed import resolve_device
from hyperlab.engine.trainer import LossFn, loss_for
from hyperlab.errors import ConfigError, DataError, check_float, check_int  # noqa: F401 - re-exported for the tuners
from hyperlab.hparams import HParams
from hyperlab.members import train_members
from hyperlab.models import ModelSpec, build_model


@dataclass(frozen=True)
class TunerSetup:
    """How every tool builds and trains the model, beyond the model and data themselves: the width
    and depth of a built-in model, the loss (default: from the task) and the device (default: CUDA
    when present). One object, handed from tool to tool, instead of four arguments each.
    Example: ``lr_find("mlp", "digits", setup=TunerSetup(width=32, device="cpu"))``.
    """

    width: int | None = None
    depth: int | None = None
    loss_fn: LossFn | None = None
    device: str | None = None

    def __post_init__(self) -> None:
        resolve_device(self.device)  # a device this machine lacks is refused here, before any tool runs


@dataclass
class Subject:
    """What is being tuned: the data, how to get the model at its starting weights, and the setup.

    A built-in name, ``module:function`` or factory is built afresh (weights from ``seed``); a
    user's ``nn.Module`` is reset to the weights it had when the Subject was made, so every probe
    starts from the same place and the module ends as it was found (see ``preserved``).
    """

    data: Data
    spec: ModelSpec
    setup: TunerSetup = field(default_factory=TunerSetup)
    name: str = ""
    _initial: dict[str, Any] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.spec, nn.Module):
            self._initial = copy.deepcopy(self.spec.state_dict())
        if not self.name:
            self.name = self.spec if isinstance(self.spec, str) else type(self.spec).__name__

    @property
    def user_module(self) -> nn.Module | None:
        return self.spec if isinstance(self.spec, nn.Module) else None

    @property
    def loss(self) -> LossFn:
        return self.setup.loss_fn or loss_for(self.data.task)

    def model(self, seed: int = 0) -> nn.Module:
        """The model at its starting weights (fresh from ``seed`` unless it is the user's module)."""
        if self.user_module is not None:
            self.user_module.load_state_dict(self._initial)  # type: ignore[arg-type]
            return self.user_module
        return build_model(self.spec, self.data, width=self.setup.width, depth=self.setup.depth, seed=seed)

    def fit(self, net: nn.Module, hp: HParams, callbacks: Sequence[Callback] = (), **options: Any) -> RunResult:
        """``engine.fit`` of ``net`` on this data with the setup's loss and device: every tool trains here."""
        return fit(net, self.data, hp, callbacks=callbacks, device=self.setup.device, loss_fn=self.setup.loss_fn,
                   **options)

    def start(self) -> ModelSpec:
        """What several runs of this subject start from: the user's module at its first weights (each
        run copies them), else the model's name or factory (each run builds it from its own seed)."""
        return self.model() if self.user_module is not None else self.spec

    def train_together(self, members: Sequence[HParams],
                       callbacks: Sequence[Sequence[Callback]]) -> list[RunResult]:
        """Several runs as one population (``members.train_members``; ``callbacks[i]`` for run i) on
        this data with the setup's width, depth, loss and device: what ``fit`` is for one run."""
        return train_members(self.start(), self.data, members, callbacks=callbacks, device=self.setup.device,
                             loss_fn=self.setup.loss_fn, width=self.setup.width, depth=self.setup.depth)

    @property
    def torch_device(self) -> torch.device:
        return resolve_device(self.setup.device)


def as_subject(model: ModelSpec | Subject, data: DataSpec | None = None, *, seed: int = 0,
               setup: TunerSetup | None = None, label: str | None = None) -> Subject:
    """A Subject from any model spec (name, ``module:function``, factory, nn.Module) and data spec."""
    if isinstance(model, Subject):
        return model
    bundle = with_validation(as_data("digits" if data is None else data, seed=seed, label=label), seed)
    return Subject(bundle, model, setup or TunerSetup())


@contextlib.contextmanager
def preserved(module: nn.Module | None) -> Iterator[None]:
    """Run the block, then put back the module's weights, buffers, gradients, train/eval mode and
    device, and torch's global random state: the tool leaves the model exactly as it found it."""
    with torch.random.fork_rng(devices=[]):
        if module is None:
            yield
            return
        state = copy.deepcopy(module.state_dict())
        grads = [None if p.grad is None else p.grad.detach().clone() for p in module.parameters()]
        training = module.training
        try:
            yield
        finally:
            module.load_state_dict(state)
            for p, g in zip(module.parameters(), grads, strict=True):
                p.grad = g
            module.train(training)


class Deadline(Callback):
    """End the run (status ``budget``) once the wall clock passes ``deadline`` (time.perf_counter).

    Checked after every step under ``fit``; under a population (no step events) after every epoch.
    With ``min_epochs`` the run always finishes that many epochs first (a run cut before its
    first epoch has no validation score to report)."""

    steps_optional = True

    def __init__(self, deadline: float | None, min_epochs: int = 0) -> None:
        self.deadline, self.min_epochs = deadline, min_epochs

    def _check(self, run: Run) -> None:
        if self.deadline is not None and run.epoch >= self.min_epochs and time.perf_counter() > self.deadline:
            raise StopTraining("budget")

    def on_step_end(self, run: Run, loss: float) -> None:
        self._check(run)

    def on_epoch_end(self, run: Run) -> None:
        self._check(run)


def with_optimizer(hp: HParams, name: str) -> HParams:
    """``hp`` for optimizer ``name``: the same settings, minus options that belong to another optimizer."""
    if name == hp.optimizer:
        return hp
    return hp.replace(optimizer=name, momentum=None, alpha=None, betas=None, eps=None)


def plot_path(out: str | Path | None, name: str) -> Path | None:
    """``out/name`` with the directory created, or None when no output directory is wanted."""
    if out is None:
        return None
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return out / name


def geometric_median(values: list[float]) -> float:
    """The median taken on a log scale (learning rates and batch sizes vary by factors)."""
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else math.sqrt(ordered[middle - 1] * ordered[middle])


def log_axis(ax: Any, which: str = "x", base: int = 10) -> None:
    """A log-scaled axis with plain tick labels (1e-05, 0.01, 64): mathtext labels need a minus glyph
    that the Korean font lacks."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    (ax.set_xscale if which == "x" else ax.set_yscale)("log", base=base)
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())
