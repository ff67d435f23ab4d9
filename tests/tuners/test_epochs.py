"""Epoch advice: early stopping through fit, the best epoch by validation metric, the playbook's verdict."""

from __future__ import annotations

import dataclasses

import pytest

from hyperlab.errors import ConfigError
from hyperlab.tuners import epoch_find
from hyperlab.tuners.epochs import best_epoch_of, explain, judge


@pytest.mark.parametrize("best, budget, verdict", [(1, 20, "too_long"), (2, 20, "too_long"), (3, 20, "ok"),
                                                   (15, 20, "ok"), (16, 20, "train_longer"), (20, 20, "train_longer")])
def test_playbook_verdict(best, budget, verdict):
    assert judge(best, budget)[0] == verdict


def test_early_stopping_finds_where_validation_stopped_improving(small_digits, tmp_path):
    result = epoch_find("mlp", small_digits, {"optimizer": "adam", "lr": 0.01, "batch_size": 32},
                        max_epochs=40, patience=3, out=tmp_path)
    h = result.history
    assert h.status == "stopped_early" and len(h.epochs) < 40
    best = max(h.epochs, key=lambda e: (e.val_metric, -e.val_loss))
    assert result.suggested_epochs == best.epoch == best_epoch_of(h)
    assert result.verdict == judge(best.epoch, 40)[0]
    assert (tmp_path / "epochs.png").exists()
    assert f"{best.val_metric:.4f}" in result.explanation[0]
    # "far too long" names the budget the result holds, twice the best epoch (it read "4 epochs are
    # enough" beside a suggestion of 2)
    too_long = dataclasses.replace(result, verdict="too_long", next_budget=2 * result.best_epoch, max_epochs=100)
    assert f"a budget of {2 * result.best_epoch} epochs, twice the best epoch, is enough" in explain(too_long)[1]


def test_still_improving_at_the_end_means_train_longer(wine):
    result = epoch_find("logistic", wine, {"optimizer": "sgd", "lr": 0.002, "batch_size": 16}, max_epochs=4)
    assert result.history.status == "completed"
    assert result.suggested_epochs == 4 and result.verdict == "train_longer" and result.next_budget == 8


@pytest.mark.parametrize("kwargs, field", [({"max_epochs": 1}, "max_epochs"), ({"patience": 0}, "patience")])
def test_bad_arguments_name_the_field(wine, kwargs, field):
    with pytest.raises(ConfigError) as err:
        epoch_find("logistic", wine, **kwargs)
    assert err.value.field == field


def test_a_zero_loss_and_a_zero_accuracy_are_shown_as_numbers_not_nan():
    # "x or nan" turned a validation loss of exactly 0 (a tiny, separable validation set) into "nan"
    from hyperlab.engine import EpochRecord, History
    from hyperlab.hparams import HParams
    from hyperlab.tuners.epochs import EpochAdvice, explain

    history = History(task="classification", metric="accuracy", n_train=8, batch_size=8, steps_per_epoch=1,
                      total_steps=2, status="completed")
    history.epochs = [EpochRecord(epoch=e, step=e, train_loss=0.5, train_metric=0.5, val_loss=0.0, val_metric=0.0,
                                  lr=0.1, seconds=0.1, samples_per_second=80.0) for e in (1, 2)]
    advice = EpochAdvice(history=history, max_epochs=2, patience=1, best_epoch=1, best_loss_epoch=1, verdict="ok",
                         next_budget=2, hparams=HParams(batch_size=8))
    text = " ".join(explain(advice))
    assert "(0.0000); validation loss was lowest at epoch 1 (0.0000)" in text and "nan" not in text


def test_on_several_seeds_the_suggestion_is_the_median_of_their_best_epochs(wine):
    one = epoch_find("mlp", wine, {"lr": 0.003, "batch_size": 16}, max_epochs=12, patience=3)
    many = epoch_find("mlp", wine, {"lr": 0.003, "batch_size": 16}, max_epochs=12, patience=3, seeds=3)
    bests = many.seed_best_epochs
    assert len(bests) == 3 and bests[0] == one.best_epoch  # seed 0 in the population is the one-seed run
    assert many.suggested_epochs == sorted(bests)[1]  # the median
    assert many.best_epoch == best_epoch_of(many.history)  # the advice describes the median seed's run
    assert one.seed_best_epochs == [] and one.to_dict()["seed_best_epochs"] == [one.best_epoch]
    assert many.to_dict()["seed_best_epochs"] == bests
    assert (f"On 3 seeds, trained together and each stopped on its own, the best epochs were "
            f"{', '.join(map(str, bests))}: the suggestion is their median, {many.suggested_epochs}") \
        in many.explanation[-1]
    with pytest.raises(ConfigError, match="seeds=0 is invalid"):
        epoch_find("mlp", wine, seeds=0)
