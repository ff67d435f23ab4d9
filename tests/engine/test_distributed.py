"""Data-parallel training with torch.distributed (gloo, real processes started by torch's elastic
launcher): N processes x batch B train exactly like 1 process x batch N*B, rank 0 alone writes,
resume is exact, and a rank that dies or stalls ends the run with a clear error."""

from __future__ import annotations

import os
import signal
import time

import numpy as np
import pytest
import torch
from torch import nn
from torch.distributed.algorithms.ddp_comm_hooks.default_hooks import allreduce_hook
from torch.utils.data import TensorDataset

import hyperlab
from hyperlab.engine import Callback, History, fit, load_checkpoint
from hyperlab.engine import distributed as ddp
from hyperlab.engine.trainer import TrainingInterrupted
from hyperlab.errors import ConfigError, HyperlabError
from hyperlab.hparams import HParams
from hyperlab.models import build_model

# ---- run inside the launched ranks (module level, so spawn can import them) -----------------


def _float64(data, n):
    data = data.subsample_train(n, seed=1)
    cast = lambda ds: TensorDataset(ds.tensors[0].double(), ds.tensors[1])
    return type(data)(data.name, data.task, cast(data.train), cast(data.val), None, data.n_features,
                      data.n_outputs, data.input_shape, data.classes)


def _fit(data, **settings):
    hp = HParams(**{"epochs": 2, "lr": 0.05, "optimizer": "momentum", **settings})
    net = build_model("mlp", data, width=32, seed=hp.seed).double()
    return fit(net, data, hp)


class _CountExchanges(Callback):
    """Counts the gradient all-reduces DDP makes (one per bucket per exchange)."""

    def __init__(self):
        self.count = 0

    def on_train_start(self, run):
        def hook(state, bucket):
            self.count += 1
            return allreduce_hook(None, bucket)
        run.loop.net.register_comm_hook(None, hook)


def _equivalence_ranks(digits):
    """300 samples at 2 x 16 (last step 12: 6 per rank); 289 samples at 2 x 16 x accumulate 2
    (last step 33: rank 0 takes 16 + 1, rank 1 a single micro-batch of 16)."""
    out = {}
    for name, n, settings in [("b16", 300, {"batch_size": 16}),
                              ("b16x2", 289, {"batch_size": 16, "accumulate": 2})]:
        data = _float64(digits, n)
        counter = _CountExchanges()
        hp = HParams(**{"epochs": 2, "lr": 0.05, "optimizer": "momentum", **settings})
        net = build_model("mlp", data, width=32, seed=hp.seed).double()
        result = fit(net, data, hp, callbacks=[counter])
        out[name] = {"history": result.history.to_dict(), "weights": result.model.state_dict(),
                     "exchanges": counter.count,
                     "rank_losses": ddp.gather_objects(result.history.step_loss)}
    return out


class _InterruptAfter(Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_step_end(self, run, loss):
        if run.epoch == self.epoch:
            raise KeyboardInterrupt


def _dropout_mlp(n_features, n_outputs):
    return nn.Sequential(nn.Linear(n_features, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, n_outputs))


def _resume_ranks(digits, tmp):
    """An uninterrupted run, and one interrupted in epoch 3 then resumed, with dropout (so each
    rank's RNG state matters); every rank writes nothing but rank 0."""
    data = digits.subsample_train(300, seed=1)
    hp = HParams(epochs=4, batch_size=16, lr=0.05, optimizer="adam", schedule="cosine")
    full = hyperlab.train(_dropout_mlp, data, hp, out=f"{tmp}/full")
    try:
        hyperlab.train(_dropout_mlp, data, hp, out=f"{tmp}/part", callbacks=[_InterruptAfter(2)])
    except TrainingInterrupted:
        pass
    epoch_saved = load_checkpoint(f"{tmp}/part/checkpoint.pt")["epoch"]
    resumed = hyperlab.train(_dropout_mlp, data, hp, out=f"{tmp}/part", resume=True)
    return {"full": (full.history.step_loss, full.model.state_dict()), "epoch_saved": epoch_saved,
            "resumed": (resumed.history.step_loss, resumed.model.state_dict(), len(resumed.history.epochs)),
            "rank": ddp.rank(), "run_dirs": ddp.gather_objects(str(full.run_dir))}


class _Fail(Callback):
    """On rank 1 at step 3: die at once (SIGKILL) or stall far longer than the timeout."""

    def __init__(self, how):
        self.how = how

    def on_step_end(self, run, loss):
        if run.step == 3 and ddp.rank() == 1:
            if self.how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            time.sleep(300)


def _failing_ranks(digits, how):
    data = digits.subsample_train(300, seed=1)
    net = build_model("mlp", data, width=16, seed=0)
    fit(net, data, HParams(epochs=3, batch_size=16), callbacks=[_Fail(how)])


# ---- the tests ------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_processes_match_one_with_the_whole_batch(digits):
    ranks = ddp.launch(2, _equivalence_ranks, digits)
    for name, n, single in [("b16", 300, {"batch_size": 32}), ("b16x2", 289, {"batch_size": 64})]:
        two, one = ranks[name], _fit(_float64(digits, n), **single)
        h = two["history"]
        assert h["world_size"] == 2 and h["effective_batch"] == one.history.effective_batch
        assert h["steps_per_epoch"] == one.history.steps_per_epoch
        # the recorded loss is the global step loss, and every rank recorded the same one
        np.testing.assert_allclose(h["step_loss"], one.history.step_loss, rtol=1e-12)
        assert two["rank_losses"][0] == two["rank_losses"][1]
        np.testing.assert_allclose(h["step_grad_norm"], one.history.step_grad_norm, rtol=1e-10)
        for key, value in one.model.state_dict().items():
            torch.testing.assert_close(two["weights"][key], value, rtol=1e-10, atol=1e-13)
        for mine, ref in zip(h["epochs"], one.history.epochs, strict=True):
            assert mine["train_loss"] == pytest.approx(ref.train_loss, rel=1e-12)
            assert mine["train_metric"] == ref.train_metric  # correct counts summed over ranks
            assert mine["val_loss"] == ref.val_loss  # rank 0 evaluated: the very same number
        # one gradient exchange per optimizer step (no_sync during accumulation), one bucket here
        assert two["exchanges"] == len(h["step_loss"])


@pytest.mark.slow
def test_resume_under_ddp_is_exact_and_only_rank0_writes(digits, tmp_path):
    ranks = ddp.launch(2, _resume_ranks, digits, str(tmp_path))
    assert ranks["rank"] == 0 and ranks["epoch_saved"] == 2
    full_loss, full_weights = ranks["full"]
    resumed_loss, resumed_weights, epochs = ranks["resumed"]
    assert resumed_loss == full_loss and epochs == 4
    assert all(torch.equal(full_weights[k], resumed_weights[k]) for k in full_weights)
    assert ranks["run_dirs"] == [str(tmp_path / "full")] * 2  # both ranks know where; one wrote
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == \
        ["checkpoint.pt", "config.yaml", "curves.png", "history.json", "summary.json"]
    state = load_checkpoint(tmp_path / "full" / "checkpoint.pt")
    assert len(state["rng_ranks"]) == 2 and not torch.equal(*state["rng_ranks"])


@pytest.mark.slow
@pytest.mark.parametrize("how, message", [
    ("kill", r"rank 1 failed: .*SIGKILL"),
    ("stall", r"rank 0 of 2 waited 5 s for the other processes and gave up .*Timed out"),
])
def test_a_rank_that_dies_or_stalls_ends_the_run_with_a_clear_error(digits, how, message):
    start = time.perf_counter()
    with pytest.raises(ddp.DistributedError, match=message):
        ddp.launch(2, _failing_ranks, digits, how, timeout=5.0)
    assert time.perf_counter() - start < 120  # launch (~10-20 s here) + timeout, not the 300 s stall


@pytest.mark.parametrize("n, settings, world, idle", [
    (289, {"batch_size": 16}, 2, 1),  # last step: 1 sample
    (106, {"batch_size": 7}, 3, 2),  # last step: 1 sample, 3 processes
    (100, {"batch_size": 16}, 3, 1),  # last step 4: shares of 2, 2, 0
])
def test_a_last_step_that_leaves_a_rank_idle_is_refused(n, settings, world, idle):
    hp = HParams(**settings)
    with pytest.raises(ConfigError, match=rf"nproc={world} is invalid: the last step of each epoch has "
                                          rf"\d+ samples? .* leaves {idle} process"):
        ddp.check_shares(hp, n, world)
    ddp.check_shares(hp.replace(drop_last=True), n, world)  # no short last step at all
    ddp.check_shares(hp, n, 1)


@pytest.mark.parametrize("n, settings, world", [(300, {"batch_size": 16}, 2), (289, {"batch_size": 16, "accumulate": 2}, 2),
                                                (102, {"batch_size": 16}, 3)])
def test_a_last_step_every_rank_shares_is_accepted(n, settings, world):
    ddp.check_shares(HParams(**settings), n, world)


def test_history_records_the_processes():
    h = History(task="classification", metric="accuracy", n_train=300, batch_size=16, steps_per_epoch=10,
                total_steps=20, accumulate=2, world_size=2)
    assert h.effective_batch == 64
    old = {k: v for k, v in h.to_dict().items() if k not in ("world_size", "effective_batch")}
    assert History.from_dict(old).world_size == 1  # histories written before the field


def test_outside_a_process_group_everything_is_one_process():
    assert (ddp.rank(), ddp.world_size(), ddp.is_main(), ddp.is_active()) == (0, 1, True, False)
    t = torch.tensor([1.0, 2.0])
    assert ddp.sum_over_ranks(t) is t and ddp.gather_objects(1) is None
    assert ddp.from_rank0([1.0, None], torch.device("cpu")) == [1.0, None]


def test_joining_without_torchrun_is_a_clear_error(monkeypatch):
    for name in ddp.ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ddp.DistributedError, match="RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT not set"), \
            ddp.process_group():
        pass


def test_resuming_with_another_process_count_is_refused(tmp_path, small_digits):
    hyperlab.train("logistic", small_digits, epochs=2, out=tmp_path / "r")
    state = torch.load(tmp_path / "r" / "checkpoint.pt", weights_only=True)
    state["history"]["world_size"] = 2  # as a 2-process run would have written it
    torch.save(state, tmp_path / "r" / "checkpoint.pt")
    with pytest.raises(HyperlabError, match=r"made by 2 process\(es\) and this run has 1"):
        hyperlab.train("logistic", small_digits, epochs=2, out=tmp_path / "r", resume=True)
