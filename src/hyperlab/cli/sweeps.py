"""`hyperlab sweep` (search the four knobs with Optuna) and `hyperlab results` (read a study back)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from hyperlab.cli import options as o
from hyperlab.cli import texts as _texts  # noqa: F401 - registers the note on a whole-set batch size
from hyperlab.errors import ConfigError
from hyperlab.hparams import load_yaml
from hyperlab.i18n import t

# The sweep modules (Optuna, SQLAlchemy: ~0.4 s) are imported inside the two commands, so that
# `hyperlab --help` and the other commands do not pay for them.

# keys of a sweep YAML file besides the training settings and the `space:` mapping
PLAN_KEYS = ("study", "storage", "strategy", "pruner", "trials", "timeout", "workers", "heartbeat", "train_size",
             "threads", "tensorboard", "nproc", "population")

StudyOpt = Annotated[str | None, typer.Option("--study", help="Study name; an existing study is resumed.")]
StorageOpt = Annotated[str | None, typer.Option(
    help="sqlite:///file.db or a path (default hyperlab.db), or postgresql://user:pw@host:port/db.")]
KnobOpt = Annotated[str | None, typer.Option(metavar="<range|list>",
                                             help="Searched: lo..hi, lo..hi:log or a,b,c; one value fixes it.")]


def _int(name: str, value: Any) -> int | None:
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise ConfigError(name, value, "must be an integer") from None


def _float(name: str, value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        raise ConfigError(name, value, "must be a number of seconds") from None


def _default(value: Any, default: Any) -> Any:
    return default if value is None else value


def sweep(
    study: StudyOpt = None, storage: StorageOpt = None, config: o.ConfigOpt = None,
    dataset: o.DatasetOpt = None, label: o.LabelOpt = None, task: o.TaskOpt = None,
    features: o.FeaturesOpt = None, model: o.ModelOpt = None,
    width: o.WidthOpt = None, depth: o.DepthOpt = None,
    train_size: Annotated[str | None, typer.Option(metavar=o.INT,
                                                   help="Train on this many training samples (a subset).")] = None,
    lr: KnobOpt = None,
    batch_size: Annotated[str | None, typer.Option("--batch-size", metavar=o.INTS,
                                                   help="Searched batch sizes, e.g. 16,32,64,128.")] = None,
    epochs: KnobOpt = None,
    optimizer: Annotated[str | None, typer.Option(metavar=o.NAMES,
                                                  help="Searched optimizers, e.g. sgd,momentum,adam.")] = None,
    momentum: KnobOpt = None, weight_decay: KnobOpt = None,
    seed: o.SeedOpt = None, settings: o.SetOpt = None,
    accumulate: o.AccumulateOpt = None, precision: o.PrecisionOpt = None, clip_grad_norm: o.ClipGradNormOpt = None,
    compile_: o.CompileOpt = None,
    strategy: Annotated[str | None, typer.Option(help="tpe (default), random, grid or cmaes.")] = None,
    pruner: Annotated[str | None, typer.Option(
        help="asha (default; none for grid), hyperband, median or none. Epochs are the budget.")] = None,
    trials: Annotated[str | None, typer.Option(
        metavar=o.INT, help="Finished trials the study should hold (default 20; grid: all points).")] = None,
    timeout: Annotated[str | None, typer.Option(metavar=o.NUMBER,
                                                help="Stop starting trials after this many seconds.")] = None,
    workers: Annotated[str | None, typer.Option(metavar=o.INT, help="Worker processes on this machine.")] = None,
    population: Annotated[str | None, typer.Option(metavar=o.INT, 
        help="Trials each worker trains at once as one population (default 1: one after another).")] = None,
    heartbeat: Annotated[str | None, typer.Option(metavar=o.INT, 
        help="Seconds between a running trial's heartbeats; a silent trial is failed after twice that.")] = None,
    lang: o.LangOpt = "en", json_out: o.JsonOpt = False, quiet: o.QuietOpt = False,
    threads: o.ThreadsOpt = None,
    tensorboard: Annotated[str | None, typer.Option(
        "--tensorboard", metavar="DIR",
        help="Also write TensorBoard event files, one run per trial: DIR/trial-N (N: the trial number; "
             "needs: pip install 'hyperlab\\[tensorboard]').")] = None,
    nproc: Annotated[str | None, typer.Option(metavar=o.INT, 
        help="Processes training each trial together (data-parallel; rank 0 alone talks to the study).")] = None,
) -> None:
    """Search batch size, learning rate, epochs and optimizer with Optuna (resumable, parallel)."""
    from hyperlab.sweeps import texts  # noqa: F401 - registers the sweep texts
    from hyperlab.sweeps.objective import SweepSetup
    from hyperlab.sweeps.plan import SweepInterrupted, SweepPlan
    from hyperlab.sweeps.prepare import Prepared
    from hyperlab.sweeps.results import summary_lines
    from hyperlab.sweeps.storage import DEFAULT_HEARTBEAT_S, is_memory, redact, storage_url
    from hyperlab.sweeps.strategies import DEFAULT_STRATEGY
    from hyperlab.sweeps.workers import run_sweep

    lang = o.lang_of(lang)
    file = load_yaml(config) if config is not None else {}
    space = file.pop("space", None) or {}
    if not isinstance(space, dict):
        raise ConfigError("space", space, "must be a mapping of setting: spec in the YAML file")
    plan_file = {k: file.pop(k) for k in PLAN_KEYS if k in file}
    flags = {"lr": lr, "batch_size": batch_size, "epochs": epochs, "optimizer": optimizer,
             "momentum": momentum, "weight_decay": weight_decay}
    space = {**{str(k).replace("-", "_"): v for k, v in space.items()}, **{k: v for k, v in flags.items() if v is not None}}
    scale = {k: v for k, v in o.scale_flags(accumulate, precision, clip_grad_norm, compile_).items() if v is not None}
    given_setup = bool(space or file or settings or scale or seed is not None or train_size is not None or any(
        v is not None for v in (dataset, label, task, features, model, width, depth)))
    setup = None
    if given_setup:
        fixed = o.resolve(None, settings=settings, defaults=file, dataset=dataset, label=label, task=task,
                          features=features, model=model, width=width, depth=depth, seed=seed, **scale)
        named = set(file) | {s.partition("=")[0].strip().replace("-", "_") for s in settings or []}
        named |= ({"seed"} if seed is not None else set()) | set(scale)
        setup = SweepSetup.build(space, dataset=fixed.dataset, label=fixed.label, task=fixed.task,
                                 features=fixed.features, model=fixed.model, width=fixed.width, depth=fixed.depth,
                                 train_size=_int("train_size", train_size if train_size is not None
                                                 else plan_file.get("train_size")),
                                 settings={k: v for k, v in fixed.hparams.to_dict().items() if k in named})
    pick = lambda flag, key: flag if flag is not None else plan_file.get(key)  # noqa: E731
    plan = SweepPlan(
        study=str(pick(study, "study") or "sweep"), storage=storage_url(pick(storage, "storage")), setup=setup,
        strategy=str(pick(strategy, "strategy") or DEFAULT_STRATEGY), pruner=pick(pruner, "pruner"),
        trials=_int("trials", pick(trials, "trials")), timeout=_float("timeout", pick(timeout, "timeout")),
        workers=_default(_int("workers", pick(workers, "workers")), 1),
        heartbeat=_default(_int("heartbeat", pick(heartbeat, "heartbeat")), DEFAULT_HEARTBEAT_S),
        echo="none" if quiet else ("stderr" if json_out else "stdout"), lang=lang,
        threads=_int("threads", pick(threads, "threads")), tensorboard=pick(tensorboard, "tensorboard"),
        nproc=_default(_int("nproc", pick(nproc, "nproc")), 1), population=_default(pick(population, "population"), 1))
    console = o.console(quiet, json_out)

    def announce(prepared: Prepared) -> None:
        if prepared.created:
            console.print(t("sweep_created", lang, study=plan.study, storage=redact(plan.storage)))
        else:
            console.print(t("sweep_resumed", lang, study=plan.study, finished=prepared.finished_before))
        dim = prepared.setup.search_space().get("batch_size")
        if len(prepared.dropped_batch_sizes) == 1 and dim is None:  # the one default batch size, not searched
            console.print(t("cli.data.whole_batch", lang, default=prepared.dropped_batch_sizes[0],
                            n=prepared.data.n_train if prepared.data else "?",
                            b=prepared.setup.hparams().batch_size), soft_wrap=True)
        elif prepared.dropped_batch_sizes:
            accumulate = prepared.setup.hparams().accumulate
            console.print(t("sweep_default_batches" if accumulate == 1 else "sweep_default_batches_accumulate", lang,
                            n=prepared.data.n_train if prepared.data else "?", a=accumulate,
                            dropped=", ".join(map(str, prepared.dropped_batch_sizes)),
                            kept=dim.describe() if dim else prepared.setup.hparams().batch_size), soft_wrap=True)
        for dim in prepared.setup.search_space().dims:  # a linear range over decades: most draws at the top
            if (share := dim.top_decade_share()) is not None:
                console.print(t("sweep_linear_note", lang, name=dim.name, range=dim.describe(), share=share,
                                top=dim.high / 10), soft_wrap=True)
        lists = [d.name for d in prepared.setup.search_space().dims if d.choices]
        if plan.strategy == "cmaes" and lists:
            console.print(t("sweep_cmaes_note", lang, names=", ".join(t(n, lang) for n in lists)))

    from hyperlab.engine.distributed import DistributedError

    try:
        outcome = run_sweep(plan, on_prepared=announce)
    except DistributedError as exc:  # a process of a data-parallel trial failed (as `train --nproc` does)
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except SweepInterrupted as stop:
        finished, where = stop.summary["finished"], redact(plan.storage)
        typer.echo(t("sweep_interrupted", lang, finished=finished, storage=where) if finished is not None
                   else t("sweep_interrupted_unread", lang, storage=where), err=True)
        if json_out:
            o.print_json({**stop.summary, "interrupted": True})
        raise typer.Exit(130) from None
    for line in summary_lines(outcome.summary, lang):
        console.print(line)
    if not is_memory(plan.storage):  # an in-memory study is gone with this process
        console.print(t("sweep_results_hint", lang, study=plan.study, storage=redact(plan.storage)))
    if json_out:
        o.print_json(outcome.summary)


def results(
    study: Annotated[str, typer.Argument(help="Name of the study.")],
    storage: StorageOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    out: Annotated[Path | None, typer.Option(help="Folder of the HTML report (default runs/sweeps/STUDY).")] = None,
    report: Annotated[bool, typer.Option("--report/--no-report", help="Write the HTML report with plots.")] = True,
    lang: o.LangOpt = "en", json_out: o.JsonOpt = False, quiet: o.QuietOpt = False,
) -> None:
    """A study's trials sorted by the objective, and an HTML report with plots."""
    from hyperlab.sweeps import texts  # noqa: F401 - registers the sweep texts
    from hyperlab.sweeps.report import write_sweep_report
    from hyperlab.sweeps.results import FORMATS, open_study, result_rows, rows_csv, rows_table, study_summary, summary_lines

    lang = o.lang_of(lang)
    if json_out:  # the convention every command shares; the same as --format json
        fmt = "json"
    if fmt not in FORMATS:
        raise ConfigError("format", fmt, f"must be one of {', '.join(FORMATS)}")
    loaded = open_study(study, storage)
    summary = study_summary(loaded)
    rows = result_rows(loaded)
    path = write_sweep_report(loaded, out or Path("runs") / "sweeps" / study, lang) if report else None
    console = o.console(quiet, fmt != "table")
    if fmt == "json":
        o.print_json({"summary": summary, "trials": rows, "report": str(path) if path else None})
    elif fmt == "csv":
        typer.echo(rows_csv(rows), nl=False)
    else:
        for line in summary_lines(summary, lang):
            console.print(line)
        console.print(rows_table(rows, summary["metric"] or "accuracy", lang))
    if path is not None:
        console.print(t("report_written", lang, path=path))


def register(command) -> None:  # noqa: ANN001 - see hyperlab.cli.command
    command(sweep)
    command(results)

