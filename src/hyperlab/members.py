"""Training several configurations of one model: as one population when they can share it, else one
by one with ``fit``. Lessons, tuners and ``train_many`` call ``train_members``; none of them decides
by itself which runs stack.

    >>> import hyperlab
    >>> data = hyperlab.load_data("wine")
    >>> runs = train_members("logistic", data, [hyperlab.HParams(lr=lr, epochs=2) for lr in (0.01, 0.1)])
    >>> [r.status for r in runs]
    ['completed', 'completed']

A population is used when there are at least two members and ``population`` is true; a member whose
callbacks need per-step events (``on_step_end``: a step probe, a Ctrl-C test) is trained with
``fit``, unless the callback says those events are optional (``steps_optional = True``, as the
progress bar does: under a population it moves once per epoch). Each member's result has ``fit``'s
form either way, and its values equal ``fit``'s to float tolerance (``fit_population``'s contract).
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from hyperlab.data import Data
from hyperlab.engine import Callback, History, RunResult, TrainingInterrupted, fit, fit_population
from hyperlab.engine.population import PopulationInterrupted
from hyperlab.engine.trainer import LossFn
from hyperlab.hparams import HParams
from hyperlab.models import ModelSpec, build_model


def needs_steps(callback: Callback) -> bool:
    """True if the callback needs ``on_step_end`` (and does not declare it optional)."""
    return type(callback).on_step_end is not Callback.on_step_end and not getattr(callback, "steps_optional", False)


class MembersInterrupted(TrainingInterrupted):
    """Ctrl-C while training several members: ``results`` holds each member's result so far, in
    order (finished, interrupted with its history to the last epoch, or None if it never started);
    ``result`` is the first of them, as for one run."""

    def __init__(self, results: Sequence[RunResult | None]) -> None:
        self.results = list(results)
        self.saved_to: Path | None = None  # where the results so far were written, if anywhere
        super().__init__(next(r for r in self.results if r is not None))


class PerMember(Callback):
    """One population callback that hands each member's events to that member's own callbacks."""

    def __init__(self, callbacks: Sequence[Sequence[Callback]]) -> None:
        self.callbacks = [list(cbs) for cbs in callbacks]

    def on_train_start(self, run) -> None:
        for cb in self.callbacks[run.member]:
            cb.on_train_start(run)

    def on_epoch_end(self, run) -> None:
        for cb in self.callbacks[run.member]:
            cb.on_epoch_end(run)

    def on_train_end(self, run) -> None:
        for cb in self.callbacks[run.member]:
            cb.on_train_end(run)


def trained_together(history: History) -> bool:
    """Whether a run trained stacked with others in a population (not alone with ``fit``: one
    member, per-step callbacks, or a population that fell back), so what a tool says about how it
    trained is what happened."""
    return (history.peak_memory.get("population_members") or 0) >= 2


def initial_model(model: ModelSpec, data: Data, seed: int, *, width: int | None = None,
                  depth: int | None = None) -> nn.Module:
    """The module ``fit`` starts a member from: built from ``seed``, or an untrained copy of a given module."""
    if isinstance(model, nn.Module):
        torch.manual_seed(seed)
        return copy.deepcopy(model)
    return build_model(model, data, width=width, depth=depth, seed=seed)


def train_members(model: ModelSpec, data: Data, hparams: Sequence[HParams], *,
                  callbacks: Sequence[Sequence[Callback]] | None = None, population: bool = True,
                  device: str | None = None, loss_fn: LossFn | None = None, eval_train: bool = False,
                  width: int | None = None, depth: int | None = None,
                  max_members: int | None = None, memory_limit: int | str | None = None,
                  stop: threading.Event | None = None) -> list[RunResult]:
    """Train one run per HParams (with ``callbacks[i]`` for member i); results in the order given.

    Members that can stack train as one ``fit_population`` call; the others (per-step callbacks,
    or ``population=False``, or a single member) one after another with ``fit``. Ctrl-C raises
    ``MembersInterrupted`` (a ``TrainingInterrupted``) with every member's result so far. ``stop``
    ends the population's members at their next step (``fit_population(stop=)``); members trained
    with ``fit`` stop through their own callbacks. ``memory_limit`` (bytes or "64MB") splits a
    cohort whose training step would not fit into chunks trained one after another."""
    hps = list(hparams)
    cbs = [list(c) for c in (callbacks or [[] for _ in hps])]
    stacked = [i for i in range(len(hps)) if population and not any(needs_steps(cb) for cb in cbs[i])]
    if len(stacked) < 2:
        stacked = []
    results: dict[int, RunResult] = {}
    if stacked:
        try:
            found = fit_population(model, data, [hps[i] for i in stacked],
                                   callbacks=[PerMember([cbs[i] for i in stacked])], device=device,
                                   loss_fn=loss_fn, eval_train=eval_train, width=width, depth=depth,
                                   max_members=max_members, memory_limit=memory_limit, stop=stop)
        except PopulationInterrupted as interrupted:
            if not any(r is not None for r in interrupted.results):
                raise
            by_member = dict(zip(stacked, interrupted.results))
            raise MembersInterrupted([by_member.get(i) for i in range(len(hps))]) from None
        results.update(zip(stacked, found, strict=True))
    for i, hp in enumerate(hps):
        if i not in results:
            net = initial_model(model, data, hp.seed, width=width, depth=depth)
            try:
                results[i] = fit(net, data, hp, callbacks=cbs[i], device=device, loss_fn=loss_fn,
                                 eval_train=eval_train)
            except TrainingInterrupted as interrupted:
                results[i] = interrupted.result
                raise MembersInterrupted([results.get(j) for j in range(len(hps))]) from None
    return [results[i] for i in range(len(hps))]


__all__ = ["MembersInterrupted", "PerMember", "trained_together", "initial_model", "needs_steps", "train_members"]
