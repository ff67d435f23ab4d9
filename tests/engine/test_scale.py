"""The batch you want on the hardware you have: accumulation, precision, clipping, and a loop
that reads losses back at an interval instead of every step."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from hyperlab.engine import fit, trainer
from hyperlab.errors import ConfigError
from hyperlab.hparams import HParams
from hyperlab.i18n import steps_arithmetic
from hyperlab.models import build_model


def _fit(data, model="mlp", dtype=torch.float32, **hp):
    hparams = HParams(**{"epochs": 2, "batch_size": 32, "lr": 0.05, "optimizer": "sgd", **hp})
    net = build_model(model, data, width=32, seed=hparams.seed).to(dtype)
    return fit(net, data, hparams)


def _as(data, dtype):
    from torch.utils.data import TensorDataset
    cast = lambda ds: TensorDataset(ds.tensors[0].to(dtype), ds.tensors[1])  # noqa: E731
    return type(data)(data.name, data.task, cast(data.train), cast(data.val), None, data.n_features,
                      data.n_outputs, data.input_shape, data.classes)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "momentum"])
def test_accumulation_matches_the_large_batch(small_digits, optimizer):
    # 300 samples: steps of 128 leave a short last step of 44 (two micro-batches of 32 and 12)
    data = _as(small_digits, torch.float64)
    big = _fit(data, dtype=torch.float64, batch_size=128, optimizer=optimizer, lr=0.01)
    acc = _fit(data, dtype=torch.float64, batch_size=32, accumulate=4, optimizer=optimizer, lr=0.01)
    assert acc.history.steps_per_epoch == big.history.steps_per_epoch == 3
    assert acc.history.effective_batch == 128 and acc.history.accumulate == 4
    np.testing.assert_allclose(acc.history.step_loss, big.history.step_loss, rtol=1e-10)
    for a, b in zip(acc.model.parameters(), big.model.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-12)
    assert [e.train_metric for e in acc.history.epochs] == pytest.approx([e.train_metric for e in big.history.epochs])


def test_accumulation_in_float32_within_tolerance(small_digits):
    big = _fit(small_digits, batch_size=100, lr=0.1)
    acc = _fit(small_digits, batch_size=25, accumulate=4, lr=0.1)
    np.testing.assert_allclose(acc.history.step_loss, big.history.step_loss, rtol=1e-5)


def test_arithmetic_shows_the_effective_batch():
    hp = HParams(batch_size=25, accumulate=4)
    assert hp.steps_per_epoch(2000) == 20 == HParams(batch_size=100).steps_per_epoch(2000)
    assert steps_arithmetic(2000, 25, 20, accumulate=4) == \
        "2000 samples / (25 x 4 micro-batches x 1 process) = 20 steps per epoch"
    assert steps_arithmetic(2000, 100, 20) == "2000 samples / batch size 100 = 20 steps per epoch"
    assert "마이크로배치 4개" in steps_arithmetic(2000, 25, 20, "ko", accumulate=4)


def test_a_step_larger_than_the_data_is_refused(small_digits):
    with pytest.raises(ConfigError, match=r"accumulate=20 is invalid: makes a step of 32 x 20 = 640 samples"):
        _fit(small_digits, accumulate=20)


class _HostReads(TorchDispatchMode):
    """Counts reads of a tensor's value into Python (item(), float(), bool(), ...)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func is torch.ops.aten._local_scalar_dense.default:
            self.count += 1
        return func(*args, **(kwargs or {}))


def test_the_loop_does_not_read_back_every_step(small_digits, monkeypatch):
    tolist_calls = []
    original = torch.Tensor.tolist
    monkeypatch.setattr(torch.Tensor, "tolist", lambda self: tolist_calls.append(1) or original(self))
    hp = HParams(epochs=2, batch_size=8, lr=0.01, optimizer="sgd")  # 38 steps per epoch
    net = build_model("mlp", small_digits, width=16, seed=0)
    with _HostReads() as reads:
        result = fit(net, small_digits, hp, measure_memory=False)
    steps = result.history.steps_done
    assert steps == 76
    # per epoch: one read at the interval, one at epoch end, the epoch's mean loss and accuracy,
    # and the validation pass; nothing per step (the loop used to call .item() at every step)
    assert reads.count + len(tolist_calls) <= 2 * 12 < steps


@pytest.mark.parametrize("sync_every", [1, 4, 1000])
def test_divergence_step_is_exact_whatever_the_read_interval(small_digits, monkeypatch, sync_every):
    monkeypatch.setattr(trainer, "SYNC_EVERY", sync_every)
    result = _fit(small_digits, lr=3.0, batch_size=8, epochs=3)
    h = result.history
    assert result.status == "diverged"
    step = h.diverged["step"]
    assert len(h.step_loss) == len(h.step_lr) == len(h.step_grad_norm) == step
    # at batch 8 the rule averages 4 steps (32 samples): every window before the diverged step is
    # finite and at most 20x the untrained model's loss on 32 samples; the diverged step's is not
    w = 4
    first = h.diverge_reference
    untrained = build_model("mlp", small_digits, width=32, seed=0)
    X, y = small_digits.train[:32]
    assert first == pytest.approx(float(torch.nn.functional.cross_entropy(untrained.eval()(X), y)), rel=1e-6)
    means = [sum(h.step_loss[i - w + 1:i + 1]) / w for i in range(w - 1, step - 1)]
    assert all(v is not None for v in h.step_loss[:-1]) and all(m <= 20 * first for m in means)
    last = h.step_loss[-1]
    assert last is None or (step >= w and sum(h.step_loss[-w:]) / w > 20 * first)
    assert h.diverged["epoch"] == (step - 1) // h.steps_per_epoch + 1


def test_divergence_step_does_not_depend_on_the_interval(small_digits, monkeypatch):
    steps = set()
    for every in (1, 4, 1000):
        monkeypatch.setattr(trainer, "SYNC_EVERY", every)
        steps.add(_fit(small_digits, lr=3.0, batch_size=8, epochs=3).history.diverged["step"])
    assert len(steps) == 1 and steps.pop() % 4 != 0  # found mid-interval with every=4, at the end with 1000


def test_bf16_trains_and_fp16_needs_cuda(small_digits):
    result = _fit(small_digits, precision="bf16", optimizer="adam", lr=0.01, epochs=3)
    assert result.status == "completed" and result.history.epochs[-1].val_metric > 0.6
    assert next(result.model.parameters()).dtype == torch.float32  # autocast keeps fp32 weights
    with pytest.raises(ConfigError, match="precision='fp16' is invalid: needs a CUDA device"):
        _fit(small_digits, precision="fp16")
    with pytest.raises(ConfigError, match="precision='fp8' is invalid: must be one of fp32, bf16, fp16"):
        HParams(precision="fp8")


def test_clipping_bounds_the_update_and_records_the_norm_before_it(small_digits):
    hp = HParams(epochs=1, batch_size=32, lr=0.5, optimizer="sgd", clip_grad_norm=1e-3)
    net = build_model("mlp", small_digits, width=16, seed=0)
    before = torch.cat([p.detach().flatten().clone() for p in net.parameters()])
    result = fit(net, small_digits, hp)
    after = torch.cat([p.detach().flatten() for p in net.parameters()])
    steps = result.history.steps_done
    # plain SGD with the gradient clipped to norm 1e-3 moves at most lr * 1e-3 per step
    assert float((after - before).norm()) <= steps * 0.5 * 1e-3 * (1 + 1e-4)
    assert min(result.history.step_grad_norm) > 1e-3  # recorded norms are the unclipped ones
