"""The training progress bar ends where the run ended: full only for a completed run."""

from __future__ import annotations

import re

from rich.console import Console

import hyperlab
from hyperlab.cli.progress import ProgressBar, make_progress
from hyperlab.engine import Callback


class StopAtStep(Callback):
    def __init__(self, step: int) -> None:
        self.step = step

    def on_step_end(self, run, loss) -> None:
        if run.step == self.step:
            raise KeyboardInterrupt


def bar_after(small_digits, hparams, *extra):
    progress = make_progress(Console(file=open("/dev/null", "w"), force_terminal=True))
    bar = ProgressBar(progress, "en", label="run")
    try:
        hyperlab.train("mlp", small_digits, hparams, width=16, callbacks=[bar, *extra])
    except KeyboardInterrupt:
        pass
    task = progress.tasks[0]
    return task.completed, task.total, task.fields["info"]


def test_a_completed_run_fills_the_bar(small_digits):
    done, total, _ = bar_after(small_digits, {"epochs": 2, "batch_size": 50})
    assert done == total > 0


def test_an_interrupted_run_stays_where_it_stopped(small_digits):
    done, total, info = bar_after(small_digits, {"epochs": 3, "batch_size": 50}, StopAtStep(5))
    assert done == 5 < total
    assert "interrupted" in info


def test_a_diverged_run_says_so(small_digits):
    done, total, info = bar_after(small_digits, {"epochs": 3, "batch_size": 50, "lr": 1e4, "optimizer": "sgd"})
    assert done < total and "diverged" in info


def test_one_shared_bar_counts_each_member_of_a_population_and_ends_full(small_digits):
    """Members that diverge take their steps left off the work left; the bar still ends at 100%."""
    progress = make_progress(Console(file=open("/dev/null", "w"), force_terminal=True))
    hps = [{"epochs": 3, "batch_size": 50, "lr": lr, "optimizer": "sgd"} for lr in (0.01, 0.1, 1e4)]
    total = sum(hyperlab.HParams(**hp).epochs * hyperlab.HParams(**hp).steps_per_epoch(small_digits.n_train)
                for hp in hps)
    task = progress.add_task("members", total=total, info="")
    bar = ProgressBar(progress, "en", task=task)
    runs = hyperlab.train_many("mlp", small_digits, hps, width=16, callbacks=[[bar] for _ in hps])
    assert [r.status for r in runs] == ["completed", "completed", "diverged"]
    assert runs[2].history.steps_done < runs[2].history.total_steps
    assert progress.tasks[0].completed == total


def test_the_sweep_of_lr_find_shows_its_bar_to_the_end(tmp_path):
    from typer.testing import CliRunner

    from hyperlab.cli import app

    result = CliRunner().invoke(app, ["lr-find", "--dataset", "wine", "--model", "logistic", "--method", "sweep",
                                      "--min-lr", "0.01", "--max-lr", "100", "--epochs", "5", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    # 17 rates x 5 epochs x 4 steps, and the confirmation's runs (3 more seeds of 3 rates or more), bar full
    full = re.search(r"Learning-rate sweep[^\d]*(\d+)/\1\b", result.output)
    assert full is not None, result.output
    assert int(full[1]) >= 340 + 3 * 3 * 20 and (int(full[1]) - 340) % (3 * 20) == 0


def test_the_bar_of_a_sweep_whose_rates_pause_at_the_rung_ends_exactly_full():
    """Rates trained one after another (accumulation cannot stack) pause at the narrowing's rung and
    resume: a paused run does not fill its bar, a resumed one counts on from where it stopped."""
    import warnings

    from hyperlab.tuners import lr_sweep
    from hyperlab.tuners.lr_sweep import sweep_plan

    wine = hyperlab.load_data("wine", seed=0)
    progress = make_progress(Console(file=open("/dev/null", "w"), force_terminal=True))
    hp = hyperlab.HParams(optimizer="adam", batch_size=16, accumulate=2, epochs=5)
    lrs, epochs = sweep_plan(hp, wine.n_train, 1e-4, 1.0)
    planned = epochs * hp.steps_per_epoch(wine.n_train)
    task = progress.add_task("sweep", total=len(lrs) * planned, info="")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = lr_sweep("logistic", wine, hp, min_lr=1e-4, max_lr=1.0,
                          callbacks=[ProgressBar(progress, "en", task=task, planned=planned)])
    assert result.narrowed_at == 1 and "pruned" in [h.status for h in result.histories]
    assert progress.tasks[0].completed == progress.tasks[0].total
