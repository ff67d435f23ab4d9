"""`hyperlab sweep --tensorboard DIR`: every trial written as its own TensorBoard run, DIR/trial-<number>,
by whichever worker process trained it (read back with TensorBoard's own event reader): its scalars
are the trial's stored history, its HParams entry the trial's parameters with its final metrics.
Without the tensorboard package: one line, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState
from typer.testing import CliRunner

from hyperlab.cli import app
from hyperlab.errors import ConfigError
from hyperlab.sweeps import SweepPlan, open_study, sweep

pytest.importorskip("tensorboard")

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

TINY = ["--dataset", "moons", "--model", "logistic", "--epochs", "2", "--batch-size", "16,32", "--lr", "1e-3..1e-1:log"]


def events(path: Path) -> EventAccumulator:
    acc = EventAccumulator(str(path), size_guidance={"scalars": 0, "tensors": 0})
    acc.Reload()
    return acc


def scalars(acc: EventAccumulator, tag: str) -> list[tuple[int, float]]:
    return [(e.step, e.value) for e in acc.Scalars(tag)]


def hparams_of(acc: EventAccumulator) -> tuple[dict, list[str]]:
    content = acc.PluginTagToContent("hparams")
    start = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"])
    experiment = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/experiment"])
    values = {k: (v.string_value or v.number_value) for k, v in start.session_start_info.hparams.items()}
    return values, [m.name.tag for m in experiment.experiment.metric_infos]


def check_trial_run(folder: Path, trial: optuna.trial.FrozenTrial) -> None:
    """The run in ``folder`` holds the trial's stored history (6 significant digits) and its parameters."""
    history = trial.user_attrs["history"]
    acc = events(folder)

    def close(v: float):  # stored rounded to 6 significant digits; TensorBoard keeps float32
        return pytest.approx(v, rel=1e-5)

    assert scalars(acc, "step/loss") == [(i + 1, close(v)) for i, v in enumerate(history["step_loss"]) if v is not None]
    assert scalars(acc, "step/lr") == [(i + 1, close(v)) for i, v in enumerate(history["step_lr"])]
    for split in ("train", "val"):
        assert scalars(acc, f"epoch/{split}_loss") == [(e["epoch"], close(e[f"{split}_loss"])) for e in history["epochs"]]
    assert scalars(acc, "epoch/val_accuracy") == [(e["epoch"], close(e["val_metric"])) for e in history["epochs"]]
    values, metrics = hparams_of(acc)
    assert values == {"lr": pytest.approx(trial.params["lr"]), "batch_size": trial.params["batch_size"]}
    assert "final/val_metric" in metrics
    if trial.state == TrialState.COMPLETE:  # the objective's value is the final metric the run shows
        assert scalars(acc, "final/val_metric") == [(len(history["epochs"]), close(trial.value))]


@pytest.mark.slow  # two spawned worker processes
@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_workers_write_one_run_per_finished_trial(backend, request, tmp_path):
    url, tb = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url"), tmp_path / "tb"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "hyperlab", "sweep", "--study", "tb", "--storage", url, *TINY,
                           "--workers", "2", "--trials", "4", "--strategy", "random", "--pruner", "none",
                           "--tensorboard", str(tb)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    trials = [tr for tr in open_study("tb", url).trials if tr.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    assert len(trials) >= 4
    assert sorted(p.name for p in tb.iterdir() if p.is_dir()) == sorted(f"trial-{tr.number}" for tr in trials)
    workers = {tr.user_attrs["worker"] for tr in trials}
    assert len(workers) == 2  # both processes trained trials, and each wrote its own
    for trial in trials:
        check_trial_run(tb / f"trial-{trial.number}", trial)


def test_yaml_key_and_pruned_trials(tmp_path):
    """The YAML file's ``tensorboard:`` key; a trial the pruner stopped is written up to its last epoch."""
    url, tb = f"sqlite:///{tmp_path / 'study.db'}", tmp_path / "runs"
    config = tmp_path / "sweep.yaml"
    config.write_text(f"tensorboard: {tb}\ndataset: moons\nmodel: logistic\nepochs: 4\n"
                      "space:\n  lr: 1e-4,1e-3,1e-2,1e-1\n  batch_size: 16,32\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["sweep", "--config", str(config), "--study", "y", "--storage", url,
                                      "--trials", "6", "--strategy", "random", "--pruner", "median"])
    assert result.exit_code == 0, result.output
    trials = open_study("y", url).trials
    assert sorted(p.name for p in tb.iterdir() if p.is_dir()) == sorted(f"trial-{tr.number}" for tr in trials)
    for trial in trials:
        check_trial_run(tb / f"trial-{trial.number}", trial)


def test_python_api_takes_the_folder_and_checks_it(tmp_path):
    sweep({"lr": "0.01,0.1"}, data="moons", model="logistic", study="api", storage=":memory:", strategy="grid",
          epochs=1, tensorboard=tmp_path / "tb")
    assert sorted(p.name for p in (tmp_path / "tb").iterdir() if p.is_dir()) == ["trial-0", "trial-1"]
    with pytest.raises(ConfigError, match="tensorboard=3 is invalid: must be a folder"):
        SweepPlan(study="s", storage=":memory:", setup=None, tensorboard=3)


def test_without_the_package_one_line_and_exit_2(tmp_path):
    # the package made unimportable in a fresh interpreter, as on a machine without the extra
    code = ("import sys; sys.modules['tensorboard'] = None; sys.modules['torch.utils.tensorboard'] = None; "
            "from hyperlab.cli import main; sys.argv = ['hyperlab'] + sys.argv[1:]; main()")
    url = f"sqlite:///{tmp_path / 'study.db'}"
    proc = subprocess.run([sys.executable, "-c", code, "sweep", "--study", "no", "--storage", url, *TINY,
                           "--tensorboard", str(tmp_path / "tb")], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"}, timeout=120, check=False)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert "tensorboard=" in lines[0] and "pip install 'hyperlab[tensorboard]'" in lines[0]
    assert not (tmp_path / "study.db").exists() and not (tmp_path / "tb").exists()


def test_a_folder_holds_one_study_and_another_is_refused_before_it_starts(tmp_path):
    url, tb = f"sqlite:///{tmp_path / 'study.db'}", tmp_path / "tb"
    args = ["sweep", "--dataset", "moons", "--model", "logistic", "--epochs", "1", "--lr", "0.01,0.1",
            "--strategy", "grid", "--storage", url, "--tensorboard", str(tb)]
    assert CliRunner().invoke(app, [*args, "--study", "first"]).exit_code == 0
    before = {p: p.stat().st_mtime_ns for p in tb.rglob("*")}
    other = CliRunner().invoke(app, [*args, "--study", "second"])
    assert other.exit_code == 2 and "Traceback" not in other.output
    assert f"tensorboard='{tb}' is invalid: already holds the trials of study 'first'" in other.output
    assert f"{tb / 'second'}" in other.output
    assert {p: p.stat().st_mtime_ns for p in tb.rglob("*")} == before  # nothing of the first study touched
    assert "second" not in optuna.get_all_study_names(url)  # refused before the study was created
    again = CliRunner().invoke(app, [*args, "--study", "first", "--trials", "3", "--strategy", "random"])
    assert again.exit_code == 0, again.output  # the same study may go on writing there
    assert sorted(p.name for p in tb.iterdir() if p.is_dir()) == ["trial-0", "trial-1", "trial-2"]
