"""Gradient noise scale: the estimator recovers known |G|^2 and tr(Sigma), and the real measurement
on a model gives a finite critical batch size without changing the model."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from hyperlab.errors import ConfigError
from hyperlab.tuners import noise_scale
from hyperlab.tuners.noise_scale import b_simple_of, estimate


def test_estimator_recovers_signal_and_noise_from_sampled_gradients():
    rng = np.random.default_rng(0)
    dim, small, big, pairs = 20, 8, 256, 4000
    g = rng.normal(size=dim) * 0.3
    scales = rng.uniform(0.5, 2.0, size=dim)  # per-sample gradient = g + noise with these std devs
    true_g2, true_trace = float(g @ g), float((scales ** 2).sum())

    def batch_sq_norm(b: int) -> float:
        mean = g + rng.normal(size=(b, dim)).mean(0) * scales
        return float(mean @ mean)

    small_sq = [batch_sq_norm(small) for _ in range(pairs)]
    big_sq = [batch_sq_norm(big) for _ in range(pairs)]
    g2, trace = estimate(small, big, small_sq, big_sq)
    assert g2 == pytest.approx(true_g2, rel=0.1)
    assert trace == pytest.approx(true_trace, rel=0.1)
    assert b_simple_of(g2, trace) == pytest.approx(true_trace / true_g2, rel=0.2)


def test_no_signal_means_no_limit():
    assert b_simple_of(-0.1, 5.0) is None


def test_measures_a_real_model_and_leaves_it_unchanged(wine, tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(13, 3))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    result = noise_scale(model, wine, {"batch_size": 8, "optimizer": "sgd", "lr": 0.05}, pairs=16,
                         train_steps=5, out=tmp_path)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert result.train_steps == 5 and result.small_batch == 8 and result.big_batch == wine.n_train
    assert np.mean(result.small_sq_norms) > np.mean(result.big_sq_norms)  # smaller batches are noisier
    assert result.b_simple is not None and result.b_simple > 0
    lo, hi = result.interval
    assert lo is not None and lo <= result.b_simple and (hi is None or result.b_simple <= hi)
    assert (tmp_path / "noise_scale.png").exists()
    assert f"{result.b_simple:.1f}" in " ".join(result.explanation)
    assert result.to_dict()["critical_batch_size"] == result.b_simple


def bn_net(n_features, n_outputs):
    return nn.Sequential(nn.Linear(n_features, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, n_outputs))


def test_with_batchnorm_chunks_are_not_said_to_give_the_same_gradient(wine):
    # each pass normalises by its own batch statistics: the summed gradient differs from one batch's
    whole = noise_scale(bn_net, wine, {"batch_size": 8}, pairs=4, train_steps=0)
    chunked = noise_scale(bn_net, wine, {"batch_size": 8}, pairs=4, train_steps=0, chunk=5)
    assert chunked.big_sq_norms != pytest.approx(whole.big_sq_norms, rel=1e-3)
    text = " ".join(chunked.explanation)
    assert "at most 5 samples" in text and "BatchNorm" in text and "same gradient" not in text


@pytest.mark.parametrize("kwargs, field", [({"small_batch": 200}, "small_batch"), ({"big_batch": 1}, "big_batch"),
                                           ({"pairs": 1}, "pairs"), ({"train_steps": -1}, "train_steps"),
                                           ({"chunk": 0}, "chunk")])
def test_bad_arguments_name_the_field(wine, kwargs, field):
    with pytest.raises(ConfigError) as err:
        noise_scale("logistic", wine, {"batch_size": 8}, **kwargs)
    assert err.value.field == field


def test_a_gradient_summed_over_small_chunks_is_the_same_gradient(wine):
    whole = noise_scale("mlp", wine, {"batch_size": 8}, pairs=4, train_steps=0)
    chunked = noise_scale("mlp", wine, {"batch_size": 8}, pairs=4, train_steps=0, chunk=5)
    assert chunked.big_sq_norms == pytest.approx(whole.big_sq_norms, rel=1e-5)
    assert chunked.small_sq_norms == pytest.approx(whole.small_sq_norms, rel=1e-5)
    assert chunked.chunk == 5 and whole.chunk == 512
    assert "at most 5 samples" in " ".join(chunked.explanation)
    assert not any("at most" in line for line in whole.explanation)  # 106 samples: one pass
