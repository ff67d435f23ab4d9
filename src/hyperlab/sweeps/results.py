"""A study's trials as rows: sorted by the objective, with status, parameters, metric, divergence
step, compute and time. Read from the storage as it is, so a running sweep can be inspected too.

    hyperlab results STUDY --storage sqlite:///hyperlab.db --format table|csv|json
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState
from rich.table import Table

from hyperlab.errors import ConfigError, did_you_mean
from hyperlab.i18n import t
from hyperlab.sweeps import texts  # noqa: F401 - registers the sweep texts
from hyperlab.sweeps.objective import POPULATION_ATTR, STATUS_ATTR, SweepSetup
from hyperlab.sweeps.space import SEARCHABLE
from hyperlab.sweeps.storage import existing_storage, open_storage, study_names
from hyperlab.views.report import format_value
from hyperlab.views.tables import DataTable, data_table

FORMATS = ("table", "csv", "json")
STATUSES = ("complete", "pruned", "diverged", "failed", "interrupted", "duplicate", "running", "waiting")
FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)  # what --trials counts


def trial_status(trial: FrozenTrial) -> str:
    """complete, pruned, diverged, failed, interrupted, duplicate, running or waiting."""
    attr = trial.user_attrs.get(STATUS_ATTR)
    if trial.state == TrialState.COMPLETE:
        return "complete"
    if trial.state == TrialState.PRUNED:
        return "diverged" if attr == "diverged" else "pruned"
    if trial.state == TrialState.FAIL:
        return attr if attr in ("interrupted", "duplicate") else "failed"
    return "running" if trial.state == TrialState.RUNNING else "waiting"


def status_text(status: str, lang: str) -> str:
    key = {"complete": "sweep_complete", "running": "sweep_running", "waiting": "sweep_waiting",
           "duplicate": "sweep_duplicate"}.get(status, status)
    return t(key, lang)


def open_study(name: str, storage: str | None) -> optuna.Study:
    """Load an existing study for reading (no heartbeat, nothing created); a clear error if absent."""
    url = existing_storage(storage)
    rdb = open_storage(url, heartbeat=None, retry=False)
    names = study_names(rdb)
    if name not in names:
        raise ConfigError("study", name, "is not in this storage"
                          + (did_you_mean(name, names) or (f"; studies: {', '.join(names)}" if names else
                                                           "; it holds no study yet")))
    return optuna.load_study(study_name=name, storage=rdb)


def study_setup(study: optuna.Study) -> SweepSetup | None:
    data = study.user_attrs.get("hyperlab")
    return SweepSetup.from_dict(data) if isinstance(data, dict) else None


def _order(trial: FrozenTrial) -> tuple:
    status = trial_status(trial)
    value = trial.value if trial.value is not None and math.isfinite(trial.value) else -math.inf
    return (STATUSES.index(status), -value, trial.number)


def sorted_trials(study: optuna.Study) -> list[FrozenTrial]:
    """Completed trials best first, then pruned (by the last value they reached), diverged, failed..."""
    return sorted(study.get_trials(deepcopy=False), key=_order)


def param_names(trials: list[FrozenTrial]) -> list[str]:
    """Searched parameters in the order of the four knobs, then their options."""
    seen = {name for tr in trials for name in tr.params}
    return [n for n in SEARCHABLE if n in seen] + sorted(seen - set(SEARCHABLE))


def trial_row(trial: FrozenTrial, names: list[str]) -> dict[str, Any]:
    """One trial as plain, JSON-safe data (English keys; the table view translates them)."""
    attrs = trial.user_attrs
    history = attrs.get("history") or {}
    seconds = (trial.datetime_complete - trial.datetime_start).total_seconds() \
        if trial.datetime_complete and trial.datetime_start else None
    retried = trial.system_attrs.get("failed_trial")
    return {
        "number": trial.number,
        "status": trial_status(trial),
        "value": trial.value,
        **{name: trial.params.get(name) for name in names},
        "epochs_run": len(history.get("epochs", [])) if history else None,
        "steps": attrs.get("steps"),
        "diverged_step": attrs.get("diverged_step"),
        "diverged_epoch": attrs.get("diverged_epoch"),
        "seconds": round(seconds, 3) if seconds is not None else None,
        "retry_of": retried,
        "worker": attrs.get("worker"),
    }


def result_rows(study: optuna.Study) -> list[dict[str, Any]]:
    trials = sorted_trials(study)
    names = param_names(trials)
    return [trial_row(tr, names) for tr in trials]


def rows_table(rows: list[dict[str, Any]], metric: str, lang: str, title: str = "") -> Table | DataTable:
    """The rows as a rich table with translated headers and statuses."""
    if not rows:
        return Table(title=title or None)
    fixed = {"number", "status", "value", "epochs_run", "steps", "diverged_step", "diverged_epoch",
             "seconds", "retry_of", "worker"}
    names = [k for k in rows[0] if k not in fixed]
    heads = ["#", t("status", lang), t(metric, lang),  # epochs_run: the epochs a trial ran (a searched epochs differs)
             *(t(n, lang) for n in names), t("epochs_run", lang), t("steps", lang),
             t("diverged_at_step", lang), t("seconds", lang)]
    cells = []
    for row in rows:
        status = status_text(row["status"], lang)
        if row["retry_of"] is not None:
            status += f" ({t('retry_of', lang, n=row['retry_of'])})"
        diverged_at = format_value(row["diverged_step"]) if row["diverged_step"] is not None else ""
        cells.append([str(row["number"]), status, format_value(row["value"]), *(format_value(row[n]) for n in names),
                      format_value(row["epochs_run"]), format_value(row["steps"]), diverged_at,
                      format_value(row["seconds"])])
    last = len(heads) - 1  # seconds, steps, epochs run: left out first when the terminal is narrow
    return data_table(heads, cells, title=title or None, justify=["right", "left"] + ["right"] * (len(heads) - 2),
                      optional=[last, last - 2, last - 3], left_out=t("columns_left_out", lang))


def rows_csv(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def study_summary(study: optuna.Study, target: int | None = None) -> dict[str, Any]:
    """Counts by status, compute used and the best trial, JSON-safe."""
    trials = study.get_trials(deepcopy=False)
    counts = {s: 0 for s in STATUSES}
    for tr in trials:
        counts[trial_status(tr)] += 1
    completed = [tr for tr in trials if tr.state == TrialState.COMPLETE]
    best = max(completed, key=lambda tr: tr.value) if completed else None  # type: ignore[arg-type, return-value]
    setup = study_setup(study)
    return {
        "study": study.study_name,
        "finished": sum(1 for tr in trials if tr.state in FINISHED),
        "target": target,
        "counts": {k: v for k, v in counts.items() if v},
        "metric": (best.user_attrs.get("history") or {}).get("metric") if best else None,
        "steps": sum(tr.user_attrs.get("steps") or 0 for tr in trials),
        "train_seconds": round(training_seconds(trials), 3),
        "best": {"number": best.number, "value": best.value, "params": best.params} if best else None,
        "space": setup.space if setup else None,
    }


def training_seconds(trials: list[FrozenTrial]) -> float:
    """Seconds of training in the study: trials trained together as one population share one wall
    time (each records it), so a population counts once, as its longest member."""
    alone, together = 0.0, {}
    for tr in trials:
        seconds = tr.user_attrs.get("train_seconds") or 0.0
        tag = tr.user_attrs.get(POPULATION_ATTR)
        if tag is None:
            alone += seconds
        else:
            together[tag] = max(together.get(tag, 0.0), seconds)
    return alone + sum(together.values())


def summary_lines(summary: dict[str, Any], lang: str) -> list[str]:
    """Human sentences for a summary (counts, compute, best trial)."""
    counts = ", ".join(f"{status_text(k, lang)} {v}" for k, v in summary["counts"].items())
    target = summary["target"] if summary["target"] is not None else summary["finished"]
    lines = [t("sweep_counts", lang, finished=summary["finished"], target=target, counts=counts),
             t("report_compute", lang, steps=summary["steps"], seconds=summary["train_seconds"])]
    best = summary["best"]
    if best:
        params = ", ".join(f"{k}={format_value(v)}" for k, v in best["params"].items())
        lines.append(t("sweep_best", lang, n=best["number"], metric=t(summary["metric"] or "accuracy", lang),
                       value=best["value"], params=params))
    else:
        lines.append(t("sweep_no_best", lang))
    return lines


def trial_line(trial: FrozenTrial, lang: str, label: str = "") -> str:
    """One line per finished trial while a sweep runs."""
    status = trial_status(trial)
    parts = [f"{label}{t('trial', lang)} {trial.number}", status_text(status, lang)]
    if trial.value is not None:
        parts.append(f"{trial.value:.4f}")
    if status == "diverged":
        parts.append(t("diverged_where", lang, step=trial.user_attrs.get("diverged_step"),
                       epoch=trial.user_attrs.get("diverged_epoch")))
    parts.append(" ".join(f"{k}={format_value(v)}" for k, v in trial.params.items()))
    history = trial.user_attrs.get("history") or {}
    world, accumulate = history.get("world_size") or 1, history.get("accumulate") or 1
    if world > 1 or accumulate > 1:  # the seed's arithmetic with all three factors
        parts.append(t("sweep_effective_batch", lang, batch=history.get("batch_size"), accumulate=accumulate,
                       world=world, effective=history.get("effective_batch"),
                       a_plural="es" if accumulate != 1 else "", w_plural="es" if world != 1 else ""))
    seconds = trial.user_attrs.get("train_seconds")
    if seconds is not None:
        parts.append(f"{seconds:.1f}s")
    return "  ".join(parts)
