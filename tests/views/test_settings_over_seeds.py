"""Settings listed with several seeds are also summarised per setting: a lucky seed makes the best
single run, the mean over seeds the best setting."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import hyperlab
from hyperlab.cli import app
from hyperlab.views.comparison import settings_over_seeds

pytestmark = pytest.mark.usefixtures("one_thread")


def test_each_setting_is_summarised_over_its_seeds_best_first_failed_seeds_last():
    runs = hyperlab.train_many("logistic", "wine", {"lr": [0.01, 0.3, 300.0], "seed": [0, 1, 2]}, epochs=2,
                               optimizer="sgd")
    rows = runs.over_seeds()
    assert [r["seeds"] for r in rows] == [3, 3, 3]
    by_name = {r["setting"]: r for r in rows}
    for setting, members in (("sgd-b32-lr0.01", runs[0:3]), ("sgd-b32-lr0.3", runs[3:6])):
        finals = [m.summary()["final_val_metric"] for m in members]
        row = by_name[setting]
        assert row["mean"] == pytest.approx(sum(finals) / 3) and (row["lowest"], row["highest"]) == (min(finals),
                                                                                                    max(finals))
    assert rows[-1]["setting"] == "sgd-b32-lr300" and rows[-1]["failed"] >= 1  # a diverged seed ranks it last
    assert rows[0]["mean"] >= rows[1]["mean"]
    assert hyperlab.train_many("logistic", "wine", {"lr": [0.01, 0.3]}, epochs=1).over_seeds() is None  # no seeds
    html = runs._repr_html_()
    assert "3 settings over their seeds" in html and "best setting on the mean of its 3 seeds" in html


def test_a_failed_seed_ranks_a_setting_below_those_that_finished_on_every_seed():
    class Run:
        def __init__(self, metric, loss):
            self.values = {"final_val_metric": metric, "final_val_loss": loss}

        def summary(self):
            return self.values

    rows = settings_over_seeds([Run(0.99, 0.1), Run(None, None), Run(0.90, 0.3), Run(0.91, 0.3)],
                               ["lucky", "lucky", "steady", "steady"])
    assert [r["setting"] for r in rows] == ["steady", "lucky"] and rows[1]["failed"] == 1


def test_train_prints_the_settings_over_seeds_and_the_best_setting(tmp_path):
    result = CliRunner().invoke(app, ["train", "--dataset", "wine", "--model", "logistic", "--lr", "0.01,0.3",
                                      "--seed", "0,1", "--epochs", "2", "--threads", "1", "--json",
                                      "--out", str(tmp_path / "s")], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    runs = json.loads(result.stdout)
    text = " ".join(result.stderr.split())
    assert "2 settings over their seeds (final validation numbers)" in text
    means = {}
    for r in runs:
        means.setdefault(r["name"].rsplit("-s", 1)[0], []).append(r["summary"]["final_val_metric"])
    best = max(means, key=lambda k: sum(means[k]))
    assert f"best setting on the mean of its 2 seeds: {best} (validation accuracy {sum(means[best]) / 2:.4f}" in text
