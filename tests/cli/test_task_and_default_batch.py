"""`--task` on the command line (every command that takes --dataset, the YAML key, what a sweep
stores), and the default batch size on a training set smaller than it (the whole set, said in a
note; a batch size the user chose keeps its error)."""

from __future__ import annotations

import json

import numpy as np
import optuna
import pytest
from typer.testing import CliRunner

import hyperlab
from hyperlab.cli import app
from hyperlab.errors import ConfigError
from hyperlab.sweeps.objective import SweepSetup
from hyperlab.sweeps.storage import open_storage

runner = CliRunner()
RNG = np.random.default_rng(0)


def _csv(path, labels) -> str:
    X = RNG.normal(size=(len(labels), 2))
    path.write_text("a,b,rating\n" + "\n".join(f"{a:.4f},{b:.4f},{c}" for (a, b), c in zip(X, labels)) + "\n")
    return str(path)


def _ok(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


BAD_TASK = ("error: task='regresion' is invalid: must be one of classification, regression "
            "(did you mean 'regression'?)\n")


@pytest.mark.parametrize("command", [
    ["train"], ["train", "--lr", "0.1,0.01"], ["lr-find"], ["batch-find"], ["noise-scale"], ["epoch-find"],
    ["optimizer-check"], ["advise"], ["sweep"], ["lesson", "epochs"], ["tour"],
    ["lr-scale", "--lr", "0.1", "--from-batch", "32", "--to-batch", "64"],
])
def test_a_bad_task_is_one_line_naming_the_option_value_and_choices(command, tmp_path):
    result = runner.invoke(app, [*command, "--dataset", "moons", "--task", "regresion", "--out" if
                                 command[0] != "sweep" else "--storage", str(tmp_path / "x")])
    assert (result.exit_code, result.output) == (2, BAD_TASK)


def test_task_regression_trains_whole_number_ratings_as_a_target_and_the_note_says_given(tmp_path):
    path = _csv(tmp_path / "r.csv", [1, 2, 3, 4, 5] * 12)  # 5 whole numbers: read as classes
    inferred = _ok("train", "--dataset", path, "--epochs", 1, "--batch-size", 8, "--out", tmp_path / "a", "--json")
    assert json.loads(inferred.stdout)["history"]["metric"] == "accuracy"
    given = _ok("train", "--dataset", path, "--task", "regression", "--epochs", 1, "--batch-size", 8,
                "--out", tmp_path / "b", "--json")
    out = json.loads(given.stdout)
    assert out["history"]["metric"] == "r2" and out["setup"]["task"] == "regression"
    assert ("note: data " + path + ": regression of column 'rating' (given by --task; R² reported); 36 train / "
            "12 validation / 12 test rows") in given.stderr


def test_task_classification_reads_float_codes_as_classes_in_lr_find_and_korean(tmp_path):
    path = _csv(tmp_path / "f.csv", [0.5, 1.5] * 20)  # not whole numbers: inferred as a regression target
    err = _ok("lr-find", "--dataset", path, "--task", "classification", "--batch-size", 8, "--steps", 10,
              "--out", tmp_path / "lrf").stderr
    assert "classification (given by --task), 2 classes in column 'rating' (labels 0.5, 1.5 are outputs 0, 1)" in err
    ko = _ok("batch-find", "--dataset", path, "--task", "classification", "--max-batch", 8, "--probe-steps", 2,
             "--no-noise-scale", "--out", tmp_path / "bf", "--lang", "ko").stderr
    assert "분류 (--task로 지정), 열 'rating'의 클래스 2개" in ko


def test_the_yaml_key_task_is_read_and_a_flag_overrides_it(tmp_path):
    path = _csv(tmp_path / "r.csv", [1, 2, 3] * 10)
    config = tmp_path / "c.yaml"
    config.write_text(f"dataset: {path}\ntask: regression\nepochs: 1\nbatch_size: 4\n")
    out = json.loads(_ok("train", "--config", config, "--out", tmp_path / "a", "--json").stdout)
    assert out["history"]["metric"] == "r2"
    out = json.loads(_ok("train", "--config", config, "--task", "classification", "--out", tmp_path / "b",
                         "--json").stdout)
    assert out["history"]["metric"] == "accuracy"


def test_a_built_in_set_keeps_its_task(tmp_path):
    result = runner.invoke(app, ["train", "--dataset", "wine", "--task", "regression", "--out", str(tmp_path)])
    assert (result.exit_code, result.output) == (2, "error: task='regression' is invalid: must be classification "
                                                    "for the built-in 'wine' (a classification set); it applies to "
                                                    ".csv and .npz files\n")
    with pytest.raises(ConfigError, match="must be regression for the built-in 'diabetes'"):
        hyperlab.load_data("diabetes", task="classification")
    assert hyperlab.as_data("wine", task="classification").task == "classification"  # the same task: fine


def test_a_label_column_is_refused_where_there_are_no_columns(tmp_path):
    """--label names a CSV column; on a built-in set or an .npz file it was silently ignored."""
    result = runner.invoke(app, ["train", "--dataset", "wine", "--label", "quality", "--out", str(tmp_path)])
    assert (result.exit_code, result.output) == (2, "error: label='quality' is invalid: applies to .csv files only: "
                                                    "the built-in 'wine' has its own labels\n")
    np.savez(tmp_path / "d.npz", X=np.zeros((20, 2)), y=np.arange(20) % 2)
    with pytest.raises(ConfigError, match="label='y' is invalid: applies to .csv files only: an .npz file"):
        hyperlab.load_data(tmp_path / "d.npz", label="y")
    assert hyperlab.load_data(tmp_path / "d.npz").n_train > 0


def test_a_sweep_stores_the_task_and_a_resumed_worker_trains_with_it(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    path = _csv(tmp_path / "r.csv", [1, 2, 3, 4, 5] * 12)
    _ok("sweep", "--study", "t", "--storage", url, "--dataset", path, "--task", "regression", "--model", "logistic",
        "--epochs", 1, "--batch-size", 8, "--lr", "0.01,0.1", "--strategy", "grid", "--trials", 1)
    study = optuna.load_study(study_name="t", storage=open_storage(url, heartbeat=None, retry=False))
    assert SweepSetup.from_dict(study.user_attrs["hyperlab"]).task == "regression"
    assert study.metric_names == ["val_r2"]
    _ok("sweep", "--study", "t", "--storage", url, "--trials", 2)  # an extra worker: the study's own setup
    study = optuna.load_study(study_name="t", storage=open_storage(url, heartbeat=None, retry=False))
    assert len(study.trials) == 2 and all(tr.user_attrs["history"]["metric"] == "r2" for tr in study.trials)
    other = runner.invoke(app, ["sweep", "--study", "t", "--storage", url, "--dataset", path, "--model", "logistic",
                                "--epochs", "1", "--batch-size", "8", "--lr", "0.01,0.1", "--strategy", "grid"])
    assert other.exit_code == 2 and "task: 'regression' != None" in other.output  # not the study's data


def test_the_default_batch_on_a_tiny_file_is_the_whole_training_set_and_the_note_says_so(tmp_path):
    path = _csv(tmp_path / "tiny.csv", [0, 1] * 5)  # 10 rows: 6 train / 2 validation / 2 test
    result = _ok("train", "--dataset", path, "--epochs", 1, "--out", tmp_path / "a", "--json")
    assert json.loads(result.stdout)["hparams"]["batch_size"] == 6
    assert ("note: no batch size given, and the default 32 is more than the 6 training rows: each step takes the "
            "whole training set (batch size 6)") in result.stderr
    ko = _ok("lr-find", "--dataset", path, "--steps", 10, "--out", tmp_path / "l", "--lang", "ko", "--json")
    assert json.loads(ko.stdout)["hparams"]["batch_size"] == 6
    assert "기본값 32는 학습 행 6개보다 큽니다: 매 스텝이 학습 세트 전체를 씁니다 (배치 크기 6)" in ko.stderr
    lists = _ok("train", "--dataset", path, "--epochs", 1, "--lr", "0.1,0.01", "--out", tmp_path / "c", "--json")
    assert [m["hparams"]["batch_size"] for m in json.loads(lists.stdout)] == [6, 6]
    accumulate = _ok("train", "--dataset", path, "--epochs", 1, "--accumulate", 2, "--out", tmp_path / "d", "--json")
    assert json.loads(accumulate.stdout)["hparams"]["batch_size"] == 3  # 3 x 2 micro-batches: the whole set
    quiet = _ok("train", "--dataset", path, "--epochs", 1, "--out", tmp_path / "e", "--quiet")
    assert quiet.stderr == ""


@pytest.mark.parametrize("given", [["--batch-size", "32"], ["--set", "batch_size=32"], ["--config", "CONFIG"]])
def test_a_batch_size_the_user_chose_keeps_its_error(given, tmp_path):
    path = _csv(tmp_path / "tiny.csv", [0, 1] * 5)
    config = tmp_path / "c.yaml"
    config.write_text("batch_size: 32\n")
    args = [str(config) if a == "CONFIG" else a for a in given]
    result = runner.invoke(app, ["train", "--dataset", path, "--epochs", "1", "--out", str(tmp_path / "a"), *args])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == "error: batch_size=32 is invalid: must be at most the training set size (6)"
