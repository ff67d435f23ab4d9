"""A sweep outcome in a notebook: the sweep report's content (best trial, heatmap), read back from its storage;
its ``.plot()`` figures hold the trials' values."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from matplotlib.figure import Figure

from hyperlab.errors import ConfigError, HyperlabError
from hyperlab.i18n import t
from hyperlab.sweeps import sweep


def test_sweep_outcome_shows_best_trial_and_heatmap():
    outcome = sweep({"lr": "1e-3..1e-1:log", "batch_size": "16,32"}, data="moons", model="logistic",
                    study="display", storage=":memory:", trials=4, epochs=2, pruner="none", lang="ko")
    best = outcome.summary["best"]
    assert repr(outcome).startswith(f"SweepOutcome(display: 4 finished, best #{best['number']} ")
    page = outcome._repr_html_()
    assert page.startswith('<div class="hyperlab-report" lang="ko">')
    sections = dict(re.findall(r"<section><h2>(.*?)</h2>(.*?)</section>", page, re.DOTALL))
    assert "<img" in sections[t("report_heatmap", "ko")]  # the lr x batch heatmap
    assert f"{best['value']:.4f}" in sections[t("report_summary", "ko")]  # the best trial
    assert t("report_heatmap", "en") in outcome.display("en").html


def test_sweep_outcome_plot_is_the_heatmap_and_the_history(tmp_path):
    outcome = sweep({"lr": "0.01,0.1", "batch_size": "16,32"}, data="moons", model="logistic", study="plot",
                    storage=f"sqlite:///{tmp_path / 's.db'}", strategy="grid", epochs=2)
    trials = outcome.study().trials
    fig = outcome.plot()
    assert isinstance(fig, Figure)
    cells = np.ma.filled(fig.axes[0].images[0].get_array(), np.nan)  # rows: lr 0.01, 0.1; columns: batch 16, 32
    for tr in trials:
        i, j = [0.01, 0.1].index(tr.params["lr"]), [16, 32].index(tr.params["batch_size"])
        assert cells[i, j] == pytest.approx(tr.value)
    history = outcome.plot("history", lang="ko")
    assert history.axes[0].get_title() == t("report_history", "ko")
    points = history.axes[0].collections[0].get_offsets()  # one point per completed trial, in trial order
    assert [float(y) for _, y in points] == pytest.approx([tr.value for tr in trials])
    assert history.axes[0].get_lines()[0].get_ydata()[-1] == max(tr.value for tr in trials)  # the best so far
    assert history._repr_png_().startswith(b"\x89PNG")  # let go by pyplot, still shown in a notebook
    with pytest.raises(ConfigError, match=r"which='histroy' is invalid: must be one of heatmap, history, parallel, "
                                          r"curves, importance \(did you mean 'history'\?\)"):
        outcome.plot("histroy")
    lr_only = sweep({"lr": "0.01,0.1"}, data="moons", model="logistic", study="lr-only", storage=":memory:",
                    strategy="grid", epochs=1)
    with pytest.raises(HyperlabError, match="batch size not searched"):
        lr_only.plot()
    assert not math.isnan(lr_only.plot("history").axes[0].collections[0].get_offsets()[0][1])
