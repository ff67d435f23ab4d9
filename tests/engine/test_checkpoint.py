"""Checkpoints: an interrupted run resumed from epoch k ends with exactly the weights of an
uninterrupted one; checkpoints load with weights_only=True."""

from __future__ import annotations

import pytest
import torch

import hyperlab
from hyperlab.engine import Callback, load_checkpoint
from hyperlab.engine.trainer import TrainingInterrupted
from hyperlab.errors import HyperlabError


class _InterruptAfter(Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_step_end(self, run, loss):
        if run.epoch == self.epoch:
            raise KeyboardInterrupt  # like Ctrl-C during epoch k+1, after the checkpoint of epoch k


@pytest.mark.parametrize("settings", [
    {"optimizer": "adam", "schedule": "cosine"},
    {"optimizer": "momentum", "schedule": "onecycle", "lr": 0.05},
    {"optimizer": "adamw", "schedule": "step", "step_size": 1, "early_stopping": True, "patience": 10},
])
def test_resume_after_epoch_k_gives_identical_weights(tmp_path, small_digits, settings):
    hp = hyperlab.HParams(epochs=5, batch_size=32, **{"lr": 0.01, **settings})
    full = hyperlab.train("mlp", small_digits, hp, width=32, out=tmp_path / "full")
    # the checkpoint is plain tensors and data
    state = torch.load(tmp_path / "full" / "checkpoint.pt", weights_only=True)
    assert state["epoch"] == 5

    with pytest.raises(TrainingInterrupted):
        hyperlab.train("mlp", small_digits, hp, width=32, out=tmp_path / "part", callbacks=[_InterruptAfter(2)])
    assert load_checkpoint(tmp_path / "part" / "checkpoint.pt")["epoch"] == 2
    resumed = hyperlab.train("mlp", small_digits, hp, width=32, out=tmp_path / "part", resume=True)

    a, b = full.model.state_dict(), resumed.model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert resumed.history.step_loss == full.history.step_loss
    assert [e.epoch for e in resumed.history.epochs] == [1, 2, 3, 4, 5]


def test_resume_with_other_settings_data_or_model_is_refused_naming_what_differs(tmp_path, small_digits):
    hyperlab.train("logistic", small_digits, epochs=2, out=tmp_path / "r")
    with pytest.raises(HyperlabError, match=r"other settings: lr 0.001 \(now 0.5\); train without --resume"):
        hyperlab.train("logistic", small_digits, epochs=2, lr=0.5, out=tmp_path / "r", resume=True)
    # other data or another model once ended in torch's load_state_dict traceback
    with pytest.raises(HyperlabError, match=r"made on other data \('digits', classification: 300 training rows, 64 "
                                            r"features, 10 outputs\) than this run's \('wine'"):
        hyperlab.train("logistic", "wine", epochs=2, out=tmp_path / "r", resume=True)
    with pytest.raises(HyperlabError, match="the checkpoint's weights do not fit this model"):
        hyperlab.train("mlp", small_digits, epochs=2, out=tmp_path / "r", resume=True)


def test_resuming_a_run_that_stopped_early_trains_no_further(tmp_path):
    """It went on for another epoch (and stopped again) as if the stop had never happened."""
    hp = hyperlab.HParams(lr=0.05, epochs=60, early_stopping=True, patience=2)
    first = hyperlab.train("mlp", "wine", hp, out=tmp_path / "e")
    assert first.history.status == "stopped_early" and len(first.history.epochs) < 60
    again = hyperlab.train("mlp", "wine", hp, out=tmp_path / "e", resume=True)
    assert again.history.status == "stopped_early"
    assert again.history.step_loss == first.history.step_loss and again.restored_epoch == first.restored_epoch
    a, b = first.model.state_dict(), again.model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)  # the best epoch's weights, restored again


def test_damaged_checkpoint_is_a_clear_error(tmp_path):
    bad = tmp_path / "checkpoint.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(HyperlabError, match="not a readable hyperlab checkpoint"):
        load_checkpoint(bad)


@pytest.mark.parametrize("settings", [{"optimizer": "momentum"}, {"schedule": "step", "step_size": 2, "gamma": 0.5},
                                      {"schedule": "warmup", "warmup_steps": 5}])
def test_resume_with_more_epochs_trains_on_as_if_planned_from_the_start(tmp_path, small_digits, settings):
    """epoch-find may say 'train longer': a finished run now goes on instead of being refused."""
    hp = hyperlab.HParams(epochs=2, lr=0.01, **settings)
    hyperlab.train("mlp", small_digits, hp, width=32, out=tmp_path / "r")
    longer = hyperlab.train("mlp", small_digits, hp.replace(epochs=4), width=32, out=tmp_path / "r", resume=True)
    planned = hyperlab.train("mlp", small_digits, hp.replace(epochs=4), width=32)
    assert longer.history.status == "completed" and [e.epoch for e in longer.history.epochs] == [1, 2, 3, 4]
    assert longer.history.step_loss == planned.history.step_loss and longer.history.step_lr == planned.history.step_lr
    assert longer.history.total_steps == planned.history.total_steps
    a, b = longer.model.state_dict(), planned.model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_resume_with_more_epochs_is_refused_where_it_would_be_another_run(tmp_path, small_digits):
    hyperlab.train("mlp", small_digits, epochs=2, schedule="cosine", width=32, out=tmp_path / "c")
    with pytest.raises(HyperlabError, match=r"epochs 2 \(now 4\) \(a cosine schedule is spread over the whole run"):
        hyperlab.train("mlp", small_digits, epochs=4, schedule="cosine", width=32, out=tmp_path / "c", resume=True)
    hyperlab.train("mlp", small_digits, epochs=2, schedule="warmup", warmup_steps=100, width=32, out=tmp_path / "w")
    with pytest.raises(HyperlabError, match="its warmup was cut to fit the shorter run"):
        hyperlab.train("mlp", small_digits, epochs=4, schedule="warmup", warmup_steps=100, width=32,
                       out=tmp_path / "w", resume=True)
    hp = hyperlab.HParams(lr=0.05, epochs=60, early_stopping=True, patience=2)
    assert hyperlab.train("mlp", "wine", hp, out=tmp_path / "e").history.status == "stopped_early"
    with pytest.raises(HyperlabError, match=r"\(the run had ended: stopped early\)"):
        hyperlab.train("mlp", "wine", hp.replace(epochs=80), out=tmp_path / "e", resume=True)
