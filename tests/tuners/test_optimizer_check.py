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
