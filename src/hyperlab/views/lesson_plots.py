"""The lessons' figures, drawn from their measurements (views never train).

Each figure has a builder ``(result, lang, into=None) -> Figure`` and a name in ``FIGURES`` (the
lesson's main figure first). ``lesson_figure(result, which, lang)`` returns one as a Figure (what
``LessonResult.plot`` gives); ``write_plots(result, out_dir, lang)`` saves each as PNG and returns
``{name: path}`` (what the report shows); ``tour_figure`` stacks each lesson's main figure.

    batch-size:    loss, measures, validation
    learning-rate: curves, summary
    epochs:        curves
    optimizer:     curves, surfaces, values (surfaces and values when the lesson ran its 2-D surfaces)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib import cm
from matplotlib.colors import LogNorm

from hyperlab.errors import ConfigError, did_you_mean
from hyperlab.i18n import t
from hyperlab.lessons import texts as lesson_texts  # noqa: F401 - registers the tour's title
from hyperlab.lessons.surfaces import SURFACES
from hyperlab.views import texts  # noqa: F401 - registers the views' texts
from hyperlab.views.plots import save, stacked, subplots, tidy, use_font

if TYPE_CHECKING:
    from matplotlib.figure import Figure, SubFigure

    from hyperlab.lessons.base import LessonResult


KIND_COLORS = {"too_slow": "#9e9e9e", "good": "#1a7f37", "oscillating": "#ef6c00", "diverged": "#c62828"}


def _nan(values: list[float | None]) -> list[float]:
    return [math.nan if v is None else v for v in values]


def _colors(n: int) -> list[Any]:
    return [cm.viridis(x) for x in np.linspace(0, 0.9, max(n, 1))]


def batch_loss_figure(result: LessonResult, lang: str, into: SubFigure | None = None) -> Figure:
    """Per-step training loss of each batch size against epochs (the lesson's main figure)."""
    use_font(lang)
    runs = {r.spec.key: r for r in result.runs}
    sizes = [r["batch_size"] for r in result.measurements["rows"]]
    fig, ax = subplots(figsize=(8, 4), into=into)
    for color, b in zip(_colors(len(sizes)), sizes):
        h = runs[f"epochs/b{b}"].history
        x = np.arange(1, len(h.step_loss) + 1) / h.steps_per_epoch
        ax.plot(x, _nan(h.step_loss), lw=0.8, color=color, label=f"B={b}")
    ax.set_yscale("log")
    ax.set_xlabel(t("epoch", lang))
    ax.set_ylabel(t("loss", lang))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(t("plot.batch_loss", lang))
    return fig


def batch_measures_figure(result: LessonResult, lang: str, into: SubFigure | None = None) -> Figure:
    """Steps per epoch, gradient noise, samples/s and peak memory per batch size."""
    use_font(lang)
    rows = result.measurements["rows"]
    sizes = [r["batch_size"] for r in rows]
    fig, axes = subplots(2, 2, figsize=(9, 6), into=into)
    panels = [("steps_per_epoch", t("steps_per_epoch", lang), 1), ("noise_relative", t("plot.noise", lang), 1),
              ("samples_per_second", t("plot.samples_s", lang), 1), ("peak_memory_bytes", t("plot.memory", lang), 1024)]
    for ax, (key, label, scale) in zip(axes.flat, panels):
        values = [None if r[key] is None else r[key] / scale for r in rows]
        ax.plot(sizes, _nan(values), marker="o")
        ax.set_xscale("log", base=2)
        if key in ("steps_per_epoch", "noise_relative"):
            ax.set_yscale("log")
        ax.set_xlabel(t("batch_size", lang))
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    fig.suptitle(t("plot.batch_measures", lang))
    tidy(fig)
    return fig


def batch_validation_figure(result: LessonResult, lang: str, into: SubFigure | None = None) -> Figure:
    """Validation metric per batch size at equal epochs, equal steps and (if run) scaled lr."""
    use_font(lang)
    m = result.measurements
    rows = m["rows"]
    sizes = [r["batch_size"] for r in rows]
    fig, ax = subplots(figsize=(7, 4), into=into)
    ax.plot(sizes, _nan([r["equal_epochs"].get("val_metric") for r in rows]), marker="o",
            label=t("plot.equal_epochs", lang, epochs=m["epochs"], lr=m["lr"]))
    ax.plot(sizes, _nan([r["equal_steps"]["val_metric"] for r in rows]), marker="s",
            label=t("plot.equal_steps", lang, steps=m["equal_steps"], lr=m["lr"]))
    if m["linear_scaling"]:
        ax.plot(sizes, _nan([(r["scaled"] or {}).get("val_metric") for r in rows]), marker="^",
                label=t("plot.scaled", lang, epochs=m["epochs"], base=m["base_batch"]))
    ax.set_xscale("log", base=2)
    ax.set_xlabel(t("batch_size", lang))
    ax.set_ylabel(f"{t('val', lang)} {t(m['metric'], lang)}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(t("plot.batch_val", lang, metric=t(m["metric"], lang)))
    return fig


def _moving_average(values: list[float], window: int) -> np.ndarray:
    if window <= 1 or len(values) < window:
        return np.asarray(values, dtype=float)
    return np.convolve(values, np.ones(window) / window, mode="valid")


def lr_curves_figure(result: LessonResult, lang: str, into: SubFigure | None = None) -> Figure:
    """Smoothed loss per step of every rate on one log-scale plot, each labelled by its kind (main figure)."""
    use_font(lang)
    runs = {r.spec.key: r for r in result.runs}
    rows = result.measurements["rows"]
    lrs = [r["lr"] for r in rows]
    norm = LogNorm(vmin=min(lrs), vmax=max(lrs))
    fig, ax = subplots(figsize=(8.5, 4.5), into=into)
    for row in rows:
        h = runs[row["key"]].history
        losses = [v for v in h.step_loss if v is not None]
        window = max(1, row["stats"]["window"] or 1)
        smooth = _moving_average(losses, window)
        x = np.arange(window, window + len(smooth))
        color = cm.plasma(norm(row["lr"]) * 0.9)
        ax.plot(x, smooth, color=color, lw=1.2, label=f"{row['lr']:g}: {t('lr.kind.' + row['kind'], lang)}")
        if row["diverged"]:
            step = row["diverged"]["step"]
            ax.plot([step], [smooth[-1] if len(smooth) else losses[-1] if losses else 1.0], "x", color="red", ms=8)
    ax.set_yscale("log")
    ax.set_xlabel(t("step", lang))
    ax.set_ylabel(t("loss", lang))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2, title=t("lr", lang), title_fontsize=8)
    ax.set_title(t("plot.lr_curves", lang))
    return fig


def lr_summary_figure(result: LessonResult, lang: str, into: SubFigure | None = None) -> Figure:
    """The final validation metric per rate, coloured by its kind, the best rate starred."""
    use_font(lang)
    m = result.measurements
    rows = m["rows"]
    lrs = [r["lr"] for r in rows]
    fig, ax = subplots(figsize=(7.5, 3.8), into=into)
    for row in rows:
        value = row["val_metric"]
        ax.scatter([row["lr"]], [0.0 if value is None else value], color=KIND_COLORS[row["kind"]], s=40,
                   marker="x" if value is None else "o", zorder=3)
    ax.plot(lrs, _nan([r["val_metric"] for r in rows]), color="#555", lw=0.8)
    if m["best_lr"] is not None:
        best = rows[m["best_index"]]
        ax.scatter([best["lr"]], [best["val_metric"]], marker="*", s=220, color="gold", edgecolor="k", zorder=4,
                   label=f"{t('best', lang)}: {best['lr']:g}")
    for kind, color in KIND_COLORS.items():
        ax.scatter([], [], color=color, label=t(f"lr.kind.{kind}", lang))
    ax.set_xscale("log")
    ax.set_xlabel(t("lr", lang))
    ax.set_ylabel(f"{t('val', lang)} {t(m['metric'], lang)}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(t("plot.lr_summary", lang, metric=t(m["metric"], lang)))
    return fig


def epochs_curves_figure(result: LessonResult, lang: str, into: SubFigure | None = None) -> Figure:
    """Train vs validation loss and metric per epoch, with the best epoch and the early stop."""
    use_font(lang)
    m = result.measurements
    curves = m["curves"]
    epochs = np.arange(1, len(curves["val_loss"]) + 1)
    fig, (ax_loss, ax_metric) = subplots(1, 2, figsize=(10, 3.8), into=into)
    for ax, field, label in ((ax_loss, "loss", t("loss", lang)), (ax_metric, "metric", t(m["metric"], lang))):
        ax.plot(epochs, _nan(curves[f"train_{field}"]), label=t("train", lang))
        ax.plot(epochs, _nan(curves[f"val_{field}"]), "--", label=t("val", lang))
        if m.get("best_epoch"):
            ax.axvline(m["best_epoch"], color="green", alpha=0.4, label=t("best_epoch", lang))
        if m["early"]["stopped_epoch"]:
            ax.axvline(m["early"]["stopped_epoch"], color="red", alpha=0.4, ls=":", label=t("plot.stopped", lang))
        ax.set_xlabel(t("epoch", lang))
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    ax_loss.set_yscale("log")
    fig.suptitle(t("plot.epochs_curves", lang))
    return fig


def _optimizer_colors(result: LessonResult) -> dict[str, Any]:
    rows = result.measurements["rows"]
    return dict(zip([r["optimizer"] for r in rows], cm.tab10(np.arange(len(rows)))))


def optimizer_curves_figure(result: LessonResult, lang: str, into: SubFigure | None = None) -> Figure:
    """Validation loss and metric per epoch of each optimizer at its lr, and its run time (main figure)."""
    use_font(lang)
    m = result.measurements
    rows = [r for r in m["rows"] if "curves" in r]
    colors = _optimizer_colors(result)
    fig, axes = subplots(1, 3, figsize=(13, 3.8), into=into)
    for row in rows:
        c = row["curves"]
        x = np.arange(1, len(c["val_loss"]) + 1)
        label = f"{row['optimizer']} ({row['lr']:g})"
        axes[0].plot(x, _nan(c["val_loss"]), color=colors[row["optimizer"]], label=label)
        axes[1].plot(x, _nan(c["val_metric"]), color=colors[row["optimizer"]], label=label)
    axes[0].set_ylabel(f"{t('val', lang)} {t('loss', lang)}")
    axes[1].set_ylabel(f"{t('val', lang)} {t(m['metric'], lang)}")
    if m["target"] is not None:
        axes[1].axhline(m["target"], color="k", alpha=0.3, ls=":")
    for ax in axes[:2]:
        ax.set_xlabel(t("epoch", lang))
        ax.grid(alpha=0.3)
    if rows:
        axes[0].legend(fontsize=7)
    names = [r["optimizer"] for r in rows]
    axes[2].barh(names, [r["seconds"] for r in rows], color=[colors[n] for n in names])
    axes[2].set_xlabel(t("plot.seconds", lang))
    axes[2].invert_yaxis()
    fig.suptitle(t("plot.opt_curves", lang))
    tidy(fig)
    return fig


def optimizer_surfaces_figure(result: LessonResult, lang: str, into: SubFigure | None = None) -> Figure:
    """Each optimizer's path over the contour plot of every 2-D surface."""
    use_font(lang)
    surfaces = result.measurements["surfaces"]
    colors = _optimizer_colors(result)
    fig, axes = subplots(1, len(surfaces), figsize=(4.6 * len(surfaces), 4.2), squeeze=False, into=into)
    for ax, (name, data) in zip(axes[0], surfaces.items()):
        surface = SURFACES[name]
        X, Y, Z = surface.grid()
        if surface.log_levels:
            ax.contour(X, Y, Z - Z.min() + 1e-3, levels=np.logspace(-2, 3.5, 18), colors="#b0b0b0",
                       linewidths=0.6)
        else:
            ax.contour(X, Y, Z, levels=20, colors="#b0b0b0", linewidths=0.6)
        for opt, path in data["paths"].items():
            pts = np.asarray(path["points"])
            if len(pts):
                ax.plot(pts[:, 0], pts[:, 1], "-", lw=1.2, color=colors[opt], label=f"{opt} ({path['lr']:g})")
        ax.plot(*surface.start, "ko", ms=5)
        ax.plot(*surface.minimum, "*", color="gold", mec="k", ms=12)
        ax.set_xlim(*surface.xlim)
        ax.set_ylim(*surface.ylim)
        ax.set_title(t(f"surface.{name}", lang))
        ax.legend(fontsize=6, loc="lower right")
    fig.suptitle(t("plot.opt_surfaces", lang))
    tidy(fig)
    return fig


def optimizer_values_figure(result: LessonResult, lang: str, into: SubFigure | None = None) -> Figure:
    """Each optimizer's distance to the minimum value per step on every 2-D surface."""
    use_font(lang)
    surfaces = result.measurements["surfaces"]
    colors = _optimizer_colors(result)
    fig, axes = subplots(1, len(surfaces), figsize=(4.6 * len(surfaces), 3.4), squeeze=False, into=into)
    for ax, (name, data) in zip(axes[0], surfaces.items()):
        surface = SURFACES[name]
        floor = surface.value(*surface.minimum)
        for opt, path in data["paths"].items():
            gaps = np.maximum(np.asarray(path["values"]) - floor, 1e-16)
            ax.plot(np.arange(len(gaps)), gaps, color=colors[opt], lw=1.2, label=opt)
        ax.set_yscale("log")
        ax.set_xlabel(t("step", lang))
        ax.set_title(t(f"surface.{name}", lang))
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    fig.suptitle(t("plot.opt_values", lang))
    tidy(fig)
    return fig


Builder = Callable[..., "Figure"]

# lesson -> figure name -> (PNG file name, builder); each lesson's main figure first
FIGURES: dict[str, dict[str, tuple[str, Builder]]] = {
    "batch-size": {"loss": ("batch_size_loss.png", batch_loss_figure),
                   "measures": ("batch_size_measures.png", batch_measures_figure),
                   "validation": ("batch_size_validation.png", batch_validation_figure)},
    "learning-rate": {"curves": ("learning_rate_curves.png", lr_curves_figure),
                      "summary": ("learning_rate_summary.png", lr_summary_figure)},
    "epochs": {"curves": ("epochs_curves.png", epochs_curves_figure)},
    "optimizer": {"curves": ("optimizer_curves.png", optimizer_curves_figure),
                  "surfaces": ("optimizer_surfaces.png", optimizer_surfaces_figure),
                  "values": ("optimizer_surface_values.png", optimizer_values_figure)},
}
NEEDS_SURFACES = ("surfaces", "values")


def figure_names(result: LessonResult) -> list[str]:
    """The figures this result can draw, its main figure first (the surfaces only if it ran them)."""
    names = list(FIGURES[result.name])
    if not result.measurements.get("surfaces"):
        names = [n for n in names if n not in NEEDS_SURFACES]
    return names


def lesson_figure(result: LessonResult, which: str | None = None, lang: str = "en",
                  into: SubFigure | None = None) -> Figure:
    """One of the lesson's figures by name (``None``: its main figure), drawn from its measurements."""
    names = figure_names(result)
    if which is None:
        which = names[0]
    if which not in names:
        skipped = " (the surfaces were not run)" if which in FIGURES[result.name] else ""
        raise ConfigError("which", which, f"is not a figure of lesson {result.name!r}{skipped}; its figures: "
                                          f"{', '.join(names)}" + did_you_mean(which, names))
    return FIGURES[result.name][which][1](result, lang, into=into)


def write_plots(result: LessonResult, out: Path, lang: str) -> dict[str, Path]:
    """Every figure of the lesson saved as PNG in ``out``: ``{name: path}``."""
    return {name: save(lesson_figure(result, name, lang), out / FIGURES[result.name][name][0])
            for name in figure_names(result)}


def tour_figure(results: list[LessonResult], lang: str) -> Figure:
    """Each lesson's main figure, one above the other, in one figure."""
    return stacked([lambda part, r=r: lesson_figure(r, None, lang, into=part) for r in results], width=13.0,
                   title=t("lesson.tour_title", lang))
