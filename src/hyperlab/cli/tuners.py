"""`hyperlab lr-find`, `batch-find`, `noise-scale`, `lr-scale`, `epoch-find`, `optimizer-check`, `advise`:
choose the four for a model and data, each with its evidence, a plot and a short explanation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hyperlab.api import as_data
from hyperlab.cli import options as o
from hyperlab.cli import texts  # noqa: F401 - registers the command-line texts
from hyperlab.cli.progress import ProgressBar, make_progress
from hyperlab.hparams import samples_seen
from hyperlab.i18n import has_text, t
from hyperlab.tuners import advise as advise_fn
from hyperlab.tuners import batch_find as batch_find_fn
from hyperlab.tuners import epoch_find as epoch_find_fn
from hyperlab.tuners import lr_find as lr_find_fn
from hyperlab.tuners import lr_sweep as lr_sweep_fn
from hyperlab.tuners import noise_scale as noise_scale_fn
from hyperlab.tuners import optimizer_check as optimizer_check_fn
from hyperlab.tuners import scale_lr
from hyperlab.tuners import texts as tuner_texts  # noqa: F401 - registers the tuner texts
from hyperlab.tuners.advise import compute_rows, summary_rows
from hyperlab.tuners.common import Subject, TunerSetup
from hyperlab.tuners.lr_sweep import sweep_plan
from hyperlab.views.tables import data_table


LrMethodOpt = Annotated[str, typer.Option("--lr-method", help="How each learning rate is found: sweep (a "
                                          "population of constant rates over the planned epochs) or range (LR "
                                          "range test).")]

def _opt(help_text: str, name: str | None = None, metavar: str | None = None) -> Any:
    return typer.Option(*([name] if name else []), help=help_text, metavar=metavar)


def _prepare(command: str, config: Path | None, settings: list[str] | None, out: Path | None, lang: str,
             quiet: bool = False, **flags: Any) -> tuple[o.Setup, Subject, Path, str]:
    """Validated settings, the Subject (data + model), the output directory and the language."""
    lang = o.lang_of(lang)
    setup = o.resolve(config, settings=settings, **flags)
    data = setup.load_data(lang, quiet)
    subject = Subject(data, setup.model, TunerSetup(width=setup.width, depth=setup.depth))
    out = out or Path("runs") / f"{command}-{data.name}-{setup.model.replace(':', '.')}"
    return setup, subject, out, lang


ROW_TEXT = {"steepest": "lrf.steepest", "valley": "lrf.valley", "min_div_10": "lrf.min_div_10"}


def row_label(key: str, lang: str) -> str:
    """A table row's words in ``lang`` with its ``--json`` key beside them ("critical batch size
    (critical_batch_size)"); a key with no words registered, or already words, as it is."""
    text = ROW_TEXT.get(key, f"cli.row.{key}")
    return f"{t(text, lang)} ({key})" if has_text(text) else key


def suggestion_table(rows: dict[str, Any], lang: str) -> Table:
    """The two-column table every tuner prints: what it suggests, then the numbers behind it."""
    table = Table(show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows.items():
        table.add_row(row_label(key, lang), f"{value:.4g}" if isinstance(value, float) else str(value))
    return table


def _finish(console: Console, json_out: bool, setup: o.Setup, result: dict[str, Any], lines: list[str],
            rows: dict[str, Any], plot: Path | None, lang: str) -> None:
    """JSON on stdout with --json (with the settings the tool trained with under ``hparams``); a table
    of suggestions, the explanation and the plot path otherwise."""
    if json_out:
        o.print_json({"setup": setup.as_dict(), "hparams": setup.hparams.to_dict(), **result})
    console.print(suggestion_table(rows, lang))
    for line in lines:
        console.print(line)
    if plot is not None:
        console.print(t("cli.plot", lang, path=plot), soft_wrap=True)


def lr_find(
    config: o.ConfigOpt = None, dataset: o.DatasetOpt = None, label: o.LabelOpt = None, task: o.TaskOpt = None,
    features: o.FeaturesOpt = None,
    model: o.ModelOpt = None,
    width: o.WidthOpt = None, depth: o.DepthOpt = None, batch_size: o.BatchOpt = None,
    optimizer: o.OptimizerOpt = None, seed: o.SeedOpt = None, settings: o.SetOpt = None,
    accumulate: o.AccumulateOpt = None, precision: o.PrecisionOpt = None, clip_grad_norm: o.ClipGradNormOpt = None,
    compile_: o.CompileOpt = None,
    epochs: Annotated[str | None, _opt("Sweep: the planned run's epochs, each rate's horizon (default 10).",
                                       metavar=o.INT)] = None,
    method: Annotated[str, _opt("range: the LR range test (one run, the rate grows every step; the cheap first "
                                "look); sweep: log-spaced constant rates trained together as one population, the "
                                "best on validation loss over the planned run (--epochs; far more compute, much closer "
                                "to a full sweep).")
                      ] = "range",
    min_lr: Annotated[str | None, _opt("Smallest learning rate (default 1e-6 range, 1e-5 sweep).",
                                       metavar=o.NUMBER)] = None,
    max_lr: Annotated[str, _opt("Largest learning rate of the sweep.", metavar=o.NUMBER)] = "10",
    steps: Annotated[str | None, _opt("Steps of the range test (default 100), or of each rate of the sweep "
                                      "(default: the whole planned run, --epochs; the best rate depends on it).",
                                      metavar=o.INT)] = None,
    repeats: Annotated[str | None, _opt("Range test: rerun with this many seeds and report the spread "
                                        "(default 1).", metavar=o.INT)] = None,
    rule: Annotated[str | None, _opt("Range test: rule of the recommendation: min_div_10 (default), valley or "
                                     "steepest.")] = None,
    stop_factor: Annotated[str | None, _opt("Range test: stop when the smoothed loss passes this many times its "
                                            "lowest value (default 4).", metavar=o.NUMBER)] = None,
    per_decade: Annotated[str | None, _opt("Sweep: rates per decade (default 4).", metavar=o.INT)] = None,
    narrow: Annotated[bool | None, typer.Option("--narrow/--no-narrow", help="Sweep: after a fifth of the run, "
                                                "train on only the rates near the best so far (about 60% of the "
                                                "compute; default on).", show_default=False)] = None,
    seeds: Annotated[str | None, _opt("Sweep: seeds the chosen rate and its neighbours are judged on, by their mean "
                                      "(the first pass trains every rate on one; 1: no confirmation; default 4).",
                                      metavar=o.INT)] = None,
    out: o.OutOpt = None, lang: o.LangOpt = "en", json_out: o.JsonOpt = False, quiet: o.QuietOpt = False,
    threads: o.ThreadsOpt = None,
) -> None:
    """Find a learning rate: the LR range test (--method range, default) or a short sweep of
    constant rates trained together (--method sweep)."""
    from hyperlab.errors import ConfigError, check_choice
    from hyperlab.tuners.optimizer_check import LR_METHODS

    method = check_choice("method", method, LR_METHODS)
    only = {"range": {"repeats": repeats, "rule": rule, "stop_factor": stop_factor},
            "sweep": {"epochs": epochs, "per_decade": per_decade, "narrow": narrow, "seeds": seeds}}
    other = "sweep" if method == "range" else "range"
    for name, value in only[other].items():  # given for the other method: it would change nothing here
        if value is not None:
            raise ConfigError(name, value, f"applies to --method {other} only (this is --method {method})")
    setup, subject, out, lang = _prepare("lr-find", config, settings, out, lang, quiet=quiet,
                                         dataset=dataset, label=label, task=task, features=features,
                                         model=model, width=width, depth=depth, batch_size=batch_size,
                                         optimizer=optimizer, seed=seed, epochs=epochs,
                                         **o.scale_flags(accumulate, precision, clip_grad_norm, compile_))
    cost = t("cli.cost", lang)
    # only the options given: the Python functions' own defaults apply to the others
    given = {name: value for name, value in {"min_lr": min_lr, **only[method]}.items()
             if value is not None and name != "epochs"}  # epochs went into the settings
    if method == "sweep":
        plan = {name: given.pop(name) for name in ("min_lr", "per_decade") if name in given}
        options = {"max_lr": max_lr, "steps": steps, **plan}
        hp, n = setup.hparams, subject.data.n_train
        lrs, epochs = sweep_plan(hp, n, **options)  # checks the options; sizes the progress bar
        console = o.console(quiet, json_out)
        with setup.threads(threads, subject.data), make_progress(console) as progress:
            # the confirmation's runs are added to the bar when they start (``ProgressBar.add_work``)
            task = progress.add_task(t("lsw.title", lang), total=len(lrs) * epochs * hp.steps_per_epoch(n), info="")
            swept = lr_sweep_fn(subject, hparams=hp, out=out, lang=lang,
                                callbacks=[ProgressBar(progress, lang, task=task)], **options, **given)
        rows = {t("cli.suggestion", lang): f"{swept.suggested_lr:.3g} (sweep)",
                cost: t("cli.cost_value", lang, steps=swept.steps_run, epochs=swept.epochs_run,
                        samples=swept.samples)}
        _finish(console, json_out, setup, swept.to_dict(), swept.explanation, rows, swept.plot, lang)
        return
    with setup.threads(threads, subject.data):
        result = lr_find_fn(subject, hparams=setup.hparams, max_lr=max_lr, steps=steps, out=out, lang=lang,
                            **given)
    seen = samples_seen(result.n_train, result.hparams.effective_batch(), result.steps_run)
    rows = {t("cli.suggestion", lang): f"{result.suggested_lr:.3g} ({result.recommended_rule})",
            **{name: value for name, value in result.suggestions.items() if value is not None},
            cost: t("cli.cost_value", lang, steps=result.steps_run, epochs=seen / result.n_train, samples=seen)}
    _finish(o.console(quiet, json_out), json_out, setup, result.to_dict(),
            result.explanation, rows, result.plot, lang)


def batch_find(
    config: o.ConfigOpt = None, dataset: o.DatasetOpt = None, label: o.LabelOpt = None, task: o.TaskOpt = None,
    features: o.FeaturesOpt = None,
    model: o.ModelOpt = None,
    width: o.WidthOpt = None, depth: o.DepthOpt = None, batch_size: o.BatchOpt = None, lr: o.LrOpt = None,
    optimizer: o.OptimizerOpt = None, seed: o.SeedOpt = None, settings: o.SetOpt = None,
    accumulate: o.AccumulateOpt = None, precision: o.PrecisionOpt = None, clip_grad_norm: o.ClipGradNormOpt = None,
    compile_: o.CompileOpt = None,
    memory_limit: Annotated[str | None, _opt("Memory budget on CPU, e.g. 64MB or 512KiB "
                                             "(GPU: the device's memory).")] = None,
    safety_margin: Annotated[str | None, _opt("Share of the budget kept free "
                                              "(default 0.1 on CPU, 0.2 on GPU).", metavar=o.NUMBER)] = None,
    start: Annotated[str, _opt("First batch size probed (then doubled).", metavar=o.INT)] = "4",
    max_batch: Annotated[str | None, _opt("Largest batch size probed (default: the training set size).",
                                          metavar=o.INT)] = None,
    probe_steps: Annotated[str, _opt("Timed steps per batch size.", metavar=o.INT)] = "8",
    target_batch: Annotated[str | None, _opt("Effective batch you want (default: the critical batch size when it "
                                             "is more than fits): which --accumulate and process counts reach it, "
                                             "and its lr.", metavar=o.INT)] = None,
    noise: Annotated[bool, typer.Option("--noise-scale/--no-noise-scale",
                                        help="Also measure the critical batch size from the "
                                             "gradient noise scale.")] = True,
    out: o.OutOpt = None, lang: o.LangOpt = "en", json_out: o.JsonOpt = False, quiet: o.QuietOpt = False,
    threads: o.ThreadsOpt = None,
) -> None:
    """Batch-size finder: throughput and measured peak memory per batch size; what fits, where
    throughput stops rising, and the critical batch size."""
    setup, subject, out, lang = _prepare("batch-find", config, settings, out, lang, quiet=quiet,
                                         dataset=dataset, label=label, task=task, features=features,
                                         model=model, width=width, depth=depth, batch_size=batch_size, lr=lr,
                                         optimizer=optimizer, seed=seed,
                                         **o.scale_flags(accumulate, precision, clip_grad_norm, compile_))
    with setup.threads(threads, subject.data):
        result = batch_find_fn(subject, hparams=setup.hparams, start=start, max_batch=max_batch,
                               memory_limit=memory_limit, safety_margin=safety_margin, probe_steps=probe_steps,
                               noise=noise, target_batch=target_batch, out=out, lang=lang)
    rows = {t("cli.suggestion", lang): result.suggested_batch_size, "largest_fitting": result.largest_fitting,
            "throughput_plateau": result.throughput_plateau, "critical_batch_size": result.critical_batch_size}
    if result.reach is not None:
        reach = result.reach
        rows |= {"target_batch": reach.target, "batch_size x accumulate": f"{reach.micro_batch} x {reach.accumulate}",
                 "lr": f"{reach.lr:.3g} ({reach.scaling.rule})"}
    _finish(o.console(quiet, json_out), json_out, setup, result.to_dict(), result.explanation, rows, result.plot, lang)


def noise_scale(
    config: o.ConfigOpt = None, dataset: o.DatasetOpt = None, label: o.LabelOpt = None, task: o.TaskOpt = None,
    features: o.FeaturesOpt = None,
    model: o.ModelOpt = None,
    width: o.WidthOpt = None, depth: o.DepthOpt = None, batch_size: o.BatchOpt = None, lr: o.LrOpt = None,
    optimizer: o.OptimizerOpt = None, seed: o.SeedOpt = None, settings: o.SetOpt = None,
    accumulate: o.AccumulateOpt = None, precision: o.PrecisionOpt = None, clip_grad_norm: o.ClipGradNormOpt = None,
    compile_: o.CompileOpt = None,
    small_batch: Annotated[str | None, _opt("Small batch size measured (default: --batch-size).",
                                            metavar=o.INT)] = None,
    big_batch: Annotated[str | None, _opt("Big batch size measured (default: the training set, at most 1024).",
                                          metavar=o.INT)] = None,
    pairs: Annotated[str, _opt("Gradients measured at each of the two batch sizes.", metavar=o.INT)] = "32",
    train_steps: Annotated[str | None, _opt("Training steps before measuring (default: one epoch).",
                                            metavar=o.INT)] = None,
    out: o.OutOpt = None, lang: o.LangOpt = "en", json_out: o.JsonOpt = False, quiet: o.QuietOpt = False,
    threads: o.ThreadsOpt = None,
) -> None:
    """Gradient noise scale B_simple (McCandlish et al. 2018): the critical batch size."""
    setup, subject, out, lang = _prepare("noise-scale", config, settings, out, lang, quiet=quiet,
                                         dataset=dataset, label=label, task=task, features=features,
                                         model=model, width=width, depth=depth, batch_size=batch_size, lr=lr,
                                         optimizer=optimizer, seed=seed,
                                         **o.scale_flags(accumulate, precision, clip_grad_norm, compile_))
    with setup.threads(threads, subject.data):
        result = noise_scale_fn(subject, hparams=setup.hparams, small_batch=small_batch, big_batch=big_batch,
                                pairs=pairs, train_steps=train_steps, out=out, lang=lang)
    rows = {"critical_batch_size": result.b_simple, "|G|^2": result.true_grad_sq, "tr(Sigma)": result.trace_sigma}
    _finish(o.console(quiet, json_out), json_out, setup, result.to_dict(), result.explanation, rows, result.plot, lang)


def lr_scale(
    lr: Annotated[str, _opt("Learning rate tuned at --from-batch.", "--lr", metavar=o.NUMBER)],
    from_batch: Annotated[str, _opt("Batch size the learning rate was tuned at.", metavar=o.INT)],
    to_batch: Annotated[str, _opt("New batch size.", metavar=o.INT)],
    optimizer: o.OptimizerOpt = None, dataset: o.DatasetOpt = None, label: o.LabelOpt = None, task: o.TaskOpt = None,
    epochs: o.EpochsOpt = None,
    critical_batch: Annotated[str | None, _opt("Critical batch size (from noise-scale), to warn above it.",
                                               metavar=o.INT)] = None,
    out: o.OutOpt = None, lang: o.LangOpt = "en", json_out: o.JsonOpt = False, quiet: o.QuietOpt = False,
) -> None:
    """Learning rate for a new batch size: linear and square-root scaling, with a warmup suggestion."""
    lang = o.lang_of(lang)
    task = o.resolve(task=task).task  # checked up front
    n_train = as_data(dataset, label=label, task=task).n_train if dataset else None
    out = out or Path("runs") / "lr-scale"
    result = scale_lr(lr, from_batch, to_batch, optimizer=optimizer and optimizer.strip().lower(), n_train=n_train,
                      epochs=epochs, critical_batch_size=critical_batch, out=out, lang=lang)
    rows = {t("cli.suggestion", lang): f"{result.suggested_lr:.4g} ({result.rule})", "linear_lr": result.linear_lr,
            "sqrt_lr": result.sqrt_lr, "warmup_epochs": result.warmup_epochs,
            "warmup_steps": result.warmup_steps if result.warmup_steps is not None else "–"}
    setup_dict = {"dataset": dataset}
    console = o.console(quiet, json_out)
    if json_out:
        o.print_json({"setup": setup_dict, **result.to_dict()})
    console.print(suggestion_table(rows, lang))
    for line in result.explanation:
        console.print(line)
    console.print(t("cli.plot", lang, path=result.plot), soft_wrap=True)


def epoch_find(
    config: o.ConfigOpt = None, dataset: o.DatasetOpt = None, label: o.LabelOpt = None, task: o.TaskOpt = None,
    features: o.FeaturesOpt = None,
    model: o.ModelOpt = None,
    width: o.WidthOpt = None, depth: o.DepthOpt = None, batch_size: o.BatchOpt = None, lr: o.LrOpt = None,
    optimizer: o.OptimizerOpt = None, seed: o.SeedOpt = None, settings: o.SetOpt = None,
    accumulate: o.AccumulateOpt = None, precision: o.PrecisionOpt = None, clip_grad_norm: o.ClipGradNormOpt = None,
    compile_: o.CompileOpt = None,
    max_epochs: Annotated[str, _opt("Epoch budget; early stopping usually ends sooner.", metavar=o.INT)] = "50",
    patience: Annotated[str | None, _opt("Epochs without validation improvement before stopping (default 5).",
                                         metavar=o.INT)] = None,
    seeds: Annotated[str, _opt("Seeds trained together, each stopping on its own; the suggestion is the median "
                               "of their best epochs.", metavar=o.INT)] = "1",
    out: o.OutOpt = None, lang: o.LangOpt = "en", json_out: o.JsonOpt = False, quiet: o.QuietOpt = False,
    threads: o.ThreadsOpt = None,
) -> None:
    """Epochs: train with early stopping and read where validation stopped improving."""
    setup, subject, out, lang = _prepare("epoch-find", config, settings, out, lang, quiet=quiet,
                                         dataset=dataset, label=label, task=task, features=features,
                                         model=model, width=width, depth=depth, batch_size=batch_size, lr=lr,
                                         optimizer=optimizer, seed=seed,
                                         **o.scale_flags(accumulate, precision, clip_grad_norm, compile_))
    with setup.threads(threads, subject.data):
        result = epoch_find_fn(subject, hparams=setup.hparams, max_epochs=max_epochs, patience=patience, out=out,
                               lang=lang, seeds=seeds)
    rows = {t("cli.suggestion", lang): result.suggested_epochs, "verdict": result.verdict,
            "next_budget": result.next_budget}
    data = result.to_dict()
    _finish(o.console(quiet, json_out), json_out, setup, data, result.explanation, rows, result.plot, lang)


def _names(text: str | None) -> list[str] | None:
    return None if text is None else [part.strip() for part in text.split(",") if part.strip()]


def optimizer_check(
    config: o.ConfigOpt = None, dataset: o.DatasetOpt = None, label: o.LabelOpt = None, task: o.TaskOpt = None,
    features: o.FeaturesOpt = None,
    model: o.ModelOpt = None,
    width: o.WidthOpt = None, depth: o.DepthOpt = None, batch_size: o.BatchOpt = None, seed: o.SeedOpt = None,
    settings: o.SetOpt = None,
    accumulate: o.AccumulateOpt = None, precision: o.PrecisionOpt = None, clip_grad_norm: o.ClipGradNormOpt = None,
    compile_: o.CompileOpt = None,
    optimizers: Annotated[str, _opt("Comma-separated optimizers to compare.", metavar=o.NAMES)] = "sgd,momentum,adam",
    epochs: Annotated[str, _opt("Epochs of each short run.", metavar=o.INT)] = "5",
    lr_method: LrMethodOpt = "range",
    seeds: Annotated[str, _opt("Seeds each optimizer trains on, all in the same population: the verdict "
                               "compares their means and says whether the seeds overlap.", metavar=o.INT)] = "1",
    out: o.OutOpt = None, lang: o.LangOpt = "en", json_out: o.JsonOpt = False, quiet: o.QuietOpt = False,
    threads: o.ThreadsOpt = None,
) -> None:
    """Optimizer check: a few optimizers, each at its own learning rate (range test, or --lr-method
    sweep), trained side by side as one population."""
    setup, subject, out, lang = _prepare("optimizer-check", config, settings, out, lang, quiet=quiet,
                                         dataset=dataset, label=label, task=task, features=features,
                                         model=model, width=width, depth=depth, batch_size=batch_size, seed=seed,
                                         **o.scale_flags(accumulate, precision, clip_grad_norm, compile_))
    with setup.threads(threads, subject.data):
        # the command's one run length is its short runs': a swept rate is chosen for them (the Python
        # function sweeps over hparams.epochs, the planned run, as advise's optimizer stage does)
        result = optimizer_check_fn(subject, hparams=setup.hparams.replace(epochs=epochs),
                                    optimizers=_names(optimizers) or [], epochs=epochs, out=out, lang=lang,
                                    lr_method=lr_method, seeds=seeds)
    rows = {t("cli.suggestion", lang): f"{result.suggested_optimizer} (lr {result.suggested_lr:.3g})"}
    for r in result.runs:
        rows[r.optimizer] = "–" if r.best_val_metric is None else f"lr {r.lr:.3g}: {r.best_val_metric:.4f}"
    _finish(o.console(quiet, json_out), json_out, setup, result.to_dict(), result.explanation, rows, result.plot, lang)


def advise(
    config: o.ConfigOpt = None, dataset: o.DatasetOpt = None, label: o.LabelOpt = None, task: o.TaskOpt = None,
    features: o.FeaturesOpt = None,
    model: o.ModelOpt = None,
    width: o.WidthOpt = None, depth: o.DepthOpt = None, batch_size: o.BatchOpt = None,
    optimizer: o.OptimizerOpt = None, seed: o.SeedOpt = None, settings: o.SetOpt = None,
    accumulate: o.AccumulateOpt = None, precision: o.PrecisionOpt = None, clip_grad_norm: o.ClipGradNormOpt = None,
    compile_: o.CompileOpt = None,
    budget_seconds: Annotated[str, _opt("Time budget for all measurements, in seconds.", metavar=o.NUMBER)] = "120",
    optimizers: Annotated[str, _opt("Comma-separated optimizers to check "
                                    "(the --optimizer one first).", metavar=o.NAMES)] = "sgd,momentum,adam",
    check_epochs: Annotated[str, _opt("Epochs of each optimizer's short run.", metavar=o.INT)] = "5",
    optimizer_seeds: Annotated[str, _opt("Seeds each optimizer's short run trains on, in one population "
                                         "(the evidence says whether the first two overlap).", metavar=o.INT)] = "1",
    max_epochs: Annotated[str, _opt("Epoch budget of the early-stopping run.", metavar=o.INT)] = "50",
    patience: Annotated[str | None, _opt("Early-stopping patience (default 5).", metavar=o.INT)] = None,
    memory_limit: Annotated[str | None, _opt("Memory budget on CPU, e.g. 64MB (GPU: the device's memory).")] = None,
    lr_method: LrMethodOpt = "sweep",
    out: o.OutOpt = None, lang: o.LangOpt = "en", json_out: o.JsonOpt = False, quiet: o.QuietOpt = False,
    threads: o.ThreadsOpt = None,
) -> None:
    """Advise all four: batch size, then learning rate, then optimizer, then epochs, within a time
    budget; a table with the evidence for each, plots and one HTML report."""
    setup, subject, out, lang = _prepare("advise", config, settings, out, lang, quiet=quiet,
                                         dataset=dataset, label=label, task=task, features=features,
                                         model=model, width=width, depth=depth, batch_size=batch_size,
                                         optimizer=optimizer, seed=seed,
                                         **o.scale_flags(accumulate, precision, clip_grad_norm, compile_))
    console = o.console(quiet, json_out)
    stages = {"batch_size": 1, "lr": 2, "optimizer": 3, "epochs": 4}
    with setup.threads(threads, subject.data):
        advice = advise_fn(subject, hparams=setup.hparams, budget_seconds=budget_seconds,
                           optimizers=_names(optimizers), check_epochs=check_epochs,
                           optimizer_seeds=optimizer_seeds, max_epochs=max_epochs,
                           patience=patience, memory_limit=memory_limit, out=out, lang=lang, lr_method=lr_method,
                           on_stage=lambda name: console.print(
                               t("cli.stage", lang, i=stages[name], name=t(name, lang)) if name in stages
                               else t("cli.stage_more", lang, name=t(name, lang))))
    if json_out:
        o.print_json({"setup": setup.as_dict(), **advice.to_dict()})
    for title, rows in ((t("adv.title", lang), summary_rows(advice, lang)),
                        (t("adv.section.compute", lang), compute_rows(advice, lang))):
        console.print(data_table(list(rows[0]), [[str(value) for value in row.values()] for row in rows], title=title))
    for note in advice.notes:
        console.print(note)
    for key, path in advice.plots.items():  # one line each, never wrapped, so paths stay clickable
        if path is not None:
            console.print(f"{t(key, lang)}: [link=file://{path.resolve()}]{path}[/link]", soft_wrap=True)
    console.print(t("adv.report", lang, path=advice.report), soft_wrap=True)


def register(command) -> None:  # noqa: ANN001 - see hyperlab.cli.command
    command(lr_find, name="lr-find")
    command(batch_find, name="batch-find")
    command(noise_scale, name="noise-scale")
    command(lr_scale, name="lr-scale")
    command(epoch_find, name="epoch-find")
    command(optimizer_check, name="optimizer-check")
    command(advise, name="advise")
