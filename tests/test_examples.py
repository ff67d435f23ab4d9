"""The files the README's commands read ship in examples/ and work as the README uses them."""

from __future__ import annotations

import json
import os
from pathlib import Path

from typer.testing import CliRunner

from hyperlab.cli import app

ROOT = Path(__file__).resolve().parents[1]


def test_the_readme_commands_on_the_shipped_files_run(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # as the README runs them: from the checkout
    own = CliRunner().invoke(app, ["train", "--dataset", "examples/data.csv", "--label", "target", "--model",
                                   "examples.mymodels:make_net", "--epochs", "1", "--quiet", "--out",
                                   str(tmp_path / "own")])
    assert own.exit_code == 0, own.output
    configured = CliRunner().invoke(app, ["train", "--config", "examples/my.yaml", "--lr", "0.003", "--epochs", "1",
                                          "--quiet", "--json", "--out", str(tmp_path / "yaml")])
    assert configured.exit_code == 0, configured.output
    assert '"optimizer": "adamw"' in configured.output and '"schedule": "cosine"' in configured.output
    swept = CliRunner().invoke(app, ["sweep", "--config", "examples/sweep.yaml", "--trials", "1", "--epochs", "1,2",
                                     "--storage", f"sqlite:///{tmp_path / 's.db'}", "--quiet"])
    assert swept.exit_code == 0, swept.output
    assert os.path.exists(tmp_path / "s.db")
    tokens = CliRunner().invoke(app, ["train", "--dataset", "examples/tokens.csv", "--features", "ids", "--model",
                                      "examples.mymodels:make_token_net", "--lr", "0.03", "--optimizer", "adam",
                                      "--quiet", "--json", "--out", str(tmp_path / "tokens")])
    assert tokens.exit_code == 0, tokens.output
    assert json.loads(tokens.stdout)["summary"]["final_val_metric"] >= 0.95  # the README says 1.0
    numbers = CliRunner().invoke(app, ["train", "--dataset", "examples/tokens.csv", "--lr", "0.03", "--optimizer",
                                       "adam", "--quiet", "--json", "--out", str(tmp_path / "numbers")])
    assert json.loads(numbers.stdout)["summary"]["final_val_metric"] < 0.9  # ids read as numbers: far less
