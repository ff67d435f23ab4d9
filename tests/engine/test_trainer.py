"""The one trainer: real (small) training, divergence, early stopping, reproducibility, events."""

from __future__ import annotations

import json
import math

import pytest
import torch
from torch import nn
from torch.utils.data import Dataset, TensorDataset

import hyperlab
from hyperlab.engine import Callback, StopTraining, fit
from hyperlab.engine.trainer import TrainingInterrupted
from hyperlab.errors import HyperlabError
from hyperlab.hparams import OPTIMIZERS, HParams
from hyperlab.models import build_model


def _fit(data, model="mlp", **hp):
    hparams = HParams(**{"epochs": 3, "batch_size": 32, "lr": 0.01, **hp})
    return fit(build_model(model, data, width=32, seed=hparams.seed), data, hparams)


def test_training_learns_and_records_history(small_digits):
    result = _fit(small_digits)
    h = result.history
    assert result.status == "completed"
    assert h.steps_per_epoch == math.ceil(300 / 32) == 10
    assert len(h.step_loss) == len(h.step_lr) == len(h.step_grad_norm) == h.total_steps == 30
    assert [e.epoch for e in h.epochs] == [1, 2, 3]
    assert h.epochs[-1].val_metric > 0.7  # digits is learnable in 3 epochs
    assert h.epochs[-1].train_loss < h.epochs[0].train_loss
    assert all(e.samples_per_second > 0 and e.seconds > 0 for e in h.epochs)
    assert h.peak_memory["peak_bytes"] > 0 and "live tensor bytes" in h.peak_memory["method"]
    json.dumps(h.to_dict(), allow_nan=False)


def test_peak_memory_is_measured_and_grows_with_batch(digits):
    small = _fit(digits, epochs=1, batch_size=8).history.peak_memory["peak_bytes"]
    large = _fit(digits, epochs=1, batch_size=1024).history.peak_memory["peak_bytes"]
    assert large > small  # activations scale with the batch


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_trains(optimizer, small_digits):
    lr = 0.1 if optimizer in ("sgd", "momentum", "nesterov", "adagrad") else 0.003
    h = _fit(small_digits, optimizer=optimizer, lr=lr, epochs=2).history
    assert h.status == "completed"
    assert h.epochs[-1].val_loss < 0.97 * h.step_loss[0] and h.epochs[-1].val_metric > 0.2  # chance is 0.1


@pytest.mark.parametrize("schedule, extra", [("step", {"step_size": 1, "gamma": 0.5}), ("cosine", {}),
                                             ("warmup", {"warmup_steps": 5}), ("onecycle", {})])
def test_schedules_change_the_recorded_lr(schedule, extra, small_digits):
    h = _fit(small_digits, schedule=schedule, **extra).history
    assert len(set(h.step_lr)) > 1
    if schedule == "step":
        assert h.step_lr[0] == pytest.approx(0.01) and h.step_lr[10] == pytest.approx(0.005)
    if schedule == "warmup":
        assert h.step_lr[0] < h.step_lr[5] == pytest.approx(0.01)


def test_divergence_is_recorded_with_step_and_is_json_safe(small_digits):
    result = _fit(small_digits, optimizer="sgd", lr=1e4)
    h = result.history
    assert result.status == "diverged"
    assert h.diverged["step"] >= 1 and h.diverged["epoch"] == 1
    assert h.diverged["reason"] in ("non-finite", "exploded")
    assert len(h.step_loss) == h.diverged["step"]
    text = json.dumps(h.to_dict(), allow_nan=False)  # no NaN/inf in JSON
    assert "NaN" not in text


def test_sensible_lr_does_not_diverge(small_digits):
    assert _fit(small_digits, optimizer="sgd", lr=0.1).status == "completed"


def test_same_seed_same_history_bit_for_bit(small_digits):
    a = _fit(small_digits, seed=7).history
    b = _fit(small_digits, seed=7).history
    c = _fit(small_digits, seed=8).history
    assert a.step_loss == b.step_loss and a.step_grad_norm == b.step_grad_norm
    assert a.column("val_loss") == b.column("val_loss")
    assert a.step_loss != c.step_loss


def test_early_stopping_stops_and_restores_best(small_digits):
    data = small_digits.subsample_train(60)
    result = fit(build_model("mlp", data, width=256, seed=0), data,
                 HParams(epochs=200, batch_size=16, lr=0.01, early_stopping=True, patience=3))
    h = result.history
    assert result.status == "stopped_early" and h.stopped_epoch < 200
    assert h.stopped_epoch - h.best_epoch == 3
    best_val = min(h.column("val_loss"))
    assert h.epochs[h.best_epoch - 1].val_loss == best_val
    assert result.restored_epoch == h.best_epoch
    # the returned model holds the best epoch's weights
    loss, _ = hyperlab.evaluate(result.model, data.val, data.task, torch.nn.functional.cross_entropy,
                                torch.device("cpu"))
    assert loss == pytest.approx(best_val, rel=1e-5)


def test_regression_task_uses_mse_and_r2(diabetes):
    result = _fit(diabetes, epochs=10, optimizer="adam", lr=0.01)
    assert result.history.metric == "r2"
    assert result.history.epochs[-1].val_metric > 0.2


class _ListDataset(Dataset):
    """A map-style Dataset that is not a TensorDataset: goes through a DataLoader."""

    def __init__(self, data):
        self.X, self.y = data.train.tensors

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], self.y[i]


def test_generic_dataset_goes_through_dataloader(small_digits):
    data = hyperlab.from_datasets(_ListDataset(small_digits), small_digits.val)
    result = fit(build_model("mlp", data, width=32, seed=0), data, HParams(epochs=2, lr=0.01))
    assert result.status == "completed" and result.history.epochs[-1].val_metric > 0.5


class _Counter(Callback):
    def __init__(self):
        self.steps, self.epochs, self.started, self.ended = 0, 0, 0, 0

    def on_train_start(self, run):
        self.started += 1

    def on_step_end(self, run, loss):
        self.steps += 1
        assert math.isfinite(loss)

    def on_epoch_end(self, run):
        self.epochs += 1

    def on_train_end(self, run):
        self.ended += 1


def test_events_fire_at_step_and_epoch_end(small_digits):
    counter = _Counter()
    fit(build_model("logistic", small_digits), small_digits, HParams(epochs=2), callbacks=[counter])
    assert (counter.started, counter.steps, counter.epochs, counter.ended) == (1, 20, 2, 1)


def test_callback_can_stop_with_a_status(small_digits):
    class Pruner(Callback):
        def on_epoch_end(self, run):
            raise StopTraining("pruned")

    result = fit(build_model("logistic", small_digits), small_digits, HParams(epochs=5), callbacks=[Pruner()])
    assert result.status == "pruned" and len(result.history.epochs) == 1


def test_a_callback_can_end_a_run_before_its_first_step(small_digits):
    class NotThisOne(Callback):
        def on_train_start(self, run):
            raise StopTraining("pruned")

    ended = []

    class Watch(Callback):
        def on_train_end(self, run):
            ended.append(run.history.status)

    result = fit(build_model("logistic", small_digits), small_digits, HParams(epochs=5),
                 callbacks=[Watch(), NotThisOne()])
    assert result.status == "pruned" and result.history.steps_done == 0 and ended == ["pruned"]


def test_ctrl_c_keeps_what_was_measured(small_digits):
    class CtrlC(Callback):
        def on_step_end(self, run, loss):
            if run.step == 15:
                raise KeyboardInterrupt

    with pytest.raises(TrainingInterrupted) as stop:
        fit(build_model("logistic", small_digits), small_digits, HParams(epochs=5), callbacks=[CtrlC()])
    h = stop.value.result.history
    assert h.status == "interrupted" and len(h.step_loss) == len(h.step_lr) == 15 and len(h.epochs) == 1


def test_model_that_does_not_fit_the_data_gets_a_clear_error(small_digits):
    with pytest.raises(HyperlabError, match=r"output of shape \(32, 3\) does not fit targets"):
        fit(nn.Linear(64, 3), small_digits, HParams(epochs=1))  # 3 outputs, labels up to 9
    with pytest.raises(HyperlabError, match="failed on a batch of shape"):
        fit(nn.Linear(10, 10), small_digits, HParams(epochs=1))

    class NoTensor(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(64, 10)

        def forward(self, x):
            return {"logits": self.lin(x)}

    with pytest.raises(HyperlabError, match="must return a tensor"):
        fit(NoTensor(), small_digits, HParams(epochs=1))
    with pytest.raises(HyperlabError, match=r"model='mlp' is invalid: must be an nn.Module for fit; hyperlab.train "
                                            r"takes a built-in name"):
        fit("mlp", small_digits, HParams(epochs=1))  # as fit_population and train take it


@pytest.mark.parametrize("loss_fn", [None, nn.functional.l1_loss])
def test_regression_outputs_of_another_shape_than_the_targets_are_refused_not_broadcast(diabetes, loss_fn):
    # (32, 3) outputs against (32, 1) targets: mse/l1 would broadcast them with only a torch warning
    # and train on a meaningless loss (a silently wrong R^2)
    with pytest.raises(HyperlabError, match=r"output of shape \(32, 3\) does not fit targets of shape \(32, 1\)"):
        fit(nn.Linear(diabetes.n_features, 3), diabetes, HParams(epochs=1), loss_fn=loss_fn)
    hps = [HParams(epochs=1, lr=lr) for lr in (0.01, 0.1)]
    with pytest.raises(HyperlabError, match=r"output of shape \(32, 3\) does not fit targets of shape \(32, 1\)"):
        hyperlab.fit_population(nn.Linear(diabetes.n_features, 3), diabetes, hps, loss_fn=loss_fn)


def test_python_api_with_own_module_and_regression_loss(tmp_path):
    X = torch.randn(300, 3)
    y = X @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.05 * torch.randn(300, 1)
    model = nn.Sequential(nn.Linear(3, 16), nn.ReLU(), nn.Linear(16, 1))
    result = hyperlab.train(model, (X.numpy(), y.numpy().ravel()), lr=0.01, epochs=15, optimizer="adam",
                            loss_fn=nn.functional.l1_loss, out=tmp_path / "run")
    assert result.history.task == "regression" and result.summary()["final_val_metric"] > 0.8
    for name in ("config.yaml", "history.json", "summary.json", "curves.png", "checkpoint.pt"):
        assert (tmp_path / "run" / name).is_file()


@pytest.mark.parametrize("optimizer, extra", [("sgd", {"weight_decay": 0.1}), ("adamw", {}), ("rmsprop", {"momentum": 0.5}),
                                              ("adagrad", {"weight_decay": 0.01}), ("nesterov", {"weight_decay": 0.01})])
def test_recorded_gradient_norm_is_the_norm_of_the_steps_gradient(small_digits, optimizer, extra):
    """The norm is taken after optimizer.step(): check it equals the gradient's norm before the step."""
    seen = []
    hp = HParams(epochs=1, batch_size=64, optimizer=optimizer, lr=0.01, **extra)
    model = build_model("mlp", small_digits, width=16, seed=0)
    from hyperlab.optim import build_optimizer
    opt = build_optimizer(model.parameters(), hp)
    X, y = small_digits.train.tensors
    for _ in range(3):
        out = model(X[:64])
        loss = torch.nn.functional.cross_entropy(out, y[:64])
        opt.zero_grad()
        loss.backward()
        before = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in model.parameters()]))
        opt.step()
        after = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in model.parameters()]))
        seen.append((float(before), float(after)))
    assert all(b == pytest.approx(a, rel=1e-6) for b, a in seen)
    h = fit(build_model("mlp", small_digits, width=16, seed=0), small_digits, hp).history
    assert all(g is not None and g > 0 for g in h.step_grad_norm)
    # the first recorded norm is the gradient norm of the first batch at the initial weights
    from hyperlab.engine.trainer import epoch_generator
    model = build_model("mlp", small_digits, width=16, seed=0)
    first = torch.randperm(len(X), generator=epoch_generator(hp.seed, 0))[:64]
    torch.nn.functional.cross_entropy(model(X[first]), y[first]).backward()
    expected = torch.linalg.vector_norm(torch.stack([p.grad.norm() for p in model.parameters()]))
    assert h.step_grad_norm[0] == pytest.approx(float(expected), rel=1e-5)


@pytest.mark.parametrize("optimizer", ["sgd", "adamw", "rmsprop"])
def test_fused_gradients_train_exactly_like_separate_ones(small_digits, optimizer):
    hp = HParams(epochs=2, batch_size=32, optimizer=optimizer, lr=0.01, weight_decay=0.01)
    fused = fit(build_model("mlp", small_digits, width=16, seed=0), small_digits, hp)
    apart = fit(build_model("mlp", small_digits, width=16, seed=0), small_digits, hp, fuse_grads=False)
    a, b = fused.model.state_dict(), apart.model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert fused.history.step_loss == apart.history.step_loss
    assert fused.history.step_grad_norm == pytest.approx(apart.history.step_grad_norm, rel=1e-5)
    assert all(p.grad._base is not None for p in fused.model.parameters())  # views of one buffer
    assert all(p.grad._base is None for p in apart.model.parameters())


def test_unused_parameter_turns_fusing_off(small_digits):
    class WithSpare(nn.Module):
        def __init__(self):
            super().__init__()
            self.used = nn.Linear(64, 10)
            self.spare = nn.Linear(3, 3)  # never called: no gradient, so Adam must skip it

        def forward(self, x):
            return self.used(x)

    model = WithSpare()
    before = model.spare.weight.detach().clone()
    result = fit(model, small_digits, HParams(epochs=1, optimizer="adamw", weight_decay=0.1))
    assert torch.equal(model.spare.weight, before) and model.spare.weight.grad is None
    assert all(g is not None for g in result.history.step_grad_norm)


def test_a_lone_last_sample_under_batchnorm_names_the_batch_size(small_digits):
    # 300 samples at batch size 299 leave 1 for the epoch's last step: BatchNorm's bare ValueError
    # ('Expected more than 1 value per channel') came out of the middle of the run
    def bn_net(n_features, n_outputs):
        return nn.Sequential(nn.Linear(n_features, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, n_outputs))

    from hyperlab.errors import ConfigError

    hp = HParams(epochs=1, batch_size=299)
    with pytest.raises(ConfigError, match=r"batch_size=299 .*last batch of 1 sample.*\(300 training samples\).*drop_last"):
        fit(build_model(bn_net, small_digits), small_digits, hp)
    with pytest.raises(ConfigError, match=r"batch_size=299 .*last batch of 1 sample"):
        hyperlab.fit_population(bn_net, small_digits, [hp, hp.replace(lr=0.1)])
    assert fit(build_model(bn_net, small_digits), small_digits, hp.replace(drop_last=True)).status == "completed"
    with pytest.raises(ConfigError, match=r"batch_size=1 .*a batch of 1 sample"):
        fit(build_model(bn_net, small_digits), small_digits, hp.replace(batch_size=1))


def test_multi_output_r2_is_variance_weighted_as_the_readme_says():
    from sklearn.metrics import r2_score
    from torch.utils.data import TensorDataset

    g = torch.Generator().manual_seed(0)
    X = torch.randn(300, 5, generator=g)
    y = (X @ torch.randn(5, 3, generator=g)) * torch.tensor([1.0, 10.0, 0.1])  # outputs of unequal scales
    data = hyperlab.as_data(TensorDataset(X, y))
    result = fit(nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3)), data,
                 HParams(epochs=3, lr=0.01, optimizer="adam"))
    Xv, yv = data.val.tensors
    with torch.no_grad():
        pred = result.model.eval()(Xv)
    weighted = r2_score(yv.numpy(), pred.numpy(), multioutput="variance_weighted")
    assert result.history.epochs[-1].val_metric == pytest.approx(weighted, abs=1e-5)
    assert abs(weighted - r2_score(yv.numpy(), pred.numpy())) > 0.01  # the uniform average differs here


def _flat_output_loss(out, target):  # the model's (B,) outputs against (B, 1) targets, by the user's own loss
    return nn.functional.mse_loss(out, target.squeeze(-1))


def test_r2_of_a_flat_output_against_column_targets_is_not_broadcast(diabetes):
    # (B,) outputs minus (B, 1) targets broadcast to (B, B): the reported R^2 was meaningless
    from sklearn.metrics import r2_score

    def flat(n_features, n_outputs):
        return nn.Sequential(nn.Linear(n_features, 1), nn.Flatten(0))

    hp = HParams(epochs=3, lr=0.05, optimizer="adam")
    result = fit(build_model(flat, diabetes), diabetes, hp, loss_fn=_flat_output_loss)
    Xv, yv = diabetes.val.tensors
    with torch.no_grad():
        pred = result.model.eval()(Xv)
    expected = r2_score(yv.numpy().ravel(), pred.numpy())
    assert expected > 0.2 and result.history.epochs[-1].val_metric == pytest.approx(expected, abs=1e-5)
    pop = hyperlab.fit_population(flat, diabetes, [hp, hp.replace(lr=0.01)], loss_fn=_flat_output_loss)
    assert pop[0].history.epochs[-1].val_metric == pytest.approx(expected, abs=1e-5)


def test_at_batch_1_one_samples_small_first_loss_does_not_make_a_slow_run_diverged():
    # half the targets 1.0, half 0.01, and a model that starts at 0: the first sample's loss is 1e-4,
    # the next one's 1.0. The rule compared each step with the first step's loss, so a run at lr 1e-6
    # "exploded" at step 2; it now compares means over 32 samples' steps (32 steps at batch 1)
    X = torch.randn(200, 3, generator=torch.Generator().manual_seed(0))
    y = torch.where(torch.arange(200) % 2 == 0, 1.0, 0.01).unsqueeze(1)
    data = hyperlab.as_data(TensorDataset(X, y))

    def zero() -> nn.Module:
        model = nn.Linear(3, 1)
        nn.init.zeros_(model.weight)
        nn.init.zeros_(model.bias)
        return model

    slow, fast = (HParams(batch_size=1, lr=lr, epochs=1, optimizer="sgd") for lr in (1e-6, 30.0))
    run = fit(zero(), data, slow)
    assert run.history.step_loss[0] < 1e-3 < run.history.step_loss[1]  # the case above
    assert run.status == "completed"
    # the reference: the untrained model's mean loss on the first 32 training samples
    X32, y32 = data.train[:32]
    assert run.history.diverge_reference == pytest.approx(float(((y32 - 0.0) ** 2).mean()), rel=1e-6)
    exploding = fit(zero(), data, fast)
    assert exploding.status == "diverged"
    # a population applies the same rule, member by member, at the same steps
    members = hyperlab.fit_population(zero(), data, [slow, fast])
    assert [m.status for m in members] == ["completed", "diverged"]
    assert members[1].history.diverged == exploding.history.diverged
    assert members[0].history.step_loss == pytest.approx(run.history.step_loss, rel=1e-5)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks a machine without CUDA")
def test_a_device_this_machine_lacks_is_refused_naming_it_everywhere(tmp_path):
    """device='cuda' on a CPU build ended in torch's bare `AssertionError: Torch not compiled with CUDA
    enabled`, in fit, populations, the tuners, sweeps and lessons alike."""
    import hyperlab
    from hyperlab.lessons import run_lesson
    from hyperlab.sweeps import sweep
    from hyperlab.tuners import TunerSetup

    no_cuda = r"device='cuda' is invalid: is not available: this torch sees no CUDA device"
    calls = [lambda: hyperlab.train("logistic", "wine", epochs=1, device="cuda"),
             lambda: hyperlab.fit_population("logistic", "wine", [{"epochs": 1}], device="cuda"),
             lambda: TunerSetup(device="cuda"),
             lambda: sweep({"lr": "0.01,0.1"}, study="d", storage=f"sqlite:///{tmp_path / 'd.db'}", data="wine",
                           model="logistic", device="cuda", epochs=1),
             lambda: run_lesson("batch-size", "wine", device="cuda")]
    for call in calls:
        with pytest.raises(hyperlab.ConfigError, match=no_cuda):
            call()
    with pytest.raises(hyperlab.ConfigError, match=r"device='gpu' is invalid: must be a torch device such as 'cpu'"):
        hyperlab.train("logistic", "wine", epochs=1, device="gpu")
    assert not (tmp_path / "d.db").exists()  # refused before the study was made
