"""The overlaid curves of a comparison stay readable: seeds of one setting are drawn as one line
(their mean, with a band from lowest to highest), and past a dozen lines only the best are named."""

from __future__ import annotations

import statistics

import pytest

import hyperlab
from hyperlab import HParams
from hyperlab.records.members import seed_groups
from hyperlab.views.plots import NAMED_LINES, overlaid_curves_figure


pytestmark = pytest.mark.usefixtures("one_thread")


def _legend(fig):
    return [text.get_text() for text in fig.axes[1].get_legend().get_texts()]


def test_seed_groups_name_each_member_without_its_seed_only_when_seeds_repeat_a_setting():
    grid = [HParams(optimizer=o, seed=s) for o in ("sgd", "adam") for s in (0, 1)]
    assert seed_groups(grid) == ["sgd-b32-lr0.001"] * 2 + ["adam-b32-lr0.001"] * 2
    assert seed_groups([HParams(optimizer=o) for o in ("sgd", "adam")]) is None  # no seed varies
    assert seed_groups([HParams(optimizer="sgd", seed=0), HParams(optimizer="adam", seed=1)]) is None  # one each


def test_the_seeds_of_a_setting_are_one_line_their_mean_with_a_band():
    runs = hyperlab.train_many("logistic", "wine", {"lr": [0.01, 0.3], "seed": [0, 1, 2]}, epochs=3)
    fig = runs.plot()
    assert _legend(fig) == ["adam-b32-lr0.01", "adam-b32-lr0.3"]
    assert "6 runs as 2 settings" in fig._suptitle.get_text()
    loss_axis = fig.axes[0]
    assert len(loss_axis.collections) == 2  # one band per setting
    for line, members in zip(loss_axis.get_lines(), (runs[:3], runs[3:])):
        expected = [statistics.fmean(r.history.epochs[e].val_loss for r in members) for e in range(3)]
        assert list(line.get_ydata()) == pytest.approx(expected)


def test_past_a_dozen_lines_only_the_best_are_named_best_first():
    lrs = [10 ** (-4 + k / 3) for k in range(NAMED_LINES + 3)]
    runs = hyperlab.train_many("logistic", "wine", {"lr": lrs}, epochs=2, optimizer="sgd")
    fig = runs.plot()
    named = _legend(fig)
    assert len(named) == NAMED_LINES
    finals = {name: (r.history.epochs[-1].val_metric, -r.history.epochs[-1].val_loss)
              for name, r in zip(runs.names, runs) if r.history.epochs and not r.history.diverged}
    best = sorted(finals, key=finals.get, reverse=True)[:NAMED_LINES]
    assert named == best
    assert any(f"the {NAMED_LINES} best of {len(lrs)} lines" in text.get_text() for text in fig.texts)
    few = overlaid_curves_figure({n: r.history for n, r in zip(runs.names[:3], runs[:3])})
    assert _legend(few) == runs.names[:3] and not any("best of" in text.get_text() for text in few.texts)
