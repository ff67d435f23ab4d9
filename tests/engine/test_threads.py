"""The default thread count: one intra-op thread for a small step, torch's for a large one, and a
population still spread over the threads torch had."""

from __future__ import annotations

import torch
from torch import nn

from hyperlab.engine.threads import ONE_THREAD_BELOW, forward_macs, is_small_step, population_threads, torch_threads
from hyperlab.models import build_model


def test_forward_macs_counts_a_linear_layers_multiply_adds():
    net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    assert forward_macs(net, torch.zeros(32, 64)) == 32 * (64 * 128 + 128 * 10)


def test_the_probe_leaves_running_statistics_random_state_and_mode_as_they_were():
    net = nn.Sequential(nn.Linear(8, 16), nn.BatchNorm1d(16), nn.Dropout(0.5), nn.Linear(16, 2)).train()
    stats = {k: v.clone() for k, v in net.state_dict().items()}
    x = torch.randn(32, 8)
    state = torch.random.get_rng_state()
    assert forward_macs(net, x) == 32 * (8 * 16 + 16 * 2)
    assert net.training
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(torch.equal(stats[k], v) for k, v in net.state_dict().items())


def test_a_model_that_does_not_run_on_the_batch_is_not_judged_small():
    net = nn.Linear(3, 2)
    assert forward_macs(net, torch.zeros(4, 5)) is None
    assert not is_small_step(net, torch.zeros(4, 5))


def test_small_and_large_steps_against_the_measured_threshold(digits):
    x = digits.train.tensors[0]
    assert is_small_step(build_model("mlp", digits, seed=0), x[:32])  # the digits MLP: 0.8 M
    wide = build_model("mlp", digits, width=1024, seed=0)
    assert forward_macs(wide, x[:256]) > ONE_THREAD_BELOW
    assert not is_small_step(wide, x[:256])


def test_a_small_step_trains_on_one_thread_and_a_population_keeps_torchs_count():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with torch_threads(None, small_step=True):
            assert (torch.get_num_threads(), population_threads()) == (1, 2)
        assert (torch.get_num_threads(), population_threads()) == (2, 2)
        with torch_threads(None):  # a large step: torch's setting
            assert (torch.get_num_threads(), population_threads()) == (2, 2)
        with torch_threads(3, small_step=True):  # --threads: that many, for both
            assert (torch.get_num_threads(), population_threads()) == (3, 3)
    finally:
        torch.set_num_threads(before)
