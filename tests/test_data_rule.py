"""One rule for "data" everywhere: the tuners, sweeps and lessons take a user's Dataset (a
validation split held out) and a user's own (train, val) split, as ``hyperlab.train`` does."""

from __future__ import annotations

import pytest
import torch

from hyperlab.lessons import run_lesson
from hyperlab.sweeps import sweep
from hyperlab.tuners import advise, lr_find
from test_api import Points


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def split():
    return Points(200, seed=1), Points(60, seed=2)


def test_lr_find_takes_a_pair_and_a_dataset(split):
    train_ds, val_ds = split
    for data in ((train_ds, val_ds), train_ds):
        found = lr_find("mlp", data, {"batch_size": 8})
        assert 1e-6 < found.suggested_lr < 10


def test_advise_takes_a_pair(split):
    advice = advise("logistic", split, budget_seconds=4, max_epochs=4)
    assert set(advice.values) == {"batch_size", "lr", "optimizer", "epochs"}


@pytest.mark.parametrize("form", ["pair", "dataset"])
def test_sweep_takes_a_pair_and_a_dataset(split, form, tmp_path):
    data = split if form == "pair" else split[0]
    outcome = sweep({"lr": "1e-3..1e-1:log"}, data=data, model="logistic", study="rule",
                    storage=f"sqlite:///{tmp_path / 's.db'}", trials=2, epochs=2, batch_size=16)
    assert outcome.summary["best"]["value"] is not None


@pytest.mark.parametrize("form", ["pair", "dataset"])
def test_lessons_take_a_pair_and_a_dataset(split, form):
    data = split if form == "pair" else split[0]
    result = run_lesson("epochs", data, "mlp", budget="tiny")
    assert result.runs and all(r.history.epochs[-1].val_metric is not None for r in result.runs)
