"""`hyperlab train` and the catalog commands, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hyperlab.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_train_writes_run_directory_and_prints_summary(tmp_path):
    out = tmp_path / "run"
    result = run("train", "--dataset", "wine", "--model", "mlp", "--batch-size", "16", "--lr", "0.01",
                 "--epochs", "3", "--optimizer", "adam", "--threads", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "106 samples / batch size 16 = 7 steps per epoch" in result.output
    assert str(out) in result.output
    assert {p.name for p in out.iterdir()} >= {"config.yaml", "history.json", "summary.json", "curves.png",
                                               "checkpoint.pt"}


def test_json_output_is_parseable_and_complete(tmp_path):
    result = runner.invoke(app, ["train", "--dataset", "wine", "--epochs", "2", "--json", "--quiet",
                                 "--out", str(tmp_path / "r")])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["summary"]["status"] == "completed" and data["hparams"]["epochs"] == 2
    assert len(data["history"]["epochs"]) == 2


def test_yaml_config_with_flags_overriding(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("dataset: wine\nmodel: logistic\nbatch-size: 8\nlr: 0.5\nepochs: 2\noptimizer: sgd\n")
    result = run("train", "--config", str(cfg), "--lr", "0.05", "--json", "--quiet", "--out", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    hp = json.loads(result.stdout)["hparams"]
    assert (hp["batch_size"], hp["lr"], hp["optimizer"]) == (8, 0.05, "sgd")


def test_korean_text(tmp_path):
    result = run("train", "--dataset", "wine", "--epochs", "1", "--lang", "ko", "--out", str(tmp_path / "r"))
    assert result.exit_code == 0
    assert "배치 크기" in result.output and "학습률" in result.output and "에폭당" in result.output


@pytest.mark.parametrize("args, message", [
    (["--lr", "-1"], "lr='-1' is invalid: must be a finite number > 0"),
    (["--lr", "nan"], "lr='nan' is invalid"),
    (["--batch-size", "0"], "batch_size='0' is invalid: must be an integer >= 1"),
    (["--batch-size", "100000"], "batch_size=100000 is invalid: must be at most the training set size"),
    (["--epochs", "0"], "epochs='0' is invalid"),
    (["--optimizer", "adamm"], "did you mean 'adam'?"),
    (["--set", "momentum=0.9"], "momentum=0.9 is invalid: does not apply to optimizer 'adam'"),
    (["--set", "bogus=1"], "bogus='1' is invalid: is not a known setting"),
    (["--dataset", "digts"], "did you mean 'digits'?"),
    (["--model", "resnet"], "model='resnet' is invalid"),
    (["--lang", "fr"], "lang='fr' is invalid: must be one of en, ko"),
    (["--threads", "0"], "threads=0 is invalid: must be an integer >= 1"),
])
def test_bad_input_exits_2_with_one_line(args, message, tmp_path):
    result = runner.invoke(app, ["train", "--epochs", "1", "--out", str(tmp_path / "r"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r" / "history.json").exists()


def test_real_process_bad_value_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "hyperlab", "train", "--lr", "0", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: lr='0' is invalid: must be a finite number > 0"


@pytest.mark.parametrize("command, expected", [("datasets", "digits"), ("models", "cnn"), ("optimizers", "nesterov")])
def test_catalog_commands(command, expected):
    result = run(command, "--json")
    assert result.exit_code == 0
    assert expected in [row["name"] for row in json.loads(result.stdout)]


def test_user_csv_and_module_function_model_from_the_working_directory(tmp_path, monkeypatch):
    """As a user runs it: their CSV and their model factory, in their own folder."""
    (tmp_path / "mynet.py").write_text(
        "from torch import nn\n"
        "def make(n_features, n_outputs):\n"
        "    return nn.Sequential(nn.Linear(n_features, 8), nn.Tanh(), nn.Linear(8, n_outputs))\n")
    rows = "\n".join(f"{i % 7},{(i * 3) % 5},{int(i % 7 > 3)}" for i in range(120))
    (tmp_path / "points.csv").write_text("x1,x2,label\n" + rows)
    monkeypatch.chdir(tmp_path)
    script = Path(sys.executable).parent / "hyperlab"  # the installed console script, not `python -m`
    proc = subprocess.run([str(script), "train", "--dataset", "points.csv", "--label", "label",
                           "--model", "mynet:make", "--epochs", "3", "--batch-size", "8", "--quiet", "--json",
                           "--out", "run"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)["summary"]
    assert summary["status"] == "completed" and summary["n_train"] == 72
