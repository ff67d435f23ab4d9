"""`hyperlab train`: one training run with a progress bar, a summary table and a run directory; with
comma lists for the knobs (``--lr 0.001,0.01 --optimizer sgd,adam``) every combination trained as
one population, a comparison table, one run directory per member and one overlaid curves plot."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hyperlab.api import as_data, expand_grid, train_many
from hyperlab.api import train as train_run
from hyperlab.cli import options as o
from hyperlab.cli.progress import ProgressBar, make_progress
from hyperlab.engine import RunResult
from hyperlab.engine.threads import torch_threads
from hyperlab.errors import ConfigError
from hyperlab.i18n import steps_arithmetic, t
from hyperlab.records import member_names
from hyperlab.views import texts  # noqa: F401 - registers the comparison texts

LISTED = ("optimizer", "batch_size", "lr", "epochs", "seed")  # knobs that take comma lists (first varies slowest)


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
    """Train one model with the four hyperparameters and save the run directory. Comma lists
    (--lr 0.001,0.01 --optimizer sgd,adam --batch-size 32,128 --seed 0,1) train every combination
    together as one population."""
    lang = o.lang_of(lang)
    knobs = {"optimizer": optimizer, "batch_size": batch_size, "lr": lr, "epochs": epochs, "seed": seed}
    if any(value is not None and "," in value for value in knobs.values()):
        if resume:
            raise ConfigError("resume", True, "works with one run, not with lists of settings")
        common = {"dataset": dataset, "label": label, "model": model, "width": width, "depth": depth,
                  "schedule": schedule, "early_stopping": early_stopping, "patience": patience}
        _train_lists(config, settings, common, knobs, out=out, lang=lang, json_out=json_out, quiet=quiet,
                     threads=threads)
        return
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


def _train_lists(config: Path | None, settings: list[str] | None, common: dict[str, object],
                 knobs: dict[str, str | None], *, out: Path | None, lang: str, json_out: bool, quiet: bool,
                 threads: int | None) -> None:
    """Every combination of the listed knobs, validated one by one, trained as one population."""
    lists = {k: [part.strip() for part in v.split(",")] if v is not None else [None] for k, v in knobs.items()}
    setups = [o.resolve(config, settings=settings, **common, **combo) for combo in expand_grid(lists)]
    hps = [s.hparams for s in setups]
    first = setups[0]
    data = as_data(first.dataset, seed=hps[0].seed, label=first.label)
    for hp in hps:
        hp.check_data_size(data.n_train)
    names = member_names(hps)
    out = out or Path("runs") / f"{data.name}-{first.model.replace(':', '.')}-compare"
    console = o.console(quiet, json_out)
    total = sum(hp.epochs * hp.steps_per_epoch(data.n_train) for hp in hps)
    with torch_threads(threads), make_progress(console) as progress:
        task = progress.add_task(t("cmp.title", lang, n=len(hps)), total=total, info="")
        results = train_many(first.model, data, hps, out=out, width=first.width, depth=first.depth, lang=lang,
                             callbacks=[[ProgressBar(progress, lang, task=task, label=name)] for name in names])
    if json_out:
        o.print_json([{"name": name, "setup": first.as_dict(), "hparams": r.hparams.to_dict(),
                       "summary": r.summary(), "history": r.history.to_dict()} for name, r in zip(names, results)])
    console.print(comparison_table(results, names, lang))
    best = _best(results)
    if best is not None:
        metric = t(results[best].history.metric, lang)
        console.print(t("cmp.best", lang, name=names[best], metric=metric,
                        value=results[best].summary()["final_val_metric"]))
    console.print(t("cmp.results_in", lang, path=out, plot=out / "curves.png"), soft_wrap=True)


def _best(results: list[RunResult]) -> int | None:
    """The member with the highest final validation metric (ties: lower validation loss)."""
    scored = [(i, r.summary()) for i, r in enumerate(results) if r.summary()["final_val_metric"] is not None]
    if not scored:
        return None
    return max(scored, key=lambda item: (item[1]["final_val_metric"], -(item[1]["final_val_loss"] or 0.0)))[0]


def comparison_table(results: list[RunResult], names: list[str], lang: str) -> Table:
    """One row per member (named by its settings) and what it measured; the best one in bold."""
    metric = t(results[0].history.metric, lang)
    stacked = any(r.history.peak_memory.get("population_members") for r in results)
    table = Table(title=t("cmp.title" if stacked else "cmp.title_sequential", lang, n=len(results)))
    table.add_column(t("cmp.run", lang), no_wrap=True)
    for column in (t("epochs", lang), t("status", lang), f"{t('val', lang)} {metric}",
                   f"{t('val', lang)} {t('loss', lang)}", t("best_epoch", lang), t("seconds", lang)):
        table.add_column(column, overflow="fold")
    best = _best(results)
    for i, (name, r) in enumerate(zip(names, results)):
        s = r.summary()
        status = t(s["status"], lang)
        if s["diverged"]:
            status += f" ({t('step', lang)} {s['diverged']['step']})"
        table.add_row(name, f"{s['epochs_run']}/{r.hparams.epochs}", status,
                      "–" if s["final_val_metric"] is None else f"{s['final_val_metric']:.4f}",
                      "–" if s["final_val_loss"] is None else f"{s['final_val_loss']:.4f}",
                      str(s["best_epoch"] or "–"), f"{s['seconds']:.2f}", style="bold" if i == best else None)
    return table


def register(command) -> None:  # noqa: ANN001 - see hyperlab.cli.command
    command(train)
