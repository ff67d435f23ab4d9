"""The scale flags (--accumulate, --precision, --clip-grad-norm, --compile) as a user types them: they
reach the settings each command family trains with, merge with --set/--config as --lr does (the
flag wins), bad values are one line naming the field (exit 2); lessons honour all but accumulate."""

from __future__ import annotations

import json

import pytest
import torch
import yaml
from typer.testing import CliRunner

from hyperlab.cli import app

runner = CliRunner()
WINE = ["--dataset", "wine", "--model", "logistic", "--threads", "1"]
WIDE = {"COLUMNS": "200"}  # one table row per line, so the arithmetic is not wrapped
no_cuda = pytest.mark.skipif(torch.cuda.is_available(), reason="fp16 is allowed on CUDA")


def run(*args: str):
    return runner.invoke(app, list(args), env=WIDE)


# ---- train ------------------------------------------------------------------------------------

def test_train_accumulate_shows_in_the_arithmetic_config_and_history(tmp_path):
    out = tmp_path / "run"
    result = run("train", *WINE, "--epochs", "1", "--batch-size", "16", "--accumulate", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "106 samples / (16 x 2 micro-batches x 1 process) = 4 steps per epoch" in result.output
    assert yaml.safe_load((out / "config.yaml").read_text())["accumulate"] == 2
    history = json.loads((out / "history.json").read_text())
    assert history["accumulate"] == 2 and history["effective_batch"] == 32 and history["steps_per_epoch"] == 4


def test_train_flags_win_over_set_and_config(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("precision: bf16\nclip_grad_norm: 5\naccumulate: 3\ncompile: false\n")
    result = run("train", *WINE, "--epochs", "1", "--batch-size", "16", "--config", str(config), "--set",
                 "accumulate=4", "--accumulate", "2", "--precision", "fp32", "--clip-grad-norm", "0.5", "--json", "--quiet",
                 "--out", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    hp = json.loads(result.stdout)["hparams"]
    assert (hp["accumulate"], hp["precision"], hp["clip_grad_norm"], hp["compile"]) == (2, "fp32", 0.5, False)
    # without the flags, --set beats the file and the file's values stay
    result = run("train", *WINE, "--epochs", "1", "--batch-size", "16", "--config", str(config), "--set",
                 "accumulate=4", "--json", "--quiet", "--out", str(tmp_path / "s"))
    assert result.exit_code == 0, result.output
    hp = json.loads(result.stdout)["hparams"]
    assert (hp["accumulate"], hp["precision"], hp["clip_grad_norm"]) == (4, "bf16", 5.0)


def test_train_precision_bf16_trains_differently_from_fp32(tmp_path):
    losses = {}
    for precision in ("fp32", "bf16"):
        result = run("train", *WINE, "--epochs", "1", "--precision", precision, "--json", "--quiet",
                     "--out", str(tmp_path / precision))
        assert result.exit_code == 0, result.output
        losses[precision] = json.loads(result.stdout)["history"]["step_loss"]
    assert losses["fp32"] != losses["bf16"]  # bf16 autocast rounds the matmuls: the losses move
    assert losses["fp32"] == pytest.approx(losses["bf16"], rel=0.05)


@no_cuda
@pytest.mark.parametrize("extra", [[], ["--nproc", "2"], ["--lr", "0.01,0.1"]])
def test_fp16_on_cpu_is_refused_up_front(tmp_path, extra):
    result = run("train", *WINE, "--epochs", "1", "--precision", "fp16", *extra, "--out", str(tmp_path / "r"))
    assert result.exit_code == 2
    assert result.output.startswith("error: precision='fp16' is invalid: needs a CUDA device")
    assert "Traceback" not in result.output and not (tmp_path / "r").exists()


@pytest.mark.parametrize("args, message", [
    (["--accumulate", "0"], "accumulate='0' is invalid: must be an integer >= 1 (micro-batches per optimizer step)"),
    (["--precision", "fp8"], "precision='fp8' is invalid: must be one of fp32, bf16, fp16"),
    (["--clip-grad-norm", "-1"], "clip_grad_norm='-1' is invalid: must be a finite number > 0"),
    (["--batch-size", "64", "--accumulate", "2"], "accumulate=2 is invalid: makes a step of 64 x 2 = 128 samples"),
])
def test_bad_scale_values_are_one_line_exit_2(tmp_path, args, message):
    result = run("train", *WINE, "--epochs", "1", *args, "--out", str(tmp_path / "r"))
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {message}"), result.output
    assert result.output.count("\n") == 1


def test_train_lists_take_the_flags(tmp_path):
    result = run("train", *WINE, "--epochs", "1", "--lr", "0.01,0.1", "--accumulate", "2", "--json", "--quiet",
                 "--out", str(tmp_path / "cmp"))
    assert result.exit_code == 0, result.output
    # stacked members step one micro-batch: the CLI says why they trained one after another, in one line
    assert "note: fit_population: training the 2 members one after another with fit: member 0 has accumulate=2" \
        in result.stderr
    members = json.loads(result.stdout)
    assert [m["hparams"]["accumulate"] for m in members] == [2, 2]
    assert [m["history"]["effective_batch"] for m in members] == [64, 64]


# ---- tuners -----------------------------------------------------------------------------------

def test_tuners_train_with_the_flags(tmp_path):
    result = run("epoch-find", *WINE, "--max-epochs", "2", "--accumulate", "2", "--clip-grad-norm", "1",
                 "--json", "--quiet", "--out", str(tmp_path / "e"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["hparams"]["accumulate"] == 2 and data["hparams"]["clip_grad_norm"] == 1.0
    assert data["history"]["accumulate"] == 2 and data["history"]["steps_per_epoch"] == 2  # 106 / (32 x 2)
    result = run("lr-find", *WINE, "--steps", "20", "--accumulate", "2", "--precision", "bf16", "--json",
                 "--quiet", "--out", str(tmp_path / "l"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["hparams"]["precision"] == "bf16" and data["steps_per_epoch"] == 2


@no_cuda
@pytest.mark.parametrize("command", ["lr-find", "batch-find", "noise-scale", "epoch-find", "optimizer-check",
                                     "advise"])
def test_every_tuner_refuses_fp16_on_cpu_before_training(tmp_path, command):
    result = run(command, *WINE, "--precision", "fp16", "--out", str(tmp_path / "t"))
    assert result.exit_code == 2
    assert result.output.startswith("error: precision='fp16' is invalid: needs a CUDA device"), result.output
    assert not (tmp_path / "t").exists()


def test_batch_find_probes_micro_batches_whose_step_fits_the_data(tmp_path):
    result = run("batch-find", *WINE, "--accumulate", "2", "--no-noise-scale", "--probe-steps", "1", "--json",
                 "--quiet", "--out", str(tmp_path / "b"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert max(p["batch_size"] for p in data["probes"]) == 53  # 106 samples / 2 micro-batches per step
    result = run("batch-find", *WINE, "--accumulate", "2", "--max-batch", "60", "--out", str(tmp_path / "c"))
    assert result.exit_code == 2
    assert "max_batch='60' is invalid: must be an integer from 1 to 53 (at most the training set size / " \
           "accumulate (106 / 2))" in result.output


# ---- sweep ------------------------------------------------------------------------------------

def test_sweep_trials_train_with_the_fixed_flags(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    result = run("sweep", "--study", "s", "--storage", url, *WINE, "--epochs", "1", "--lr", "0.01,0.1",
                 "--strategy", "grid", "--accumulate", "2", "--clip-grad-norm", "2", "--quiet")
    assert result.exit_code == 0, result.output
    rows = json.loads(run("results", "s", "--storage", url, "--format", "json", "--no-report").stdout)["trials"]
    assert len(rows) == 2
    import optuna

    study = optuna.load_study(study_name="s", storage=url)
    for trial in study.trials:
        assert trial.user_attrs["hparams"]["accumulate"] == 2 and trial.user_attrs["hparams"]["clip_grad_norm"] == 2
        assert trial.user_attrs["history"]["effective_batch"] == 64


def test_sweep_batch_sizes_count_the_micro_batches_of_a_step(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    result = run("sweep", "--study", "a", "--storage", url, *WINE, "--epochs", "1", "--accumulate", "2",
                 "--trials", "2", "--strategy", "random")
    assert result.exit_code == 0, result.output
    assert "batch size 16,32 (64, 128 dropped: x 2 micro-batches per step is more than the 106 training " \
           "samples)" in result.output
    result = run("sweep", "--study", "b", "--storage", url, *WINE, "--accumulate", "2", "--batch-size", "16,64")
    assert result.exit_code == 2
    assert result.output == "error: batch_size='16,64' is invalid: must be at most the training set size (106) " \
                            "/ accumulate (106 / 2 = 53)\n"


@no_cuda
def test_sweep_refuses_fp16_on_cpu_and_creates_no_study(tmp_path):
    result = run("sweep", "--storage", str(tmp_path / "t.db"), *WINE, "--precision", "fp16")
    assert result.exit_code == 2 and "precision='fp16' is invalid" in result.output
    assert not (tmp_path / "t.db").exists()


# ---- lessons ----------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["lesson", "epochs"], ["tour"]])
def test_lessons_refuse_accumulate_they_choose_their_batch_sizes(tmp_path, command):
    result = run(*command, "--dataset", "wine", "--accumulate", "2", "--out", str(tmp_path / "l"))
    assert result.exit_code == 2
    assert result.output.startswith("error: accumulate=2 is invalid: lessons choose their own batch sizes"), \
        result.output
    assert not (tmp_path / "l").exists()


def test_a_lesson_trains_every_run_with_the_precision_and_clipping_given(tmp_path):
    from hyperlab import load_data
    from hyperlab.lessons import run_lesson

    wine = load_data("wine")
    result = run_lesson("learning-rate", wine, budget="tiny", training={"precision": "bf16", "clip_grad_norm": 1.0})
    assert result.runs and all(r.result.hparams.precision == "bf16" and r.result.hparams.clip_grad_norm == 1.0
                               for r in result.runs)
    assert result.setup["precision"] == "bf16" and result.setup["clip_grad_norm"] == 1.0
    plain = run_lesson("learning-rate", wine, budget="tiny")
    assert all(r.result.hparams.precision == "fp32" for r in plain.runs)
    # bf16 changes what was measured (rounding), so the flag really reached the trainer
    assert [r.result.history.step_loss[:3] for r in result.runs] != [r.result.history.step_loss[:3] for r in plain.runs]


def test_lesson_cli_passes_the_flags_and_bad_values_name_the_field(tmp_path):
    result = run("lesson", "learning-rate", "--dataset", "wine", "--precision", "fp64", "--out", str(tmp_path / "l"))
    assert result.exit_code == 2 and "precision='fp64' is invalid" in result.output, result.output
