"""Matplotlib figures with a Korean-capable font for ``lang="ko"``.

Figures are made without pyplot (``Figure`` and its own canvas): nothing global to close, no
GUI backend, and a process that only saves a PNG does not pay pyplot's import (~1 s here).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure, SubFigure

from hyperlab.engine.history import History
from hyperlab.i18n import t

_KOREAN_FONT: str | None = None


def use_font(lang: str) -> None:
    """Select NanumGothic (shipped by the koreanize-matplotlib package) for Korean text."""
    global _KOREAN_FONT
    if lang != "ko":
        matplotlib.rcParams["font.family"] = ["DejaVu Sans"]
        return
    if _KOREAN_FONT is None:
        import importlib.util

        spec = importlib.util.find_spec("koreanize_matplotlib")
        font_file = Path(spec.origin).parent / "fonts" / "NanumGothic.ttf" if spec and spec.origin else None
        if font_file and font_file.is_file():
            font_manager.fontManager.addfont(str(font_file))
            _KOREAN_FONT = font_manager.FontProperties(fname=str(font_file)).get_name()
        else:
            _KOREAN_FONT = "DejaVu Sans"
    # DejaVu first: mathtext (log-axis ticks such as 10^-3) takes the first family and needs its
    # minus sign; Korean glyphs fall back to the Korean font.
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", _KOREAN_FONT]
    matplotlib.rcParams["axes.unicode_minus"] = False


class NotebookFigure(Figure):
    """A Figure that shows itself in a notebook (as PNG) without pyplot's inline backend."""

    def _repr_png_(self) -> bytes:
        return png_bytes(self)


def as_notebook_figure(fig: Figure) -> Figure:
    """A figure that a library drew through pyplot (and that pyplot has let go), given the notebook
    display of ours: its class becomes ``NotebookFigure``, which only adds ``_repr_png_``."""
    if type(fig) is Figure:
        fig.__class__ = NotebookFigure
    return fig


def subplots(nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float], into: SubFigure | None = None,
             **kwargs: Any) -> tuple[Any, Any]:
    """A new figure and its axes, as ``pyplot.subplots`` gives them, without pyplot; with ``into``
    the axes go into that part of a combined figure (``stacked``) and ``figsize`` is not used."""
    fig = into if into is not None else NotebookFigure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def tidy(fig: Figure | SubFigure) -> None:
    """``tight_layout`` for a figure of its own; a part of a combined figure is laid out by its parent."""
    if isinstance(fig, Figure):
        fig.tight_layout()


def stacked(draws: Sequence[Callable[[SubFigure], Any]], *, width: float = 12.0, height: float = 4.4,
            title: str = "") -> Figure:
    """One figure of several, one above the other: each ``draw(part)`` draws into its own part
    (the same builders that draw the figures on their own, given ``into=part``)."""
    fig = NotebookFigure(figsize=(width, height * len(draws)), layout="constrained")
    parts = fig.subfigures(len(draws), 1, squeeze=False)[:, 0]
    for part, draw in zip(parts, draws, strict=True):
        draw(part)
    if title:
        fig.suptitle(title, fontsize="x-large")
    return fig


def save(fig: Figure, path: str | Path) -> Path:
    """Save a figure as PNG."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def plot_learning_curves(history: History, path: str | Path, *, lang: str = "en", title: str = "") -> Path:
    """Loss and metric per epoch, train and validation, saved as PNG at ``path``."""
    return save(learning_curves_figure(history, lang=lang, title=title), path)


def png_bytes(fig: Figure) -> bytes:
    """A figure as PNG data (for inline display), drawn as ``save`` draws it."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def learning_curves_figure(history: History, *, lang: str = "en", title: str = "") -> Figure:
    """Loss and metric per epoch, train and validation; marks divergence and the best epoch."""
    use_font(lang)
    fig, (ax_loss, ax_metric) = subplots(1, 2, figsize=(10, 3.8))
    epochs = history.column("epoch")
    for ax, field, label in ((ax_loss, "loss", t("loss", lang)), (ax_metric, "metric", t(history.metric, lang))):
        for split, style in (("train", "-"), ("val", "--")):
            values = history.column(f"{split}_{field}")
            if any(v is not None for v in values):
                ax.plot(epochs, [float("nan") if v is None else v for v in values], style, marker="o",
                        markersize=3, label=t(split, lang))
        ax.set_xlabel(t("epoch", lang))
        ax.set_ylabel(label)
        if history.best_epoch:
            ax.axvline(history.best_epoch, color="green", alpha=0.3, label=t("best_epoch", lang))
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:  # a run diverged in its first epoch has nothing to label
            ax.legend(fontsize=8)
    if history.diverged:
        fig.text(0.5, -0.02, t("diverged_at", lang, step=history.diverged["step"], epoch=history.diverged["epoch"],
                                reason=t(history.diverged["reason"], lang)), ha="center", color="red")
    fig.suptitle(title or t("learning_curves", lang))
    return fig


def plot_overlaid_curves(histories: dict[str, History], path: str | Path, *, lang: str = "en",
                         groups: Sequence[str] | None = None) -> Path:
    """``overlaid_curves_figure`` saved as PNG at ``path``."""
    return save(overlaid_curves_figure(histories, lang=lang, groups=groups), path)


NAMED_LINES = 12  # lines named in the legend of overlaid curves; more are drawn grey


def overlaid_curves_figure(histories: dict[str, History], *, lang: str = "en",
                           groups: Sequence[str] | None = None) -> Figure:
    """Validation loss and metric per epoch of several runs on one pair of axes: one line per run,
    or per group of runs (``groups``: each run's group, as its settings without the seed), drawn as
    the group's mean with a band from its lowest to its highest value. A diverged run ends in an x
    at its last epoch. Beyond ``NAMED_LINES`` lines, the best (final validation metric) are
    coloured and named, best first, and the others drawn thin and grey, so the legend stays legible."""
    from matplotlib.ticker import MaxNLocator

    from hyperlab.views import texts  # noqa: F401 - registers the comparison texts

    use_font(lang)
    fig, (ax_loss, ax_metric) = subplots(1, 2, figsize=(11, 4.2))
    metric = next(iter(histories.values())).metric
    lines: dict[str, list[History]] = {}
    for key, history in zip(groups if groups is not None else list(histories), histories.values(), strict=True):
        lines.setdefault(key, []).append(history)
    ranked = sorted(lines, key=lambda key: _line_rank(lines[key])) if len(lines) > NAMED_LINES else list(lines)
    for i, key in enumerate(ranked):
        named = i < NAMED_LINES
        look = ({"color": f"C{i % 10}", "lw": 1.3, "label": key, "zorder": 3} if named
                else {"color": "0.7", "lw": 0.7, "zorder": 1})
        style = "-" if i < 10 or not named else "--"
        for ax, field in ((ax_loss, "val_loss"), (ax_metric, "val_metric")):
            draw_spread(ax, lines[key], field, style, band_alpha=0.15 if named else 0.08, **look)
            for history in lines[key]:
                if history.diverged and history.epochs:
                    value = getattr(history.epochs[-1], field)
                    ax.plot([history.epochs[-1].epoch], [float("nan") if value is None else value], "x",
                            color=look["color"], markersize=8 if named else 5, zorder=look["zorder"])
    ax_loss.set_ylabel(f"{t('val', lang)} {t('loss', lang)}")
    ax_metric.set_ylabel(f"{t('val', lang)} {t(metric, lang)}")
    for ax in (ax_loss, ax_metric):
        ax.set_xlabel(t("epoch", lang))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    shown = min(len(ranked), NAMED_LINES)
    ax_metric.legend(fontsize=7, ncol=1 + shown // 12, loc="center left", bbox_to_anchor=(1.02, 0.5))
    notes = []
    if len(ranked) > NAMED_LINES:
        notes.append(t("cmp.curves_best", lang, k=NAMED_LINES, m=len(ranked), metric=t(metric, lang)))
    if any(h.diverged and h.epochs for h in histories.values()):  # an x is drawn: say what it means
        notes.append(t("cmp.diverged_mark", lang))
    if notes:
        fig.text(0.5, -0.02, "; ".join(notes), ha="center", color="dimgray")
    title = (t("cmp.curves_grouped", lang, n=len(histories), m=len(lines)) if len(lines) < len(histories)
             else t("cmp.curves", lang, n=len(histories)))
    fig.suptitle(title)
    return fig


def draw_spread(ax: Any, histories: list[History], field: str, fmt: str, *, band_alpha: float = 0.15,
                **look: Any) -> None:
    """``field`` per epoch over ``histories`` as one line, their mean (``fmt`` and ``look``: matplotlib's
    format and keywords, ``color`` among them), with a band from the lowest to the highest run when
    there are several (seeds of one setting)."""
    epochs, mean, low, high = spread(histories, field)
    ax.plot(epochs, mean, fmt, **look)
    if len(histories) > 1:
        ax.fill_between(epochs, low, high, color=look["color"], alpha=band_alpha, lw=0)


def spread(histories: list[History], field: str) -> tuple[list[int], list[float], list[float], list[float]]:
    """Epochs, and at each the mean, lowest and highest ``field`` of the runs that recorded it."""
    by_epoch: dict[int, list[float]] = {}
    for history in histories:
        for record in history.epochs:
            value = getattr(record, field)
            if value is not None and math.isfinite(value):
                by_epoch.setdefault(record.epoch, []).append(value)
    epochs = sorted(by_epoch)
    return (epochs, [sum(by_epoch[e]) / len(by_epoch[e]) for e in epochs], [min(by_epoch[e]) for e in epochs],
            [max(by_epoch[e]) for e in epochs])


def _line_rank(histories: list[History]) -> tuple[float, float]:
    """Best first: the higher mean final validation metric, then the lower mean final validation
    loss, of the runs that did not diverge; a line whose runs all diverged last."""
    finals = [h.epochs[-1] for h in histories if h.epochs and not h.diverged]
    metrics = [r.val_metric for r in finals if r.val_metric is not None and math.isfinite(r.val_metric)]
    losses = [r.val_loss for r in finals if r.val_loss is not None and math.isfinite(r.val_loss)]
    return (-sum(metrics) / len(metrics) if metrics else math.inf, sum(losses) / len(losses) if losses else math.inf)
