"""What the CLI says about a user's data file: the task it was read as, how labels map to the
model's outputs, and a class validation lacks; and the Python override of the inferred task."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import hyperlab
from hyperlab.cli import app
from hyperlab.errors import ConfigError

RNG = np.random.default_rng(0)


def _csv(path, labels):
    X = RNG.normal(size=(len(labels), 2))
    path.write_text("a,b,kind\n" + "\n".join(f"{a},{b},{c}" for (a, b), c in zip(X, labels)) + "\n")
    return str(path)


def _stderr(*args):
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stderr


def test_train_says_classes_their_outputs_and_a_class_validation_lacks(tmp_path):
    labels = [3, 7, 9] * 13 + [11]  # class 11 has one row: it cannot be in every split
    err = _stderr("train", "--dataset", _csv(tmp_path / "d.csv", labels), "--epochs", "1", "--batch-size", "8",
                  "--out", str(tmp_path / "run"))
    assert "classification, 4 classes in column 'kind' (labels 3, 7, 9, 11 are outputs 0, 1, 2, 3); 24 train" in err
    assert "class '11' has no rows in validation (1 in all)" in err


def test_a_quantity_given_as_classes_gets_three_short_lines_not_hundreds(tmp_path):
    """--task classification on 60 distinct values listed all 60 labels and outputs, then one line per
    class validation lacked; now 10 of each, a warning that most classes have one row, and one count."""
    labels = [f"{1 + i / 100:.2f}" for i in (np.arange(60) * 7) % 60]  # 60 distinct values, shuffled
    err = _stderr("train", "--dataset", _csv(tmp_path / "q.csv", labels), "--task", "classification",
                  "--epochs", "1", "--batch-size", "8", "--out", str(tmp_path / "run"))
    notes = [line for line in err.splitlines() if line.startswith("note: ")]
    assert len(notes) == 3, notes
    assert "(labels 1.0, 1.01, 1.02, 1.03, 1.04, 1.05, 1.06, 1.07, 1.08, 1.09, ... (60 in all) are outputs 0, 1, 2, " \
           "3, 4, 5, 6, 7, 8, 9, ... (60 in all))" in notes[0]  # labels read as numbers: 1.00 is 1.0
    assert notes[1] == ("note: 60 classes in 60 rows of column 'kind': most classes have a single row, which "
                        "training cannot learn to predict; if the column is a quantity, use --task regression")
    assert notes[2].startswith("note: 48 classes have no rows in validation ('")


def test_lr_find_says_when_whole_numbers_are_read_as_a_regression_target(tmp_path):
    labels = list(range(40))  # 40 distinct whole numbers in 40 rows: more than 40 // 5 = 8 classes
    err = _stderr("lr-find", "--dataset", _csv(tmp_path / "r.csv", labels), "--batch-size", "8", "--steps", "20",
                  "--out", str(tmp_path / "lrf"), "--lang", "ko")
    assert "열 'kind'의 회귀 (레이블이 문자이거나 서로 다른 정수가 8개 이하일 때만 클래스로 읽음" in err


def test_task_overrides_the_inferred_one(tmp_path):
    path = _csv(tmp_path / "c.csv", [1.0, 2.0, 3.0] * 10)
    assert hyperlab.as_data(path).task == "classification"
    assert hyperlab.as_data(path, task="regression").task == "regression"
    X = RNG.normal(size=(30, 2))
    assert hyperlab.as_data((X, np.arange(30)), task="classification").n_outputs == 30
    with pytest.raises(ConfigError, match=r"task='regression' is invalid: must match the given Data's task"):
        hyperlab.as_data(hyperlab.as_data(path), task="regression")


def test_a_lesson_says_what_it_read_from_a_file_too(tmp_path):
    labels = [3, 7, 9] * 14
    err = _stderr("lesson", "epochs", "--dataset", _csv(tmp_path / "l.csv", labels), "--out", str(tmp_path / "les"))
    assert err.count("note: data") == 1 and "3 classes in column 'kind' (labels 3, 7, 9 are outputs 0, 1, 2)" in err
    quiet = CliRunner().invoke(app, ["lesson", "epochs", "--dataset", str(tmp_path / "l.csv"), "--out",
                                     str(tmp_path / "les2"), "--quiet"])
    assert quiet.exit_code == 0 and "note:" not in quiet.stderr
