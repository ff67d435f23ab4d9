"""The training progress bar ends where the run ended: full only for a completed run."""

from __future__ import annotations

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
