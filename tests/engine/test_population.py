"""Population training: each member's history and weights are its own ``fit`` run's."""

from __future__ import annotations

import dataclasses
import json
import math
import warnings

import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from hyperlab.engine import Callback, StopTraining, fit
from hyperlab.engine.population import SequentialFallbackWarning, fit_population
from hyperlab.errors import ConfigError
from hyperlab.hparams import OPTIMIZERS, HParams
from hyperlab.models import build_model, mlp

WIDTH = 16
# a stacking failure must show, not hide behind the sequential fallback (tests of the fallback allow it)
pytestmark = pytest.mark.filterwarnings("error::hyperlab.engine.population.SequentialFallbackWarning")


def reference(data, hp, model="mlp"):
    return fit(build_model(model, data, width=WIDTH, seed=hp.seed), data, hp)


def weights(module):
    return torch.cat([t.detach().reshape(-1).double() for t in module.state_dict().values()])


def assert_same_run(ours, theirs, rtol=1e-5, atol=1e-7, weight_atol=None):
    """Same records (losses, lr, norms, epochs, status) and same final weights, to float tolerance."""
    a, b = ours.history, theirs.history
    assert (a.diverged is None) == (b.diverged is None)
    if b.diverged:
        assert {k: v for k, v in a.diverged.items() if k != "loss"} == {k: v for k, v in b.diverged.items() if k != "loss"}
        assert (a.diverged["loss"] is None) == (b.diverged["loss"] is None)
        assert a.diverged["loss"] == pytest.approx(b.diverged["loss"], rel=rtol)
    assert (a.status, a.stopped_epoch, a.best_epoch, ours.restored_epoch) == \
        (b.status, b.stopped_epoch, b.best_epoch, theirs.restored_epoch)
    assert (a.steps_per_epoch, a.total_steps, a.batch_size, a.n_train) == \
        (b.steps_per_epoch, b.total_steps, b.batch_size, b.n_train)
    assert len(a.step_loss) == len(b.step_loss) == len(a.step_lr) == len(a.step_grad_norm)
    assert a.step_lr == pytest.approx(b.step_lr, rel=1e-12)
    assert [v is None for v in a.step_loss] == [v is None for v in b.step_loss]
    assert [v for v in a.step_loss if v is not None] == pytest.approx([v for v in b.step_loss if v is not None],
                                                                      rel=rtol, abs=atol)
    assert [g is None for g in a.step_grad_norm] == [g is None for g in b.step_grad_norm]
    assert [g for g in a.step_grad_norm if g is not None] == pytest.approx(
        [g for g in b.step_grad_norm if g is not None], rel=10 * rtol, abs=atol)
    assert len(a.epochs) == len(b.epochs)
    for x, y in zip(a.epochs, b.epochs, strict=True):
        assert (x.epoch, x.step) == (y.epoch, y.step)
        assert x.lr == pytest.approx(y.lr, rel=1e-12)
        for name in ("train_loss", "train_metric", "val_loss", "val_metric"):
            assert getattr(x, name) == pytest.approx(getattr(y, name), rel=rtol, abs=atol), name
    assert isinstance(ours.model, nn.Module) and type(ours.model) is type(theirs.model)
    if b.diverged:
        # fit reads losses back at an interval, so its model went on past the diverged step; a
        # diverged member is frozen at its last weights instead: the weights mean nothing either way
        assert torch.isfinite(weights(ours.model)).all()
        return
    torch.testing.assert_close(weights(ours.model), weights(theirs.model), rtol=rtol,
                               atol=atol * 10 if weight_atol is None else weight_atol)


SCHEDULES = {"constant": {}, "step": {"step_size": 1, "gamma": 0.5}, "cosine": {},
             "warmup": {"warmup_steps": 3}, "onecycle": {}}
LRS = {"sgd": 0.2, "momentum": 0.05, "nesterov": 0.05, "rmsprop": 0.003, "adagrad": 0.05, "adam": 0.01,
       "adamw": 0.01}


@pytest.mark.parametrize("schedule", list(SCHEDULES))
def test_every_optimizer_and_schedule_matches_its_own_fit_in_float32(schedule, small_digits):
    optimizers = [o for o in OPTIMIZERS if not (schedule == "onecycle" and o == "adagrad")]  # torch refuses
    hps = [HParams(optimizer=o, lr=LRS[o], schedule=schedule, batch_size=64, epochs=2 + (i % 2), seed=i % 3,
                   weight_decay=0.01 * (i % 2), **SCHEDULES[schedule]) for i, o in enumerate(optimizers)]
    results = fit_population("mlp", small_digits, hps, width=WIDTH)
    assert len(results) == len(hps)
    for hp, ours in zip(hps, results, strict=True):
        assert ours.hparams == hp
        assert_same_run(ours, reference(small_digits, hp))


def _float64(data):
    def convert(ds):
        X, y = ds.tensors
        return TensorDataset(X.double(), y.double() if y.is_floating_point() else y)
    return dataclasses.replace(data, train=convert(data.train), val=convert(data.val))


def mlp64(n_features, n_outputs):
    return mlp(n_features, n_outputs, width=WIDTH, depth=2).double()


@pytest.mark.parametrize("forward", ["matmul", "vmap"])
def test_float64_members_match_fit_tightly(forward, small_digits):
    data = _float64(small_digits)
    hps = [HParams(optimizer=o, lr=LRS[o], batch_size=50, epochs=2, seed=i % 2, weight_decay=0.01,
                   schedule="cosine") for i, o in enumerate(OPTIMIZERS)]
    results = fit_population(mlp64, data, hps, forward=forward)
    for hp, ours in zip(hps, results, strict=True):
        assert_same_run(ours, fit(build_model(mlp64, data, seed=hp.seed), data, hp), rtol=1e-10, atol=1e-12)


def test_members_with_different_batch_sizes_each_match_fit(small_digits):
    hps = [HParams(batch_size=b, lr=0.01, epochs=2, seed=s) for b, s in ((32, 0), (100, 1), (32, 2), (100, 0))]
    results = fit_population("mlp", small_digits, hps, width=WIDTH)
    assert [r.history.steps_per_epoch for r in results] == [10, 3, 10, 3]
    for hp, ours in zip(hps, results, strict=True):
        assert_same_run(ours, reference(small_digits, hp))


def test_regression_members_match_fit(diabetes):
    data = diabetes.subsample_train(120)
    hps = [HParams(optimizer=o, lr=lr, batch_size=16, epochs=2) for o, lr in (("sgd", 0.01), ("adam", 0.01))]
    results = fit_population("logistic", data, hps)
    for hp, ours in zip(hps, results, strict=True):
        assert ours.history.metric == "r2"
        assert_same_run(ours, reference(data, hp, model="logistic"))


def test_a_diverging_member_is_frozen_and_never_disturbs_the_others(small_digits):
    hps = [HParams(optimizer="sgd", lr=0.1, batch_size=32, epochs=2),
           HParams(optimizer="sgd", lr=100.0, batch_size=32, epochs=2),
           HParams(optimizer="adam", lr=100.0, batch_size=32, epochs=2, seed=1),
           HParams(optimizer="adam", lr=0.01, batch_size=32, epochs=2, seed=1)]
    results = fit_population("mlp", small_digits, hps, width=WIDTH)
    for hp, ours in zip(hps, results, strict=True):
        theirs = reference(small_digits, hp)
        # lr 100 scales float32 rounding of the gradient (1e-7) to 1e-5 in the weights its one step made
        assert_same_run(ours, theirs, weight_atol=max(1e-6, 1e-7 * hp.lr * weights(theirs.model).abs().max().item()))
    for k in (1, 2):
        h = results[k].history
        assert h.status == "diverged" and h.diverged["step"] == len(h.step_loss) < h.total_steps
    for k in (0, 3):
        assert results[k].status == "completed" and len(results[k].history.epochs) == 2
        assert all(math.isfinite(v) for v in results[k].history.step_loss)


def test_early_stopping_is_per_member(small_digits):
    hps = [HParams(lr=0.05, optimizer="sgd", epochs=6, batch_size=100, early_stopping=True, patience=1,
                   min_delta=0.5),
           HParams(lr=0.01, epochs=3, batch_size=100)]
    results = fit_population("mlp", small_digits, hps, width=WIDTH)
    assert results[0].status == "stopped_early" and results[0].history.stopped_epoch == 2
    assert results[0].restored_epoch == 1
    assert results[1].status == "completed" and len(results[1].history.epochs) == 3
    for hp, ours in zip(hps, results, strict=True):
        assert_same_run(ours, reference(small_digits, hp))


class PruneAfter(Callback):
    """Stops members named in ``when`` after that many epochs; notes what it saw."""

    def __init__(self, when: dict[int, int], by_raising: bool = False) -> None:
        self.when, self.by_raising = when, by_raising
        self.seen: list[tuple[int, int, str]] = []
        self.started: list[int] = []
        self.ended: dict[int, str] = {}

    def on_train_start(self, run):
        self.started.append(run.member)

    def on_epoch_end(self, run):
        self.seen.append((run.member, run.epoch, type(run.model).__name__))
        if self.when.get(run.member) == run.epoch:
            if self.by_raising:
                raise StopTraining("pruned")
            run.stop_status = "pruned"

    def on_train_end(self, run):
        self.ended[run.member] = run.history.status


@pytest.mark.parametrize("by_raising", [False, True])
def test_a_callback_stops_one_member_and_the_others_go_on(by_raising, small_digits):
    hps = [HParams(lr=lr, epochs=3, batch_size=100) for lr in (0.001, 0.01, 0.1)]
    pruner = PruneAfter({1: 1}, by_raising)
    results = fit_population("mlp", small_digits, hps, width=WIDTH, callbacks=[pruner])
    assert [r.status for r in results] == ["completed", "pruned", "completed"]
    assert [len(r.history.epochs) for r in results] == [3, 1, 3]
    assert sorted(pruner.started) == [0, 1, 2] and pruner.ended == {0: "completed", 1: "pruned", 2: "completed"}
    assert sorted(pruner.seen) == [(0, 1, "Sequential"), (0, 2, "Sequential"), (0, 3, "Sequential"),
                                   (1, 1, "Sequential"), (2, 1, "Sequential"), (2, 2, "Sequential"),
                                   (2, 3, "Sequential")]
    for hp, ours in zip(hps[::2], results[::2], strict=True):
        assert_same_run(ours, reference(small_digits, hp))


def bn_net(n_features, n_outputs):
    return nn.Sequential(nn.Linear(n_features, WIDTH), nn.BatchNorm1d(WIDTH), nn.ReLU(),
                         nn.Linear(WIDTH, n_outputs)).double()


def test_batchnorm_members_keep_their_own_running_statistics_and_match_fit(small_digits):
    # float64: batched and single batch norm sum in different orders, which BatchNorm's division
    # by the batch deviation and Adam's normalised steps amplify to ~1e-5 in float32
    data = _float64(small_digits)
    hps = [HParams(lr=lr, optimizer=o, epochs=2, batch_size=64, seed=s)
           for lr, o, s in ((0.01, "adam", 0), (0.1, "momentum", 1), (0.003, "rmsprop", 0))]
    results = fit_population(bn_net, data, hps)
    for hp, ours in zip(hps, results, strict=True):
        theirs = fit(build_model(bn_net, data, seed=hp.seed), data, hp)
        assert_same_run(ours, theirs, rtol=1e-8, atol=1e-10)
        bn, ref = ours.model[1], theirs.model[1]
        torch.testing.assert_close(bn.running_mean, ref.running_mean, rtol=1e-8, atol=1e-10)
        torch.testing.assert_close(bn.running_var, ref.running_var, rtol=1e-8, atol=1e-10)
        assert int(bn.num_batches_tracked) == int(ref.num_batches_tracked) == 10
    assert not torch.allclose(results[0].model[1].running_mean, results[1].model[1].running_mean)


def dropout_net(n_features, n_outputs):
    return nn.Sequential(nn.Linear(n_features, WIDTH), nn.ReLU(), nn.Dropout(0.5), nn.Linear(WIDTH, n_outputs))


@pytest.mark.parametrize("forward", ["matmul", "vmap"])
def test_dropout_masks_are_independent_per_member(forward, small_digits):
    hp = HParams(lr=0.01, epochs=3, batch_size=50)
    results = fit_population(dropout_net, small_digits, [hp, hp, hp], forward=forward)
    losses = [r.history.step_loss for r in results]
    assert losses[0][0] != losses[1][0] != losses[2][0]  # same weights, same batch: only the masks differ
    for r in results:
        assert r.status == "completed" and r.history.epochs[-1].val_loss < 0.8 * r.history.step_loss[0]
    # evaluation has no dropout: the same weights would give the same validation loss
    assert results[0].history.epochs[0].val_loss != results[1].history.epochs[0].val_loss


class ItemNet(nn.Module):
    """Reads a number out of a tensor in forward: torch.vmap refuses that."""

    def __init__(self, n_features: int, n_outputs: int) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(n_features, WIDTH), nn.ReLU(), nn.Linear(WIDTH, n_outputs))

    def forward(self, x):
        out = self.body(x)
        return out * (1.0 if out.abs().max().item() > 0 else 0.5)


def falls_back_to_fit(model, data, hps, match):
    """The population of ``model`` warns ``match`` and trains each member exactly as its own fit."""
    with pytest.warns(SequentialFallbackWarning, match=match):
        results = fit_population(model, data, hps)
    for hp, ours in zip(hps, results, strict=True):
        assert_same_run(ours, fit(build_model(model, data, seed=hp.seed), data, hp), rtol=0, atol=0)
    return results


def test_a_module_vmap_refuses_falls_back_to_fit_with_a_warning(small_digits):
    hps = [HParams(lr=lr, epochs=1, batch_size=100) for lr in (0.01, 0.1)]
    falls_back_to_fit(ItemNet, small_digits, hps, r"one after another with fit: the vmap forward failed.*item")


def test_callbacks_see_the_member_under_the_fallback_too(small_digits):
    pruner = PruneAfter({0: 1})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SequentialFallbackWarning)
        results = fit_population(ItemNet, small_digits, [HParams(epochs=2, batch_size=100)] * 2, callbacks=[pruner])
    assert [r.status for r in results] == ["pruned", "completed"]
    assert sorted(pruner.ended.items()) == [(0, "pruned"), (1, "completed")]


def test_chunks_give_the_same_results_as_one_population(small_digits):
    hps = [HParams(optimizer=o, lr=LRS[o], epochs=2, batch_size=64, seed=i % 2) for i, o in enumerate(OPTIMIZERS)]
    whole = fit_population("mlp", small_digits, hps, width=WIDTH)
    chunked = fit_population("mlp", small_digits, hps, width=WIDTH, max_members=2)
    for a, b in zip(whole, chunked, strict=True):
        assert_same_run(a, b, rtol=1e-6)
        assert a.history.peak_memory["population_members"] == 7
    assert {b.history.peak_memory["population_members"] for b in chunked} == {1, 2}


def test_a_memory_limit_chunks_the_population(small_digits):
    hps = [HParams(lr=lr, epochs=1, batch_size=100) for lr in (0.001, 0.003, 0.01, 0.03, 0.1)]
    whole = fit_population("mlp", small_digits, hps, width=WIDTH)
    step_peak = whole[0].history.peak_memory["population_step_peak_bytes"]
    per_member = whole[0].history.peak_memory["step_peak_bytes"]
    limited = fit_population("mlp", small_digits, hps, width=WIDTH, memory_limit=step_peak * 3 // 5)
    sizes = {r.history.peak_memory["population_members"] for r in limited}
    assert max(sizes) < 5
    assert all(r.history.peak_memory["population_step_peak_bytes"] <= step_peak * 3 // 5 for r in limited)
    for a, b in zip(whole, limited, strict=True):
        assert_same_run(a, b, rtol=1e-6)
    assert {r.history.peak_memory["memory_limit_chunk"] for r in limited} == {max(sizes)}  # said, for the title
    assert "memory_limit_chunk" not in whole[0].history.peak_memory
    with pytest.raises(ConfigError, match=r"memory_limit=100 is invalid: must be at least [\d.]+ KiB \(\d+ bytes\)"):
        fit_population("mlp", small_digits, hps, width=WIDTH, memory_limit=100)
    with pytest.raises(ConfigError, match=r"memory_limit='1KB' is invalid: must be at least"):  # as written
        fit_population("mlp", small_digits, hps, width=WIDTH, memory_limit="1KB")
    with pytest.raises(ConfigError, match=r"memory_limit='lots' is invalid: must be a positive size such as 64MB"):
        fit_population("mlp", small_digits, hps, width=WIDTH, memory_limit="lots")
    sized = fit_population("mlp", small_digits, hps, width=WIDTH, memory_limit=f"{step_peak * 3 // 5}B")
    assert [r.history.peak_memory["population_members"] for r in sized] == \
        [r.history.peak_memory["population_members"] for r in limited]  # a size string is the same limit
    assert per_member * 5 <= step_peak + 5


def test_results_have_fits_form(small_digits):
    hps = [HParams(lr=0.01, epochs=2, batch_size=64), HParams(lr=0.1, optimizer="sgd", epochs=1, batch_size=64)]
    results = fit_population("mlp", small_digits, hps, width=WIDTH)
    single = reference(small_digits, hps[0])
    for r in results:
        h = r.history
        assert set(h.to_dict()) == set(single.history.to_dict())
        assert set(r.summary()) == set(single.summary())
        assert {"peak_bytes", "step_peak_bytes", "method", "process_peak_rss_bytes", "population_step_peak_bytes",
                "population_members"} <= set(h.peak_memory)
        assert h.peak_memory["peak_bytes"] > 0
        assert h.peak_memory["population_step_peak_bytes"] >= 2 * h.peak_memory["step_peak_bytes"]
        assert all(e.seconds > 0 and e.samples_per_second > 0 for e in h.epochs)
        assert [e.epoch for e in h.epochs] == list(range(1, r.hparams.epochs + 1))
        json.dumps(h.to_dict(), allow_nan=False)
        assert all(p.grad is None for p in r.model.parameters()) and r.model.training
        assert r.model(small_digits.val.tensors[0][:3]).shape == (3, 10)
    # the members' models are independent modules
    with torch.no_grad():
        results[0].model[1].weight.zero_()
    assert results[1].model[1].weight.abs().sum() > 0


def test_exported_from_the_package():
    import hyperlab

    assert hyperlab.fit_population is fit_population


def test_a_given_module_is_every_members_start(small_digits):
    net = build_model("mlp", small_digits, width=WIDTH, seed=5)
    before = weights(net)
    hps = [HParams(lr=0.01, epochs=1, batch_size=100, seed=s) for s in (0, 1)]
    results = fit_population(net, small_digits, hps)
    torch.testing.assert_close(weights(net), before, rtol=0, atol=0)  # untouched
    import copy
    for hp, ours in zip(hps, results, strict=True):
        assert_same_run(ours, fit(copy.deepcopy(net), small_digits, hp))


class StepWatcher(Callback):
    def on_step_end(self, run, loss):
        pass


@pytest.mark.parametrize("kwargs, message", [
    ({"hparams_list": []}, r"hparams_list=\[\] is invalid: must be a non-empty list of HParams"),
    ({"hparams_list": [HParams(batch_size=5000)]}, r"hparams_list\[0\]\.batch_size=5000 is invalid: must be at most"),
    ({"hparams_list": [{"lr": -1}]}, r"hparams_list\[0\]\.lr=-1 is invalid"),
    ({"max_members": 0}, r"max_members=0 is invalid: must be an integer >= 1"),
    ({"threads": 0}, r"threads=0 is invalid: must be an integer >= 1"),
    ({"forward": "fast"}, r"forward='fast' is invalid: must be one of auto, matmul, vmap"),
    ({"callbacks": [StepWatcher()]}, r"callbacks\[0\]='StepWatcher' is invalid: must not need on_step_end"),
])
def test_bad_input_names_the_field(kwargs, message, small_digits):
    with pytest.raises(ConfigError, match=message):
        fit_population("mlp", small_digits, **{"hparams_list": [HParams()], **kwargs})


class InterruptAfter(Callback):
    def on_epoch_end(self, run):
        if run.member == 0 and run.epoch == 1:
            raise KeyboardInterrupt


def test_ctrl_c_keeps_what_was_measured(small_digits):
    from hyperlab.engine.population import PopulationInterrupted

    hps = [HParams(lr=0.01, epochs=3, batch_size=100), HParams(lr=0.01, epochs=3, batch_size=50)]
    with pytest.raises(PopulationInterrupted) as info:
        fit_population("mlp", small_digits, hps, width=WIDTH, callbacks=[InterruptAfter()], threads=1)
    first, second = info.value.results
    assert first.status == "interrupted" and len(first.history.epochs) == 1
    assert second is None  # its cohort (batch size 50) had not started


def test_ctrl_c_on_one_thread_stops_the_cohort_on_the_other(small_digits):
    from hyperlab.engine.population import PopulationInterrupted

    # two cohorts (batch sizes 100 and 50) train at once; member 0's Ctrl-C ends both (on a busy
    # machine the second thread may not have begun its cohort yet: then it never starts)
    hps = [HParams(lr=0.01, epochs=3, batch_size=100), HParams(lr=0.01, epochs=50, batch_size=50)]
    with pytest.raises(PopulationInterrupted) as info:
        fit_population("mlp", small_digits, hps, width=WIDTH, callbacks=[InterruptAfter()], threads=2)
    first, second = info.value.results
    assert first.status == "interrupted" and len(first.history.epochs) == 1
    assert second is None or (second.status == "interrupted" and len(second.history.epochs) < 50)


@pytest.fixture
def small_split(monkeypatch):
    """Split cohorts of tests' sizes across threads (the real threshold is for speed)."""
    from hyperlab.engine import population

    monkeypatch.setattr(population, "MIN_SPLIT", 4)


def test_a_cohort_split_over_two_threads_gives_the_one_thread_results(small_digits, small_split):
    """The same runs to float rounding, as fit and the population agree: a member's place in the stacked
    tensors can change which BLAS kernel computes its rows, and so the last bits (seen on AVX-512)."""
    hps = [HParams(optimizer=o, lr=LRS[o] * f, epochs=2, batch_size=64, seed=i % 2)
           for i, (o, f) in enumerate((o, f) for f in (0.5, 2.0) for o in OPTIMIZERS)]
    one = fit_population("mlp", small_digits, hps, width=WIDTH, threads=1)
    assert {r.history.peak_memory["population_members"] for r in one} == {14}
    two = fit_population("mlp", small_digits, hps, width=WIDTH, threads=2)
    assert {r.history.peak_memory["population_members"] for r in two} == {7}  # two halves of 7
    for a, b in zip(one, two, strict=True):
        assert_same_run(a, b)
    # chunks (here of 3, two at a time) and several cohorts (batch sizes) on threads: the same
    mixed = [hp.replace(batch_size=32) if i % 3 == 0 else hp for i, hp in enumerate(hps)]
    for a, b in zip(fit_population("mlp", small_digits, mixed, width=WIDTH, threads=1),
                    fit_population("mlp", small_digits, mixed, width=WIDTH, threads=2, max_members=3), strict=True):
        assert_same_run(a, b)


def test_balanced_split_deals_alike_work_to_each_thread():
    from hyperlab.engine.population import balanced_split

    hps = [HParams(optimizer="adam", epochs=9)] * 4 + [HParams(optimizer="sgd", epochs=1)] * 4
    assert balanced_split(list(range(8)), hps, 2) == [[0, 2, 4, 6], [1, 3, 5, 7]]
    assert sorted(i for chunk in balanced_split(list(range(8)), hps, 3) for i in chunk) == list(range(8))


class Recorder(Callback):
    """Records events; fails if two threads are inside a callback at once."""

    def __init__(self):
        self.events, self.inside = [], False

    def on_epoch_end(self, run):
        assert not self.inside
        self.inside = True
        import time
        time.sleep(0.002)
        self.events.append((run.member, run.epoch))
        self.inside = False


def test_callbacks_on_threads_are_called_one_at_a_time_and_see_every_member_epoch(small_digits, small_split):
    hps = [HParams(lr=lr, epochs=2, batch_size=64) for lr in (0.001, 0.002, 0.004, 0.008, 0.01, 0.02, 0.04, 0.08)]
    recorder = Recorder()
    fit_population("mlp", small_digits, hps, width=WIDTH, threads=2, callbacks=[recorder])
    assert sorted(recorder.events) == [(m, e) for m in range(8) for e in (1, 2)]


def test_dropout_or_a_memory_limit_keeps_one_thread(small_digits, small_split):
    def with_dropout():
        return nn.Sequential(nn.Flatten(), nn.Linear(64, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 10))

    hps = [HParams(lr=lr, epochs=1, batch_size=100) for lr in (0.001, 0.002, 0.004, 0.008, 0.01, 0.02, 0.04, 0.08)]
    runs = fit_population(with_dropout, small_digits, hps, threads=2)
    assert {r.history.peak_memory["population_members"] for r in runs} == {8}  # not split: masks stay as one draw
    plain = [HParams(lr=lr, epochs=1, batch_size=100) for lr in (0.001, 0.002, 0.004, 0.008)] * 2
    whole = fit_population("mlp", small_digits, plain, width=WIDTH, threads=1)
    limit = whole[0].history.peak_memory["population_step_peak_bytes"] * 2
    runs = fit_population("mlp", small_digits, plain, width=WIDTH, threads=2, memory_limit=limit)
    assert {r.history.peak_memory["population_members"] for r in runs} == {8}
    assert {r.history.peak_memory["population_members"] for r in fit_population(
        "mlp", small_digits, plain, width=WIDTH, threads=2)} == {4}  # without the limit: halves


@pytest.mark.parametrize("setting", [{"accumulate": 2}, {"precision": "bf16"}, {"compile": True}])
def test_settings_not_stacked_fall_back_to_fit_with_the_reason(small_digits, setting):
    hps = [HParams(epochs=1, batch_size=32, lr=lr, optimizer="sgd", **setting) for lr in (0.01, 0.1)]
    with pytest.warns(SequentialFallbackWarning, match=f"member 0 has {next(iter(setting))}="):
        runs = fit_population("mlp", small_digits, hps, width=16)
    for hp, run in zip(hps, runs, strict=True):
        solo = fit(build_model("mlp", small_digits, width=16, seed=hp.seed), small_digits, hp)
        assert run.history.step_loss == solo.history.step_loss


def test_ctrl_c_under_the_sequential_fallback_keeps_the_members_already_finished(small_digits):
    from hyperlab.engine.population import PopulationInterrupted

    class InterruptSecond(Callback):
        def on_epoch_end(self, run):
            if run.member == 1 and run.epoch == 1:
                raise KeyboardInterrupt

    hps = [HParams(lr=0.01, epochs=2, batch_size=50, accumulate=2) for _ in range(3)]  # accumulate: not stacked
    with pytest.warns(UserWarning, match="one after another"), pytest.raises(PopulationInterrupted) as info:
        fit_population("mlp", small_digits, hps, width=WIDTH, callbacks=[InterruptSecond()])
    first, second, third = info.value.results
    assert first.status == "completed" and len(first.history.epochs) == 2
    assert second.status == "interrupted" and len(second.history.epochs) == 1
    assert third is None


class SetAfter:
    """An event that reads as set from its (n+1)-th check on: the population checks it before every step."""

    def __init__(self, n: int) -> None:
        self.n, self.checks = n, 0

    def is_set(self) -> bool:
        self.checks += 1
        return self.checks > self.n


@pytest.mark.parametrize("accumulate", [1, 2])  # stacked, and the one-after-another fallback
def test_stop_ends_every_member_at_its_next_step_with_its_steps_recorded(accumulate, small_digits):
    hps = [HParams(lr=lr, epochs=5, batch_size=50 // accumulate, accumulate=accumulate) for lr in (0.01, 0.1)]
    spe = hps[0].steps_per_epoch(small_digits.n_train)  # 6 steps per epoch
    stop = SetAfter(spe + 2 if accumulate == 1 else 1000)  # stacked: mid-way through epoch 2
    if accumulate == 2:  # under fit, the member checks after each step: set it during the first member's epoch 2
        class Trip(Callback):
            def on_epoch_end(self, run):
                stop.n = 0
        callbacks = [Trip()]
    else:
        callbacks = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        results = fit_population("mlp", small_digits, hps, width=WIDTH, stop=stop, callbacks=callbacks)
    assert [r.status for r in results] == ["stopped", "stopped"]
    if accumulate == 1:
        for hp, result in zip(hps, results):
            h = result.history
            assert h.steps_done == spe + 2 and len(h.epochs) == 1  # the part of epoch 2 has no epoch record
            alone = fit(build_model("mlp", small_digits, width=WIDTH, seed=0), small_digits, hp).history
            assert h.step_loss == pytest.approx(alone.step_loss[:spe + 2], rel=1e-5)
    else:  # fit ends after the step it is in: the first member in epoch 2, the second at its first step
        first, second = (r.history for r in results)
        assert (len(first.epochs), first.steps_done) == (1, spe + 1)
        assert (len(second.epochs), second.steps_done) == (0, 1)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradient_clipping_stacks_and_matches_fit_per_member(dtype, small_digits):
    """Each member's gradient is clipped to its own max norm (or not at all), as fit clips it; the
    recorded norm is the one before clipping. In float32 RMSprop's division by the root of a tiny
    squared-gradient average lets last-bit differences move a weight by a few 1e-6 (seen on AVX-512,
    with or without clipping), so weights are compared to 1e-5 there; float64 checks it all tightly."""
    hps = [HParams(optimizer=opt, lr=LRS[opt], epochs=2, batch_size=50, clip_grad_norm=clip)
           for opt in ("sgd", "momentum", "adam", "rmsprop") for clip in (None, 0.05, 0.5)]
    data, model = (small_digits, "mlp") if dtype == "float32" else (_float64(small_digits), mlp64)
    results = fit_population(model, data, hps, width=WIDTH if dtype == "float32" else None)
    assert {r.history.peak_memory["population_members"] for r in results} == {len(hps)}  # stacked
    for hp, ours in zip(hps, results, strict=True):
        if dtype == "float32":
            assert_same_run(ours, reference(data, hp), weight_atol=1e-5)
        else:
            assert_same_run(ours, fit(build_model(mlp64, data, seed=hp.seed), data, hp), rtol=1e-10, atol=1e-12)
    clipped = results[1].history.step_grad_norm  # sgd at max norm 0.05: the clip was active
    assert max(g for g in clipped if g is not None) > 0.05


class ReassignsBuffer(nn.Module):
    """Keeps a running mean of its inputs by replacing the buffer (``self.mean = ...``), not in place."""

    def __init__(self, n_features: int, n_outputs: int) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(n_features))
        self.body = nn.Sequential(nn.Linear(n_features, WIDTH), nn.ReLU(), nn.Linear(WIDTH, n_outputs))

    def forward(self, x):
        if self.training:
            self.mean = 0.9 * self.mean + 0.1 * x.mean(0)
        return self.body(x - self.mean)


class UpdatesBufferInPlace(ReassignsBuffer):
    def forward(self, x):
        if self.training:
            self.mean.mul_(0.9).add_(0.1 * x.mean(0))
        return self.body(x - self.mean)


def test_a_buffer_replaced_in_forward_falls_back_to_fit_with_the_reason(small_digits):
    # a stacked forward runs the module through functional_call, which would drop the new buffer
    # and keep every member's at its start: a silently different run
    hps = [HParams(lr=lr, epochs=1, batch_size=100) for lr in (0.01, 0.1)]
    results = falls_back_to_fit(ReassignsBuffer, small_digits, hps, r"buffer 'mean' is replaced in forward.*in place")
    for ours in results:
        assert ours.model.mean.abs().sum() > 0


def test_a_buffer_updated_in_place_in_forward_stacks_and_matches_fit(small_digits):
    hps = [HParams(lr=lr, epochs=2, batch_size=100, optimizer=o) for lr, o in ((0.01, "adam"), (0.1, "sgd"))]
    results = fit_population(UpdatesBufferInPlace, small_digits, hps)  # no fallback (warnings are errors here)
    for hp, ours in zip(hps, results, strict=True):
        theirs = fit(build_model(UpdatesBufferInPlace, small_digits, seed=hp.seed), small_digits, hp)
        assert_same_run(ours, theirs)
        torch.testing.assert_close(ours.model.mean, theirs.model.mean)


def frozen_first_layer(n_features, n_outputs):
    """A fine-tuning set-up: the first layer (the 'backbone') frozen, the head trained."""
    net = nn.Sequential(nn.Linear(n_features, WIDTH), nn.ReLU(), nn.Linear(WIDTH, n_outputs))
    net[0].requires_grad_(False)
    return net


def test_frozen_parameters_stay_unchanged_in_every_member_and_the_rest_matches_fit(small_digits):
    hps = [HParams(lr=0.01, optimizer="adamw", weight_decay=0.1, epochs=2, batch_size=64, seed=0),
           HParams(lr=0.1, optimizer="momentum", weight_decay=0.01, epochs=2, batch_size=64, seed=1)]
    results = fit_population(frozen_first_layer, small_digits, hps)
    for hp, ours in zip(hps, results, strict=True):
        start = build_model(frozen_first_layer, small_digits, seed=hp.seed)
        theirs = fit(build_model(frozen_first_layer, small_digits, seed=hp.seed), small_digits, hp)
        assert_same_run(ours, theirs)
        for run in (ours, theirs):  # weight decay does not reach a parameter without a gradient
            assert torch.equal(run.model[0].weight, start[0].weight) and torch.equal(run.model[0].bias, start[0].bias)
            assert not run.model[0].weight.requires_grad
        assert not torch.equal(ours.model[2].weight, start[2].weight)


def test_by_default_a_population_uses_the_threads_torch_had_before_a_small_step_took_one(small_digits, small_split):
    from hyperlab.engine.threads import torch_threads

    hps = [HParams(lr=lr, epochs=1, batch_size=100) for lr in (0.001, 0.002, 0.004, 0.008)] * 2
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with torch_threads(None, small_step=True):
            halves = fit_population("mlp", small_digits, hps, width=WIDTH)
        with torch_threads(1):
            whole = fit_population("mlp", small_digits, hps, width=WIDTH)
    finally:
        torch.set_num_threads(before)
    assert {r.history.peak_memory["population_members"] for r in halves} == {4}
    assert {r.history.peak_memory["population_members"] for r in whole} == {8}
