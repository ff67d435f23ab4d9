"""Same flags everywhere: every command that trains takes the shared training flags, each defined once
in ``hyperlab.cli.options``, and a sweep's workers train with the --threads given."""

from __future__ import annotations

import json

import pytest
import torch
from typer.main import get_command
from typer.testing import CliRunner

from hyperlab.cli import app
from hyperlab.engine import Callback
from hyperlab.sweeps import sweep
from hyperlab.sweeps.plan import SweepPlan

SHARED = ("--threads", "--seed", "--lang", "--quiet", "--json",
          "--accumulate", "--precision", "--clip-grad-norm", "--compile")  # the scale flags too
NOT_TRAINING = {"results", "lr-scale", "datasets", "models", "optimizers",  # they read, compute or list
                "lab"}  # serves a page: each run's settings come from the page, its workers use one thread each


def commands(group=None, prefix: str = ""):
    """(name, click command) of every command of `hyperlab`, sub-commands included (`lesson epochs`)."""
    group = group or get_command(app)
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from commands(command, f"{prefix}{name} ")
        else:
            yield f"{prefix}{name}", command


TRAINING = sorted(name for name, _ in commands() if name not in NOT_TRAINING)


def test_the_training_commands_are_the_ones_we_expect():
    assert {"train", "sweep", "lr-find", "batch-find", "noise-scale", "epoch-find", "optimizer-check", "advise",
            "tour", "lesson batch-size", "lesson learning-rate", "lesson epochs", "lesson optimizer"} <= set(TRAINING)


@pytest.mark.parametrize("name", TRAINING)
def test_every_training_command_takes_the_shared_flags_from_one_place(name):
    command = dict(commands())[name]
    by_flag = {opt: param for param in command.params for opt in param.opts}
    assert set(SHARED) <= set(by_flag), f"`hyperlab {name}` lacks {set(SHARED) - set(by_flag)}"
    train = {opt: param for param in dict(commands())["train"].params for opt in param.opts}
    for flag in SHARED:  # the same help (the same alias in options.py), so the flag reads the same
        assert by_flag[flag].help == train[flag].help, (name, flag)


def test_bad_threads_is_one_line_exit_2(tmp_path):
    result = CliRunner().invoke(app, ["sweep", "--storage", str(tmp_path / "t.db"), "--dataset", "moons",
                                      "--threads", "0"])
    assert result.exit_code == 2 and result.output == "error: threads='0' is invalid: must be an integer >= 1\n"
    assert not (tmp_path / "t.db").exists()


class ThreadsSeen(Callback):
    def __init__(self) -> None:
        self.seen: list[int] = []

    def on_epoch_end(self, run) -> None:  # noqa: ANN001 - engine Run
        self.seen.append(torch.get_num_threads())


def test_a_sweep_trains_with_the_threads_given_and_restores_them(tmp_path):
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        probe = ThreadsSeen()
        sweep({"lr": "0.01,0.1"}, data="moons", model="logistic", epochs=2, strategy="grid", threads=1,
              study="t", storage=f"sqlite:///{tmp_path / 't.db'}", callbacks=[probe])
        assert probe.seen == [1, 1, 1, 1] and torch.get_num_threads() == 2
        small = ThreadsSeen()  # without --threads a small step trains on one thread ...
        sweep({"lr": "0.01,0.1"}, data="moons", model="logistic", epochs=1, strategy="grid",
              study="u", storage=f"sqlite:///{tmp_path / 't.db'}", callbacks=[small])
        assert small.seen == [1, 1] and torch.get_num_threads() == 2
        large = ThreadsSeen()  # ... and a large one keeps torch's setting (a 1024-wide MLP: 1 M per sample)
        sweep({"lr": "0.001,0.003"}, data="moons", model="mlp", width=1024, batch_size=256, epochs=1,
              strategy="grid", study="v", storage=f"sqlite:///{tmp_path / 't.db'}", callbacks=[large])
        assert large.seen == [2, 2]
        together = ThreadsSeen()  # trained as one population: the probe sees its largest batch
        sweep({"lr": "0.01,0.1"}, data="moons", model="logistic", epochs=1, strategy="grid", population=2,
              study="w", storage=f"sqlite:///{tmp_path / 't.db'}", callbacks=[together])
        assert together.seen == [1, 1]
    finally:
        torch.set_num_threads(before)


def test_worker_processes_take_the_threads_given_else_cores_divided_by_workers():
    plan = dict(study="s", storage="sqlite:///x.db", setup=None)
    assert SweepPlan(**plan, workers=2).worker_threads(8) == 4
    assert SweepPlan(**plan, workers=3).worker_threads(2) == 1
    assert SweepPlan(**plan, workers=2, threads=3).worker_threads(8) == 3
    assert SweepPlan(**plan).worker_threads(8) is None
    assert SweepPlan.from_dict(SweepPlan(**plan, threads=1).to_dict()).threads == 1  # it reaches the processes


def test_a_tuner_runs_with_threads(tmp_path):
    result = CliRunner().invoke(app, ["epoch-find", "--dataset", "moons", "--model", "logistic", "--max-epochs", "3",
                                      "--threads", "1", "--out", str(tmp_path), "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["epochs_run"] >= 1


def test_without_threads_a_small_model_trains_on_one_thread_and_a_large_one_on_torchs(digits):
    from hyperlab.cli.options import resolve

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    state = torch.random.get_rng_state()
    try:
        with resolve(dataset="digits").threads(None, digits):  # the digits MLP at batch 32: 0.8 M multiply-adds
            assert torch.get_num_threads() == 1
        assert torch.equal(torch.random.get_rng_state(), state)  # the probe model was built aside
        with resolve(dataset="digits", width=1024, batch_size=256).threads(None, digits):  # 35 M
            assert torch.get_num_threads() == 2
        with resolve(dataset="digits").threads(2, digits):  # --threads is kept whatever the size
            assert torch.get_num_threads() == 2
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
