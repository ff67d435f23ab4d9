"""`advise` from Python: the four values in order within a budget, their evidence, one report, the
compute it spent; built-in data, regression, any nn.Module with a torch Dataset; clear errors."""

from __future__ import annotations

import importlib
import json
import math
import re

import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from hyperlab.engine import Callback, StopTraining
from hyperlab.errors import ConfigError
from hyperlab.hparams import HParams, samples_seen
from hyperlab.tuners import LRFindResult, LRSweepResult, TunerSetup, advise


def test_advise_gives_four_values_with_evidence_report_and_compute(wine, tmp_path):
    advice = advise("logistic", wine, {"optimizer": "sgd", "batch_size": 200}, budget_seconds=60,
                    optimizers=["sgd", "adam"], check_epochs=2, max_epochs=6, out=tmp_path)
    # a starting batch larger than the data is only a starting point: lowered, and said so
    assert advice.notes[0] == "The starting batch size 200 was lowered to the training set size, 106."
    v = advice.values
    assert set(v) == {"batch_size", "lr", "optimizer", "epochs"}
    # each value is the one its stage measured
    assert v["batch_size"] == advice.lr.hparams.batch_size <= wine.n_train
    assert v["optimizer"] == advice.optimizers.suggested_optimizer
    assert advice.epochs.hparams.lr == advice.optimizers.suggested_lr  # the epoch stage trained at the winner's rate
    assert v["epochs"] == advice.epochs.suggested_epochs <= 6
    assert advice.hparams == HParams(optimizer=v["optimizer"], batch_size=v["batch_size"], lr=v["lr"],
                                     epochs=v["epochs"]).replace(patience=5)
    assert all(advice.evidence[k] for k in v)
    # the batch evidence names the limits and the rounding that turns the smallest into the value
    limits = [x for x in (advice.batch.largest_fitting, advice.batch.throughput_plateau,
                          advice.batch.critical_batch_size) if x]
    assert v["batch_size"] == 2 ** math.floor(math.log2(min(limits)))
    assert advice.evidence["batch_size"].endswith("; rounded down to a power of two")
    shown = [float(x) for x in re.findall(r"(?:up to|at|size) (\d+(?:\.\d+)?)", advice.evidence["batch_size"])]
    assert v["batch_size"] == 2 ** math.floor(math.log2(min(shown)))  # the numbers shown give the value (63.6, not 64)
    assert advice.evidence_in("ko")["batch_size"].endswith("; 2의 거듭제곱으로 내림")
    # the same evidence and notes in another language, from the measured results
    assert advice.evidence_in("en") == advice.evidence and advice.notes_in("en") == advice.notes
    assert advice.notes_in("ko")[0] == "시작 배치 크기 200을 훈련 세트 크기인 106으로 낮췄습니다."
    assert advice.evidence_in("ko")["optimizer"].startswith("각자의 학습률로 2 에폭 후 검증 ")
    assert advice.optimizers.seeds == 1 and advice.evidence["optimizer"].startswith(
        "best validation accuracy after 2 epochs at each one's own lr: ")
    assert all(advice.plots[k] is not None and advice.plots[k].exists() for k in v)
    # compute: the total is the sum of the stages; every stage did some work
    assert advice.total.steps == sum(c.steps for c in advice.compute.values())
    assert all(c.steps > 0 for c in advice.compute.values())
    assert advice.compute["epochs"].steps == advice.epochs.history.steps_done
    # the learning rates come from short sweeps trained as populations, their compute counted
    assert isinstance(advice.lr, LRSweepResult) and advice.compute["lr"].samples == advice.lr.samples
    assert all(isinstance(f, LRSweepResult) for f in advice.optimizers.lr_finds.values())
    # ... over the planned run (10 epochs by default); the epoch stage recommends at most 6 here, and
    # with budget left the winner's rate is swept again over those epochs: that rate is the advice
    swept = advice.optimizers.lr_finds.get(v["optimizer"], advice.lr)
    assert advice.swept is swept and swept.epochs == 10
    again = advice.recheck
    assert again is not None and again.epochs == v["epochs"] and v["lr"] == again.suggested_lr
    assert (again.hparams.optimizer, again.hparams.batch_size) == (v["optimizer"], v["batch_size"])
    assert advice.compute["lr_recheck"].samples == again.samples and advice.lr_search is again
    # over 1.5 decades below to 1 above the first choice, a quarter decade apart, confirmed on 4 seeds
    assert again.lrs[0] == pytest.approx(swept.suggested_lr / 10 ** 1.5) and len(again.lrs) == 11
    assert again.lrs[-1] == pytest.approx(swept.suggested_lr * 10) and again.seeds == 4
    assert advice.evidence["lr"].startswith(f"sweep of 11 constant rates for {v['optimizer']} at batch size "
                                            f"{v['batch_size']}, {v['epochs']} epochs each: {v['lr']:.3g}")
    assert ", confirmed on 4 seeds; over 10 epochs" in advice.evidence["lr"]
    assert f"; over 10 epochs: {swept.suggested_lr:.3g}" in advice.evidence["lr"]
    assert (f"The learning rate was swept again over {v['epochs']} epochs, the length the epoch stage recommends: "
            f"{v['lr']:.3g} (over 10 epochs: {swept.suggested_lr:.3g})") in advice.notes[-1]
    assert not any("lr-find --method sweep --epochs" in note for note in advice.notes)  # nothing left to check
    assert "다시 스윕했습니다" in advice.notes_in("ko")[-1]
    assert advice.plots["lr"] == again.plot and again.plot.name == "lr_sweep_recheck.png"
    page = (tmp_path / "advice.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "data:image/png;base64" in page and advice.evidence["lr"] in page
    saved = json.loads((tmp_path / "advice.json").read_text(encoding="utf-8"))
    assert saved["batch_size"] == v["batch_size"] and saved["lr"] == v["lr"]


def test_regression_data(diabetes):
    advice = advise("mlp", diabetes, budget_seconds=60, optimizers=["adam"], check_epochs=2, max_epochs=4,
                    setup=TunerSetup(width=16))
    assert advice.epochs.history.metric == "r2"
    assert advice.values["optimizer"] == "adam" and advice.values["lr"] > 0


def test_few_validation_rows_get_a_note_with_their_count(diabetes):
    X = torch.randn(60, 3, generator=torch.Generator().manual_seed(0))
    y = (X[:, 0] > 0).long()
    small = advise("logistic", TensorDataset(X, y), budget_seconds=30, optimizers=["sgd"], check_epochs=1,
                   max_epochs=3, lang="ko")
    assert small.n_val == 12  # a Dataset's 20%
    assert "검증 세트가 12행뿐입니다(한 행이 정확도의 8%)" in " ".join(small.notes)
    english = " ".join(small.notes_in("en"))
    assert "Validation has only 12 rows (one row is 8% of its accuracy)" in english
    regression = advise("logistic", diabetes.subsample_train(60), budget_seconds=30, optimizers=["sgd"],
                        check_epochs=1, max_epochs=3)
    assert regression.n_val == 88 and not any("Validation has only" in n for n in regression.notes)


def test_any_module_and_torch_dataset_left_unchanged():
    torch.manual_seed(0)
    X = torch.randn(300, 5)
    y = (X[:, 0] - X[:, 1] > 0).long()
    model = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 2))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    advice = advise(model, TensorDataset(X, y), budget_seconds=60, optimizers=["adam"], check_epochs=1,
                    max_epochs=3)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert advice.epochs.history.n_train == 240  # 20% held out for validation
    assert advice.epochs.best_record.val_metric is not None


def test_a_budget_too_small_to_measure_anything_is_a_clear_error(wine):
    with pytest.raises(ConfigError, match=r"budget_seconds=0.01 is invalid: is too small to measure anything"):
        advise("logistic", wine, budget_seconds=0.01)


@pytest.mark.parametrize("kwargs, field", [({"budget_seconds": -5}, "budget_seconds"),
                                           ({"max_epochs": 1}, "max_epochs"), ({"check_epochs": 0}, "check_epochs"),
                                           ({"optimizers": ["sgd", "adamm"]}, "optimizer")])
def test_bad_arguments_name_the_field(wine, kwargs, field):
    with pytest.raises(ConfigError) as err:
        advise("logistic", wine, **kwargs)
    assert err.value.field == field


def test_a_tight_budget_cuts_stages_short_and_says_so(small_digits):
    advice = advise("mlp", small_digits, {"batch_size": 64}, budget_seconds=5, optimizers=["sgd", "adam"],
                    check_epochs=100, max_epochs=3000, patience=3000)
    # 3,000 epochs cannot finish in 5 s: what the budget cut is reported, not hidden
    assert advice.epochs.history.status == "budget" or any(
        r.error == "budget" or (r.history is not None and r.history.status == "budget") for r in advice.optimizers.runs)
    assert any("time budget" in note for note in advice.notes)
    assert advice.epochs.history.status == "budget" and len(advice.epochs.history.epochs) < 3000
    assert advice.total.seconds < 5 + 3.0  # the step that passes the deadline and the reports may run past it


class CutTheEpochStage(Callback):
    """Stands for a budget that runs out after the epoch stage's first epoch (it alone early-stops)."""

    def on_epoch_end(self, run):
        if run.hparams.early_stopping:
            raise StopTraining("budget")


def test_an_epoch_stage_cut_while_improving_gives_no_horizon_to_check_the_rate_at(wine):
    advice = advise("logistic", wine, {"lr": 1e-4, "epochs": 10}, budget_seconds=60, optimizers=["sgd"],
                    check_epochs=1, max_epochs=20, callbacks=[CutTheEpochStage()])
    assert advice.epochs.history.status == "budget" and advice.epochs.verdict == "train_longer"
    assert advice.values["epochs"] == 1 and isinstance(advice.lr, LRSweepResult) and advice.lr.epochs == 10
    assert not any("lr-find --method sweep --epochs" in note for note in advice.notes)  # was: "--epochs 1"
    # the value is the one epoch that ran, and both the evidence and a note say it is only a lower bound
    assert advice.evidence["epochs"].startswith("validation accuracy best at epoch 1 of the 1 the time budget "
                                                "allowed (20 planned)")
    assert advice.evidence["epochs"].endswith("still improving when cut: a lower bound, train longer")
    assert ("The time budget ended the epoch stage at epoch 1 while validation was still improving, so 1 epoch is "
            f"a lower bound, not a measured best: train up to {advice.epochs.next_budget} epochs") in advice.notes[-1]
    assert advice.epochs.next_budget >= 20
    ko = advice.evidence_in("ko")["epochs"]
    assert "시간 예산이 허락한 1 에폭(20 에폭 계획) 중 1에서 최고" in ko and "최솟값" in ko


def test_when_the_length_fits_the_winners_own_sweep_is_confirmed_on_more_seeds(tmp_path):
    from hyperlab.data import load_data

    advice = advise("mlp", load_data("moons", seed=0), budget_seconds=60, optimizers=["sgd", "adam"],
                    max_epochs=12, out=tmp_path)
    v, swept = advice.values, advice.swept
    assert 2 / 3 <= v["epochs"] / swept.epochs <= 3 / 2  # the premise: no re-check over another length
    # the stages swept on one seed; the winner's sweep alone is confirmed, in a copy
    assert all(f.seeds == 1 for f in (advice.lr, *advice.optimizers.lr_finds.values()))
    assert swept.seeds == 1 and swept.confirmed == {} and swept.confirm_histories == []
    again = advice.recheck
    assert again is not None and again.seeds == 4 and again.epochs == swept.epochs and again.lrs == swept.lrs
    assert v["lr"] == again.suggested_lr and advice.lr_search is again
    assert again.best_index in again.confirmed and all(len(losses) == 4 for losses in again.confirmed.values())
    assert advice.compute["lr_confirm"].samples == sum(
        samples_seen(h.n_train, h.effective_batch, h.steps_done) for h in again.confirm_histories) > 0
    assert advice.evidence["lr"].endswith("(lowest validation loss counting its worst neighbour), confirmed on 4 "
                                          "seeds") or ", confirmed on 4 seeds;" in advice.evidence["lr"]
    assert advice.plots["lr"] == again.plot and again.plot.name == "lr_sweep_confirmed.png" and again.plot.exists()
    moved = [n for n in advice.notes if n.startswith("The winner's learning rate was confirmed on 4 seeds")]
    assert len(moved) == (again.suggested_lr != swept.suggested_lr)


def test_without_budget_left_for_a_recheck_a_note_says_how_to_check_the_rate(wine, monkeypatch):
    module = importlib.import_module("hyperlab.tuners.advise")  # the package's ``advise`` is the function
    monkeypatch.setattr(module, "RECHECK_MARGIN", math.inf)  # never room enough
    advice = advise("logistic", wine, {"optimizer": "sgd"}, budget_seconds=60, optimizers=["sgd"],
                    check_epochs=2, max_epochs=6)
    v = advice.values
    assert advice.recheck is None and "lr_recheck" not in advice.compute
    assert v["lr"] == advice.optimizers.suggested_lr and advice.lr_search.epochs == 10
    assert (f"The learning rate was chosen for runs of 10 epochs, but the epoch stage suggests {v['epochs']}"
            in " ".join(advice.notes))
    assert f"lr-find --method sweep --epochs {v['epochs']}" in " ".join(advice.notes_in("ko"))


def test_advise_with_the_range_test(wine):
    advice = advise("logistic", wine, {"optimizer": "sgd"}, budget_seconds=30, optimizers=["sgd"], check_epochs=1,
                    max_epochs=3, lr_method="range")
    assert isinstance(advice.lr, LRFindResult) and advice.compute["lr"].steps == advice.lr.steps_run
    with pytest.raises(ConfigError, match="lr_method='fast' is invalid"):
        advise("logistic", wine, lr_method="fast")


def test_with_accumulation_the_lr_scaling_rules_scale_the_effective_batch(wine):
    advice = advise("logistic", wine, {"batch_size": 8, "accumulate": 2}, budget_seconds=60, optimizers=["adam"],
                    check_epochs=2, max_epochs=3)
    b = advice.values["batch_size"]
    assert advice.hparams.accumulate == 2 and advice.scaling
    assert all(s.from_batch == 2 * b and s.to_batch % 2 == 0 for s in advice.scaling)
    for s in advice.scaling:  # warmup counted in optimizer steps of the effective batch
        assert s.warmup_steps == math.ceil(s.warmup_epochs * math.ceil(wine.n_train / s.to_batch))


def test_on_several_optimizer_seeds_the_evidence_says_whether_the_first_two_overlap(wine):
    advice = advise("logistic", wine, {"batch_size": 16}, budget_seconds=60, optimizers=["sgd", "adam"],
                    check_epochs=2, max_epochs=4, optimizer_seeds=3)
    check = advice.optimizers
    assert check.seeds == 3 and all(len(r.histories) == 3 for r in check.runs if r.history is not None)
    first, second = check.ranked()[:2]
    assert advice.evidence["optimizer"].startswith("mean best validation accuracy over 3 seeds after 2 epochs")
    said = (f"; {first.optimizer} ahead of {second.optimizer} on every seed" if check.seeds_apart() else
            f"; the seeds of {first.optimizer} and {second.optimizer} overlap: either will do")
    assert advice.evidence["optimizer"].endswith(said), advice.evidence["optimizer"]
    with pytest.raises(ConfigError, match="optimizer_seeds=0 is invalid"):
        advise("logistic", wine, optimizer_seeds=0)
