"""Lessons on a user's small data set: the batch-size lesson fits its sizes to a training set
smaller than its defaults instead of training and then refusing."""

from __future__ import annotations

import numpy as np
import pytest

from hyperlab.errors import DataError
from hyperlab.lessons import run_lesson
from hyperlab.lessons.batch_size import batch_sizes, settings


def test_batch_sizes_below_a_small_training_set_are_powers_of_two():
    s = settings("tiny")  # sizes 16, 64
    assert batch_sizes(s, 7) == [2, 4, 7]
    assert batch_sizes(s, 40) == [16, 32, 40]
    assert batch_sizes(s, 100) == [16, 64, 100]
    with pytest.raises(DataError, match="training set has 2 samples: .* needs at least 3"):
        batch_sizes(s, 2)


def test_batch_size_lesson_runs_on_twelve_rows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2))
    result = run_lesson("batch-size", (X, (X[:, 0] > 0).astype(int)), budget="tiny")
    assert [r["batch_size"] for r in result.measurements["rows"]] == [2, 4, 7]


@pytest.mark.parametrize("name", ["learning-rate", "optimizer"])
def test_lessons_with_a_fixed_batch_train_whole_set_batches_on_seven_rows(name):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(12, 2))  # 7 training rows, fewer than the lessons' batch of 32
    result = run_lesson(name, (X, (X[:, 0] > 0).astype(int)), budget="tiny", surfaces=()) if name == "optimizer" \
        else run_lesson(name, (X, (X[:, 0] > 0).astype(int)), budget="tiny")
    assert result.measurements["batch_size"] == 7
    assert all(run.history.steps_per_epoch == 1 for run in result.runs)
