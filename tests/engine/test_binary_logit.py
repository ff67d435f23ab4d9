"""A binary classifier with one output per sample (a logit): trained with binary cross-entropy,
scored by the logit's sign, in ``fit``, in a population and in the tuners."""

from __future__ import annotations

import copy
import warnings

import pytest
import torch
import torch.nn.functional as F
from test_population import assert_same_run, weights
from torch import nn
from torch.utils.data import TensorDataset

import hyperlab
from hyperlab import tuners
from hyperlab.data import load_data
from hyperlab.engine import fit
from hyperlab.engine.population import fit_population
from hyperlab.errors import HyperlabError
from hyperlab.hparams import HParams


@pytest.fixture(scope="module")
def cancer():
    return load_data("breast-cancer", seed=0)


class Squeezed(nn.Module):
    """The same network returning ``(B,)`` logits instead of ``(B, 1)``."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x).squeeze(-1)


def one_logit_net(n_features: int, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(n_features, 16), nn.ReLU(), nn.Linear(16, 1))


def test_fit_trains_one_logit_with_binary_cross_entropy_and_scores_its_sign(cancer):
    net = one_logit_net(cancer.n_features)
    result = fit(net, cancer, HParams(lr=0.01, epochs=4, optimizer="adam", batch_size=32))
    assert result.history.metric == "accuracy"
    X, y = cancer.val.tensors
    with torch.no_grad():
        logits = result.model(X)
    last = result.history.epochs[-1]
    assert last.val_loss == pytest.approx(float(F.binary_cross_entropy_with_logits(logits[:, 0], y.float())),
                                          rel=1e-5)
    assert last.val_metric == pytest.approx(float(((logits[:, 0] > 0).long() == y).float().mean()))
    assert last.val_metric > 0.9  # it learned: two classes, one logit


def test_squeezed_logits_and_a_users_bce_loss_give_the_same_run(cancer):
    hp = HParams(lr=0.01, epochs=2, optimizer="momentum", batch_size=32)
    plain = fit(one_logit_net(cancer.n_features), cancer, hp)
    squeezed = fit(Squeezed(one_logit_net(cancer.n_features)), cancer, hp)
    own_loss = fit(one_logit_net(cancer.n_features), cancer, hp, loss_fn=nn.BCEWithLogitsLoss())
    for other in (squeezed, own_loss):
        assert other.history.step_loss == plain.history.step_loss
        assert [e.val_metric for e in other.history.epochs] == [e.val_metric for e in plain.history.epochs]


def test_one_logit_for_more_than_two_classes_is_refused_before_any_update(digits):
    net = one_logit_net(digits.n_features)
    before = weights(net)
    with pytest.raises(HyperlabError, match="binary classifier's logit, and this data has 10 classes: give the "
                                            "model 10 outputs"):
        fit(net, digits, HParams(lr=0.01, epochs=1))
    torch.testing.assert_close(weights(net), before, rtol=0, atol=0)
    with pytest.raises(HyperlabError, match="this data has 10 classes"):
        fit_population(net, digits, [HParams(lr=lr, epochs=1) for lr in (0.01, 0.1)])


def test_fewer_outputs_than_classes_are_refused_before_any_update():
    """A class past the model's outputs once failed at the first batch that held it (mid-run here:
    one sample of 200 is class 3) with torch's 'Target 3 is out of bounds'."""
    from hyperlab.data import from_arrays

    gen = torch.Generator().manual_seed(0)
    X = torch.randn(200, 4, generator=gen).numpy()
    y = (torch.arange(200) % 3).numpy()
    y[7] = 3
    data = from_arrays(X, y, name="rare", val_fraction=0.0, test_fraction=0.0)
    net = nn.Linear(4, 3)
    before = weights(net)
    message = "this data has 4 classes and the model gives 3 outputs per sample: give it 4, one per class"
    with pytest.raises(HyperlabError, match=message):
        fit(net, data, HParams(lr=0.01, epochs=1, batch_size=8))
    torch.testing.assert_close(weights(net), before, rtol=0, atol=0)
    with pytest.raises(HyperlabError, match=message):
        fit_population(net, data, [HParams(lr=lr, epochs=1, batch_size=8) for lr in (0.01, 0.1)])
    assert fit(nn.Linear(4, 5), data, HParams(lr=0.01, epochs=1, batch_size=8)).history.status == "completed"


@pytest.mark.parametrize("squeeze", [False, True])
def test_population_members_match_their_own_fit(squeeze, cancer):
    data = cancer.subsample_train(200, seed=0)
    net = one_logit_net(data.n_features, seed=3)
    net = Squeezed(net) if squeeze else net
    hps = [HParams(optimizer=o, lr=lr, batch_size=32, epochs=2, seed=s)
           for o, lr, s in (("sgd", 0.1, 0), ("adam", 0.01, 0), ("rmsprop", 0.003, 1), ("nesterov", 0.05, 1))]
    results = fit_population(net, data, hps)
    for hp, ours in zip(hps, results, strict=True):
        assert ours.history.metric == "accuracy"
        assert_same_run(ours, fit(copy.deepcopy(net), data, hp))


def test_the_tuners_take_a_one_logit_model(cancer):
    data = cancer.subsample_train(200, seed=0)
    hp = HParams(batch_size=32, epochs=3, optimizer="adam")
    swept = tuners.lr_sweep(one_logit_net(data.n_features), data, hp)
    assert all(h.metric == "accuracy" for h in swept.histories)
    assert min(s for s in swept.scores if s is not None) < 0.3  # binary cross-entropy of a working rate
    assert swept.suggested_lr == swept.lrs[swept.best_index]
    found = tuners.lr_find(one_logit_net(data.n_features), data, hp)
    assert found.suggested_lr > 0
    scale = tuners.noise_scale(one_logit_net(data.n_features), data, hp)
    assert scale.b_simple is not None and scale.b_simple > 0


def test_binary_cross_entropy_on_float_targets_read_as_regression_warns_how_to_read_classes():
    torch.manual_seed(0)
    X = torch.randn(200, 5)
    y = (X[:, 0] > 0).float().unsqueeze(1)  # what BCEWithLogitsLoss users hold: float 0/1 targets
    dataset = TensorDataset(X, y)
    with pytest.warns(UserWarning, match="read the data with task='classification'"):
        as_regression = hyperlab.train(one_logit_net(5), dataset, lr=0.01, epochs=2, loss_fn=nn.BCEWithLogitsLoss())
    assert as_regression.history.metric == "r2"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        as_classes = hyperlab.train(one_logit_net(5), hyperlab.as_data(dataset, task="classification"), lr=0.01,
                                    epochs=2, loss_fn=nn.BCEWithLogitsLoss())
    assert as_classes.history.metric == "accuracy"
    assert as_classes.history.step_loss == pytest.approx(as_regression.history.step_loss)  # the same training
