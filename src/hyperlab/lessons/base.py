"""What every lesson shares: claims with verdicts, the lesson result, budgets and the run context.

A lesson runs configured trainings through the one trainer (``hyperlab.engine.fit``), turns the
measured numbers into :class:`Claim` objects whose verdict is computed from those numbers with
stated thresholds (:func:`verdict`), and hands back a :class:`LessonResult`::

    >>> verdict(2.4, confirm_at=1.5, contradict_at=1 / 1.5)
    'confirmed'
    >>> verdict(0.5, confirm_at=1.5, contradict_at=1 / 1.5)
    'contradicted'

Each lesson module (batch_size, learning_rate, epochs, optimizer) has the same small surface:
``settings(budget, **overrides)``, ``plan(ctx, s)`` -> RunSpecs, ``measure(ctx, s, outcomes)`` ->
numbers, ``judge(numbers)`` -> claims (pure, so a test can feed it any situation), and
``intro_values`` / ``tables`` for the report; ``lessons.runner`` drives them.
"""

from __future__ import annotations

import copy
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import torch
from torch import nn

from hyperlab.data import Data
from hyperlab.engine import Callback, RunResult, StopAfter, evaluate
from hyperlab.engine.trainer import loss_for
from hyperlab.errors import ConfigError, check_choice
from hyperlab.hparams import HParams
from hyperlab.i18n import check_lang, t
from hyperlab.lessons import texts  # noqa: F401 - registers the lesson texts
from hyperlab.members import train_members
from hyperlab.models import ModelSpec, build_model
from hyperlab.views.display import Displayable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

VERDICTS = ("confirmed", "not_observed", "contradicted")
BUDGETS = ("tiny", "quick", "full")  # "tiny" is for tests through the Python API


# ---- verdicts and claims ---------------------------------------------------------------------

def verdict(value: float | None, confirm_at: float, contradict_at: float) -> str:
    """'confirmed' / 'contradicted' / 'not_observed' for a measured ``value``.

    When ``confirm_at >= contradict_at`` a larger value supports the claim (confirmed at or above
    ``confirm_at``, contradicted at or below ``contradict_at``); otherwise a smaller value does.
    A missing or non-finite value is 'not_observed'.
    """
    if value is None or not math.isfinite(value):
        return "not_observed"
    if confirm_at >= contradict_at:
        if value >= confirm_at:
            return "confirmed"
        return "contradicted" if value <= contradict_at else "not_observed"
    if value <= confirm_at:
        return "confirmed"
    return "contradicted" if value >= contradict_at else "not_observed"


@dataclass
class Claim:
    """A textbook claim, the numbers measured for it, the rule and the verdict they give.

    Texts come from i18n keys ``<key>.claim``, ``<key>.evidence`` (or ``evidence_key``) and
    ``<key>.rule``, each formatted with the same ``values`` and ``rule`` numbers in every language.
    A value named ``items`` (a list of dicts) is drawn item by item with ``<key>.item``; a value
    named in ``labels`` is a word looked up as ``<prefix><value>`` (e.g. ``lr.kind.good``); a value
    named ``metric`` (accuracy, r2) is always translated.
    """

    key: str
    verdict: str
    values: dict[str, Any]
    rule: dict[str, Any]
    evidence_key: str | None = None
    labels: dict[str, str] = field(default_factory=dict)  # value name -> i18n prefix of its word

    def __post_init__(self) -> None:
        check_choice("verdict", self.verdict, VERDICTS)

    def text(self, part: str, lang: str) -> str:
        """'claim', 'evidence', 'rule' or 'verdict' in ``lang``."""
        if part == "verdict":
            return t(f"verdict.{self.verdict}", lang)
        if part == "rule":
            return t(f"{self.key}.rule", lang, **self.rule)
        values = {**self.rule, **self.values}
        if "metric" in values:  # accuracy -> 정확도, also inside the words below
            values["metric"] = t(values["metric"], lang)
        words = {name: t(f"{prefix}{values[name]}", lang, **values) for name, prefix in self.labels.items()}
        values.update(words)  # words such as a curve's kind, in the text's language
        if "items" in values:  # a list of per-item numbers, each drawn with <key>.item, joined by "; "
            values["items"] = "; ".join(t(f"{self.key}.item", lang, **item) for item in values["items"])
        key = self.evidence_key if part == "evidence" and self.evidence_key else f"{self.key}.{part}"
        return t(key, lang, **values)

    def finding(self, lang: str) -> dict[str, Any]:
        """The dict that ``views.report.Section.findings`` draws."""
        return {"claim": self.text("claim", lang), "verdict": self.verdict, "label": self.text("verdict", lang),
                "evidence": f"{self.text('evidence', lang)} ({t('lesson.rule', lang)}: {self.text('rule', lang)})"}

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "verdict": self.verdict, "values": self.values, "rule": self.rule,
                **{part: {lang: self.text(part, lang) for lang in ("en", "ko")}
                   for part in ("claim", "evidence", "rule")}}


def not_measured(key: str, reason: str, rule: dict[str, Any], **values: Any) -> Claim:
    """A claim that this run could not test; ``reason`` names a text ``reason.<reason>``."""
    return Claim(key, "not_observed", {"reason": reason, **values}, rule, evidence_key="lesson.not_measured",
                 labels={"reason": "reason."})


# ---- numbers -----------------------------------------------------------------------------------

def finite(values: Sequence[float | None]) -> list[float]:
    """The finite values of a sequence (None and NaN dropped)."""
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def median(values: Sequence[float | None]) -> float | None:
    """Median of the finite values, or None."""
    kept = finite(values)
    return statistics.median(kept) if kept else None


def ratio(a: float | None, b: float | None) -> float | None:
    """a / b, or None when either is missing or b is zero."""
    if a is None or b is None or b == 0:
        return None
    return a / b


def rounded(value: float | None, digits: int = 6) -> float | None:
    """A float with ``digits`` significant digits for JSON and text (None stays None)."""
    if value is None or not math.isfinite(value):
        return None
    return float(f"{value:.{digits}g}")


# ---- settings ----------------------------------------------------------------------------------

S = TypeVar("S")


def settings_for(cls: type[S], presets: dict[str, dict[str, Any]], budget: str, lesson: str,
                 overrides: dict[str, Any]) -> S:
    """The lesson's settings for a budget, with keyword overrides checked by name."""
    budget = check_choice("budget", budget, BUDGETS)
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    for key, value in overrides.items():
        if key not in names:
            raise ConfigError(key, value, f"is not a setting of lesson {lesson!r}; known: {', '.join(names)}")
    return cls(**{**presets[budget], **overrides})


def check_positive_ints(name: str, values: Sequence[Any]) -> tuple[int, ...]:
    """A non-empty tuple of positive integers, or ConfigError naming ``name``."""
    if isinstance(values, (int, str)) or not values:
        raise ConfigError(name, values, "must be a non-empty list of positive integers")
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ConfigError(name, values, "must be a non-empty list of positive integers")
        out.append(v)
    return tuple(out)


# ---- running trainings -------------------------------------------------------------------------

@dataclass(frozen=True)
class RunSpec:
    """One planned training run of a lesson."""

    key: str
    hparams: HParams
    train_size: int | None = None  # a seeded subset of the training split
    width: int | None = None
    eval_train: bool = False
    stop_at_step: int | None = None  # evaluate on validation after this many steps, then stop
    seed_offset: int = 0  # trains with the lesson's seed + this (a comparison repeated on more seeds)

    def planned_steps(self, n_train: int) -> int:
        total = self.hparams.epochs * self.hparams.steps_per_epoch(self.train_size or n_train)
        return min(total, self.stop_at_step) if self.stop_at_step else total


class Monitor:
    """Receives progress: ``begin`` once per lesson with the planned steps, callbacks for each run.

    The base class does nothing; the CLI's monitor draws one rich bar over the whole lesson.
    """

    def begin(self, title: str, total_steps: int) -> None: ...

    def callbacks(self, label: str, planned_steps: int) -> list[Callback]:
        return []

    def end(self) -> None: ...


class StepProbe(StopAfter):
    """Evaluate on the validation split after exactly ``step`` optimizer steps, then stop the run."""

    STATUS = "step_budget"

    def __init__(self, step: int) -> None:
        super().__init__(step, self.STATUS)
        self.val_loss: float | None = None
        self.val_metric: float | None = None

    def on_step_end(self, run: Any, loss: float) -> None:
        if run.step >= self.steps:
            self.val_loss, self.val_metric = evaluate(run.model, run.data.val, run.data.task,
                                                      loss_for(run.data.task), run.device)
        super().on_step_end(run, loss)


@dataclass
class RunOutcome:
    """A finished run of a lesson: its spec, the trainer's result and any probe reading."""

    spec: RunSpec
    result: RunResult
    probe: StepProbe | None = None

    @property
    def history(self):  # noqa: ANN201 - History
        return self.result.history

    def to_dict(self) -> dict[str, Any]:
        """Every number the run measured (the trainer's full history), JSON-safe."""
        out = {"key": self.spec.key, "train_size": self.spec.train_size, "width": self.spec.width,
               "eval_train": self.spec.eval_train, "stop_at_step": self.spec.stop_at_step,
               "hparams": self.result.hparams.to_dict(), "summary": self.result.summary(),
               "history": self.result.history.to_dict()}
        if self.probe is not None:
            out["probe"] = {"step": self.probe.steps, "val_loss": self.probe.val_loss,
                            "val_metric": self.probe.val_metric}
        return out


@dataclass
class LessonContext:
    """Data, model choice, seed and progress shared by the runs of one lesson."""

    data: Data
    model: ModelSpec = "mlp"
    width: int | None = None
    depth: int | None = None
    seed: int = 0
    device: str | None = None
    monitor: Monitor = field(default_factory=Monitor)
    population: bool = True  # comparisons train as populations (False: one fit after another)
    training: dict[str, Any] = field(default_factory=dict)  # precision, clip_grad_norm, compile: every run
    _subsets: dict[int, Data] = field(default_factory=dict, repr=False)

    def batch(self, size: int) -> int:
        """A lesson's batch size on this data: at most the training set (a small data set of a
        user's trains whole-set batches rather than being refused)."""
        return min(size, self.data.n_train)

    def data_for(self, train_size: int | None) -> Data:
        """The training data of a run: the full split or a seeded subset of it (cached)."""
        if train_size is None or train_size >= self.data.n_train:
            return self.data
        if train_size not in self._subsets:
            self._subsets[train_size] = self.data.subsample_train(train_size, seed=self.seed)
        return self._subsets[train_size]

    def new_model(self, data: Data, width: int | None = None) -> nn.Module:
        """A fresh model with the lesson's seed: every run of a lesson starts from the same weights.
        ``width`` is the lesson's default for this run; a width the user chose wins."""
        if isinstance(self.model, nn.Module):  # a user's module: each run gets an untrained copy
            torch.manual_seed(self.seed)
            return copy.deepcopy(self.model)
        width = self.width if self.width is not None else width
        return build_model(self.model, data, width=width, depth=self.depth, seed=self.seed)

    def untrained_loss(self) -> float | None:
        """The untrained model's mean loss over the whole training set (one evaluation): where every
        run of the lesson starts, as its first step's loss, one batch's, only estimates."""
        from hyperlab.engine.distributed import resolve_device
        from hyperlab.engine.steps import loss_for
        from hyperlab.engine.trainer import evaluate

        device = resolve_device(self.device)
        loss, _ = evaluate(self.new_model(self.data).to(device), self.data.train, self.data.task,
                           loss_for(self.data.task), device)
        return loss

    def planned_steps(self, specs: Sequence[RunSpec]) -> int:
        return sum(spec.planned_steps(self.data.n_train) for spec in specs)

    def train_all(self, specs: Sequence[RunSpec]) -> dict[str, RunOutcome]:
        """Every spec of a lesson, keyed in plan order. Specs on the same data subset, width and
        evaluation train as one population (``hyperlab.members.train_members``); a spec with a
        step probe, or whose monitor callbacks need step events, trains alone with ``fit``."""
        prepared = []
        for spec in specs:
            hp = spec.hparams.replace(seed=self.seed + spec.seed_offset, **self.training)
            callbacks = self.monitor.callbacks(spec.key, spec.planned_steps(self.data.n_train))
            probe = StepProbe(spec.stop_at_step) if spec.stop_at_step else None
            prepared.append((spec, hp, callbacks + ([probe] if probe else []), probe))
        groups: dict[tuple[Any, ...], list[int]] = {}
        for i, (spec, _, _, _) in enumerate(prepared):  # without populations: one group per spec, in order
            key = (spec.train_size, spec.width, spec.eval_train) if self.population else (i,)
            groups.setdefault(key, []).append(i)
        outcomes: dict[int, RunOutcome] = {}
        for members in groups.values():
            spec = prepared[members[0]][0]
            data = self.data_for(spec.train_size)
            width = self.width if self.width is not None else spec.width
            results = train_members(self.model, data, [prepared[i][1] for i in members],
                                    callbacks=[prepared[i][2] for i in members], population=self.population,
                                    device=self.device, eval_train=spec.eval_train, width=width, depth=self.depth)
            for i, result in zip(members, results, strict=True):
                spec, hp, _, probe = prepared[i]
                outcomes[i] = RunOutcome(replace(spec, hparams=hp), result, probe)
        return {prepared[i][0].key: outcomes[i] for i in range(len(prepared))}

    def describe(self) -> dict[str, Any]:
        model = self.model if isinstance(self.model, str) else type(self.model).__name__
        return {**self.data.describe(), "dataset": self.data.name, "model": model, "width": self.width,
                "depth": self.depth, "seed": self.seed, **self.training}


# ---- the result ----------------------------------------------------------------------------

@dataclass(repr=False)
class LessonResult(Displayable):
    """What a lesson measured and concluded, plus the files it wrote (in a notebook: its report)."""

    name: str
    budget: str
    setup: dict[str, Any]
    settings: dict[str, Any]
    measurements: dict[str, Any]
    claims: list[Claim]
    runs: list[RunOutcome] = field(default_factory=list)
    plots: dict[str, Path] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0

    def verdicts(self) -> dict[str, str]:
        """{claim key: verdict}."""
        return {c.key: c.verdict for c in self.claims}

    def claim(self, key: str) -> Claim:
        return next(c for c in self.claims if c.key == key)

    def to_dict(self) -> dict[str, Any]:
        return {"lesson": self.name, "budget": self.budget, "setup": self.setup, "settings": self.settings,
                "measurements": self.measurements, "claims": [c.to_dict() for c in self.claims],
                "runs": [r.to_dict() for r in self.runs],
                "plots": {k: p.name for k, p in self.plots.items()},
                "files": {k: p.name for k, p in self.files.items()}, "seconds": round(self.seconds, 3)}

    def __repr__(self) -> str:
        verdicts = ", ".join(f"{k}: {v}" for k, v in self.verdicts().items())
        return f"LessonResult({self.name}, {self.budget}, {len(self.runs)} runs; {verdicts})"

    def plot(self, which: str | None = None, lang: str | None = None) -> Figure:
        """One of the lesson's figures as a matplotlib Figure, drawn from what it measured (the
        report's PNGs are these figures). ``which``: None for the main figure, or a name:
        batch-size: loss, measures, validation; learning-rate: curves, summary; epochs: curves;
        optimizer: curves, surfaces, values. ``lang``: default the result's own."""
        from hyperlab.views.lesson_plots import lesson_figure

        return lesson_figure(self, which, check_lang(lang or self.lang))

    def display_sections(self, lang: str) -> tuple[str, list[Any], str]:
        from hyperlab.lessons.report import lesson_display

        return lesson_display(self, lang)
