"""Optimizer check: each optimizer at its own range-test learning rate, compared on validation."""

from __future__ import annotations

import pytest

from hyperlab.errors import ConfigError
from hyperlab.tuners import optimizer_check


def test_each_optimizer_runs_at_its_own_range_test_lr(small_digits, tmp_path):
    result = optimizer_check("mlp", small_digits, {"batch_size": 16}, optimizers=["sgd", "adam"], epochs=2,
                             out=tmp_path)
    runs = {r.optimizer: r for r in result.runs}
    assert set(runs) == {"sgd", "adam"}
    for name, run in runs.items():
        assert run.lr == result.lr_finds[name].suggested_lr
        assert len(run.history.epochs) == 2
        assert (tmp_path / f"lr_find_{name}.png").exists()
    assert runs["sgd"].lr != runs["adam"].lr
    best = max(result.runs, key=lambda r: (r.best_val_metric, -r.best_val_loss))
    assert result.suggested_optimizer == best.optimizer
    assert (tmp_path / "optimizers.png").exists()
    assert any(result.suggested_optimizer in line for line in result.explanation)
    assert result.explanation[0].startswith(f"sgd: lr {runs['sgd'].lr:.3g} (LR range test) -> ")


def test_unknown_optimizer_is_named(wine):
    with pytest.raises(ConfigError, match="optimizer='adamm' is invalid"):
        optimizer_check("logistic", wine, optimizers=["sgd", "adamm"])


def test_candidates_train_together_as_their_own_fit_runs_would(wine):
    result = optimizer_check("logistic", wine, {"batch_size": 16}, optimizers=["sgd", "momentum", "adam"], epochs=3,
                             lrs={"sgd": 0.3, "momentum": 0.03, "adam": 0.01})
    from hyperlab.engine import fit
    from hyperlab.hparams import HParams
    from hyperlab.models import build_model

    for run in result.runs:
        assert run.history.peak_memory["population_members"] == 3  # one population of the three
        alone = fit(build_model("logistic", wine, seed=0), wine,
                    HParams(optimizer=run.optimizer, lr=run.lr, batch_size=16, epochs=3)).history
        assert run.history.step_loss == pytest.approx(alone.step_loss, rel=1e-5)
        assert run.best_val_loss == pytest.approx(alone.epochs[run.best_epoch - 1].val_loss, rel=1e-5)


def test_lr_method_sweep_gives_each_optimizer_its_swept_rate(wine):
    result = optimizer_check("logistic", wine, {"batch_size": 32}, optimizers=["sgd", "adam"], epochs=2,
                             lr_method="sweep", lr_find_options={"steps": 8, "per_decade": 1})
    for run in result.runs:
        found = result.lr_finds[run.optimizer]
        assert run.lr == found.suggested_lr == found.lrs[found.best_index]
    assert result.explanation[0].startswith(f"sgd: lr {result.runs[0].lr:.3g} (sweep over 2 epochs) -> ")
    given = optimizer_check("logistic", wine, optimizers=["sgd"], epochs=1, lrs={"sgd": 0.05})
    assert given.explanation[0].startswith("sgd: lr 0.05 (given) -> ")
    with pytest.raises(ConfigError, match="lr_method='grid' is invalid: must be one of range, sweep"):
        optimizer_check("logistic", wine, lr_method="grid")


def test_a_tie_on_the_metric_says_what_decided_and_a_full_tie_says_the_data_cannot_tell():
    # two optimizers at the same validation accuracy used to read "ahead of adam by 0.0000"
    from hyperlab.engine import History
    from hyperlab.tuners.optimizer_check import OptimizerCheckResult, OptimizerRun, explain

    def run(name, metric, loss):
        history = History(task="classification", metric="accuracy", n_train=8, batch_size=8, steps_per_epoch=1,
                          total_steps=5, status="completed")
        return OptimizerRun(name, 0.01, history, 2, metric, loss, 5, 40)

    def verdict(runs, lang="en"):
        result = OptimizerCheckResult(runs=runs, suggested_optimizer=runs[0].optimizer, epochs=5, metric="accuracy")
        return explain(result, lang)[-1]

    assert verdict([run("sgd", 1.0, 0.02), run("adam", 1.0, 0.01)]) == (
        "Best: adam (1.0000), tied with sgd on validation accuracy after the same 5 epochs; its validation loss "
        "was lower (0.01 against 0.02).")
    assert verdict([run("momentum", 1.0, 0.0), run("adam", 1.0, 0.0)]) == (
        "momentum and adam tied on validation accuracy (1.0000) and loss (0) after the same 5 epochs: this data "
        "cannot tell them apart; momentum is kept as the one listed first.")
    assert "momentum과(와) adam의 검증 정확도(1.0000)와 손실(0)이 같습니다" in verdict(
        [run("momentum", 1.0, 0.0), run("adam", 1.0, 0.0)], "ko")
    assert verdict([run("sgd", 0.9, 0.02), run("adam", 1.0, 0.01)]).startswith("Best: adam (1.0000), ahead of sgd by 0.1000")
    # advise's evidence lists them in the same order, best first, with the loss where it decided
    tied = OptimizerCheckResult(runs=[run("adam", 0.9, 0.5), run("sgd", 1.0, 0.03), run("momentum", 1.0, 0.02)],
                                suggested_optimizer="momentum", epochs=5, metric="accuracy")
    assert tied.scores_text() == "momentum 1.0000 (loss 0.02), sgd 1.0000 (loss 0.03), adam 0.9000"
    assert tied.scores_text("ko") == "momentum 1.0000 (손실 0.02), sgd 1.0000 (손실 0.03), adam 0.9000"


def test_on_several_seeds_each_optimizer_is_judged_by_its_mean_and_the_overlap_is_said(wine):
    result = optimizer_check("mlp", wine, {"batch_size": 16}, optimizers=["sgd", "adam"], epochs=3,
                             lrs={"sgd": 0.05, "adam": 0.003}, seeds=3)
    assert result.seeds == 3
    for run in result.runs:
        assert len(run.histories) == 3 and run.history is run.histories[0]
        assert len({tuple(h.step_loss[:3]) for h in run.histories}) == 3  # three seeds, three starts
        each = [max(e.val_metric for e in h.epochs) for h in run.histories]
        assert run.seed_metrics == pytest.approx(each)
        assert run.best_val_metric == pytest.approx(sum(each) / 3)
    first, second = result.ranked()
    assert result.suggested_optimizer == first.optimizer
    apart = min(first.seed_metrics) > max(second.seed_metrics)
    said = result.explanation[-1]
    assert said.startswith("On every seed" if apart else "Their seeds overlap"), said
    assert "mean best validation accuracy" in result.explanation[0] and "over 3 seeds" in result.explanation[0]
    assert [len(r["seed_metrics"]) for r in result.to_dict()["runs"]] == [3, 3]
    with pytest.raises(ConfigError, match="seeds=0 is invalid"):
        optimizer_check("logistic", wine, optimizers=["sgd"], seeds=0)


def test_seeds_that_overlap_and_seeds_that_do_not_are_told_apart():
    from hyperlab.tuners.optimizer_check import OptimizerRun, _seeds_line

    def candidate(name, metrics, losses=(0.1, 0.1)):
        return OptimizerRun(name, 0.1, None, 1, sum(metrics) / len(metrics), sum(losses) / len(losses), 1, 1,
                            seed_metrics=metrics, seed_losses=list(losses))

    assert _seeds_line(candidate("adam", [0.95, 0.96]), candidate("sgd", [0.90, 0.94]), "accuracy", "en").startswith(
        "On every seed adam did better than sgd did on any (validation accuracy: adam's worst 0.9500 against "
        "sgd's best 0.9400)")
    assert _seeds_line(candidate("adam", [0.93, 0.99]), candidate("sgd", [0.90, 0.94]), "accuracy", "en").startswith(
        "Their seeds overlap (validation accuracy: adam 0.9300 to 0.9900, sgd 0.9000 to 0.9400)")
    # tied on the metric: the loss decided, so the seeds are compared on the loss (lower is better)
    tie = _seeds_line(candidate("adam", [1.0, 0.9], [0.02, 0.03]), candidate("sgd", [0.9, 1.0], [0.2, 0.4]),
                      "accuracy", "en")
    assert tie.startswith("On every seed adam did better than sgd did on any (validation loss: adam's worst 0.03 "
                          "against sgd's best 0.2)"), tie
