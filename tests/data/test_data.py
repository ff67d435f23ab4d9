"""Data: built-in sets offline, CSV/.npz with clear errors, deterministic splits, train-only scaling."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import TensorDataset

from hyperlab.data import BUILTIN, from_arrays, from_datasets, load_data
from hyperlab.errors import ConfigError, DataError


@pytest.mark.parametrize("name", list(BUILTIN))
def test_builtin_sets_load_offline_with_three_splits(name):
    data = load_data(name, seed=1)
    assert data.n_train > 0 and len(data.val) > 0 and len(data.test) > 0
    X, y = data.train.tensors
    assert X.dtype == torch.float32 and X.shape[1] == data.n_features
    assert data.task == ("regression" if name == "diabetes" else "classification")
    # standardised on the training split only
    assert torch.allclose(X.mean(0), torch.zeros(X.shape[1]), atol=1e-4)


def test_split_is_deterministic_by_seed():
    a, b, c = load_data("wine", seed=3), load_data("wine", seed=3), load_data("wine", seed=4)
    assert torch.equal(a.train.tensors[0], b.train.tensors[0])
    assert not torch.equal(a.train.tensors[0], c.train.tensors[0])


def test_standardisation_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    X = rng.normal(5.0, 2.0, size=(200, 3))
    y = (X[:, 0] > 5).astype(int)
    data = from_arrays(X, y, seed=0)
    val = data.val.tensors[0]
    assert not torch.allclose(val.mean(0), torch.zeros(3), atol=1e-6)  # val is not re-centred


def test_csv_label_column_and_errors(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b,kind\n" + "\n".join(f"{i},{i * 2},{'x' if i % 2 else 'y'}" for i in range(40)))
    data = load_data(path, label="kind")
    assert data.task == "classification" and data.n_features == 2 and data.classes == ["x", "y"]
    with pytest.raises(ConfigError, match=r"label='knd' is invalid: must be a column .*did you mean 'kind'"):
        load_data(path, label="knd")
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,y\n1,x,0\n2,3,1\n3,4,0\n")
    with pytest.raises(DataError, match=r"column 'b' is not numeric"):
        load_data(bad)
    missing = tmp_path / "missing.csv"
    missing.write_text("a,b,y\n1,,0\n2,3,1\n")
    with pytest.raises(DataError, match=r"column 'b' has missing values \(line 2\)"):
        load_data(missing)
    with pytest.raises(ConfigError, match="existing file"):
        load_data(tmp_path / "nope.csv")


def test_csv_regression_target(tmp_path):
    rng = np.random.default_rng(0)
    rows = "\n".join(f"{a:.3f},{b:.3f},{a * 3 + b + rng.normal():.4f}" for a, b in rng.normal(size=(100, 2)))
    path = tmp_path / "r.csv"
    path.write_text("a,b,target\n" + rows)
    data = load_data(path)
    assert data.task == "regression" and data.n_outputs == 1


def test_npz_needs_X_and_y(tmp_path):
    good = tmp_path / "good.npz"
    np.savez(good, X=np.random.rand(60, 4), y=np.arange(60) % 3)
    assert load_data(good).n_outputs == 3
    bad = tmp_path / "bad.npz"
    np.savez(bad, features=np.zeros((3, 2)))
    with pytest.raises(DataError, match=r"must hold arrays named 'X' \(features\) and 'y' \(labels or "
                                        r"targets\); missing X, y \(it has 'features'\)"):
        load_data(bad)


def test_unknown_name_suggests():
    with pytest.raises(ConfigError, match=r"dataset='digit' .*did you mean 'digits'"):
        load_data("digit")


def test_torch_dataset_wrapping():
    ds = TensorDataset(torch.randn(50, 4), torch.randint(0, 3, (50,)))
    data = from_datasets(ds)
    assert data.task == "classification" and data.n_outputs == 3 and data.n_features == 4
    reg = from_datasets(TensorDataset(torch.randn(20, 2), torch.randn(20, 1)))
    assert reg.task == "regression" and reg.n_outputs == 1


def test_subsample_train_keeps_other_splits(digits):
    small = digits.subsample_train(100)
    assert small.n_train == 100 and small.val is digits.val
    with pytest.raises(ConfigError, match="train_size"):
        digits.subsample_train(0)
