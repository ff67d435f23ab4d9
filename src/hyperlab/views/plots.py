"""Matplotlib figures (Agg, no screen) with a Korean-capable font for ``lang="ko"``."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from hyperlab.engine.history import History  # noqa: E402
from hyperlab.i18n import t  # noqa: E402

_KOREAN_FONT: str | None = None


def use_font(lang: str) -> None:
    """Select NanumGothic (shipped by the koreanize-matplotlib package) for Korean text."""
    global _KOREAN_FONT
    if lang != "ko":
        plt.rcParams["font.family"] = ["DejaVu Sans"]
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
    plt.rcParams["font.family"] = ["DejaVu Sans", _KOREAN_FONT]
    plt.rcParams["axes.unicode_minus"] = False


def save(fig: Figure, path: str | Path) -> Path:
    """Save a figure as PNG and free it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path


def plot_learning_curves(history: History, path: str | Path, *, lang: str = "en", title: str = "") -> Path:
    """Loss and metric per epoch, train and validation; marks divergence and the best epoch."""
    use_font(lang)
    fig, (ax_loss, ax_metric) = plt.subplots(1, 2, figsize=(10, 3.8))
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
        ax.legend(fontsize=8)
    if history.diverged:
        fig.text(0.5, -0.02, t("diverged_at", lang, step=history.diverged["step"], epoch=history.diverged["epoch"],
                                reason=t(history.diverged["reason"], lang)), ha="center", color="red")
    fig.suptitle(title or t("learning_curves", lang))
    return save(fig, path)
