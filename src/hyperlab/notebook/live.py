"""``LiveCurves``: learning curves that redraw in place in a notebook cell while training runs.

One display (``IPython.display.display(..., display_id=True)``) is made when training starts and
updated at each epoch end, so the cell shows one figure, never a stream of them. It hooks only
the epoch events, so it works with ``fit``/``hyperlab.train`` and with ``fit_population`` (one
line per member). Outside a notebook it draws nothing; ``figure()`` still gives the curves.

    >>> import hyperlab
    >>> from hyperlab.notebook import LiveCurves
    >>> result = hyperlab.train("mlp", "digits", {"epochs": 5}, callbacks=[LiveCurves()])  # doctest: +SKIP
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from hyperlab.engine.callbacks import Callback
from hyperlab.i18n import check_lang, t

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from hyperlab.engine.history import History


def in_notebook() -> bool:
    """Whether this process is an IPython kernel that can show rich output (Jupyter, Colab, VS Code)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class LiveCurves(Callback):
    """Redraw the learning curves of the run (or of every population member) in one notebook output.

    ``min_interval``: seconds between redraws (the last epoch is always drawn)."""

    def __init__(self, *, lang: str = "en", min_interval: float = 0.5) -> None:
        self.lang = check_lang(lang)
        self.min_interval = min_interval
        self.histories: dict[int | None, History] = {}
        self.labels: dict[int | None, str] = {}
        self.handle: Any = None
        self.redraws = 0
        self._last = 0.0

    def on_train_start(self, run: Any) -> None:
        member = getattr(run, "member", None)
        self.histories[member] = run.history
        hp = run.hparams
        self.labels[member] = f"{'' if member is None else f'#{member} '}{hp.optimizer} B={hp.batch_size} lr={hp.lr:g}"
        if self.handle is None and in_notebook():
            from IPython.display import display

            self.handle = display(self._image(), display_id=True)

    def on_epoch_end(self, run: Any) -> None:
        if time.perf_counter() - self._last >= self.min_interval:
            self._redraw()

    def on_train_end(self, run: Any) -> None:
        self._redraw()

    def figure(self) -> Figure:
        """The curves as they stand: a single run's learning curves, or one line per member."""
        from hyperlab.views.plots import learning_curves_figure, subplots, use_font

        if list(self.histories) == [None]:
            return learning_curves_figure(self.histories[None], lang=self.lang)
        use_font(self.lang)
        fig, (ax_loss, ax_metric) = subplots(1, 2, figsize=(10, 3.8))
        metric = "accuracy"
        for member, history in sorted(self.histories.items(), key=lambda kv: -1 if kv[0] is None else kv[0]):
            metric = history.metric
            epochs = history.column("epoch")
            for ax, field in ((ax_loss, "train_loss"), (ax_metric, "val_metric")):
                values = [float("nan") if v is None else v for v in history.column(field)]
                ax.plot(epochs, values, marker="o", markersize=3, label=self.labels[member])
        for ax, label in ((ax_loss, f"{t('train', self.lang)} {t('loss', self.lang)}"),
                          (ax_metric, f"{t('val', self.lang)} {t(metric, self.lang)}")):
            ax.set_xlabel(t("epoch", self.lang))
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
        ax_metric.legend(fontsize=7)
        fig.suptitle(t("learning_curves", self.lang))
        return fig

    def _image(self) -> Any:
        from IPython.display import Image

        from hyperlab.views.plots import png_bytes

        return Image(data=png_bytes(self.figure()), format="png")

    def _redraw(self) -> None:
        self._last = time.perf_counter()
        if self.handle is not None:
            self.handle.update(self._image())
            self.redraws += 1
