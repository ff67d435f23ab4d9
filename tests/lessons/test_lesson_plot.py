"""A lesson's and the tour's ``.plot()``: matplotlib Figures drawn from what the lesson measured,
the same figures its report saves; a wrong figure name is a ConfigError listing the right ones."""

from __future__ import annotations

import math

import pytest
from matplotlib.figure import Figure

from hyperlab.errors import ConfigError
from hyperlab.i18n import t
from hyperlab.lessons import run_lesson, run_tour


def ydata(ax) -> dict[str, list[float]]:
    return {line.get_label(): [float(v) for v in line.get_ydata()] for line in ax.get_lines()}


def same(a: list[float], b: list[float | None]) -> bool:
    return len(a) == len(b) and all((math.isnan(x) and y is None) or x == pytest.approx(y) for x, y in zip(a, b))


@pytest.fixture(scope="module")
def tour(small_digits):
    return run_tour(small_digits, budget="tiny", lessons=("epochs", "learning-rate"), lang="ko")


def test_lesson_plot_is_its_main_figure_with_the_measured_curves(tour):
    epochs = tour.lessons[0]
    fig = epochs.plot(lang="en")
    assert isinstance(fig, Figure)
    ax_loss, ax_metric = fig.axes
    curves = epochs.measurements["curves"]
    assert same(ydata(ax_loss)[t("train", "en")], curves["train_loss"])
    assert same(ydata(ax_loss)[t("val", "en")], curves["val_loss"])
    assert same(ydata(ax_metric)[t("val", "en")], curves["val_metric"])
    assert fig._suptitle.get_text() == t("plot.epochs_curves", "en")
    assert epochs.plot()._suptitle.get_text() == t("plot.epochs_curves", "ko")  # the result's own language


def test_lesson_plot_which_picks_another_figure(tour):
    lr = tour.lessons[1]
    fig = lr.plot("summary", lang="en")
    (ax,) = fig.axes
    rows = lr.measurements["rows"]
    grey = next(line for line in ax.get_lines() if line.get_color() == "#555")
    assert same([float(v) for v in grey.get_ydata()], [r["val_metric"] for r in rows])
    assert [float(x) for x in grey.get_xdata()] == [r["lr"] for r in rows]
    curves = lr.plot("curves")
    assert len(curves.axes[0].get_lines()) >= len(rows)  # one smoothed curve per rate (+ divergence marks)


def test_lesson_plot_with_a_wrong_name_lists_the_figures(tour):
    with pytest.raises(ConfigError, match=r"which='sumary' is invalid: .*curves, summary \(did you mean 'summary'\?\)"):
        tour.lessons[1].plot("sumary")
    with pytest.raises(ConfigError, match="lang='fr' is invalid"):
        tour.lessons[1].plot(lang="fr")


def test_tour_plot_stacks_each_lessons_main_figure(tour):
    fig = tour.plot()
    assert isinstance(fig, Figure) and len(fig.subfigs) == 2
    ax_loss = fig.subfigs[0].axes[0]  # the epochs lesson's figure, drawn into the first part
    assert same(ydata(ax_loss)[t("train", "ko")], tour.lessons[0].measurements["curves"]["train_loss"])
    assert fig._suptitle.get_text() == t("lesson.tour_title", "ko")
    summary = tour.plot("learning-rate:summary", lang="en")
    assert summary.axes[0].get_title() == tour.lessons[1].plot("summary", "en").axes[0].get_title()
    assert len(tour.plot("learning-rate").axes) == 1  # that lesson's main figure (its curves)
    with pytest.raises(ConfigError, match=r"which='batch-size' is invalid: must be a lesson of this tour \(epochs, "
                                          r"learning-rate\)"):
        tour.plot("batch-size")


def test_optimizer_lesson_names_its_surface_figures(small_digits):
    lesson = run_lesson("optimizer", small_digits, budget="tiny", surfaces=())
    assert len(lesson.plot().axes) == 3
    with pytest.raises(ConfigError, match=r"which='surfaces' is invalid: .*surfaces were not run.*figures: curves"):
        lesson.plot("surfaces")
