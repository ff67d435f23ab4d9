"""Choosing the learning rate from real runs: a population of log-spaced constant rates, each
trained for the run's planned epochs, the best chosen on validation loss.

The range test (``lr_find``) reads the training loss of one run whose rate grows every step; this
trains every candidate rate as its own run (all of them at once, as one population), so the choice
is measured where it matters: on held-out data, after real training at that rate. Two measured
choices (``bench/lr_choice.py``): the horizon is the planned run's, because the best constant rate
depends on how long you train (100 steps favour fast rates that 20 epochs punish); and each rate is
judged by the worst of its own loss and its neighbours' a quarter decade either side, so a lucky
rate in a noisy valley, or one at the edge of a cliff where the loss rises steeply or the run
diverges, is not chosen over the safe middle of the good range. To save about
40% of the compute, the sweep narrows after a fifth of the run: only the rates from 1.5 decades below to 0.75
above the best so far train on (long runs favour lower rates than short ones).

    >>> result = lr_sweep("logistic", "wine", {"optimizer": "sgd", "batch_size": 16}, steps=20)
    >>> result.suggested_lr in result.lrs
    True
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyperlab.api import DataSpec, as_hparams
from hyperlab.engine import Callback, History, Run, RunResult, StopTraining, TrainingInterrupted, fit
from hyperlab.engine.callbacks import AsMember
from hyperlab.engine.checkpoint import checkpoint_state
from hyperlab.errors import ConfigError, HyperlabError, check_out_dir
from hyperlab.hparams import HParams, samples_seen
from hyperlab.i18n import steps_arithmetic, t
from hyperlab.members import MembersInterrupted, initial_model, trained_together
from hyperlab.models import ModelSpec
from hyperlab.tuners import texts  # noqa: F401 - registers the tuner texts
from hyperlab.tuners.common import (
    Deadline,
    Subject,
    TunerSetup,
    as_subject,
    check_float,
    check_int,
    log_axis,
    plot_path,
    preserved,
)
from hyperlab.tuners.display import TunerDisplay
from hyperlab.tuners.lr_find import DEFAULT_STEPS

if TYPE_CHECKING:
    from matplotlib.figure import Figure, SubFigure

DEFAULT_MIN_LR = 1e-5
DEFAULT_MAX_LR = 10.0
DEFAULT_PER_DECADE = 4  # a quarter decade between rates: 25 rates over 1e-5 .. 10
MAX_RATES = 64
SMOOTH_DECADES = 0.25  # a rate is judged with its neighbours this far either side (log10 lr)
NARROW_AFTER = 0.2  # the share of the run after which only the rates near the best so far go on
WINDOW = (1.5, 0.75)  # decades below and above the best so far that go on
MIN_NARROW_EPOCHS = 5  # shorter runs train every rate the whole way (narrowing would save little)
DEFAULT_SEEDS = 4  # seeds of the rates that are confirmed (the choice and its quarter-decade neighbours)
MAX_SEEDS = 16
CONFIRM_ROUNDS = 3  # the means may move the choice beside the confirmed rates: confirm its neighbours too

# a sweep whose best validation loss is no more than this fraction below the untrained model's says so:
# on a 12-row CSV of random labels the best rate was 1.4% below, on ten real sets 54-100%
NO_GAIN = 0.05


@dataclass(repr=False)
class LRSweepResult(TunerDisplay):
    """Each rate's short run, the rate chosen and what the sweep cost (epochs, steps, samples)."""

    lrs: list[float]
    scores: list[float | None]  # final validation loss per rate (None: diverged or no score)
    judged: list[float | None]  # the worst score of each rate and its neighbours (None: one of them has none)
    histories: list[History]
    narrowed_at: int | None  # the epoch after which only ``kept`` trained on (None: every rate trained to the end)
    kept: list[int]  # indices of the rates that trained to the end (and were judged)
    rung_scores: list[float | None]  # each rate's loss at ``narrowed_at`` ([] when not narrowed)
    suggested_lr: float
    best_index: int
    epochs: int  # epochs each rate trained
    steps: int  # planned steps per rate (epochs x steps per epoch)
    steps_per_epoch: int
    n_train: int
    criterion: str  # "val_loss" or "train_loss" (data without a validation split)
    hparams: HParams
    seeds: int = 1  # seeds each confirmed rate was judged on (1: every rate on one seed)
    confirmed: dict[int, list[float | None]] = field(default_factory=dict)  # rate index -> its loss per seed
    confirm_histories: list[History] = field(default_factory=list)  # the confirming runs (extra seeds)
    first_lr: float | None = None  # the rate chosen on one seed, before the confirmation
    untrained_loss: float | None = None  # the starting model's validation loss, before any step
    plot: Path | None = None
    explanation: list[str] = field(default_factory=list)
    lang: str = "en"  # the language of its notebook display

    @property
    def steps_run(self) -> int:
        return sum(h.steps_done for h in (*self.histories, *self.confirm_histories))

    @property
    def samples(self) -> int:
        return sum(samples_seen(h.n_train, h.effective_batch, h.steps_done)
                   for h in (*self.histories, *self.confirm_histories))

    @property
    def epochs_run(self) -> float:
        """Passes over the training set, all rates together."""
        return self.samples / self.n_train

    @property
    def together(self) -> bool:
        """Whether the rates trained stacked as one population (else one after another)."""
        return all(trained_together(h) for h in (*self.histories, *self.confirm_histories))

    @property
    def recommended_rule(self) -> str:
        return "sweep"

    @property
    def suggestions(self) -> dict[str, float | None]:
        """Shaped like the range test's: the one "rule" here is the sweep itself."""
        return {"sweep": self.suggested_lr}

    @property
    def at_edge(self) -> bool:
        return self.best_index in (0, len(self.lrs) - 1)

    @property
    def no_gain(self) -> bool:
        """Whether no rate ended more than ``NO_GAIN`` below the untrained model's validation loss:
        training barely helped, so which rate "won" says little."""
        finite = [s for s in self.scores if s is not None]
        return (self.untrained_loss is not None and bool(finite)
                and min(finite) >= (1 - NO_GAIN) * self.untrained_loss)

    def to_dict(self) -> dict[str, Any]:
        return {"method": "sweep", "suggested_lr": self.suggested_lr, "lrs": self.lrs, "scores": self.scores,
                "judged": self.judged, "narrowed_at": self.narrowed_at, "kept": self.kept, "seeds": self.seeds,
                "confirmed": {str(self.lrs[i]): losses for i, losses in self.confirmed.items()},
                "rung_scores": self.rung_scores, "criterion": self.criterion, "statuses": [h.status for h in self.histories],
                "epochs": self.epochs, "steps": self.steps, "steps_per_epoch": self.steps_per_epoch,
                "n_train": self.n_train, "steps_run": self.steps_run, "samples": self.samples,
                "epochs_run": self.epochs_run, "at_edge": self.at_edge, "untrained_loss": self.untrained_loss,
                "no_gain": self.no_gain, "optimizer": self.hparams.optimizer,
                "batch_size": self.hparams.batch_size, "plot": str(self.plot) if self.plot else None,
                "explanation": self.explanation}


def sweep_rates(min_lr: float, max_lr: float, per_decade: int) -> list[float]:
    """Log-spaced rates from ``min_lr`` to ``max_lr`` (both included), ``per_decade`` per decade."""
    count = max(1, round(math.log10(max_lr / min_lr) * per_decade))
    return [min_lr * (max_lr / min_lr) ** (k / count) for k in range(count + 1)]


def sweep_plan(hp: HParams, n_train: int, min_lr: float = DEFAULT_MIN_LR, max_lr: float = DEFAULT_MAX_LR,
               per_decade: int = DEFAULT_PER_DECADE, steps: int | None = None) -> tuple[list[float], int]:
    """The rates a sweep trains and the epochs each trains (at most: narrowing stops some sooner),
    every argument checked."""
    min_lr = check_float("min_lr", min_lr)
    max_lr = check_float("max_lr", max_lr)
    if max_lr <= min_lr:
        raise ConfigError("max_lr", max_lr, f"must be greater than min_lr ({min_lr:g})")
    per_decade = check_int("per_decade", per_decade, 1, 10)
    if steps is not None:
        steps = check_int("steps", steps, 1, 100_000)
    hp.check_data_size(n_train)
    lrs = sweep_rates(min_lr, max_lr, per_decade)
    if len(lrs) > MAX_RATES:
        raise ConfigError("per_decade", per_decade, f"makes {len(lrs)} rates between {min_lr:g} and {max_lr:g}; "
                          f"at most {MAX_RATES}")
    return lrs, hp.epochs if steps is None else math.ceil(steps / hp.steps_per_epoch(n_train))


def constant_run(hp: HParams, epochs: int) -> HParams:
    """The settings every rate of a sweep trains with: ``epochs`` at a constant rate, no early stop."""
    return hp.replace(epochs=epochs, schedule="constant", warmup_steps=0, early_stopping=False)


def lr_sweep(model: ModelSpec | Subject = "mlp", data: DataSpec | None = "digits",
             hparams: HParams | dict[str, Any] | None = None, *, min_lr: float = DEFAULT_MIN_LR,
             max_lr: float = DEFAULT_MAX_LR, per_decade: int = DEFAULT_PER_DECADE, steps: int | None = None,
             narrow: bool = True, seeds: int = DEFAULT_SEEDS, out: str | Path | None = None,
             plot_name: str = "lr_sweep.png", lang: str = "en", setup: TunerSetup | None = None,
             deadline: float | None = None, callbacks: Sequence[Callback] = ()) -> LRSweepResult:
    """Train each log-spaced constant rate for the planned run (``hparams.epochs`` epochs; ``steps``
    cuts it to at least that many steps, rounded up to whole epochs) as one population; suggest the
    rate whose final validation loss, counting its neighbours' (the worst of them, ``judge``), is lowest. A
    diverged rate never wins. With ``narrow`` (runs of 5 epochs or more) only the rates near the best
    after a fifth of the run train on (``Narrowing``). With ``seeds`` > 1 the rate chosen and its
    neighbours are then trained on ``seeds - 1`` more seeds and judged again by their mean loss
    (``confirm``). Example: ``lr_sweep("mlp", "digits", {"optimizer": "adam"}).suggested_lr``."""
    hp = as_hparams(hparams)
    check_out_dir("out", out)
    subject = as_subject(model, data, seed=hp.seed, setup=setup)
    n = subject.data.n_train
    lrs, epochs = sweep_plan(hp, n, min_lr, max_lr, per_decade, steps)
    seeds = check_int("seeds", seeds, 1, MAX_SEEDS)
    spe = hp.steps_per_epoch(n)
    base = constant_run(hp, epochs)
    members = [base.replace(lr=lr) for lr in lrs]
    criterion = "val_loss" if subject.data.val is not None else "train_loss"
    narrowing = Narrowing(lrs, epochs, criterion) if narrow and epochs >= MIN_NARROW_EPOCHS else None
    module = subject.user_module
    with preserved(module):
        untrained = untrained_loss(subject, hp.seed) if criterion == "val_loss" else None
        per_member = [[Deadline(deadline), *callbacks, *([narrowing.member(i)] if narrowing else [])]
                      for i in range(len(members))]
        results = subject.train_together(members, per_member)
        if narrowing is not None and narrowing.paused:
            resume_paused(narrowing, results, subject, members, per_member)
    histories = [r.history for r in results]
    kept = narrowing.kept if narrowing is not None and narrowing.kept is not None else list(range(len(lrs)))
    scores: list[float | None] = [None] * len(lrs)
    for i, score in zip(kept, scores_at_common_epoch([histories[i] for i in kept], criterion)):
        scores[i] = score
    if all(s is None for s in scores):
        raise HyperlabError(f"no learning rate between {min_lr:g} and {max_lr:g} finished its {epochs} "
                            f"{'epoch' if epochs == 1 else 'epochs'} with a finite loss; try a lower --min-lr")
    best, judged = choose(lrs, scores)  # a rate stopped by the narrowing counts as unknown: a window edge cannot win
    narrowed = narrowing is not None and narrowing.kept is not None
    result = LRSweepResult(lrs=lrs, scores=scores, judged=judged, histories=histories,
                           narrowed_at=narrowing.rung if narrowed else None, kept=kept,  # type: ignore[union-attr]
                           rung_scores=narrowing.rung_scores() if narrowed else [],  # type: ignore[union-attr]
                           suggested_lr=lrs[best], best_index=best, epochs=epochs, steps=epochs * spe,
                           steps_per_epoch=spe, n_train=n, criterion=criterion, hparams=hp, first_lr=lrs[best],
                           untrained_loss=untrained)
    if seeds > 1:
        confirm_sweep(result, subject, seeds, deadline=deadline, callbacks=callbacks)  # explained below
    result.explanation = explain(result, lang)
    result.lang = lang
    path = plot_path(out, plot_name)
    if path is not None:
        result.plot = plot_lr_sweep(result, path, lang=lang)
    return result


def untrained_loss(subject: Subject, seed: int) -> float | None:
    """The validation loss of the model every rate starts from, before any step: what training has to
    beat for a rate's loss to mean anything."""
    from hyperlab.engine.trainer import evaluate

    device = subject.torch_device
    return evaluate(subject.model(seed).to(device), subject.data.val, subject.data.task, subject.loss, device)[0]


def confirm_sweep(result: LRSweepResult, model: ModelSpec | Subject, seeds: int = DEFAULT_SEEDS, *,
                  data: DataSpec | None = None, setup: TunerSetup | None = None, deadline: float | None = None,
                  callbacks: Sequence[Callback] = (), lang: str | None = None) -> LRSweepResult:
    """Confirm a one-seed sweep's choice in place: the rate chosen and its neighbours train on
    ``seeds - 1`` more seeds and are judged again by their mean loss; when that moves the choice,
    its new neighbours are confirmed too (at most ``CONFIRM_ROUNDS`` times). Its explanation and
    plot (if drawn) are redone. Nothing changes when the sweep was cut by a time budget (its losses
    are from earlier epochs) or when the budget cuts the confirmation. ``lr_sweep(seeds=...)`` ends
    with this; ``advise`` calls it on the winning optimizer's sweep alone."""
    seeds = check_int("seeds", seeds, 1, MAX_SEEDS)
    if seeds <= result.seeds or any(h.status == "budget" for h in result.histories):
        return result
    hp = result.hparams
    subject = as_subject(model, data, seed=hp.seed, setup=setup)
    base = constant_run(hp, result.epochs)
    lrs, scores = result.lrs, list(result.scores)
    best = result.best_index
    module = subject.user_module
    for _ in range(CONFIRM_ROUNDS):  # until the choice and its neighbours all stand on every seed
        todo = [i for i in neighbours(lrs, best) if scores[i] is not None and i not in result.confirmed]
        if not todo:
            break
        with preserved(module):
            more, runs = confirm(lrs, scores, todo, base, seeds, subject, result.criterion, deadline, callbacks)
        result.confirm_histories += runs
        if not more:  # cut by the time budget: the choice stays what the losses so far say
            break
        result.confirmed.update(more)
        for i, losses in more.items():
            scores[i] = None if any(v is None for v in losses) else sum(losses) / len(losses)  # type: ignore[misc]
        best, result.judged = choose(lrs, scores)
    if result.confirmed:
        result.seeds, result.scores = seeds, scores
        result.best_index, result.suggested_lr = best, lrs[best]
    if lang is not None or result.explanation:
        result.explanation = explain(result, lang or result.lang)
    if result.plot is not None:
        plot_lr_sweep(result, result.plot, lang=lang or result.lang)
    return result


def confirm(lrs: Sequence[float], scores: Sequence[float | None], near: Sequence[int], base: HParams, seeds: int,
            subject: Subject, criterion: str, deadline: float | None,
            callbacks: Sequence[Callback]) -> tuple[dict[int, list[float | None]], list[History]]:
    """Train the rates ``near`` (the chosen one and its quarter-decade neighbours) on ``seeds - 1``
    more seeds (one population); return each one's final loss per seed, the sweep's own first
    (None: diverged), and the new runs. Nothing is confirmed ({}) when the time budget cut a new
    run short. One seed's losses are noisy from rate to rate (``bench/lr_choice.py``), and training
    every rate on more seeds would cost several times the sweep."""
    members = [base.replace(lr=lrs[i], seed=base.seed + k) for i in near for k in range(1, seeds)]
    for cb in callbacks:  # a progress bar sized for the sweep grows by this work
        add_work = getattr(cb, "add_work", None)
        if add_work is not None:
            add_work(len(members) * base.epochs * base.steps_per_epoch(subject.data.n_train))
    results = subject.train_together(members, [[Deadline(deadline), *callbacks] for _ in members])
    histories = [r.history for r in results]
    if any(h.status not in ("completed", "diverged") for h in histories):
        return {}, histories
    extra = [None if h.status == "diverged" else getattr(h.epochs[-1], criterion) for h in histories]
    per_rate = seeds - 1
    return ({i: [scores[i], *extra[j * per_rate:(j + 1) * per_rate]] for j, i in enumerate(near)}, histories)


def choose(lrs: Sequence[float], scores: Sequence[float | None]) -> tuple[int, list[float | None]]:
    """The index of the rate judged best (``judge``) and every rate's judged score; when every
    scored rate stands beside one without a score, the lowest score alone decides."""
    judged = judge(lrs, scores)
    ranked = judged if any(j is not None for j in judged) else scores
    return min((i for i, v in enumerate(ranked) if v is not None), key=lambda i: ranked[i]), judged  # type: ignore[arg-type, return-value]


class Narrowing:
    """After ``rung`` epochs (a fifth of the run), decide which rates train on: those from
    ``WINDOW[0]`` decades below to ``WINDOW[1]`` above the best so far (judged with its neighbours);
    the others stop (status "pruned"). Each member reports its loss at the rung through its own
    callback (``member(i)``); members report one at a time, so the decision is made when the last
    has reported and the others stop one epoch later. A member trained alone (the rates train one
    after another: settings or a module that cannot stack) pauses at the rung instead, its state
    kept in ``paused``, until every rate has reported (``resume_paused``). Measured in
    ``bench/lr_choice.py``: about the same choices as training every rate the whole way, for about
    60% of its compute."""

    def __init__(self, lrs: Sequence[float], epochs: int, criterion: str) -> None:
        self.lrs, self.criterion = list(lrs), criterion
        self.rung = max(1, math.ceil(NARROW_AFTER * epochs))
        self.at_rung: dict[int, float | None] = {}
        self.kept: list[int] | None = None
        self.paused: dict[int, dict[str, Any]] = {}  # checkpoint state of members paused at the rung

    def member(self, index: int) -> Callback:
        return _NarrowingMember(self, index)

    @property
    def decided(self) -> bool:
        return len(self.at_rung) == len(self.lrs)

    def report(self, index: int, value: float | None) -> None:
        self.at_rung.setdefault(index, value)
        if self.kept is None and self.decided:
            self.kept = self.window()

    def rung_scores(self) -> list[float | None]:
        return [self.at_rung.get(i) for i in range(len(self.lrs))]

    def window(self) -> list[int] | None:
        """The rates that go on; None (no narrowing) when no rate has a score at the rung."""
        scores = self.rung_scores()
        if all(s is None for s in scores):
            return None
        best = self.lrs[choose(self.lrs, scores)[0]]
        below, above = WINDOW
        return [i for i, lr in enumerate(self.lrs)
                if -below - 1e-9 <= math.log10(lr / best) <= above + 1e-9 and scores[i] is not None]


class _NarrowingMember(Callback):
    """One rate's side of ``Narrowing``: report at the rung, stop once left out of the window; a
    run trained alone waits at the rung (status "paused") while the decision needs other rates."""

    def __init__(self, narrowing: Narrowing, index: int) -> None:
        self.narrowing, self.index = narrowing, index

    def _stop_if_left_out(self) -> None:
        kept = self.narrowing.kept
        if kept is not None and self.index not in kept:
            raise StopTraining("pruned")

    def on_train_start(self, run: Any) -> None:
        self._stop_if_left_out()  # resumed after the decision, left out: it ends where it paused

    def on_epoch_end(self, run: Any) -> None:
        if run.epoch == self.narrowing.rung:
            self.narrowing.report(self.index, getattr(run.history.epochs[-1], self.narrowing.criterion))
            if not self.narrowing.decided and isinstance(run, Run):  # alone, not a population's member
                self.narrowing.paused[self.index] = copy.deepcopy(checkpoint_state(run))
                raise StopTraining("paused")
        self._stop_if_left_out()

    def on_train_end(self, run: Any) -> None:
        self.narrowing.report(self.index, None)  # diverged or cut before the rung: no score there


def resume_paused(narrowing: Narrowing, results: list[RunResult], subject: Subject,
                  members: Sequence[HParams], callbacks: Sequence[Sequence[Callback]]) -> None:
    """Go on with the members that paused at the rung, each from exactly where it stopped (``fit``
    with ``resume_from``): those kept train to the end, the others end at once as pruned. Under the
    one-after-another fallback this is what lets narrowing save compute (each rate would otherwise
    train to the end before the next started)."""
    setup, start = subject.setup, subject.start()
    for i, state in sorted(narrowing.paused.items()):
        net = initial_model(start, subject.data, members[i].seed, width=setup.width, depth=setup.depth)
        try:
            results[i] = fit(net, subject.data, members[i], callbacks=[AsMember(i, cb) for cb in callbacks[i]],
                             device=setup.device, loss_fn=setup.loss_fn,
                             resume_from={**state, "callbacks": []})  # the callbacks are the same live objects
        except TrainingInterrupted as interrupted:
            results[i] = interrupted.result
            raise MembersInterrupted(results) from None


def neighbours(lrs: Sequence[float], index: int, decades: float = SMOOTH_DECADES) -> list[int]:
    """The indices of the rates within ``decades`` (log10) of rate ``index``, itself included."""
    return [j for j, other in enumerate(lrs) if abs(math.log10(other / lrs[index])) <= decades + 1e-9]


def judge(lrs: Sequence[float], scores: Sequence[float | None],
          decades: float = SMOOTH_DECADES) -> list[float | None]:
    """Each rate's score as the worst of its own and those of the rates within ``decades`` of it
    (log10): one seed's losses are noisy from rate to rate, and near the edge of the good range
    (where the loss rises steeply, or runs diverge) a rate that did well on one seed often does
    badly on the next. The worst rather than the mean of the three measured better on every
    horizon of ``bench/lr_choice.py`` (fewer choices > 1.25x the best loss, and nearer the best
    rate). None where the rate or a neighbour has no score (diverged), so a rate beside one that
    diverges is not chosen while another is left."""
    out: list[float | None] = []
    for i in range(len(lrs)):
        near = [scores[j] for j in neighbours(lrs, i, decades)]
        out.append(None if any(s is None for s in near) else max(near))  # type: ignore[type-var]
    return out


def scores_at_common_epoch(histories: list[History], criterion: str) -> list[float | None]:
    """Each run's loss at the last epoch every surviving run reached (a time budget can stop runs a
    different number of epochs in): a diverged run, or one without that epoch, scores None."""
    alive = [h for h in histories if h.status != "diverged" and h.epochs]
    if not alive:
        return [None] * len(histories)
    epoch = min(len(h.epochs) for h in alive)
    return [getattr(h.epochs[epoch - 1], criterion) if h in alive else None for h in histories]


def range_test_cost(n_train: int, batch_size: int, steps: int = DEFAULT_STEPS) -> tuple[int, float, int]:
    """What a default range test costs on this data: (steps, passes, samples)."""
    samples = samples_seen(n_train, batch_size, steps)
    return steps, samples / n_train, samples


def explain(result: LRSweepResult, lang: str = "en") -> list[str]:
    """Sentences from the measured runs: what was trained, what it cost, what won and why."""
    hp = result.hparams
    arithmetic = steps_arithmetic(result.n_train, hp.batch_size, result.steps_per_epoch, lang,
                                  accumulate=hp.accumulate)
    how = t("lrs.together" if result.together else "lrs.one_by_one", lang)
    lines = [t("lrs.ran", lang, k=len(result.lrs), lo=result.lrs[0], hi=result.lrs[-1], epochs=result.epochs,
               steps=result.steps, optimizer=hp.optimizer, arithmetic=arithmetic, how=how)]
    diverged = [lr for lr, h in zip(result.lrs, result.histories) if h.status == "diverged"]
    if diverged:
        lines.append(t("lrs.diverged", lang, count=len(diverged), lowest=min(diverged)))
    if result.narrowed_at is not None:
        kept = [result.lrs[i] for i in result.kept]
        lines.append(t("lrs.narrowed", lang, rung=result.narrowed_at, epochs=result.epochs, k=len(kept),
                       lo=min(kept), hi=max(kept), below=WINDOW[0], above=WINDOW[1],
                       stopped=sum(h.status == "pruned" for h in result.histories)))
    if result.confirmed:
        confirmed = sorted(result.lrs[i] for i in result.confirmed)
        lines.append(t("lrs.confirmed", lang, first=result.first_lr, lrs=", ".join(f"{lr:.3g}" for lr in confirmed),
                       more=result.seeds - 1, seeds=result.seeds)
                     + (" " + t("lrs.moved", lang, first=result.first_lr, lr=result.suggested_lr)
                        if result.first_lr != result.suggested_lr else ""))
    steps, passes, samples = range_test_cost(result.n_train, hp.effective_batch())
    lines.append(t("lrs.cost", lang, steps=result.steps_run, epochs=result.epochs_run, samples=result.samples,
                   r_steps=steps, r_passes=passes, r_samples=samples))
    judged = result.judged[result.best_index]
    if judged is None or neighbours(result.lrs, result.best_index) == [result.best_index]:  # no neighbour near
        lines.append(t(f"lrs.verdict.{result.criterion}", lang, lr=result.suggested_lr,
                       loss=result.scores[result.best_index]))
    else:
        lowest = min(range(len(result.lrs)), key=lambda i: math.inf if result.scores[i] is None else result.scores[i])
        lines.append(t("lrs.verdict.judged", lang, lr=result.suggested_lr, judged=judged,
                       loss=result.scores[result.best_index], what=t(f"lrs.{result.criterion}", lang)))
        if lowest != result.best_index:
            lines.append(_why_not_lowest(result, lowest, lang))
    if result.at_edge:
        lines.append(t("lrs.edge", lang, lr=result.suggested_lr))
    if result.no_gain:
        lines.append(no_gain_line(result, lang))
    return lines



def _why_not_lowest(result: LRSweepResult, lowest: int, lang: str) -> str:
    """Why the rate with the single lowest loss was not chosen: a neighbour that diverged, one the
    narrowing stopped (what lies beyond the window's edge is unknown) or one that did worse."""
    lr, loss = result.lrs[lowest], result.scores[lowest]
    beside = [j for j in neighbours(result.lrs, lowest) if j != lowest and result.scores[j] is None]
    for status, key in (("diverged", "lrs.not_lowest_diverged"), ("pruned", "lrs.not_lowest_edge")):
        hit = [j for j in beside if result.histories[j].status == status]
        if hit:
            return t(key, lang, lr=lr, loss=loss, other=result.lrs[hit[0]], rung=result.narrowed_at)
    return t("lrs.not_lowest", lang, lr=lr, loss=loss)

def no_gain_line(result: LRSweepResult, lang: str) -> str:
    """What a sweep in which no rate beat the untrained model means (``LRSweepResult.no_gain``)."""
    best = min(s for s in result.scores if s is not None)
    return t("lrs.no_gain", lang, margin=NO_GAIN, loss=result.untrained_loss, best=best, epochs=result.epochs)


def plot_lr_sweep(result: LRSweepResult, path: Path, *, lang: str = "en") -> Path:
    """The sweep's plot saved as PNG at ``path``."""
    from hyperlab.views.plots import save

    return save(lr_sweep_figure(result, lang=lang), path)


def lr_sweep_figure(result: LRSweepResult, *, lang: str = "en", into: SubFigure | None = None) -> Figure:
    """Final loss against learning rate (log axis), the chosen rate marked; diverged rates as x."""
    from hyperlab.views.plots import subplots, use_font

    use_font(lang)
    fig, ax = subplots(figsize=(7.5, 4.2), into=into)
    ok = [(lr, s) for lr, s in zip(result.lrs, result.scores) if s is not None]
    ax.plot([lr for lr, _ in ok], [s for _, s in ok], "o-", color="C0", label=t(f"lrs.{result.criterion}", lang))
    judged = [(lr, j) for lr, j in zip(result.lrs, result.judged) if j is not None]
    if judged and judged != ok:
        ax.plot([lr for lr, _ in judged], [j for _, j in judged], "-", color="C1", lw=2, alpha=0.8,
                label=t("lrs.judged", lang))
    top = max(s for _, s in ok)
    stopped = [(lr, v) for i, (lr, v) in enumerate(zip(result.lrs, result.rung_scores))
               if v is not None and i not in result.kept]
    if stopped:
        ax.plot([lr for lr, _ in stopped], [v for _, v in stopped], "o", color="0.6", markersize=5,
                label=t("lrs.stopped_at", lang, rung=result.narrowed_at))
    failed = [lr for lr, h in zip(result.lrs, result.histories) if h.status == "diverged"]
    if failed:
        ax.plot(failed, [top] * len(failed), "x", color="red", markersize=9, label=t("diverged", lang))
    ax.axvline(result.suggested_lr, color="C3", lw=2.2, label=f"{t('lrf.recommended', lang)}: {result.suggested_lr:.2g}")
    log_axis(ax)
    ax.set_xlabel(t("lr", lang))
    ax.set_ylabel(t(f"lrs.{result.criterion}", lang))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"{t('lsw.title', lang)}: {result.hparams.optimizer}, {t('batch_size', lang)} "
                 f"{result.hparams.batch_size}, {result.epochs} {t('epochs', lang)}")
    return fig
