"""A user's own torch Dataset, items as people write them: lists, numpy, float64, a label of
shape (1,), a scalar regression target; items that are no (x, y) pair, negative labels and an
empty Dataset are refused by name; a validation class the training set lacks still fits."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import Dataset, TensorDataset

import hyperlab
from hyperlab.data import from_datasets
from hyperlab.errors import DataError

X = torch.randn(40, 3, generator=torch.Generator().manual_seed(0))
Y = (X[:, 0] > 0).long()


class Items(Dataset):
    """Items built by ``make(x_row, label)``."""

    def __init__(self, make, n=40):
        self.make, self.n = make, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return self.make(X[i], Y[i])


def _train(ds):
    return hyperlab.train("logistic", ds, epochs=2, batch_size=8, lr=0.1, optimizer="sgd")


@pytest.mark.parametrize("make", [
    lambda x, y: (x.tolist(), int(y)),                       # python lists and ints
    lambda x, y: (x.double().numpy(), np.int32(y)),           # numpy float64 and int32
    lambda x, y: (x.double(), y.reshape(1)),                  # float64 tensor, label of shape (1,)
], ids=["lists", "numpy-float64", "tensor-float64-label-1"])
def test_items_as_people_write_them_train(make):
    result = _train(Items(make))
    assert result.history.metric == "accuracy" and result.history.epochs[-1].val_metric is not None


def test_scalar_regression_target_lines_up_with_the_output():
    target = Items(lambda x, y: (x, float(2 * x[0])))  # a float: regression, one output
    result = hyperlab.train("logistic", target, epochs=30, batch_size=8, lr=0.1, optimizer="sgd")
    assert result.history.metric == "r2" and result.history.epochs[-1].val_metric > 0.9  # broadcast gave < 0


def test_well_formed_datasets_are_used_as_they_are():
    ds = TensorDataset(X, Y)
    assert from_datasets(ds).train is ds
    converted = from_datasets(TensorDataset(X.double(), Y.int())).train
    assert converted.tensors[0].dtype == torch.float32 and converted.tensors[1].dtype == torch.int64


@pytest.mark.parametrize("make, message", [
    (lambda x, y: {"x": x, "y": y}, r"train item 0 is a dict with keys 'x', 'y'; items must be \(x, y\) pairs"),
    (lambda x, y: (x, y, 0), r"train item 0 is a tuple of 3 values; items must be \(x, y\) pairs"),
    (lambda x, y: (x, y - 1), r"train item \d+ has class label -1: .* must be whole numbers from 0"),
], ids=["dict", "triple", "negative"])
def test_items_that_cannot_train_are_named(make, message):
    with pytest.raises(DataError, match=message):
        hyperlab.as_data(Items(make))


def test_empty_dataset_says_so():
    with pytest.raises(DataError, match=r"train Dataset is empty \(len 0\)"):
        hyperlab.as_data(Items(lambda x, y: (x, y), n=0))


def test_a_validation_class_missing_from_training_gets_an_output():
    train, val = TensorDataset(X[:30], Y[:30]), TensorDataset(X[30:], torch.arange(10) % 3)
    data = hyperlab.as_data((train, val))
    assert data.n_outputs == 3
    assert _train((train, val)).history.epochs[-1].val_metric is not None  # was IndexError: Target 2
