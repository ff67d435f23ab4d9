"""`hyperlab train --nproc N` and `torchrun ... -m hyperlab train`: the same run either way,
rank 0 alone prints and writes, and process counts that cannot work are refused up front."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hyperlab.cli import app

runner = CliRunner()
WINE = ["--dataset", "wine", "--model", "mlp", "--batch-size", "8", "--epochs", "3", "--optimizer", "adam"]


@pytest.mark.slow
def test_nproc_and_torchrun_train_the_same_run(tmp_path):
    result = runner.invoke(app, ["train", *WINE, "--nproc", "2", "--out", str(tmp_path / "n")])
    assert result.exit_code == 0, result.output
    assert "106 samples / (8 x 1 micro-batch x 2 processes) = 7 steps per epoch" in " ".join(result.output.replace("│", " ").split())
    assert {p.name for p in (tmp_path / "n").iterdir()} == {"config.yaml", "history.json", "summary.json",
                                                            "curves.png", "checkpoint.pt"}
    history = json.loads((tmp_path / "n" / "history.json").read_text())
    assert (history["world_size"], history["effective_batch"], history["steps_per_epoch"]) == (2, 16, 7)

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    torchrun = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2",
         "-m", "hyperlab", "train", *WINE, "--json", "--quiet", "--out", str(tmp_path / "t")],
        check=False, capture_output=True, text=True, env=env, timeout=300)
    assert torchrun.returncode == 0, torchrun.stderr
    report = json.loads(torchrun.stdout)  # rank 0 alone printed
    assert report["history"]["step_loss"] == history["step_loss"]
    assert report["summary"]["run_dir"] == str(tmp_path / "t")


def test_resuming_a_two_process_run_with_one_is_refused(tmp_path):
    out = tmp_path / "r"
    assert runner.invoke(app, ["train", *WINE, "--out", str(out), "--quiet"]).exit_code == 0
    history = json.loads((out / "history.json").read_text())
    assert history["world_size"] == 1 and history["effective_batch"] == 8
    # rewrite the checkpoint as a 2-process run would have written it
    import torch
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    state["history"]["world_size"] = 2
    torch.save(state, out / "checkpoint.pt")
    result = runner.invoke(app, ["train", *WINE, "--out", str(out), "--resume"])
    assert result.exit_code == 2
    assert "cannot resume: the checkpoint was made by 2 process(es)" in result.output
    assert "--nproc 2" in result.output


@pytest.mark.parametrize("args, message", [
    (["--nproc", "0"], "nproc='0' is invalid: must be an integer >= 1"),
    (["--nproc", "3", "--batch-size", "7"],
     "nproc=3 is invalid: the last step of each epoch has 1 sample (106 samples, steps of 7 x 1 x 3 = 21)"),
    (["--nproc", "2", "--batch-size", "60"], "nproc=2 is invalid: makes a step of 60 x 1 x 2 processes = 120"),
    (["--nproc", "2", "--batch-size", "30", "--set", "accumulate=4"],
     "accumulate=4 is invalid: makes a step of 30 x 4 = 120 samples, more than the training set (106)"),
    (["--nproc", "2", "--dist-timeout", "0"], "dist_timeout='0' is invalid"),
])
def test_process_counts_that_cannot_work_are_refused_before_starting(args, message):
    result = runner.invoke(app, ["train", "--dataset", "wine", "--epochs", "1", *args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_nproc_inside_torchrun_is_refused(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "2")
    result = runner.invoke(app, ["train", "--dataset", "wine", "--nproc", "2"])
    assert result.exit_code == 2
    assert "nproc=2 is invalid: cannot start processes inside torchrun (WORLD_SIZE=2)" in result.output


def test_torchrun_env_without_a_rendezvous_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("WORLD_SIZE", "2")
    for name in ("RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    result = runner.invoke(app, ["train", "--dataset", "wine", "--epochs", "1", "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "cannot join a process group: RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT not set" in result.output
    assert not Path(tmp_path / "x").exists()
