"""The TensorBoard callback: the event files, read back with TensorBoard's own reader, hold the run's history."""

from __future__ import annotations

import pytest

pytest.importorskip("tensorboard")

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

from hyperlab.engine import fit
from hyperlab.engine.population import fit_population
from hyperlab.engine.tensorboard import TensorBoard
from hyperlab.hparams import HParams
from hyperlab.models import build_model


def events(path):
    acc = EventAccumulator(str(path), size_guidance={"scalars": 0, "tensors": 0})
    acc.Reload()
    return acc


def scalars(acc, tag):
    return [(e.step, e.value) for e in acc.Scalars(tag)]


def as_steps(values):
    """(step, value) pairs of a per-step list, skipping None (a diverged step); float32 as TensorBoard keeps it."""
    return [(i + 1, pytest.approx(v, rel=1e-6)) for i, v in enumerate(values) if v is not None]


def hparams_of(acc):
    content = acc.PluginTagToContent("hparams")
    start = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"])
    experiment = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/experiment"])
    values = {k: (v.string_value or v.number_value) for k, v in start.session_start_info.hparams.items()}
    return values, [m.name.tag for m in experiment.experiment.metric_infos]


def check_run(path, history, hp):
    acc = events(path)
    assert scalars(acc, "step/loss") == as_steps(history.step_loss)
    assert scalars(acc, "step/lr") == as_steps(history.step_lr)
    assert scalars(acc, "step/grad_norm") == as_steps(history.step_grad_norm)
    for split in ("train", "val"):
        assert scalars(acc, f"epoch/{split}_loss") == [(e.epoch, pytest.approx(getattr(e, f"{split}_loss"), rel=1e-6))
                                                      for e in history.epochs]
    assert scalars(acc, f"epoch/val_{history.metric}") == [(e.epoch, pytest.approx(e.val_metric, rel=1e-6))
                                                          for e in history.epochs]
    values, metrics = hparams_of(acc)
    assert values == {"batch_size": hp.batch_size, "lr": pytest.approx(hp.lr), "epochs": hp.epochs,
                      "optimizer": hp.optimizer, "schedule": hp.schedule, "seed": hp.seed,
                      "effective_batch": history.effective_batch}
    assert metrics == ["final/val_metric", "final/val_loss", "final/train_loss", "final/best_val_metric"]
    final = history.final()
    assert scalars(acc, "final/val_metric") == [(len(history.epochs), pytest.approx(final.val_metric, rel=1e-6))]
    return acc


def test_fit_writes_steps_epochs_and_hparams(tmp_path, small_digits):
    hp = HParams(batch_size=16, lr=0.01, epochs=3, optimizer="sgd", schedule="cosine", seed=1)
    result = fit(build_model("mlp", small_digits, width=16, seed=1), small_digits, hp,
                 callbacks=[TensorBoard(tmp_path / "run")])
    assert result.history.steps_done == 3 * 19  # more than SYNC_EVERY: written in several reads
    acc = check_run(tmp_path / "run", result.history, hp)
    lrs = [v for _, v in scalars(acc, "step/lr")]
    assert lrs[0] > lrs[-1]  # the cosine schedule, step by step


def test_diverged_run_writes_the_steps_it_took(tmp_path, small_digits):
    hp = HParams(batch_size=16, lr=50.0, epochs=3, optimizer="sgd")
    result = fit(build_model("mlp", small_digits, width=16), small_digits, hp, callbacks=[TensorBoard(tmp_path)])
    assert result.status == "diverged"
    acc = events(tmp_path)
    step = result.history.diverged["step"]
    assert [s for s, _ in scalars(acc, "step/loss")] == [s + 1 for s, v in enumerate(result.history.step_loss)
                                                         if v is not None]
    assert max(s for s, _ in scalars(acc, "step/loss")) <= step  # nothing after the divergence
    assert scalars(acc, "step/lr") == as_steps(result.history.step_lr)
    content = acc.PluginTagToContent("hparams")
    assert "_hparams_/session_start_info" in content


def test_population_writes_one_run_per_member(tmp_path, small_digits):
    hps = [HParams(batch_size=32, lr=lr, epochs=2, optimizer="adam") for lr in (1e-3, 3e-2)]
    results = fit_population("mlp", small_digits, hps, width=16, callbacks=[TensorBoard(tmp_path)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["member-0", "member-1"]
    for i, (result, hp) in enumerate(zip(results, hps, strict=True)):
        check_run(tmp_path / f"member-{i}", result.history, hp)


def test_a_sweep_writes_one_run_per_trial(tmp_path):
    from hyperlab.sweeps import open_study, sweep

    outcome = sweep({"lr": "1e-3..1e-1:log", "batch_size": "16,32"}, data="moons", model="logistic", study="tb",
                    storage=":memory:", trials=3, epochs=2, pruner="none", callbacks=[TensorBoard(tmp_path, per_run=True)])
    trials = open_study("tb", ":memory:").trials
    folders = sorted(tmp_path.iterdir())
    assert len(folders) == len(trials) == outcome.summary["finished"] == 3
    for folder, trial in zip(folders, trials, strict=True):
        values, _ = hparams_of(events(folder))
        assert values["lr"] == pytest.approx(trial.params["lr"]) and values["batch_size"] == trial.params["batch_size"]
        assert folder.name.startswith(f"run-{trial.number:03d}-")
