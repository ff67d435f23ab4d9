"""The one rule for "data" (``as_data``) and ``hyperlab.train`` with a user's own Dataset: a
validation split held out by default, the user's own split as (train, val) or val=."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import Dataset, TensorDataset

import hyperlab
from hyperlab.data import Data, as_data, with_validation
from hyperlab.errors import ConfigError


class Points(Dataset):
    """A user's own Dataset (not a TensorDataset): (x, y) pairs built item by item."""

    def __init__(self, n: int, task: str = "classification", seed: int = 0) -> None:
        g = torch.Generator().manual_seed(seed)
        self.x = torch.randn(n, 4, generator=g)
        signal = self.x[:, 0] - 0.5 * self.x[:, 1]
        self.y = (signal > 0).long() if task == "classification" else signal + 0.1 * torch.randn(n, generator=g)

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int):
        y = self.y[i]
        return self.x[i], (y if y.dtype == torch.long else y.reshape(1))


def final(result):
    return result.history.epochs[-1]


def test_a_users_dataset_gets_a_validation_split_by_default():
    result = hyperlab.train("mlp", Points(200), epochs=3, batch_size=16, lr=0.01)
    last = final(result)
    assert last.val_loss is not None and last.val_metric is not None and last.train_metric is not None
    assert result.history.n_train == 160  # 20% of 200 held out


def test_regression_on_a_users_dataset_reports_train_and_validation_r2():
    result = hyperlab.train("mlp", Points(300, "regression"), epochs=15, batch_size=16, lr=0.01)
    last = final(result)
    assert result.history.metric == "r2"
    assert last.train_metric is not None and last.val_metric is not None
    assert last.train_metric > 0.5 and last.val_metric > 0.5  # learnt, and both numbers say so


def test_train_r2_of_a_users_dataset_equals_the_tensor_datasets():
    ds = Points(120, "regression")
    as_tensors = TensorDataset(ds.x, ds.y.reshape(-1, 1))
    kw = dict(epochs=2, batch_size=120, lr=0.01, optimizer="sgd", val_fraction=0)
    model = nn.Linear(4, 1)
    a = final(hyperlab.train(copy.deepcopy(model), ds, **kw))
    b = final(hyperlab.train(copy.deepcopy(model), as_tensors, **kw))
    assert a.train_metric is not None and b.train_metric is not None
    assert a.train_loss == pytest.approx(b.train_loss, rel=1e-5)
    assert a.train_metric == pytest.approx(b.train_metric, rel=1e-5)


def test_own_split_as_a_pair_or_val():
    train_ds, val_ds = Points(100, seed=1), Points(40, seed=2)
    for result in (hyperlab.train("logistic", (train_ds, val_ds), epochs=2, batch_size=10),
                   hyperlab.train("logistic", train_ds, val=val_ds, epochs=2, batch_size=10)):
        assert result.history.n_train == 100 and final(result).val_metric is not None
    data = as_data((train_ds, val_ds))
    assert data.train is train_ds and data.val is val_ds


def test_val_fraction_zero_turns_the_hold_out_off_and_is_validated():
    result = hyperlab.train("logistic", Points(50), epochs=1, batch_size=10, val_fraction=0)
    assert result.history.n_train == 50 and final(result).val_loss is None
    assert as_data("wine", val_fraction=0).val is None
    assert as_data("wine", val_fraction=0.3).describe()["n_val"] == 53
    with pytest.raises(ConfigError, match=r"val_fraction=1.5 is invalid: must be a number in \[0, 1\)"):
        hyperlab.train("logistic", Points(50), val_fraction=1.5)


def test_the_hold_out_is_seeded_and_the_same_one_the_tuners_use():
    ds = Points(100)
    a, b, c = as_data(ds, seed=3), as_data(ds, seed=3), as_data(ds, seed=4)
    assert a.train.indices == b.train.indices and a.train.indices != c.train.indices
    held = with_validation(hyperlab.from_datasets(ds), 3)
    assert held.train.indices == a.train.indices and held.val.indices == a.val.indices
    tensors = as_data(TensorDataset(ds.x, ds.y), seed=3)
    assert isinstance(tensors.train, TensorDataset) and tensors.n_train == 80  # still sliced in memory


def test_arrays_pairs_and_bad_forms():
    X = np.random.default_rng(0).normal(size=(60, 3))
    y = (X[:, 0] > 0).astype(int)
    data = as_data((X, y))
    assert isinstance(data, Data) and data.describe()["n_val"] == 12
    with pytest.raises(ConfigError, match=r"data='\(Points, ndarray\)' is invalid: a pair must be"):
        as_data((Points(10), y))
    with pytest.raises(ConfigError, match=r"val='Points' is invalid: must be a torch Dataset, given with a "
                                          r"torch Dataset as data \(data is str"):
        as_data("wine", val=Points(10))
    with pytest.raises(ConfigError, match=r"data='list' is invalid: must be a built-in name"):
        as_data([X, y])


def test_a_dataset_too_small_to_hold_out_says_so():
    with pytest.raises(hyperlab.DataError, match="1 training sample are too few to hold one out"):
        as_data(Points(1))
    assert as_data(Points(2)).n_train == 1


# ---- train_many: several settings trained together ----------------------------------------------

def test_train_many_grid_order_overrides_and_run_directories(tmp_path):
    runs = hyperlab.train_many("logistic", "wine", {"lr": [0.01, 0.1], "optimizer": ["sgd", "adam"]}, epochs=2,
                               out=tmp_path)
    assert [(r.hparams.lr, r.hparams.optimizer) for r in runs] == [(0.01, "sgd"), (0.01, "adam"), (0.1, "sgd"),
                                                                   (0.1, "adam")]
    assert all(r.hparams.epochs == 2 and len(r.history.epochs) == 2 for r in runs)
    assert all(r.history.peak_memory["population_members"] == 4 for r in runs)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adam-b32-lr0.01", "adam-b32-lr0.1", "comparison.json",
                                                          "curves.png", "sgd-b32-lr0.01", "sgd-b32-lr0.1"]
    assert runs[0].run_dir == tmp_path / "sgd-b32-lr0.01"


def test_train_many_members_equal_train_and_the_sequential_path():
    members = [hyperlab.HParams(lr=0.05, optimizer="momentum", epochs=3, seed=s) for s in (0, 1)]
    stacked = hyperlab.train_many("mlp", "wine", members, width=16)
    alone = hyperlab.train_many("mlp", "wine", members, width=16, population=False)
    single = hyperlab.train("mlp", "wine", members[0], width=16)
    assert "population_members" not in alone[0].history.peak_memory
    for a, b in zip(stacked, alone):
        assert a.history.step_loss == pytest.approx(b.history.step_loss, rel=1e-5)
    assert stacked[0].history.step_loss == pytest.approx(single.history.step_loss, rel=1e-5)
    assert stacked[1].history.step_loss != pytest.approx(stacked[0].history.step_loss, rel=1e-3)  # own seed


def test_train_many_validates_every_item():
    with pytest.raises(ConfigError, match=r"lr=-1 is invalid: must be a finite number > 0"):
        hyperlab.train_many("logistic", "wine", {"lr": [0.1, -1]})
    with pytest.raises(ConfigError, match=r"batch_size=500 is invalid: must be at most the training set size "
                                          r"\(106\) \(member 1\)"):
        hyperlab.train_many("logistic", "wine", [{"batch_size": 8}, {"batch_size": 500}])
    with pytest.raises(ConfigError, match="hparams='HParams' is invalid"):
        hyperlab.train_many("logistic", "wine", hyperlab.HParams())
    with pytest.raises(ConfigError, match="lr=\\[\\] is invalid: must hold at least one value"):
        hyperlab.train_many("logistic", "wine", {"lr": []})


def test_ctrl_c_in_train_many_saves_every_member_measured_so_far(tmp_path):
    from hyperlab.engine import Callback
    from hyperlab.members import MembersInterrupted

    class Interrupt(Callback):
        def on_epoch_end(self, run):
            raise KeyboardInterrupt

    # two batch sizes, two cohorts; the first is interrupted after epoch 1, which stops the second
    # (on a second thread it may have begun; else it never starts)
    grid = {"lr": 0.01, "batch_size": [16, 32], "epochs": 30}
    with pytest.raises(MembersInterrupted) as info:
        hyperlab.train_many("logistic", "wine", grid, out=tmp_path, callbacks=[[Interrupt()], []])
    first, second = info.value.results
    assert first.status == "interrupted" and len(first.history.epochs) == 1
    assert second is None or second.status == "interrupted"
    assert info.value.saved_to == tmp_path and info.value.result is first
    assert (tmp_path / "adam-b16-lr0.01" / "history.json").exists()
    assert (tmp_path / "adam-b32-lr0.01").exists() == (second is not None)
    compared = json.loads((tmp_path / "comparison.json").read_text())
    assert [c["name"] for c in compared] == ["adam-b16-lr0.01", "adam-b32-lr0.01"][:1 + (second is not None)]
    assert {c["summary"]["status"] for c in compared} == {"interrupted"}
