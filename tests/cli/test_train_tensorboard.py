"""`hyperlab train --tensorboard DIR`: one event-file folder per run; a clear line without the package."""

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


def test_tensorboard_flag_writes_one_folder_per_run(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    tb = tmp_path / "tb"
    for lr in ("0.01", "0.1"):
        result = runner.invoke(app, ["train", "--dataset", "wine", "--epochs", "2", "--batch-size", "16", "--lr", lr,
                                     "--threads", "1", "--json", "--quiet", "--tensorboard", str(tb),
                                     "--out", str(tmp_path / f"run-{lr}")])
        assert result.exit_code == 0, result.output
        history = json.loads(result.stdout)["history"]
        acc = EventAccumulator(str(tb / f"run-{lr}"), size_guidance={"scalars": 0})
        acc.Reload()
        assert [e.value for e in acc.Scalars("step/loss")] == pytest.approx(history["step_loss"], rel=1e-6)
        assert [e.value for e in acc.Scalars("epoch/val_accuracy")] == pytest.approx(
            [e["val_metric"] for e in history["epochs"]], rel=1e-6)
        assert "_hparams_/session_start_info" in acc.PluginTagToContent("hparams")
    assert sorted(p.name for p in tb.iterdir()) == ["run-0.01", "run-0.1"]


def test_tensorboard_flag_with_comma_lists_writes_one_folder_per_member(tmp_path):
    """The flag was silently ignored when the knobs were lists (a population)."""
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    tb = tmp_path / "tb"
    result = runner.invoke(app, ["train", "--dataset", "wine", "--epochs", "2", "--batch-size", "16,32",
                                 "--lr", "0.01,0.1", "--threads", "1", "--json", "--quiet", "--tensorboard", str(tb),
                                 "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 0, result.output
    members = json.loads(result.stdout)
    assert sorted(p.name for p in (tb / "cmp").iterdir()) == sorted(m["name"] for m in members)
    for member in members:
        acc = EventAccumulator(str(tb / "cmp" / member["name"]), size_guidance={"scalars": 0})
        acc.Reload()
        assert [e.value for e in acc.Scalars("step/loss")] == pytest.approx(member["history"]["step_loss"], rel=1e-6)


def test_nproc_with_comma_lists_is_refused_in_one_line(tmp_path):
    """A population trains in one process; --nproc 2 with lists was silently ignored."""
    result = runner.invoke(app, ["train", "--dataset", "wine", "--lr", "0.01,0.1", "--nproc", "2",
                                 "--out", str(tmp_path / "cmp")])
    assert result.exit_code == 2
    assert result.output.startswith("error: nproc=2 is invalid: trains one run over several processes; comma lists")
    assert not (tmp_path / "cmp").exists()


def test_tensorboard_flag_without_the_package_says_what_to_install(tmp_path):
    # the package made unimportable in a fresh interpreter, as on a machine without the extra
    code = ("import sys; sys.modules['tensorboard'] = None; sys.modules['torch.utils.tensorboard'] = None; "
            "from hyperlab.cli import main; sys.argv = ['hyperlab'] + sys.argv[1:]; main()")
    proc = subprocess.run([sys.executable, "-c", code, "train", "--dataset", "wine", "--epochs", "1",
                           "--tensorboard", str(tmp_path / "tb"), "--out", str(tmp_path / "run")],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}, timeout=120, check=False)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "tensorboard=" in lines[0] and "pip install 'hyperlab[tensorboard]'" in lines[0]
    assert not Path(tmp_path / "run").exists()
