"""The HTML report of a study: summary, trials table, learning rate x batch size heatmap, parallel
coordinates, optimisation history, curves of the best trials and the importance of each knob.

Built with ``hyperlab.views.report`` (one self-contained page) from the study as stored; Optuna's
matplotlib plots are used where they fit (parallel coordinates, history) and its fANOVA evaluator
for importances.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import optuna
from matplotlib.figure import Figure
from optuna.trial import FrozenTrial, TrialState

from hyperlab.errors import HyperlabError, check_choice
from hyperlab.i18n import t
from hyperlab.sweeps import texts  # noqa: F401 - registers the sweep texts
from hyperlab.sweeps.results import result_rows, status_text, study_setup, study_summary, summary_lines, trial_status
from hyperlab.views.plots import as_notebook_figure, save, subplots, use_font
from hyperlab.views.report import Section, write_report

TOP_CURVES = 5
TABLE_ROWS = 30
MAX_BINS = 6


def _complete(study: optuna.Study) -> list[FrozenTrial]:
    return [tr for tr in study.get_trials(deepcopy=False) if tr.state == TrialState.COMPLETE]


def _axis(values: list[Any], dim: Any) -> tuple[list[str], Callable[[Any], int]]:
    """Tick labels and a value -> cell index map: each distinct value of a list, or log bins over a
    searched range (the whole range, so the layout does not depend on which trials finished)."""
    distinct = sorted(set(values) | set(dim.choices if dim is not None else ()))
    if (dim is not None and dim.choices) or (dim is None and len(distinct) <= MAX_BINS):
        return [f"{v:.3g}" for v in distinct], distinct.index
    low, high = (dim.low, dim.high) if dim is not None else (min(distinct), max(distinct))
    edges = np.geomspace(min(low, min(distinct)), max(high, max(distinct)), MAX_BINS + 1)
    labels = [f"{lo:.2g}–{hi:.2g}" for lo, hi in zip(edges[:-1], edges[1:])]
    return labels, lambda v: int(min(np.searchsorted(edges, v, side="right") - 1, MAX_BINS - 1))


@dataclass
class HeatmapCells:
    """Per (learning rate, batch size) cell: best completed score, how many completed, and the
    statuses of the trials that did not complete (pruned, diverged)."""

    y_labels: list[str]
    x_labels: list[str]
    best: np.ndarray
    count: np.ndarray
    stopped: dict[tuple[int, int], Counter[str]]


def heatmap_cells(study: optuna.Study) -> HeatmapCells | None:
    """Bin the finished trials by learning rate and batch size (None before any trial completed)."""
    trials = [tr for tr in study.get_trials(deepcopy=False)
              if tr.state in (TrialState.COMPLETE, TrialState.PRUNED) and "lr" in tr.params
              and "batch_size" in tr.params]
    if not any(tr.state == TrialState.COMPLETE for tr in trials):
        return None
    setup = study_setup(study)
    space = setup.search_space() if setup else None
    y_labels, y_index = _axis([tr.params["lr"] for tr in trials], space.get("lr") if space else None)
    x_labels, x_index = _axis([tr.params["batch_size"] for tr in trials], space.get("batch_size") if space else None)
    cells = HeatmapCells(y_labels, x_labels, np.full((len(y_labels), len(x_labels)), np.nan),
                         np.zeros((len(y_labels), len(x_labels)), dtype=int), {})
    for tr in trials:
        i, j = y_index(tr.params["lr"]), x_index(tr.params["batch_size"])
        if tr.state == TrialState.COMPLETE:
            old = cells.best[i, j]
            cells.best[i, j] = tr.value if math.isnan(old) else max(old, tr.value)  # type: ignore[arg-type]
            cells.count[i, j] += 1
        else:
            cells.stopped.setdefault((i, j), Counter())[trial_status(tr)] += 1
    return cells


def plot_heatmap(study: optuna.Study, path: Path, metric: str, lang: str) -> Path | None:
    """``heatmap_figure`` saved as PNG at ``path`` (None before any trial completed)."""
    fig = heatmap_figure(study, metric, lang)
    return save(fig, path) if fig is not None else None


def heatmap_figure(study: optuna.Study, metric: str, lang: str) -> Figure | None:
    """Best final validation metric per (learning rate, batch size) cell of the completed trials;
    cells with no completed trial say how many trials there were pruned or diverged."""
    cells = heatmap_cells(study)
    if cells is None:
        return None
    best, count = cells.best, cells.count
    use_font(lang)
    fig, ax = subplots(figsize=(1.4 * len(cells.x_labels) + 3, 0.7 * len(cells.y_labels) + 2.5))
    image = ax.imshow(np.ma.masked_invalid(best), origin="lower", aspect="auto", cmap="viridis")
    for i in range(best.shape[0]):
        for j in range(best.shape[1]):
            if count[i, j]:
                ax.text(j, i, f"{best[i, j]:.3f}\n({count[i, j]})", ha="center", va="center", fontsize=8,
                        color="white" if best[i, j] < np.nanmean(best) else "black")
            elif (i, j) in cells.stopped:
                ax.text(j, i, "\n".join(f"{n} {t(status, lang)}" for status, n in sorted(cells.stopped[i, j].items())),
                        ha="center", va="center", fontsize=7, color="dimgray")
    ax.set_xticks(range(len(cells.x_labels)), cells.x_labels)
    ax.set_yticks(range(len(cells.y_labels)), cells.y_labels)
    ax.set_xlabel(t("batch_size", lang))
    ax.set_ylabel(t("lr", lang))
    fig.colorbar(image, ax=ax, label=f"{t('val', lang)} {t(metric, lang)}")
    ax.set_title(t("report_heatmap", lang))
    return fig


def _optuna_figure(draw: Callable[[], Any], title: str, lang: str) -> Figure:
    """An Optuna matplotlib plot as a figure of ours: drawn in its style, then let go by pyplot."""
    with matplotlib.rc_context(), warnings.catch_warnings():  # Optuna switches the global style to ggplot
        use_font(lang)
        warnings.simplefilter("ignore")  # experimental API; flat axes when a setting took one value
        ax = draw()
        ax.set_title(title)
        ax.figure.set_size_inches(9, 4.5)
    # Optuna draws through pyplot (it imported it), which keeps every figure until it is closed
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(ax.figure)
    return as_notebook_figure(ax.figure)


# the report's plots that Optuna draws: name -> (title key, Optuna's matplotlib function)
OPTUNA_PLOTS: dict[str, tuple[str, str]] = {"parallel": ("report_parallel", "plot_parallel_coordinate"),
                                            "history": ("report_history", "plot_optimization_history")}


def optuna_figure(study: optuna.Study, name: str, metric: str, lang: str) -> Figure:
    """The parallel coordinates (``name="parallel"``) or the optimisation history (``"history"``)."""
    key, function = OPTUNA_PLOTS[name]
    draw = getattr(optuna.visualization.matplotlib, function)
    return _optuna_figure(lambda: draw(study, target_name=t(metric, lang)), t(key, lang), lang)


def plot_curves(study: optuna.Study, path: Path, metric: str, lang: str) -> Path | None:
    """``curves_figure`` saved as PNG at ``path`` (None before any trial completed)."""
    fig = curves_figure(study, metric, lang)
    return save(fig, path) if fig is not None else None


def curves_figure(study: optuna.Study, metric: str, lang: str) -> Figure | None:
    """Validation metric per epoch of the best completed trials; pruned and diverged ones faint."""
    trials = study.get_trials(deepcopy=False)
    best = sorted(_complete(study), key=lambda tr: -tr.value)[:TOP_CURVES]  # type: ignore[operator]
    if not best:
        return None
    use_font(lang)
    fig, ax = subplots(figsize=(9, 4.5))
    for tr in trials:
        status = trial_status(tr)
        if status in ("pruned", "diverged") and tr.intermediate_values:
            steps = sorted(tr.intermediate_values)
            ax.plot(steps, [tr.intermediate_values[s] for s in steps], color="red" if status == "diverged" else "0.5",
                    alpha=0.4, linewidth=0.8, marker=".", markersize=4)
    for tr in best:
        steps = sorted(tr.intermediate_values)
        label = f"#{tr.number} " + " ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                                            for k, v in tr.params.items())
        ax.plot(steps, [tr.intermediate_values[s] for s in steps], marker="o", markersize=3, label=label)
    ax.set_xlabel(t("epoch", lang))
    ax.set_ylabel(f"{t('val', lang)} {t(metric, lang)}")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    ax.set_title(t("report_curves", lang))
    return fig


def importances(study: optuna.Study) -> dict[str, float]:
    """fANOVA importance of each searched setting shared by all completed trials (empty if too few)."""
    if len(_complete(study)) < 2:
        return {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return optuna.importance.get_param_importances(
                study, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=0))
        except (ValueError, RuntimeError):  # e.g. no parameter varies across completed trials
            return {}


def plot_importance(values: dict[str, float], path: Path, lang: str) -> Path:
    """``importance_figure`` saved as PNG at ``path``."""
    return save(importance_figure(values, lang), path)


def importance_figure(values: dict[str, float], lang: str) -> Figure:
    """fANOVA importance of each searched setting, as horizontal bars."""
    use_font(lang)
    names = list(values)[::-1]
    fig, ax = subplots(figsize=(7, 0.6 * len(names) + 1.5))
    ax.barh([t(n, lang) for n in names], [values[n] for n in names], color="tab:blue")
    for i, n in enumerate(names):
        ax.text(values[n], i, f" {values[n]:.2f}", va="center", fontsize=9)
    ax.set_xlim(0, 1.1)
    ax.set_title(t("report_importance", lang))
    return fig


SWEEP_FIGURES = ("heatmap", "history", "parallel", "curves", "importance")


def sweep_figure(study: optuna.Study, which: str = "heatmap", lang: str = "en") -> Figure:
    """One of the report's figures as a Figure: ``heatmap`` (lr x batch size), ``history``
    (optimisation history), ``parallel`` (parallel coordinates), ``curves`` (best trials per
    epoch) or ``importance``; an error naming what is missing when the study cannot draw it yet."""
    check_choice("which", which, SWEEP_FIGURES)
    metric = study_summary(study)["metric"] or "accuracy"
    n_complete = len(_complete(study))
    if which == "heatmap":
        names = {n for tr in study.get_trials(deepcopy=False) for n in tr.params}
        missing = [t(n, lang) for n in ("lr", "batch_size") if n not in names]
        if missing and n_complete:
            raise HyperlabError(t("report_not_searched", lang, names=", ".join(missing)))
    fig: Figure | None = None
    if which == "importance":
        values = importances(study)
        if not values:
            raise HyperlabError(t("report_not_enough", lang, n=n_complete, need=2))
        fig = importance_figure(values, lang)
    elif which in OPTUNA_PLOTS:
        fig = optuna_figure(study, which, metric, lang) if n_complete else None
    else:
        fig = (heatmap_figure if which == "heatmap" else curves_figure)(study, metric, lang)
    if fig is None:
        raise HyperlabError(t("report_not_enough", lang, n=n_complete, need=1))
    return fig


def _table(study: optuna.Study, metric: str, lang: str) -> list[dict[str, Any]]:
    rows = []
    for row in result_rows(study)[:TABLE_ROWS]:
        out: dict[str, Any] = {"#": row["number"], t("status", lang): status_text(row["status"], lang),
                               f"{t('val', lang)} {t(metric, lang)}": row["value"]}
        for key in row:
            if key not in {"number", "status", "value", "retry_of", "worker", "diverged_epoch"}:
                out[t(key, lang) if key != "diverged_step" else t("diverged_step", lang)] = (
                    t("diverged_where", lang, step=row["diverged_step"], epoch=row["diverged_epoch"])
                    if key == "diverged_step" and row["diverged_step"] is not None else row[key])
        rows.append(out)
    return rows


def write_sweep_report(study: optuna.Study, out_dir: str | Path, lang: str = "en") -> Path:
    """Draw the plots into ``out_dir`` and write ``out_dir/report.html``; returns its path."""
    out = Path(out_dir)
    title, sections = sweep_sections(study, out, lang)
    return write_report(out / "report.html", title, sections, lang=lang)


def sweep_sections(study: optuna.Study, out: Path, lang: str = "en") -> tuple[str, list[Section]]:
    """The report's title and sections, with its plots drawn into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    summary = study_summary(study)
    metric = summary["metric"] or "accuracy"
    setup = study_setup(study)
    n_complete = len(_complete(study))
    intro = [f"{t('study', lang)}: {study.study_name}",
             f"{t('strategy', lang)}: {study.user_attrs.get('strategy', '–')}, "
             f"{t('pruner', lang)}: {study.user_attrs.get('pruner', '–')}"]
    if setup:
        intro.append(f"{t('search_space', lang)}: " + ", ".join(f"{k} {v}" for k, v in setup.space.items()))
        intro.append(f"dataset {setup.dataset}, model {setup.model}")
    sections = [Section(t("report_summary", lang), paragraphs=intro + summary_lines(summary, lang)),
                Section(t("report_trials", lang), table=_table(study, metric, lang))]
    need = t("report_not_enough", lang, n=n_complete, need=1)

    heat = Section(t("report_heatmap", lang), paragraphs=[t("report_heatmap_text", lang, metric=t(metric, lang))])
    names = {n for tr in study.get_trials(deepcopy=False) for n in tr.params}
    if not {"lr", "batch_size"} <= names:
        heat.paragraphs = [t("report_not_searched", lang, names=", ".join(
            t(n, lang) for n in ("lr", "batch_size") if n not in names))]
    elif (image := plot_heatmap(study, out / "heatmap.png", metric, lang)) is not None:
        heat.images.append(image)
    else:
        heat.paragraphs.append(need)
    sections.append(heat)

    for name in OPTUNA_PLOTS:
        section = Section(t(OPTUNA_PLOTS[name][0], lang))
        if n_complete:
            section.images.append(save(optuna_figure(study, name, metric, lang), out / f"{name}.png"))
        else:
            section.paragraphs.append(need)
        sections.append(section)

    curves = Section(t("report_curves", lang), paragraphs=[t("report_curves_text", lang, metric=t(metric, lang))])
    image = plot_curves(study, out / "curves.png", metric, lang)
    curves.images.append(image) if image else curves.paragraphs.append(need)
    sections.append(curves)

    values = importances(study)
    importance = Section(t("report_importance", lang))
    if values:
        importance.paragraphs.append(t("report_importance_text", lang, n=n_complete, metric=t(metric, lang)))
        importance.table = [{t("search_space", lang): t(k, lang), t("value", lang): round(v, 4)}
                            for k, v in values.items()]
        importance.images.append(plot_importance(values, out / "importance.png", lang))
    else:
        importance.paragraphs.append(t("report_not_enough", lang, n=n_complete, need=2))
    sections.append(importance)
    return t("report_title", lang, study=study.study_name), sections
