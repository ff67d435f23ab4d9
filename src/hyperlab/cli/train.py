"""`hyperlab train`: one training run with a progress bar, a summary table and a run directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hyperlab.api import as_data, train as train_run
from hyperlab.cli import options as o
from hyperlab.cli.progress import ProgressBar, make_progress
from hyperlab.engine import RunResult
from hyperlab.engine.threads import torch_threads
from hyperlab.i18n import steps_arithmetic, t


def summary_table(result: RunResult, lang: str) -> Table:
    """The closing table: the four knobs and what the run measured."""
    s, hp = result.summary(), result.hparams
    table = Table(show_header=False)
    table.add_column(style="bold")
    table.add_column()
    rows = [
        (t("batch_size", lang), str(hp.batch_size)), (t("lr", lang), f"{hp.lr:g}"),
        (t("epochs", lang), f"{s['epochs_run']}/{hp.epochs}"), (t("optimizer", lang), hp.optimizer),
        (t("steps_per_epoch", lang), steps_arithmetic(s["n_train"], hp.batch_size, s["steps_per_epoch"], lang,
                                                      accumulate=hp.accumulate)),
        (t("status", lang), t(s["status"], lang)),
    ]
    metric = t(result.history.metric, lang)
    if s["final_val_metric"] is not None:
        rows.append((f"{t('val', lang)} {metric}", f"{s['final_val_metric']:.4f}"))
        rows.append((f"{t('val', lang)} {t('loss', lang)}", f"{s['final_val_loss']:.4f}"))
    if s["best_epoch"]:
        rows.append((t("best_epoch", lang), str(s["best_epoch"])))
    if s["diverged"]:
        d = s["diverged"]
        rows.append((t("diverged", lang), t("diverged_at", lang, step=d["step"], epoch=d["epoch"],
                                               reason=t(d["reason"], lang))))
    if s["restored_epoch"]:
        rows.append(("", t("restored", lang, epoch=s["restored_epoch"])))
    if s["peak_memory_bytes"]:
        rows.append((t("peak_memory", lang), f"{s['peak_memory_bytes'] / 1024:.0f} KiB"))
    rows.append((t("seconds", lang), f"{s['seconds']:.2f}"))
    for row in rows:
        table.add_row(*row)
    return table


def train(
    config: o.ConfigOpt = None, dataset: o.DatasetOpt = None, label: o.LabelOpt = None,
    model: o.ModelOpt = None, width: o.WidthOpt = None, depth: o.DepthOpt = None,
    batch_size: o.BatchOpt = None, lr: o.LrOpt = None, epochs: o.EpochsOpt = None,
    optimizer: o.OptimizerOpt = None, seed: o.SeedOpt = None,
    schedule: Annotated[str | None, typer.Option(help="constant, step, cosine, warmup, onecycle.")] = None,
    early_stopping: Annotated[bool | None, typer.Option("--early-stopping/--no-early-stopping",
                                                        help="Stop when validation loss stops improving.")] = None,
    patience: Annotated[str | None, typer.Option(help="Epochs without improvement before stopping.")] = None,
    settings: o.SetOpt = None, out: o.OutOpt = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue from the checkpoint in --out.")] = False,
    lang: o.LangOpt = "en", json_out: o.JsonOpt = False, quiet: o.QuietOpt = False,
    threads: o.ThreadsOpt = None,
) -> None:
    """Train one model with the four hyperparameters and save the run directory."""
    lang = o.lang_of(lang)
    setup = o.resolve(config, settings=settings, dataset=dataset, label=label, model=model, width=width,
                      depth=depth, batch_size=batch_size, lr=lr, epochs=epochs, optimizer=optimizer,
                      seed=seed, schedule=schedule, early_stopping=early_stopping, patience=patience)
    hp = setup.hparams
    data = as_data(setup.dataset, seed=hp.seed, label=setup.label)
    hp.check_data_size(data.n_train)
    out = out or Path("runs") / f"{data.name}-{setup.model.replace(':', '.')}-{hp.optimizer}-b{hp.batch_size}-lr{hp.lr:g}"
    console = o.console(quiet, json_out)
    with torch_threads(threads), make_progress(console) as progress:
        result = train_run(setup.model, data, hp, out=out, resume=resume, width=setup.width,
                           depth=setup.depth, lang=lang, callbacks=[ProgressBar(progress, lang)])
    if json_out:
        o.print_json({"setup": setup.as_dict(), "hparams": hp.to_dict(), "summary": result.summary(),
                      "history": result.history.to_dict()})
    console.print(summary_table(result, lang))
    console.print(t("results_in", lang, path=out))


def register(command) -> None:  # noqa: ANN001 - see hyperlab.cli.command
    command(train)
