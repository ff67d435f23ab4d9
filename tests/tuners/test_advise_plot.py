"""``Advice.plot()``: a Figure of its stages (the chosen learning rate's evidence curve above the
epoch curve) drawn from what it measured; each stage's own figure by name; bad names refused."""

from __future__ import annotations

import math

import pytest
from matplotlib.figure import Figure

from hyperlab.errors import ConfigError
from hyperlab.i18n import t
from hyperlab.tuners import LRSweepResult, advise


@pytest.fixture(scope="module")
def advice(wine):
    return advise("logistic", wine, {"optimizer": "sgd"}, budget_seconds=40, optimizers=["sgd", "adam"],
                  check_epochs=1, max_epochs=3, lang="ko")


def ys(line) -> list[float]:
    return [float(v) for v in line.get_ydata()]


def test_stages_figure_holds_the_lr_evidence_and_the_epoch_curve(advice):
    fig = advice.plot(lang="en")
    assert isinstance(fig, Figure) and len(fig.subfigs) == 2
    lr_part, epochs_part = fig.subfigs
    chosen = advice.lr_search  # the sweep behind the recommended rate: here the re-check over 3 epochs or fewer
    assert isinstance(chosen, LRSweepResult) and chosen is advice.recheck and chosen.epochs <= 3
    curve = lr_part.axes[0].get_lines()[0]
    scored = [(lr, s) for lr, s in zip(chosen.lrs, chosen.scores, strict=True) if s is not None]
    assert [float(x) for x in curve.get_xdata()] == pytest.approx([lr for lr, _ in scored])
    assert ys(curve) == pytest.approx([s for _, s in scored])
    marked = [line for line in lr_part.axes[0].get_lines() if line.get_label().startswith(t("lrf.recommended", "en"))]
    assert float(marked[0].get_xdata()[0]) == pytest.approx(advice.values["lr"])
    h = advice.epochs.history
    ax_loss, _ = epochs_part.axes
    by_label = {line.get_label(): ys(line) for line in ax_loss.get_lines()}
    assert by_label[t("train", "en")] == pytest.approx(h.column("train_loss"))
    assert by_label[t("val", "en")] == pytest.approx([math.nan if v is None else v for v in h.column("val_loss")],
                                                     nan_ok=True)
    assert fig._suptitle.get_text() == t("adv.title", "en")
    assert advice.plot()._suptitle.get_text() == t("adv.title", "ko")  # the advice's own language


def test_each_stage_figure_by_name(advice):
    epochs = advice.plot("epochs")
    assert ys(epochs.axes[0].get_lines()[0]) == pytest.approx(advice.epochs.history.column("train_loss"))
    assert advice.plot("batch_size").axes[0].get_title() == advice.batch.figure().axes[0].get_title()
    assert len(advice.plot("optimizer").axes) == len(advice.optimizers.figure().axes)
    with pytest.raises(ConfigError, match=r"which='epoch' is invalid: must be one of stages, batch_size, lr, "
                                          r"optimizer, epochs \(did you mean 'epochs'\?\)"):
        advice.plot("epoch")
