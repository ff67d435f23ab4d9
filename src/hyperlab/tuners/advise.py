"""``advise``: the four values for a user's model and data, in order, within a time budget.

1. batch size: throughput and memory probes plus the gradient noise scale (``batch_find``);
2. learning rate: a short sweep of constant rates at that batch size, trained as one population and
   chosen on validation loss (``lr_sweep``; ``lr_method="range"``: the LR range test, ``lr_find``);
3. optimizer: a short run of each candidate at its own learning rate, found the same way, the
   candidates trained together as one population (``optimizer_check``);
4. epochs: early stopping on the validation split, judged by the tuning playbook (``epoch_find``).

Each stage gets a share of the time left (leftovers roll forward); every training run goes through
``hyperlab.engine.fit``. The result is a table of the four values, each with its evidence and a
plot, one HTML report, and an account of the compute spent (steps and samples).

    >>> advice = advise("logistic", "wine", budget_seconds=30, optimizers=["sgd", "adam"], max_epochs=4)
    >>> sorted(advice.values)
    ['batch_size', 'epochs', 'lr', 'optimizer']
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyperlab.api import DataSpec, as_hparams
from hyperlab.engine import Callback, StopAfter
from hyperlab.errors import ConfigError, check_choice, check_out_dir
from hyperlab.hparams import HParams, optimizer_name, samples_seen
from hyperlab.i18n import check_lang, t
from hyperlab.models import ModelSpec
from hyperlab.records import write_json
from hyperlab.tuners import texts  # noqa: F401 - registers the tuner texts
from hyperlab.tuners.batch_find import BatchFindResult, StepTimer, batch_find
from hyperlab.tuners.common import (Subject, TunerSetup, as_subject, check_float, check_int, plot_path, preserved,
                                   with_optimizer)
from hyperlab.tuners.epochs import EpochAdvice, epoch_find
from hyperlab.tuners.lr_find import DEFAULT_STEPS, LRFindResult, lr_find
from hyperlab.tuners.lr_scaling import LRScaling, scale_lr
from hyperlab.tuners.lr_sweep import LRSweepResult, confirm_sweep, lr_sweep, no_gain_line, plot_lr_sweep
from hyperlab.tuners.optimizer_check import DEFAULT_OPTIMIZERS, LR_METHODS, OptimizerCheckResult, optimizer_check
from hyperlab.views.display import Displayable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STAGES = ("batch_size", "lr", "optimizer", "epochs")
RECHECK_MARGIN = 1.5  # the re-check runs when the budget left is this many times what it should take
RECHECK_WINDOW = (1.5, 1.0)  # decades below and above the first choice that the re-check sweeps
SHARES = {"batch_size": 0.15, "lr": 0.10, "optimizer": 0.35, "epochs": 0.40}
TIMING_STEPS = 4
PROBE_STEPS = 4
MIN_BUDGET = 1.0  # seconds: below this the fixed costs (setting up runs, plots) leave nothing to measure


# below this many validation rows the advice says its stages' choices rest on few samples
FEW_VALIDATION_ROWS = 30


@dataclass
class Compute:
    """Work done by one stage: wall seconds, steps (optimizer steps and gradient evaluations), samples."""

    seconds: float = 0.0
    steps: int = 0
    samples: int = 0

    def add(self, other: Compute) -> Compute:
        return Compute(self.seconds + other.seconds, self.steps + other.steps, self.samples + other.samples)


@dataclass(repr=False)
class Advice(Displayable):
    """The four recommended values, the evidence behind each, and what it cost."""

    values: dict[str, Any]
    evidence: dict[str, str]
    plots: dict[str, Path | None]
    batch: BatchFindResult
    lr: LRFindResult | LRSweepResult
    optimizers: OptimizerCheckResult
    epochs: EpochAdvice
    scaling: list[LRScaling]
    compute: dict[str, Compute]
    budget_seconds: float
    hparams: HParams
    notes: list[str] = field(default_factory=list)
    report: Path | None = None
    start: HParams | None = None  # the starting point as given (its optimizer, its batch size)
    recheck: LRSweepResult | None = None  # the winner's rate swept again over the recommended epochs, or its
    # sweep confirmed on more seeds (budget left)
    swept: LRFindResult | LRSweepResult | None = None  # the search the optimizer stage's winner came from
    n_val: int | None = None  # validation rows the stages judged on (None: no validation split)

    @property
    def lr_search(self) -> LRFindResult | LRSweepResult:
        """The learning-rate search behind the recommended rate: the re-check over the recommended
        epochs if one ran, else the winning optimizer's own in the optimizer check, else the lr
        stage's (the started optimizer won)."""
        if self.recheck is not None:
            return self.recheck
        return self.swept or self.optimizers.lr_finds.get(self.values["optimizer"], self.lr)

    def evidence_in(self, lang: str) -> dict[str, str]:
        """The evidence for each of the four values in ``lang``, from the measured results (so a page
        or notebook can show it in another language than the one advice ran in)."""
        check, epochs, batch = self.optimizers, self.epochs, self.batch
        winner, b = self.values["optimizer"], self.values["batch_size"]
        started = (self.start or self.hparams).optimizer
        metric = t(epochs.history.metric, lang)
        chosen_find = self.lr_search
        rules = ", ".join(f"{k} {v:.2g}" for k, v in chosen_find.suggestions.items() if v is not None)
        scores = check.scores_text(lang)
        critical = batch.critical_batch_size
        return {
            "batch_size": t("adv.ev.batch", lang, fits=batch.largest_fitting, plateau=batch.throughput_plateau or "–",
                            critical="–" if critical is None else f"{critical:.1f}"),
            "lr": (t("adv.ev.lr_sweep", lang, k=len(chosen_find.lrs), optimizer=winner, batch=b,
                     epochs=chosen_find.epochs, lr=chosen_find.suggested_lr)
                   if isinstance(chosen_find, LRSweepResult) else
                   t("adv.ev.lr", lang, rule=chosen_find.recommended_rule, optimizer=winner, batch=b,
                     lr=chosen_find.suggested_lr, rules=rules))
                  + (t("adv.ev.lr_seeds", lang, seeds=chosen_find.seeds)
                     if isinstance(chosen_find, LRSweepResult) and chosen_find.seeds > 1 else "")
                  + ("" if self.recheck is None or self.swept is None or self.recheck.epochs == self.swept.epochs else
                     t("adv.ev.lr_over", lang, epochs=self.swept.epochs, lr=self.swept.suggested_lr))
                  + ("" if winner == started else f"; {started}: {self.lr.suggested_lr:.3g}"),
            "optimizer": (t("adv.ev.optimizer_seeds", lang, metric=metric, epochs=check.epochs, scores=scores,
                            seeds=check.seeds) if check.seeds > 1 else
                          t("adv.ev.optimizer", lang, metric=metric, epochs=check.epochs, scores=scores))
                         + ("" if check.seeds_apart() is None else
                            t("adv.ev.seeds_apart" if check.seeds_apart() else "adv.ev.seeds_overlap", lang,
                              first=check.ranked()[0].optimizer, second=check.ranked()[1].optimizer)),
            "epochs": self._epoch_evidence(lang, metric),
        }

    def _epoch_evidence(self, lang: str, metric: str) -> str:
        epochs = self.epochs
        value = epochs.best_record.val_metric
        value = math.nan if value is None else value  # an accuracy of 0.0 is a value, not a missing one
        if epochs.history.status != "budget":
            return t("adv.ev.epochs", lang, metric=metric, best=epochs.best_epoch, max_epochs=epochs.max_epochs,
                     value=value, verdict=t(f"adv.verdict.{epochs.verdict}", lang))
        # cut by the time budget: the planned length was never tried, only the epochs that ran
        return t("adv.ev.epochs_cut", lang, metric=metric, best=epochs.best_epoch, run=len(epochs.history.epochs),
                 max_epochs=epochs.max_epochs, value=value, verdict=t(f"adv.verdict_cut.{epochs.verdict}", lang))

    def notes_in(self, lang: str) -> list[str]:
        """The notes (a starting batch larger than the data, stages the budget cut short) in ``lang``."""
        n = self.epochs.history.n_train
        notes = [t("adv.note.start_batch", lang, b=self.start.batch_size, to=n)] \
            if self.start is not None and self.start.batch_size > n else []
        found = self.lr_search
        if horizon_differs(found, self.epochs):
            notes.append(t("adv.note.horizon", lang, swept=found.epochs, epochs=self.values["epochs"]))
        again, swept = self.recheck, self.swept
        if again is not None and swept is not None:
            moved = again.suggested_lr != swept.suggested_lr
            if again.epochs != swept.epochs:
                notes.append(t("adv.note.rechecked", lang, epochs=again.epochs, lr=again.suggested_lr,
                               swept=swept.epochs, before=swept.suggested_lr)
                             + (" " + t("adv.note.measured_at", lang, before=swept.suggested_lr) if moved else ""))
            elif moved:
                notes.append(t("adv.note.confirmed", lang, seeds=again.seeds, lr=again.suggested_lr,
                               before=swept.suggested_lr)
                             + " " + t("adv.note.measured_at", lang, before=swept.suggested_lr))
        if isinstance(found, LRSweepResult) and found.no_gain:
            notes.append(no_gain_line(found, lang))
        if self.n_val is not None and self.n_val < FEW_VALIDATION_ROWS:
            few = "adv.note.few_val_rows" if self.epochs.history.metric == "accuracy" else "adv.note.few_val_rows_r2"
            notes.append(t(few, lang, n=self.n_val, share=1 / self.n_val))
        return notes + budget_notes(self.lr, self.optimizers, self.epochs, lang)

    @property
    def total(self) -> Compute:
        total = Compute()
        for part in self.compute.values():
            total = total.add(part)
        return total

    def to_dict(self) -> dict[str, Any]:
        total = self.total
        return {**self.values,
                "hparams": self.hparams.to_dict(),
                "evidence": self.evidence, "plots": {k: str(v) if v else None for k, v in self.plots.items()},
                "compute": {k: vars(v) for k, v in self.compute.items()} | {"total": vars(total)},
                "budget_seconds": self.budget_seconds, "notes": self.notes,
                "batch_find": self.batch.to_dict(), "lr_find": self.lr.to_dict(),
                "optimizer_check": self.optimizers.to_dict(), "epoch_find": self.epochs.to_dict(),
                "lr_recheck": self.recheck.to_dict() if self.recheck is not None else None,
                "lr_scaling": [s.to_dict() for s in self.scaling],
                "report": str(self.report) if self.report else None}

    def __repr__(self) -> str:
        return f"Advice({', '.join(f'{k}={v:.3g}' if k == 'lr' else f'{k}={v}' for k, v in self.values.items())})"

    def plot(self, which: str = "stages", lang: str | None = None) -> Figure:
        """A matplotlib Figure of what the advice measured. ``which``: ``"stages"`` (default) the
        evidence curve of the chosen learning rate above the epoch curve; ``"batch_size"``, ``"lr"``,
        ``"optimizer"`` or ``"epochs"``: that stage's own figure. ``lang``: default the advice's own."""
        from hyperlab.tuners.display import advice_figure

        return advice_figure(self, which, check_lang(lang or self.lang))

    def display_sections(self, lang: str) -> tuple[str, list[Any], str]:
        """The four values with their evidence, each stage's explanation and plot, the cost."""
        from hyperlab.tuners.display import advice_sections

        return t("adv.title", lang), advice_sections(self, lang), ""


def horizon_differs(found: LRFindResult | LRSweepResult, epochs: EpochAdvice) -> bool:
    """Whether a sweep chose its rate for runs more than 1.5x longer or shorter than the epochs the
    epoch stage recommends (the best constant rate depends on the run's length). An epoch stage the
    budget cut while validation still improved gives no horizon to compare with."""
    cut_short = epochs.history.status == "budget" and epochs.verdict == "train_longer"
    return isinstance(found, LRSweepResult) and not cut_short \
        and not 2 / 3 <= epochs.suggested_epochs / found.epochs <= 3 / 2


class _Budget:
    """Hands each stage its share of the time left; unused time rolls on to later stages."""

    def __init__(self, seconds: float) -> None:
        self.end = time.perf_counter() + seconds

    def left(self) -> float:
        return max(self.end - time.perf_counter(), 0.0)

    def deadline(self, stage: str) -> float:
        later = STAGES[STAGES.index(stage):]
        share = SHARES[stage] / sum(SHARES[s] for s in later)
        now = time.perf_counter()
        return now + max(self.end - now, 0.0) * share


def time_one_step(subject: Subject, hp: HParams) -> tuple[float, Compute]:
    """Seconds per training step at ``hp`` (median of a few steps after the first), and its cost."""
    timer = StepTimer()
    started = time.perf_counter()
    net = subject.model(hp.seed)
    steps = TIMING_STEPS + 1
    with preserved(net):
        result = subject.fit(net, hp.replace(epochs=math.ceil(steps / hp.steps_per_epoch(subject.data.n_train)),
                                             early_stopping=False),
                             [timer, StopAfter(steps)], measure_memory=False, diverge_factor=math.inf)
    per_step = sorted(timer.seconds)[len(timer.seconds) // 2] if timer.seconds else result.history.seconds
    done = result.history.steps_done
    return per_step, Compute(time.perf_counter() - started, done, done * hp.batch_size)


def advise(model: ModelSpec | Subject = "mlp", data: DataSpec | None = "digits",
           hparams: HParams | dict[str, Any] | None = None, *, budget_seconds: float = 120.0,
           optimizers: Sequence[str] | None = None, check_epochs: int = 5, max_epochs: int = 50,
           patience: int | None = None, memory_limit: str | int | None = None, out: str | Path | None = None,
           lang: str = "en", setup: TunerSetup | None = None, on_stage: Callable[[str], None] | None = None,
           callbacks: Sequence[Callback] = (), lr_method: str = "sweep", optimizer_seeds: int = 1) -> Advice:
    """Recommend batch size, learning rate, optimizer and epochs for ``model`` on ``data`` within
    ``budget_seconds``. ``hparams`` gives the starting point (its optimizer is checked first; its
    other options are kept). ``lr_method`` chooses learning rates by a sweep of constant rates over
    the planned epochs (``hparams.epochs``; default: on the 40 combinations of
    ``bench/lr_choice.py`` the validation loss at its choice was within 25% of a brute sweep's best
    on 34, its rate within 3x of the best on 34) or by the range test (``"range"``: about a
    fiftieth of the compute, within 25% on 24, within 3x on 18).
    ``optimizer_seeds`` > 1 trains each optimizer candidate on that many seeds in the stage's one
    population (judged by their mean; the evidence says whether the first two's seeds overlap): on
    digits 3 seeds cost 3% more steps and chose the same. With ``out``: plots, ``advice.json`` and
    ``advice.html``. Example: ``advise("mlp", "digits", budget_seconds=60).values``."""
    hp = start = as_hparams(hparams)
    check_out_dir("out", out)
    subject = as_subject(model, data, seed=hp.seed, setup=setup)
    budget_given = budget_seconds
    budget_seconds = check_float("budget_seconds", budget_seconds)
    check_epochs = check_int("check_epochs", check_epochs, 1)
    optimizer_seeds = check_int("optimizer_seeds", optimizer_seeds, 1)
    max_epochs = check_int("max_epochs", max_epochs, 2)
    patience = hp.patience if patience is None else check_int("patience", patience, 1)
    lr_method = check_choice("lr_method", lr_method, LR_METHODS)
    names = [hp.optimizer] + [optimizer_name(o) for o in (optimizers or DEFAULT_OPTIMIZERS)]
    names = list(dict.fromkeys(names))
    n = subject.data.n_train
    if hp.batch_size > n:  # a starting point only: the batch-size stage measures its own (notes_in says so)
        hp = hp.replace(batch_size=n)
    stage = on_stage or (lambda name: None)
    compute: dict[str, Compute] = {}
    started = time.perf_counter()

    # Is there time to measure anything? One timed step, against the smallest useful advice.
    step_seconds, compute["timing"] = time_one_step(subject, hp)
    spe = hp.steps_per_epoch(n)
    smallest = 3 * (PROBE_STEPS + 1) + DEFAULT_STEPS + spe
    needed = max(MIN_BUDGET, smallest * step_seconds * 1.5 + compute["timing"].seconds)
    if budget_seconds < needed:
        raise ConfigError("budget_seconds", budget_given,
                          f"is too small to measure anything for this model and data: a training step takes "
                          f"{step_seconds * 1000:.2f} ms here and the smallest useful advice (3 batch-size probes, "
                          f"one range test and one epoch, about {smallest} steps, plus plots) needs about "
                          f"{needed:.2g} s")
    budget = _Budget(budget_seconds - (time.perf_counter() - started))

    stage("batch_size")
    t0 = time.perf_counter()
    batch = batch_find(subject, hparams=hp, memory_limit=memory_limit, probe_steps=PROBE_STEPS,
                       deadline=budget.deadline("batch_size"), callbacks=callbacks,
                       out=out, lang=lang)
    noise = batch.noise
    compute["batch_size"] = Compute(time.perf_counter() - t0,
                                    batch.steps_run + (noise.train_steps + 2 * len(noise.small_sq_norms)
                                                       if noise else 0),
                                    batch.samples_run + (noise.train_steps * hp.batch_size + noise.samples
                                                         if noise else 0))
    b = batch.suggested_batch_size
    hp_b = hp.replace(batch_size=b)

    stage("lr")
    t0 = time.perf_counter()
    find = lr_sweep if lr_method == "sweep" else lr_find
    one_seed = {"seeds": 1} if lr_method == "sweep" else {}  # the winner's sweep alone is confirmed, at the end
    lr_result = find(subject, hparams=hp_b, deadline=budget.deadline("lr"), callbacks=callbacks, out=out, lang=lang,
                     **one_seed)
    compute["lr"] = Compute(time.perf_counter() - t0, lr_result.steps_run, _samples(lr_result, b))

    stage("optimizer")
    t0 = time.perf_counter()
    check = optimizer_check(subject, hparams=hp_b, optimizers=names, epochs=check_epochs,
                            lrs={hp.optimizer: lr_result.suggested_lr}, deadline=budget.deadline("optimizer"),
                            callbacks=callbacks, out=out, lang=lang, lr_method=lr_method, lr_find_options=one_seed,
                            seeds=optimizer_seeds)
    finds = check.lr_finds.values()
    compute["optimizer"] = Compute(time.perf_counter() - t0, sum(r.steps for r in check.runs)
                                   + sum(f.steps_run for f in finds),
                                   sum(r.samples for r in check.runs) + sum(_samples(f, b) for f in finds))
    winner = check.suggested_optimizer
    hp_o = with_optimizer(hp_b, winner).replace(lr=check.suggested_lr)

    stage("epochs")
    t0 = time.perf_counter()
    epochs = epoch_find(subject, hparams=hp_o, max_epochs=max_epochs, patience=patience,
                        deadline=budget.end, callbacks=callbacks, out=out, lang=lang)
    h = epochs.history
    seen = samples_seen(h.n_train, h.effective_batch, h.steps_done)
    compute["epochs"] = Compute(time.perf_counter() - t0, h.steps_done, seen)
    final = hp_o.replace(epochs=epochs.suggested_epochs)

    # The stages' sweeps ran on one seed. The sweep chose the rate for runs of its own length: when the
    # epoch stage recommends a rather different one and the budget still has room (judged from what the
    # lr stage's sweep took), the winner's rate is swept again over the recommended epochs (confirmed
    # on more seeds); otherwise the winner's own sweep is confirmed on more seeds.
    swept = check.lr_finds.get(winner, lr_result)
    recheck = None
    if isinstance(swept, LRSweepResult) and not any(h.status == "budget" for h in swept.histories):
        t0 = time.perf_counter()
        if horizon_differs(swept, epochs):
            if budget.left() > RECHECK_MARGIN * compute["lr"].seconds * final.epochs / swept.epochs:
                stage("lr_recheck")
                below, above = RECHECK_WINDOW  # the best rate moves with the length, but not by decades
                again = lr_sweep(subject, hparams=final, min_lr=swept.suggested_lr / 10 ** below,
                                 max_lr=swept.suggested_lr * 10 ** above, deadline=budget.end, callbacks=callbacks,
                                 out=out, lang=lang, plot_name="lr_sweep_recheck.png")
                compute["lr_recheck"] = Compute(time.perf_counter() - t0, again.steps_run, again.samples)
                if not any(h.status == "budget" for h in again.histories):  # a cut sweep would be judged early
                    recheck = again
        else:
            stage("lr_confirm")
            again = confirm_sweep(replace(swept, confirmed={}, confirm_histories=[], plot=None), subject,
                                  deadline=budget.end, callbacks=callbacks, lang=lang)
            compute["lr_confirm"] = Compute(time.perf_counter() - t0, again.steps_run - swept.steps_run,
                                            again.samples - swept.samples)  # the confirming runs alone
            if again.confirmed:
                recheck = again
                path = plot_path(out, "lr_sweep_confirmed.png")
                if path is not None:
                    again.plot = plot_lr_sweep(again, path, lang=lang)
        if recheck is not None:
            final = final.replace(lr=recheck.suggested_lr)

    a = final.accumulate  # the rules scale the effective batch (what one optimizer step sees)
    scaling = [scale_lr(final.lr, b * a, other * a, optimizer=winner, n_train=n, epochs=final.epochs,
                        critical_batch_size=batch.critical_batch_size or None, lang=lang)  # 0: no noise measured
               for other in (max(1, b // 2), min(n // a, 2 * b)) if other != b]
    advice = Advice(values={"batch_size": b, "lr": final.lr, "optimizer": winner, "epochs": final.epochs},
                    evidence={}, plots={}, batch=batch, lr=lr_result, optimizers=check, epochs=epochs,
                    scaling=scaling, compute=compute, budget_seconds=budget_seconds, hparams=final, start=start,
                    recheck=recheck, swept=swept,
                    n_val=len(subject.data.val) if subject.data.val is not None else None)  # type: ignore[arg-type]
    advice.plots = {"batch_size": batch.plot, "lr": advice.lr_search.plot, "optimizer": check.plot,
                    "epochs": epochs.plot}
    advice.evidence, advice.notes = advice.evidence_in(lang), advice.notes_in(lang)
    advice.lang = lang  # the language its notebook display uses
    if out is not None:
        out = Path(out)
        advice.report = write_advice_report(advice, subject, out / "advice.html", lang=lang,
                                            seconds=time.perf_counter() - started)
        write_json(out / "advice.json", advice.to_dict())
    return advice


def _samples(found: LRFindResult | LRSweepResult, batch: int) -> int:
    """Samples a learning-rate search used (a range test's steps are all at ``batch``)."""
    return found.samples if isinstance(found, LRSweepResult) else found.steps_run * batch


def budget_notes(lr_result: LRFindResult | LRSweepResult, check: OptimizerCheckResult, epochs: EpochAdvice,
                 lang: str = "en") -> list[str]:
    """What the time budget cut short, so a user knows which evidence is partial."""
    notes = []
    if any(test.stop_reason == "budget" for test in lr_result.tests) if isinstance(lr_result, LRFindResult) \
            else any(h.status == "budget" for h in lr_result.histories):
        notes.append(t("adv.note.cut", lang, stage=t("lr", lang)))
    skipped = [r.optimizer for r in check.runs if r.error == "budget"]
    cut = [r.optimizer for r in check.runs if r.history is not None and r.history.status == "budget"]
    if skipped:
        notes.append(t("adv.note.skipped", lang, names=", ".join(skipped)))
    if cut:
        notes.append(t("adv.note.cut", lang, stage=f"{t('optimizer', lang)} ({', '.join(cut)})"))
    if epochs.history.status == "budget" and epochs.verdict == "train_longer":
        notes.append(t("adv.note.cut_improving", lang, run=len(epochs.history.epochs), best=epochs.best_epoch,
                       next=epochs.next_budget))
    elif epochs.history.status == "budget":
        notes.append(t("adv.note.cut", lang, stage=t("epochs", lang)))
    return notes


def summary_rows(advice: Advice, lang: str = "en") -> list[dict[str, Any]]:
    """The table of the four values: setting, value, evidence, plot."""
    rows = []
    for key in STAGES:
        value = advice.values[key]
        plot = advice.plots.get(key)
        rows.append({t("adv.knob", lang): t(key, lang), t("adv.value", lang): f"{value:.3g}" if key == "lr" else value,
                     t("adv.evidence", lang): advice.evidence_in(lang)[key],
                     t("adv.plot", lang): plot.name if plot else "–"})
    return rows


def compute_rows(advice: Advice, lang: str = "en") -> list[dict[str, Any]]:
    rows = [{t("adv.stage", lang): t("adv.timing", lang) if name == "timing" else t(name, lang),
             t("seconds", lang): round(c.seconds, 2), t("adv.steps", lang): c.steps,
             t("adv.samples", lang): c.samples} for name, c in advice.compute.items()]
    total = advice.total
    rows.append({t("adv.stage", lang): t("adv.total", lang), t("seconds", lang): round(total.seconds, 2),
                 t("adv.steps", lang): total.steps, t("adv.samples", lang): total.samples})
    return rows


def write_advice_report(advice: Advice, subject: Subject, path: Path, *, lang: str, seconds: float) -> Path:
    """One self-contained HTML page: the table of four, each stage's explanation and plot, the cost."""
    import html

    from hyperlab.views.report import Section, write_report

    finds = {advice.lr.hparams.optimizer: advice.lr, **advice.optimizers.lr_finds}
    chosen = advice.values["optimizer"]
    others = [f"{name}: {f.suggested_lr:.3g} ({f.recommended_rule})" for name, f in finds.items() if name != chosen]
    links = " · ".join(f'<a href="{html.escape(p.name)}">{html.escape(t(k, lang))}: {html.escape(p.name)}</a>'
                       for k, p in advice.plots.items() if p is not None)
    sections = [
        Section(t("adv.title", lang), table=summary_rows(advice, lang), paragraphs=advice.notes_in(lang),
                html=f"<p>{links}</p>"),
        Section(t("batch_size", lang), paragraphs=advice.batch.explanation,
                images=[p for p in (advice.batch.plot, advice.batch.noise.plot if advice.batch.noise else None) if p]),
        Section(t("lr", lang), paragraphs=(advice.recheck.explanation if advice.recheck else [])
                + finds[chosen].explanation + others,
                images=[f.plot for f in (*([advice.recheck] if advice.recheck else []), finds[chosen],
                                         *(f for n, f in finds.items() if n != chosen)) if f.plot]),
        Section(t("optimizer", lang), paragraphs=advice.optimizers.explanation,
                images=[p for p in (advice.optimizers.plot,) if p]),
        Section(t("epochs", lang), paragraphs=advice.epochs.explanation,
                images=[p for p in (advice.epochs.plot,) if p]),
        Section(t("adv.section.scaling", lang), paragraphs=[line for s in advice.scaling for line in s.explanation]),
        Section(t("adv.section.compute", lang), paragraphs=[t("adv.compute_note", lang)],
                table=compute_rows(advice, lang)),
    ]
    intro = t("adv.intro", lang, model=subject.name, data=subject.data.name, n=subject.data.n_train,
              task=subject.data.task, seconds=seconds, budget=advice.budget_seconds)
    return write_report(path, t("adv.title", lang), sections, lang=lang, intro=intro)
