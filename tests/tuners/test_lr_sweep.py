"""The learning-rate sweep: constant rates trained together, chosen on validation loss; each rate's
run is what its own fit gives; cost counted; a time budget and bad arguments handled."""

from __future__ import annotations

import math
import time
from dataclasses import replace

import pytest
import torch
from torch import nn

from hyperlab.engine import fit
from hyperlab.errors import ConfigError
from hyperlab.hparams import HParams, samples_seen
from hyperlab.models import build_model
from hyperlab.tuners import lr_sweep
from hyperlab.tuners.lr_sweep import choose, explain, judge, neighbours, scores_at_common_epoch, sweep_rates


def test_sweep_trains_each_rate_as_its_own_fit_would_and_picks_the_lowest_val_loss(wine, tmp_path):
    result = lr_sweep("logistic", wine, {"optimizer": "sgd", "batch_size": 16}, min_lr=1e-3, max_lr=100.0,
                      per_decade=2, steps=14, seeds=1, out=tmp_path)
    assert result.lrs == pytest.approx([10 ** (k / 2) for k in range(-6, 5)])
    assert result.epochs == 2 and result.steps == 14  # 106 rows / 16 = 7 steps per epoch
    assert all(h.peak_memory["population_members"] >= 2 for h in result.histories)  # trained together
    # what it replaces: each rate's own fit run, same seed and settings
    for lr, history in zip(result.lrs[:6], result.histories[:6]):
        alone = fit(build_model("logistic", wine, seed=0), wine,
                    HParams(optimizer="sgd", batch_size=16, lr=lr, epochs=2)).history
        assert history.status == alone.status
        assert history.epochs[-1].val_loss == pytest.approx(alone.epochs[-1].val_loss, rel=1e-5)
    scores = [h.epochs[-1].val_loss if h.status == "completed" else None for h in result.histories]
    assert result.scores == scores
    finite = [(s, lr) for s, lr in zip(scores, result.lrs) if s is not None]
    assert result.suggested_lr == min(finite)[1]  # half a decade apart: each rate judged alone
    assert result.judged == scores
    assert result.histories[result.best_index].status == "completed"
    assert result.samples == sum(samples_seen(106, 16, h.steps_done) for h in result.histories)
    assert result.epochs_run == pytest.approx(result.samples / 106)
    assert (tmp_path / "lr_sweep.png").read_bytes()[:4] == b"\x89PNG"
    text = " ".join(result.explanation)
    assert "11 constant learning rates" in text and f"{result.samples:,} samples" in text
    assert "a default range test here: 100 steps" in text
    data = result.to_dict()
    assert data["method"] == "sweep" and data["suggested_lr"] == result.suggested_lr


def test_the_choice_and_its_neighbours_are_confirmed_on_more_seeds_and_judged_by_their_mean(wine):
    hp = {"optimizer": "adam", "batch_size": 16, "epochs": 4}  # 4 epochs: no narrowing
    result = lr_sweep("logistic", wine, hp, min_lr=1e-3, max_lr=1.0, seeds=3)
    single = lr_sweep("logistic", wine, hp, min_lr=1e-3, max_lr=1.0, seeds=1)
    assert single.seeds == 1 and not single.confirmed and single.suggested_lr == result.first_lr
    assert result.seeds == 3 and result.confirmed and len(result.confirm_histories) == 2 * len(result.confirmed)
    lrs = result.lrs
    for i, losses in result.confirmed.items():
        assert len(losses) == 3 and losses[0] == single.scores[i]  # the sweep's own seed first
        assert result.scores[i] == pytest.approx(sum(losses) / 3)
    # each confirming run is that rate's own fit on its seed (seed + 1, seed + 2)
    i = next(iter(result.confirmed))
    for seed, loss in zip((1, 2), result.confirmed[i][1:], strict=True):
        alone = fit(build_model("logistic", wine, seed=seed), wine,
                    HParams(optimizer="adam", batch_size=16, lr=lrs[i], epochs=4, seed=seed)).history
        assert loss == pytest.approx(alone.epochs[-1].val_loss, rel=1e-5)
    # the choice is judged on the means, and its neighbours all stand on every seed
    assert result.best_index == choose(lrs, result.scores)[0] and result.suggested_lr == lrs[result.best_index]
    assert all(j in result.confirmed for j in neighbours(lrs, result.best_index) if result.scores[j] is not None)
    assert result.samples == single.samples + sum(samples_seen(106, 16, h.steps_done) for h in result.confirm_histories)
    text = " ".join(result.explanation)
    assert f"The best rate of that pass, {result.first_lr:.3g}, and its neighbours (" in text
    assert "were then trained on 2 more seeds, and each is judged by its mean over 3 seeds" in text
    assert result.to_dict()["confirmed"] == {str(lrs[i]): v for i, v in result.confirmed.items()}
    with pytest.raises(ConfigError, match="seeds=0 is invalid"):
        lr_sweep("logistic", wine, hp, seeds=0)


def test_a_diverged_rate_never_wins(wine):
    result = lr_sweep("mlp", wine, {"optimizer": "adam"}, min_lr=1e-3, max_lr=1e3, per_decade=1, steps=8)
    diverged = [i for i, h in enumerate(result.histories) if h.status == "diverged"]
    assert diverged and all(result.scores[i] is None for i in diverged)
    assert result.best_index not in diverged
    assert any("diverged" in line for line in result.explanation)


def test_regression_a_users_module_is_left_as_found(diabetes):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(diabetes.n_features, 8), nn.ReLU(), nn.Linear(8, 1))
    before = [p.detach().clone() for p in net.parameters()]
    result = lr_sweep(net, diabetes, {"batch_size": 64}, min_lr=1e-4, max_lr=1.0, per_decade=1, steps=10)
    assert len(result.lrs) == 5 and result.criterion == "val_loss"
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))


def test_scores_compare_every_rate_at_the_same_epoch(wine):
    result = lr_sweep("logistic", wine, {"optimizer": "adam"}, min_lr=1e-3, max_lr=1e-1, per_decade=1, steps=12)
    cut = result.histories[1]
    cut.epochs = cut.epochs[:1]  # as if a time budget had stopped it after epoch 1
    cut.status = "budget"
    scores = scores_at_common_epoch(result.histories, "val_loss")
    assert scores == [h.epochs[0].val_loss for h in result.histories]


def test_a_past_deadline_still_gives_a_choice(wine):
    result = lr_sweep("logistic", wine, min_lr=1e-3, max_lr=1.0, per_decade=1, steps=40,
                      deadline=time.perf_counter() - 1)
    assert all(h.status == "budget" and len(h.epochs) == 1 for h in result.histories)
    assert result.suggested_lr in result.lrs


def test_rates_and_bad_arguments():
    assert sweep_rates(1e-5, 10.0, 2) == pytest.approx([10 ** (k / 2) for k in range(-10, 3)])
    with pytest.raises(ConfigError, match="max_lr=0.1 is invalid: must be greater than min_lr"):
        lr_sweep("logistic", "wine", min_lr=1.0, max_lr=0.1)
    with pytest.raises(ConfigError, match="per_decade=0 is invalid"):
        lr_sweep("logistic", "wine", per_decade=0)
    with pytest.raises(ConfigError, match="batch_size=500 is invalid"):
        lr_sweep("logistic", "wine", {"batch_size": 500})
    assert math.isfinite(sweep_rates(1e-3, 1e-2, 1)[-1])


def test_a_deadline_with_min_epochs_lets_the_first_epoch_finish(wine):
    from hyperlab.tuners.common import Deadline

    past = time.perf_counter() - 1
    hp = HParams(epochs=3, batch_size=16)
    cut = fit(build_model("logistic", wine, seed=0), wine, hp, callbacks=[Deadline(past)]).history
    kept = fit(build_model("logistic", wine, seed=0), wine, hp, callbacks=[Deadline(past, min_epochs=1)]).history
    assert cut.status == kept.status == "budget"
    assert len(cut.epochs) == 0 and cut.steps_done == 1
    assert len(kept.epochs) == 1 and kept.epochs[0].val_loss is not None


def test_the_sweep_displays_itself_in_a_notebook_in_its_language():
    from hyperlab.tuners import lr_sweep

    result = lr_sweep("logistic", "wine", lang="ko")
    assert repr(result).startswith("LRSweepResult(suggested_lr=") and len(repr(result)) < 120
    html = result._repr_html_()
    assert "학습률 스윕" in html and "<img" in html
    assert "Learning-rate sweep" in result.display("en").html


def test_the_explanation_says_how_the_rates_trained_and_shows_micro_batches(wine):
    together = lr_sweep("logistic", wine, {"batch_size": 16}, min_lr=1e-3, max_lr=1e-1, steps=7)
    assert together.together and "all at once as one population" in together.explanation[0]
    assert "106 samples / batch size 16 = 7 steps per epoch" in together.explanation[0]
    with pytest.warns(UserWarning, match="one after another"):  # accumulation cannot stack
        alone = lr_sweep("logistic", wine, {"batch_size": 8, "accumulate": 2}, min_lr=1e-3, max_lr=1e-1, steps=7)
    assert not alone.together
    assert "one after another" in alone.explanation[0] and "one population" in alone.explanation[0]
    assert "(8 x 2 micro-batches x 1 process) = 7 steps per epoch" in alone.explanation[0]


def test_by_default_each_rate_trains_for_the_planned_run_and_is_judged_with_its_neighbours(wine):
    result = lr_sweep("logistic", wine, {"optimizer": "adam", "batch_size": 32, "epochs": 3}, min_lr=1e-3, max_lr=1.0)
    assert len(result.lrs) == 13 and result.lrs[1] == pytest.approx(10 ** -2.75)  # a quarter decade apart
    assert result.epochs == 3 and result.steps == 3 * 4  # the planned run: 3 epochs of ceil(106 / 32) steps
    assert all(len(h.epochs) == 3 for h in result.histories)
    assert result.judged == judge(result.lrs, result.scores)
    assert result.best_index == min(range(13), key=lambda i: result.judged[i])
    assert result.to_dict()["judged"] == result.judged
    assert "counting its neighbours a quarter decade either side" in " ".join(result.explanation)


def test_judging_takes_the_worst_neighbour_and_never_picks_a_rate_beside_a_diverged_one():
    lrs = [10 ** (k / 4) for k in range(-8, 1)]  # 0.01 .. 1
    scores = [0.9, 0.5, 0.4, 0.45, 0.2, 0.9, 0.3, 0.1, None]
    judged = judge(lrs, scores)
    assert judged[0] == 0.9 and judged[1] == 0.9  # an edge has one neighbour
    assert judged[3] == 0.45 and judged[4] == 0.9
    assert judged[7] is None and judged[8] is None  # beside and at the diverged rate
    # the middle of the 0.4-0.45-0.2 valley; not the lucky 0.2, nor 0.1 beside the diverged rate
    assert min((v, i) for i, v in enumerate(judged) if v is not None)[1] == 3
    assert judge(lrs[::2], scores[::2]) == scores[::2]  # half a decade apart: no neighbour within a quarter


def test_a_low_loss_beside_a_steep_rise_loses_to_the_flat_middle():
    """Averaging the three would choose 0.05 (beside 0.04 and the rise to 0.9 above); the worst of
    the three keeps the choice in the flat part, ties going to the lower rate (what
    bench/lr_choice.py measured better)."""
    lrs = [10 ** (k / 4) for k in range(-6, 1)]
    scores = [0.6, 0.3, 0.25, 0.3, 0.05, 0.04, 0.9]
    averaged = [sum(scores[max(i - 1, 0):i + 2]) / len(scores[max(i - 1, 0):i + 2]) for i in range(len(scores))]
    assert min(range(len(scores)), key=averaged.__getitem__) == 4
    assert judge(lrs, scores) == [0.6, 0.6, 0.3, 0.3, 0.3, 0.9, 0.9]
    assert choose(lrs, scores)[0] == 2


def test_the_explanation_names_a_lower_single_loss_that_lost_to_its_neighbourhood(wine):
    result = lr_sweep("logistic", wine, {"optimizer": "adam", "epochs": 1}, min_lr=1e-2, max_lr=1.0)
    best = result.best_index
    lucky = 0 if best > 1 else len(result.lrs) - 1  # an edge rate, away from the chosen one
    result.scores[lucky] = min(s for s in result.scores if s is not None) / 2
    result.judged = judge(result.lrs, result.scores)
    assert result.judged[best] < result.judged[lucky]  # its neighbour keeps it from winning
    text = " ".join(explain(result))
    assert f"The single lowest was lr {result.lrs[lucky]:.3g}" in text and "a neighbour did worse" in text


def test_after_a_fifth_of_the_run_only_the_rates_near_the_best_train_on(wine):
    hp = {"optimizer": "adam", "batch_size": 16, "epochs": 10}
    result = lr_sweep("logistic", wine, hp, min_lr=1e-5, max_lr=10.0)
    full = lr_sweep("logistic", wine, hp, min_lr=1e-5, max_lr=10.0, narrow=False)
    assert result.narrowed_at == 2 and full.narrowed_at is None and len(full.kept) == 25
    rung = [h.epochs[1].val_loss if len(h.epochs) >= 2 else None for h in full.histories]
    assert result.rung_scores == pytest.approx(rung, rel=1e-5)
    # the window: 1.5 decades below to 0.75 above the best after 2 epochs, judged with its neighbours
    best = result.lrs[min((i for i, v in enumerate(judge(result.lrs, rung)) if v is not None),
                          key=lambda i: judge(result.lrs, rung)[i])]
    window = [i for i, lr in enumerate(result.lrs) if -1.5 - 1e-9 <= math.log10(lr / best) <= 0.75 + 1e-9]
    assert result.kept == window and 0 < len(window) < 25
    for i, h in enumerate(result.histories):
        if i in window:
            assert h.status == "completed" and len(h.epochs) == 10
            assert result.scores[i] == pytest.approx(full.scores[i], rel=1e-5)  # as if never narrowed
        else:
            assert h.status == "pruned" and len(h.epochs) == 3 and result.scores[i] is None
    assert result.best_index in window and result.samples < 0.8 * full.samples
    # a stopped rate's final loss is unknown, so a window edge (beside one) is never judged
    inner_edges = [i for i in (window[0], window[-1]) if 0 < i < 24]  # the grid's own ends have no rate beyond
    assert inner_edges and all(result.judged[i] is None for i in inner_edges)
    assert result.best_index not in inner_edges
    assert "After 2 of 10 epochs only the" in " ".join(result.explanation)
    assert result.to_dict()["kept"] == window


def test_short_runs_and_a_narrowing_left_undecided_train_every_rate_to_the_end(wine):
    short = lr_sweep("logistic", wine, {"epochs": 4}, min_lr=1e-3, max_lr=1.0)
    assert short.narrowed_at is None and all(len(h.epochs) == 4 for h in short.histories)
    cut = lr_sweep("logistic", wine, {"epochs": 10}, min_lr=1e-3, max_lr=1.0, deadline=time.perf_counter() - 1)
    assert cut.narrowed_at is None and cut.kept == list(range(len(cut.lrs)))  # the budget ended it before the rung


def test_rates_trained_one_after_another_wait_at_the_rung_and_resume_exactly(wine):
    """Accumulation cannot stack, so the rates train one after another: each pauses after the rung
    until every rate has reported, then the kept go on from exactly where they stopped (their final
    losses equal those of the same runs never paused) and the others end there."""
    import warnings

    hp = {"optimizer": "adam", "batch_size": 16, "accumulate": 2, "epochs": 5}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        narrowed = lr_sweep("logistic", wine, hp, min_lr=1e-4, max_lr=1.0)
        whole = lr_sweep("logistic", wine, hp, min_lr=1e-4, max_lr=1.0, narrow=False)
    assert not narrowed.together and narrowed.narrowed_at == 1
    pruned = [i for i, h in enumerate(narrowed.histories) if h.status == "pruned"]
    assert pruned and all(len(narrowed.histories[i].epochs) == 1 for i in pruned)  # none trained past the rung
    assert all(narrowed.histories[i].status == "completed" and len(narrowed.histories[i].epochs) == 5
               for i in narrowed.kept)
    assert [narrowed.scores[i] for i in narrowed.kept] == pytest.approx([whole.scores[i] for i in narrowed.kept],
                                                                        rel=1e-6)
    assert narrowed.samples < whole.samples


def test_a_sweep_that_training_barely_helps_says_so(wine):
    # random labels: no rate gets below the untrained model's validation loss by more than 5%
    import numpy as np

    import hyperlab
    from hyperlab.engine.trainer import evaluate
    from hyperlab.models import build_model

    rng = np.random.default_rng(0)
    noise = hyperlab.as_data((rng.normal(size=(100, 4)), rng.integers(0, 2, 100)))
    hp = {"optimizer": "adam", "batch_size": 16, "epochs": 5}
    lost = lr_sweep("mlp", noise, hp, seeds=1, lang="ko")
    untrained = evaluate(build_model("mlp", noise, seed=0), noise.val, "classification",
                         torch.nn.functional.cross_entropy, torch.device("cpu"))[0]
    assert lost.untrained_loss == pytest.approx(untrained)
    best = min(s for s in lost.scores if s is not None)
    assert best >= 0.95 * untrained and lost.no_gain and lost.to_dict()["no_gain"] is True
    assert f"학습 전 모델의 검증 손실({untrained:.4f})보다 5% 넘게 낮게 끝나지 않았습니다" in " ".join(lost.explanation)
    learned = lr_sweep("mlp", wine, hp, seeds=1)
    assert not learned.no_gain and min(s for s in learned.scores if s is not None) < 0.5 * learned.untrained_loss
    assert not any("barely helped" in line for line in learned.explanation)


def test_a_lower_single_loss_beside_a_stopped_or_diverged_rate_is_explained_as_such(wine):
    """It read "a neighbour did worse" where the neighbour had no loss at all: stopped by the narrowing
    (the window's edge cannot win) or diverged."""
    for status, epochs, words in (("pruned", 5, "at the edge of the narrowed window: its neighbour lr {other:.3g} "
                                                "stopped after epoch {rung}"),
                                  ("diverged", 1, "but its neighbour lr {other:.3g} diverged")):
        result = lr_sweep("logistic", wine, {"optimizer": "adam", "epochs": epochs}, min_lr=1e-3, max_lr=1e3, seeds=1)
        statuses = [h.status for h in result.histories]
        edge = next(i for i in range(len(statuses) - 1) if statuses[i + 1] == status and result.scores[i] is not None)
        scores = list(result.scores)
        scores[edge] = min(s for s in scores if s is not None) / 2
        shown = replace(result, scores=scores, judged=judge(result.lrs, scores))
        text = " ".join(" ".join(explain(shown)).split())
        expected = words.format(other=result.lrs[edge + 1], rung=result.narrowed_at)
        assert f"The single lowest was lr {result.lrs[edge]:.3g}" in text and expected in text, text
