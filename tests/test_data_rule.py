"""One rule for "data" everywhere: the tuners, sweeps and lessons take a user's Dataset (a
validation split held out) and a user's own (train, val) split, as ``hyperlab.train`` does."""

from __future__ import annotations

import pytest

from hyperlab.lessons import run_lesson
from hyperlab.sweeps import sweep
from hyperlab.tuners import advise, lr_find
from test_api import Points


pytestmark = pytest.mark.usefixtures("one_thread")


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


def test_fit_and_fit_population_take_every_form_of_data(split):
    """The engine's two entry points read data by the same rule: a name, a Dataset (validation held
    out by the seed) and a (train, val) pair, where they once failed with AttributeError."""
    from torch import nn

    import hyperlab

    train_ds, val_ds = split
    for data, n_train in (("wine", 106), (train_ds, 160), ((train_ds, val_ds), 200)):
        run = hyperlab.fit(nn.Linear(13, 3) if data == "wine" else nn.Linear(4, 2), data,
                           {"epochs": 1, "batch_size": 16, "seed": 3})
        assert run.status == "completed" and run.history.epochs[-1].val_loss is not None
        assert run.history.n_train == n_train
        runs = hyperlab.fit_population("logistic", data, [{"epochs": 1, "lr": lr, "seed": 3} for lr in (0.01, 0.1)])
        assert [r.status for r in runs] == ["completed", "completed"]
        assert [r.history.n_train for r in runs] == [n_train, n_train]


def test_fit_and_fit_population_refuse_what_is_not_data_naming_it():
    from torch import nn

    import hyperlab

    with pytest.raises(hyperlab.ConfigError, match=r"data=.*dict.*must be a built-in name"):
        hyperlab.fit(nn.Linear(2, 2), {"X": 1}, None)
    with pytest.raises(hyperlab.ConfigError, match=r"data=.*int.*must be a built-in name"):
        hyperlab.fit_population("mlp", 5, [{"lr": 0.1}])
    with pytest.raises(hyperlab.ConfigError, match=r"hparams=.*str.*must be an HParams or a dict"):
        hyperlab.fit(nn.Linear(2, 2), "wine", "adam")
