"""`hyperlab train`: one training run with a progress bar, a summary table and a run directory; with
comma lists for the knobs (``--lr 0.001,0.01 --optimizer sgd,adam``) every combination trained as
one population, a comparison table, one run directory per member and one overlaid curves plot.

Data-parallel: `hyperlab train --nproc N` starts N local processes through torch.distributed's
launcher, and `torchrun --nproc-per-node N -m hyperlab train ...` runs this same command in each
process torchrun started. Either way each process trains its share (``engine.distributed``) and
rank 0 alone writes the run directory and prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from hyperlab.api import expand_grid, train_many
from hyperlab.cli.datanote import print_note as note
from hyperlab.api import train as train_run
from hyperlab.cli import options as o
from hyperlab.cli import texts as _cli_texts  # noqa: F401 - registers the command-line texts
from hyperlab.cli.progress import ProgressBar, make_progress
from hyperlab.engine import History, distributed
from hyperlab.engine.memory import parse_bytes
from hyperlab.engine.trainer import TrainingInterrupted
from hyperlab.errors import ConfigError, Interval, check_float, check_int
from hyperlab.hparams import HParams, parse_list
from hyperlab.i18n import t
from hyperlab.records import comparison_members, holds_run, member_names
from hyperlab.records.members import seed_groups
from hyperlab.views import texts  # noqa: F401 - registers the comparison texts
from hyperlab.views.comparison import (best_line, best_setting_line, comparison_table, settings_over_seeds,
                                       settings_table)
from hyperlab.views.run_summary import summary_rows

LISTED = ("optimizer", "batch_size", "lr", "epochs", "seed")  # knobs that take comma lists (first varies slowest)

NprocOpt = Annotated[int | None, typer.Option(
    "--nproc", help="Train with N local processes (data-parallel, DistributedDataParallel; "
                    "each uses --threads torch threads, default 1).", metavar=o.INT,
    parser=o.read_as("nproc", Interval(int, 1)))]
TimeoutOpt = Annotated[float, typer.Option(
    "--dist-timeout", help="Seconds a data-parallel process waits for the others before the run "
                           "ends with an error.", metavar=o.NUMBER,
    parser=o.read_as("dist_timeout", Interval(float, 0, closed="right")))]
TensorBoardOpt = Annotated[Path | None, typer.Option(
    "--tensorboard", help="Also write TensorBoard event files, one folder per run under DIR "
                          "(needs: pip install 'hyperlab\\[tensorboard]').", metavar="DIR")]


@dataclass
class Job:
    """What each process needs to train the run (picklable: it travels to the launched ranks)."""

    setup: o.Setup
    out: Path
    resume: bool
    lang: str
    json_out: bool
    quiet: bool
    tensorboard: Path | None = None  # the TensorBoard log dir; the run writes into tensorboard/<out's name>


@dataclass
class Report:
    """What rank 0 hands back: the summary and the history of the run."""

    summary: dict[str, Any]
    history: History


def summary_table(s: dict[str, Any], history: History, hp: HParams, lang: str) -> Table:
    """The closing table: the four knobs and what the run measured (``s``: ``RunResult.summary()``)."""
    table = Table(show_header=False)
    table.add_column(style="bold")
    table.add_column()
    rows = summary_rows(s, history, hp, lang)
    for row in rows:
        table.add_row(*row)
    return table


def train(
    config: o.ConfigOpt = None, dataset: o.DatasetOpt = None, label: o.LabelOpt = None, task: o.TaskOpt = None,
    features: o.FeaturesOpt = None,
    model: o.ModelOpt = None, width: o.WidthOpt = None, depth: o.DepthOpt = None,
    batch_size: o.BatchListOpt = None, lr: o.LrListOpt = None, epochs: o.EpochsListOpt = None,
    optimizer: o.OptimizerListOpt = None, seed: o.SeedListOpt = None,
    schedule: Annotated[str | None, typer.Option(help="constant, step, cosine, warmup, onecycle.")] = None,
    early_stopping: Annotated[bool | None, typer.Option("--early-stopping/--no-early-stopping",
                                                        help="Stop when validation loss stops improving.")] = None,
    patience: Annotated[str | None, typer.Option(metavar=o.INT,
                                                 help="Epochs without improvement before stopping.")] = None,
    accumulate: o.AccumulateOpt = None, precision: o.PrecisionOpt = None, clip_grad_norm: o.ClipGradNormOpt = None,
    compile_: o.CompileOpt = None, settings: o.SetOpt = None, out: o.OutOpt = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue from the checkpoint in --out (also on to "
                                                          "more --epochs).")] = False,
    lang: o.LangOpt = "en", json_out: o.JsonOpt = False, quiet: o.QuietOpt = False,
    threads: o.ThreadsOpt = None, nproc: NprocOpt = None, dist_timeout: TimeoutOpt = distributed.DEFAULT_TIMEOUT,
    tensorboard: TensorBoardOpt = None,
    memory_limit: Annotated[str | None, typer.Option(
        metavar="SIZE", help="With comma lists: keep each population's training step within SIZE of tensor "
                             "memory (e.g. 256MB); a cohort that would not fit trains in chunks, one after "
                             "another, with the same results.")] = None,
) -> None:
    """Train one model with the four hyperparameters and save the run directory. Comma lists
    (--lr 0.001,0.01 --optimizer sgd,adam --batch-size 32,128 --epochs 5,10 --seed 0,1) train every
    combination together as one population."""
    lang = o.lang_of(lang)
    knobs = {"optimizer": optimizer, "batch_size": batch_size, "lr": lr, "epochs": epochs, "seed": seed}
    scale = o.scale_flags(accumulate, precision, clip_grad_norm, compile_)
    if any(value is not None and "," in value for value in knobs.values()):
        if resume:
            raise ConfigError("resume", True, "works with one run, not with lists of settings")
        if _processes(nproc) > 1:
            raise ConfigError("nproc", nproc or _processes(None), "trains one run over several processes; comma "
                                                                 "lists train their runs as one population in one "
                                                                 "process: give one value per setting, or no --nproc")
        _check_tensorboard(tensorboard)
        parse_bytes(memory_limit)  # a bad size is refused before anything is read
        common = {"dataset": dataset, "label": label, "task": task, "features": features, "model": model,
                  "width": width, "depth": depth,
                  "schedule": schedule, "early_stopping": early_stopping, "patience": patience, **scale}
        _train_lists(config, settings, common, knobs, out=out, lang=lang, json_out=json_out, quiet=quiet,
                     threads=threads, tensorboard=tensorboard, memory_limit=memory_limit)
        return
    if memory_limit is not None:
        raise ConfigError("memory_limit", memory_limit, "applies to comma lists (a population, which it splits "
                                                        "into chunks that fit); one run trains as it is")
    setup = o.resolve(config, settings=settings, dataset=dataset, label=label, task=task, features=features,
                      model=model, width=width, depth=depth, batch_size=batch_size, lr=lr, epochs=epochs,
                      optimizer=optimizer, seed=seed, schedule=schedule, early_stopping=early_stopping,
                      patience=patience, **scale)
    processes = _processes(nproc)
    _check_tensorboard(tensorboard)
    check_float("dist_timeout", dist_timeout)
    data = setup.load_data(lang, quiet, note=distributed.is_main(), world_size=processes)
    hp = setup.hparams
    hp.check_data_size(data.n_train, processes)
    distributed.check_shares(hp, data.n_train, processes)
    out = out or Path("runs") / (f"{data.name}-{setup.model.replace(':', '.')}-{hp.optimizer}-b{hp.batch_size}"
                                 f"-lr{hp.lr:g}")
    job = Job(setup, out, resume, lang, json_out, quiet, tensorboard)
    replacing = not resume and distributed.is_main() and holds_run(out)
    try:
        if nproc is not None and nproc > 1:  # start the ranks here
            report = distributed.launch(nproc, train_here, job, timeout=dist_timeout, threads=threads)
        elif processes > 1:  # this process is one of the ranks torchrun started
            with distributed.process_group(dist_timeout), setup.threads(threads, data):
                report = train_here(job)
        else:
            with setup.threads(threads, data):
                report = train_here(job)
    except distributed.DistributedError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:  # the launched ranks saw Ctrl-C too; rank 0 saved what it had
        if replacing:
            note(t("cli.replaced_run", lang, path=out))
        typer.echo(f"interrupted; results so far are saved in {out}", err=True)
        raise typer.Exit(130) from None
    if report is None:  # a rank other than 0: rank 0 prints
        return
    if json_out:
        o.print_json({"setup": setup.as_dict(), "hparams": hp.to_dict(), "summary": report.summary,
                      "history": report.history.to_dict()})
    console = o.console(quiet, json_out)
    console.print(summary_table(report.summary, report.history, hp, lang))
    console.print(t("results_in", lang, path=out))
    if replacing:
        note(t("cli.replaced_run", lang, path=out))


def train_here(job: Job) -> Report | None:
    """Train the job in this process (one rank of a data-parallel run, or the only process);
    rank 0 shows the progress bar and returns the report, other ranks return None."""
    setup, hp = job.setup, job.setup.hparams
    main = distributed.is_main()
    data = setup.load_data(job.lang, job.quiet, note=False)
    console = o.console(job.quiet or not main, job.json_out)
    with make_progress(console) as progress:
        result = train_run(setup.model, data, hp, out=job.out, resume=job.resume, width=setup.width,
                           depth=setup.depth, lang=job.lang, callbacks=[ProgressBar(progress, job.lang),
                                                                        *_tensorboard_callbacks(job)])
    return Report(result.summary(), result.history) if main else None


def _processes(nproc: int | None) -> int:
    """How many processes train: --nproc, or WORLD_SIZE when torchrun started this one."""
    started_by_torchrun = distributed.env_world_size()
    if nproc is None:
        return started_by_torchrun
    nproc = check_int("nproc", nproc, 1)
    if started_by_torchrun > 1 and nproc > 1:
        raise ConfigError("nproc", nproc, f"cannot start processes inside torchrun (WORLD_SIZE="
                                          f"{started_by_torchrun}): torchrun's --nproc-per-node sets the count")
    return max(nproc, started_by_torchrun)


def _train_lists(config: Path | None, settings: list[str] | None, common: dict[str, object],
                 knobs: dict[str, str | None], *, out: Path | None, lang: str, json_out: bool, quiet: bool,
                 threads: int | None, tensorboard: Path | None, memory_limit: str | None = None) -> None:
    """Every combination of the listed knobs, validated one by one, trained as one population; with
    ``tensorboard`` each member writes its own run, DIR/<comparison folder>/<member name>."""
    lists = {k: parse_list(k, v) if v is not None else [None] for k, v in knobs.items()}
    setups = [o.resolve(config, settings=settings, **common, **combo) for combo in expand_grid(lists)]
    first = setups[0]
    data = first.load_data(lang, quiet)
    for setup in setups[1:]:  # the same data: each member's default batch fitted to it, said once
        setup.fit_batch(data.n_train, lang, quiet=True)
    hps = [s.hparams for s in setups]
    for hp in hps:
        hp.check_data_size(data.n_train)
    names = member_names(hps)
    out = out or Path("runs") / f"{data.name}-{first.model.replace(':', '.')}-compare"
    console = o.console(quiet, json_out)
    total = sum(hp.epochs * hp.steps_per_epoch(data.n_train) for hp in hps)
    earlier = comparison_members(out) if (out / "comparison.json").is_file() else None
    try:
        with first.threads(threads, data), make_progress(console) as progress:
            # "training N runs": whether they stack is known only once they start
            task = progress.add_task(t("cmp.training", lang, n=len(hps)), total=total, info="")
            results = train_many(first.model, data, hps, out=out, width=first.width, depth=first.depth, lang=lang,
                                 memory_limit=memory_limit,
                                 callbacks=[[ProgressBar(progress, lang, task=task, label=name),
                                             *_tensorboard_for(tensorboard, out.name, name)] for name in names])
    except TrainingInterrupted:  # what the members measured so far was saved over the earlier comparison
        _note_replaced_comparison(out, earlier, names, lang)
        raise
    if json_out:
        o.print_json([{"name": name, "setup": first.as_dict(), "hparams": r.hparams.to_dict(),
                       "summary": r.summary(), "history": r.history.to_dict()} for name, r in zip(names, results)])
    console.print(comparison_table(results, names, lang))
    best = best_line(results, names, lang)
    if best is not None:
        console.print(best)
    groups = seed_groups(hps)
    if groups is not None:  # settings listed with several seeds: each setting over its seeds too
        rows = settings_over_seeds(results, groups)
        console.print(settings_table(rows, results[0].history.metric, lang))
        if (line := best_setting_line(rows, results[0].history.metric, lang)) is not None:
            console.print(line)
    console.print(t("cmp.results_in", lang, path=out, plot=out / "curves.png"), soft_wrap=True)
    _note_replaced_comparison(out, earlier, names, lang)


def _note_replaced_comparison(out: Path, earlier: list[str] | None, names: list[str], lang: str) -> None:
    """The note for a comparison written where an earlier one was (``earlier``: its members)."""
    if earlier is None:
        return
    removed = [name for name in earlier if name not in names]
    note(t("cli.replaced_comparison", lang, path=out)
         + (t("cli.removed_members", lang, names=", ".join(removed)) if removed else ""))


def _check_tensorboard(log_dir: Path | None) -> None:
    """Refuse --tensorboard up front, in one line, when the tensorboard package is missing."""
    from hyperlab.engine.tensorboard import check_log_dir

    check_log_dir(log_dir)


def _tensorboard_callbacks(job: Job) -> list[Any]:
    """The TensorBoard callback for --tensorboard DIR: the run writes into DIR/<run folder name>."""
    return _tensorboard_for(job.tensorboard, job.out.name)


def _tensorboard_for(log_dir: Path | None, *names: str) -> list[Any]:
    """[a TensorBoard callback writing one run into DIR/<names...>], or nothing without --tensorboard."""
    if log_dir is None:
        return []
    from hyperlab.engine.tensorboard import OneRunTensorBoard

    return [OneRunTensorBoard(log_dir.joinpath(*names))]


def register(command) -> None:  # noqa: ANN001 - see hyperlab.cli.command
    command(train)
