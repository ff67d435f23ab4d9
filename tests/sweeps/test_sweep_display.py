"""A sweep outcome in a notebook: the sweep report's content (best trial, heatmap), read back from its storage."""

from __future__ import annotations

import re

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
