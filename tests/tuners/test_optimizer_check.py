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


def test_unknown_optimizer_is_named(wine):
    with pytest.raises(ConfigError, match="optimizer='adamm' is invalid"):
        optimizer_check("logistic", wine, optimizers=["sgd", "adamm"])
