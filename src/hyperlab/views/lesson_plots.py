"""The lessons' figures, drawn from their measurements (views never train).

Each ``plot_<lesson>(result, out_dir, lang)`` writes PNG files and returns ``{name: path}``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib import cm
from matplotlib.colors import LogNorm

from hyperlab.i18n import t
from hyperlab.lessons.surfaces import SURFACES
from hyperlab.views import texts  # noqa: F401 - registers the views' texts
from hyperlab.views.plots import save, subplots, use_font

if TYPE_CHECKING:
    from hyperlab.lessons.base import LessonResult


KIND_COLORS = {"too_slow": "#9e9e9e", "good": "#1a7f37", "oscillating": "#ef6c00", "diverged": "#c62828"}


def _nan(values: list[float | None]) -> list[float]:
    return [math.nan if v is None else v for v in values]


def _colors(n: int) -> list[Any]:
    return [cm.viridis(x) for x in np.linspace(0, 0.9, max(n, 1))]


def plot_batch_size(result: LessonResult, out: Path, lang: str) -> dict[str, Path]:
    """Per-step loss curves, the measures per batch size, validation at equal epochs/steps."""
    use_font(lang)
    m = result.measurements
    rows = m["rows"]
    runs = {r.spec.key: r for r in result.runs}
    sizes = [r["batch_size"] for r in rows]
    plots = {}

    fig, ax = subplots(figsize=(8, 4))
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
    plots["loss"] = save(fig, out / "batch_size_loss.png")

    fig, axes = subplots(2, 2, figsize=(9, 6))
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
    fig.tight_layout()
    plots["measures"] = save(fig, out / "batch_size_measures.png")

    fig, ax = subplots(figsize=(7, 4))
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
    plots["validation"] = save(fig, out / "batch_size_validation.png")
    return plots


def _moving_average(values: list[float], window: int) -> np.ndarray:
    if window <= 1 or len(values) < window:
        return np.asarray(values, dtype=float)
    return np.convolve(values, np.ones(window) / window, mode="valid")


def plot_learning_rate(result: LessonResult, out: Path, lang: str) -> dict[str, Path]:
    """Loss curves of every rate on one log-scale plot, and the final metric per rate by class."""
    use_font(lang)
    m = result.measurements
    runs = {r.spec.key: r for r in result.runs}
    rows = m["rows"]
    lrs = [r["lr"] for r in rows]
    norm = LogNorm(vmin=min(lrs), vmax=max(lrs))
    plots = {}

    fig, ax = subplots(figsize=(8.5, 4.5))
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
    plots["curves"] = save(fig, out / "learning_rate_curves.png")

    fig, ax = subplots(figsize=(7.5, 3.8))
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
    plots["summary"] = save(fig, out / "learning_rate_summary.png")
    return plots


def plot_epochs(result: LessonResult, out: Path, lang: str) -> dict[str, Path]:
    """Train vs validation loss and metric per epoch, with the best epoch and the early stop."""
    use_font(lang)
    m = result.measurements
    curves = m["curves"]
    epochs = np.arange(1, len(curves["val_loss"]) + 1)
    fig, (ax_loss, ax_metric) = subplots(1, 2, figsize=(10, 3.8))
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
    return {"curves": save(fig, out / "epochs_curves.png")}


def plot_optimizer(result: LessonResult, out: Path, lang: str) -> dict[str, Path]:
    """Validation curves and run time per optimizer; paths over contour plots; value per step."""
    use_font(lang)
    m = result.measurements
    rows = [r for r in m["rows"] if "curves" in r]
    colors = dict(zip([r["optimizer"] for r in m["rows"]], cm.tab10(np.arange(len(m["rows"])))))
    plots = {}

    fig, axes = subplots(1, 3, figsize=(13, 3.8))
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
    fig.tight_layout()
    plots["curves"] = save(fig, out / "optimizer_curves.png")

    surfaces = m["surfaces"]
    if surfaces:
        fig, axes = subplots(1, len(surfaces), figsize=(4.6 * len(surfaces), 4.2), squeeze=False)
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
        fig.tight_layout()
        plots["surfaces"] = save(fig, out / "optimizer_surfaces.png")

        fig, axes = subplots(1, len(surfaces), figsize=(4.6 * len(surfaces), 3.4), squeeze=False)
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
        fig.tight_layout()
        plots["values"] = save(fig, out / "optimizer_surface_values.png")
    return plots


PLOTTERS = {"batch-size": plot_batch_size, "learning-rate": plot_learning_rate, "epochs": plot_epochs,
            "optimizer": plot_optimizer}
