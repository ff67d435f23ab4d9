"""The tuner commands as a user runs them: --json numbers under named keys, plots, Korean text,
user CSV and module:function models, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest
from typer.testing import CliRunner

from hyperlab.cli import app
from hyperlab.hparams import HParams

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_lr_find_json_gives_each_suggestion_as_a_number(tmp_path):
    result = run("lr-find", "--dataset", "wine", "--model", "logistic", "--batch-size", "8", "--optimizer", "sgd",
                 "--repeats", "2", "--json", "--quiet", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("suggested_lr", "steepest", "valley", "min_div_10"):
        assert isinstance(data[key], float) and data[key] > 0
    assert data["repeats"] == 2 and data["spread"][data["recommended_rule"]]["n"] == 2
    assert data["setup"]["dataset"] == "wine" and (tmp_path / "lr_find.png").exists()


def test_lr_find_method_sweep_json_and_cost_beside_the_range_tests(tmp_path):
    result = run("lr-find", "--dataset", "wine", "--model", "logistic", "--method", "sweep", "--min-lr", "0.001",
                 "--max-lr", "1", "--per-decade", "1", "--steps", "8", "--seeds", "1", "--json", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["method"] == "sweep" and data["suggested_lr"] in data["lrs"] and len(data["lrs"]) == 4
    assert data["samples"] == 4 * 2 * 106 and (tmp_path / "lr_sweep.png").exists()
    assert "32 steps, 8 epochs, 848 samples" in result.stderr  # the cost row: 4 rates x 8 steps
    assert any("a default range test here: 100 steps" in line for line in data["explanation"])
    ranged = run("lr-find", "--dataset", "wine", "--model", "logistic", "--json", "--quiet", "--out", tmp_path)
    assert json.loads(ranged.stdout)["method"] == "range"


def test_lr_find_sweep_trains_for_the_planned_epochs_and_narrows_unless_told_not_to(tmp_path):
    args = ("lr-find", "--dataset", "wine", "--model", "logistic", "--method", "sweep", "--min-lr", "0.001",
            "--max-lr", "1", "--epochs", "6", "--seeds", "1", "--json", "--quiet", "--out", tmp_path)
    narrowed, whole = json.loads(run(*args).stdout), json.loads(run(*args, "--no-narrow").stdout)
    assert narrowed["epochs"] == whole["epochs"] == 6 and narrowed["hparams"]["epochs"] == 6
    assert len(narrowed["lrs"]) == 13 and narrowed["narrowed_at"] == 2 and whole["narrowed_at"] is None
    assert "pruned" in narrowed["statuses"] and "pruned" not in whole["statuses"]
    assert narrowed["samples"] < whole["samples"] == 13 * 6 * 106
    bad = run("lr-find", "--dataset", "wine", "--method", "sweep", "--epochs", "0")
    assert bad.exit_code == 2 and "epochs='0' is invalid" in bad.output and "Traceback" not in bad.output
    bad = run("lr-find", "--dataset", "wine", "--method", "sweep", "--seeds", "0")
    assert bad.exit_code == 2 and "seeds='0' is invalid" in bad.output and "Traceback" not in bad.output


def test_lr_find_sweep_confirms_its_choice_on_more_seeds_by_default(tmp_path):
    args = ("lr-find", "--dataset", "wine", "--model", "logistic", "--method", "sweep", "--epochs", "3",
            "--json", "--quiet", "--out", tmp_path)
    confirmed, single = json.loads(run(*args).stdout), json.loads(run(*args, "--seeds", "1").stdout)
    assert confirmed["seeds"] == 4 and single["seeds"] == 1 and single["confirmed"] == {}
    assert len(confirmed["confirmed"]) >= 2 and all(len(v) == 4 for v in confirmed["confirmed"].values())
    extra = sum(len(v) - 1 for v in confirmed["confirmed"].values())  # runs of 3 epochs x 4 steps of 32 samples
    assert confirmed["samples"] == single["samples"] + extra * 3 * 106
    assert str(confirmed["suggested_lr"]) in confirmed["confirmed"] or \
        any(abs(float(lr) / confirmed["suggested_lr"] - 1) < 1e-9 for lr in confirmed["confirmed"])


def test_lr_find_human_output_in_korean(tmp_path):
    result = run("lr-find", "--dataset", "wine", "--model", "logistic", "--batch-size", "8", "--lang", "ko",
                 "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert "학습률" in result.output and "추천" in result.output and str(tmp_path) in result.output


def test_lr_find_on_data_with_a_few_steps_per_epoch_runs_its_steps_over_several_passes(tmp_path):
    result = run("lr-find", "--dataset", "wine", "--batch-size", "32", "--out", tmp_path)  # 4 steps per epoch
    assert result.exit_code == 0, result.output
    assert "one pass over the 106 training samples is 4 steps" in " ".join(result.output.split())
    assert "passes over 106 samples" in " ".join(result.output.split())


COMMON = ["--dataset", "wine", "--model", "logistic", "--json", "--quiet"]


def test_batch_find_json(tmp_path):
    r = run("batch-find", *COMMON, "--memory-limit", "64MB", "--probe-steps", "1", "--out", tmp_path)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert isinstance(data["suggested_batch_size"], int) and data["memory_limit_bytes"] == 64 * 10**6
    assert data["critical_batch_size"] is None or data["critical_batch_size"] > 0
    assert data["suggested_batch_size"] <= data["largest_fitting"]


def test_noise_scale_json(tmp_path):
    r = run("noise-scale", *COMMON, "--batch-size", "8", "--pairs", "8", "--out", tmp_path)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["big_batch"] == 106 and data["small_batch"] == 8 and data["pairs"] == 8


def test_lr_scale_json(tmp_path):
    r = run("lr-scale", "--lr", "0.01", "--from-batch", "16", "--to-batch", "64", "--optimizer", "adam",
            "--dataset", "wine", "--json", "--quiet", "--out", tmp_path)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["suggested_lr"] == pytest.approx(0.02) and data["warmup_steps"] == 2 * 2


def test_lr_scale_defaults_to_the_optimizer_its_help_names(tmp_path):
    """The help says adam, the optimizer every run uses unless told; the command once scaled for sgd."""
    r = run("lr-scale", "--lr", "0.01", "--from-batch", "16", "--to-batch", "64", "--json", "--quiet",
            "--out", tmp_path)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["optimizer"] == HParams().optimizer == "adam" and data["rule"] == "sqrt"
    assert "(default adam)" in " ".join(run("lr-scale", "--help").output.split())


def test_epoch_find_json(tmp_path):
    r = run("epoch-find", *COMMON, "--lr", "0.05", "--batch-size", "16", "--max-epochs", "5", "--out", tmp_path)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert 1 <= data["suggested_epochs"] <= 5 and data["verdict"] in ("too_long", "ok", "train_longer")
    assert data["suggested_epochs"] == data["best_epoch"] and len(data["history"]["epochs"]) == data["epochs_run"]


def test_optimizer_check_json(tmp_path):
    r = run("optimizer-check", *COMMON, "--batch-size", "8", "--optimizers", "sgd,adam", "--epochs", "2",
            "--out", tmp_path)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    best = max((run_ for run_ in data["runs"] if run_["best_val_metric"] is not None),
               key=lambda run_: (run_["best_val_metric"], -run_["best_val_loss"]))
    assert data["suggested_optimizer"] == best["optimizer"]


def test_optimizer_check_sweeps_each_rate_over_the_runs_it_compares(tmp_path):
    """The sweep once ran over the default 10 epochs while the runs it chose rates for ran --epochs 2."""
    r = run("optimizer-check", *COMMON, "--batch-size", "8", "--optimizers", "sgd,adam", "--epochs", "2",
            "--lr-method", "sweep", "--out", tmp_path)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert [line.split(" (")[1].split(")")[0] for line in data["explanation"][:2]] == ["sweep over 2 epochs"] * 2
    assert [run_["lr_found_by"] for run_ in data["runs"]] == [{"method": "sweep", "epochs": 2}] * 2


def test_advise_on_user_csv_with_a_module_function_model(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
    csv = tmp_path / "points.csv"
    csv.write_text("a,b,c,d,label\n" + "\n".join(",".join(f"{v:.4f}" for v in row) + f",{t}"
                                                  for row, t in zip(X, y, strict=True)))
    (tmp_path / "tiny_models.py").write_text(textwrap.dedent("""
        from torch import nn
        def net(n_features, n_outputs):
            return nn.Sequential(nn.Linear(n_features, 8), nn.ReLU(), nn.Linear(8, n_outputs))
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    out = tmp_path / "advice"
    result = run("advise", "--dataset", csv, "--label", "label", "--model", "tiny_models:net",
                 "--budget-seconds", "60", "--optimizers", "sgd,adam", "--check-epochs", "2", "--max-epochs", "5",
                 "--out", out)
    assert result.exit_code == 0, result.output
    for stage in ("stage 1/4", "stage 4/4", "batch_find.png", "epochs.png", "advice.html"):
        assert stage in result.output
    saved = json.loads((out / "advice.json").read_text(encoding="utf-8"))
    assert {"batch_size", "lr", "optimizer", "epochs"} <= set(saved)
    assert saved["compute"]["total"]["steps"] > 0


@pytest.mark.parametrize("args, message", [
    (["lr-find", "--min-lr", "-1"], "error: min_lr='-1' is invalid: must be a finite number > 0"),
    (["lr-find", "--min-lr", "1", "--max-lr", "0.1"], "error: max_lr=0.1 is invalid: must be greater than min_lr"),
    (["lr-find", "--steps", "3"], "error: steps='3' is invalid: must be an integer from 10 to"),
    (["lr-find", "--batch-size", "5000"], "error: batch_size=5000 is invalid: must be at most the training set size"),
    (["lr-find", "--rule", "fast"], "error: rule='fast' is invalid"),
    (["lr-find", "--method", "grid"], "error: method='grid' is invalid: must be one of range, sweep"),
    (["optimizer-check", "--lr-method", "grid"], "error: lr_method='grid' is invalid"),
    (["lr-find", "--lang", "fr"], "error: lang='fr' is invalid"),
    (["batch-find", "--memory-limit", "1KB", "--no-noise-scale"], "error: memory_limit='1KB' is invalid: is too small"),
    (["batch-find", "--memory-limit", "lots"], "error: memory_limit='lots' is invalid"),
    (["advise", "--budget-seconds", "0.001"], "error: budget_seconds='0.001' is invalid: is too small to measure"),
    (["advise", "--optimizers", "sgd,adamm"], "error: optimizer='adamm' is invalid"),
    (["epoch-find", "--max-epochs", "1"], "error: max_epochs='1' is invalid"),
    (["lr-scale", "--lr", "0.1", "--from-batch", "0", "--to-batch", "8"], "error: from_batch='0' is invalid"),
    (["lr-find", "--seeds", "2"],
     "error: seeds='2' is invalid: applies to --method sweep only (this is --method range)"),
    (["lr-find", "--no-narrow"], "error: narrow=False is invalid: applies to --method sweep only"),
    (["lr-find", "--epochs", "3"], "error: epochs='3' is invalid: applies to --method sweep only"),
    (["lr-find", "--method", "sweep", "--rule", "valley"],
     "error: rule='valley' is invalid: applies to --method range only (this is --method sweep)"),
    (["noise-scale", "--model", "nowhere:net"], "error: model='nowhere:net' is invalid"),
])
def test_bad_input_is_one_line_and_exit_code_2(args, message):
    extra = ["--dataset", "wine", "--batch-size", "8"] if args[0] != "lr-scale" else []
    if "--batch-size" in args:
        extra = extra[:2]
    result = run(*args, *extra)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_model_that_does_not_produce_a_loss(tmp_path, monkeypatch):
    (tmp_path / "bad_models.py").write_text(textwrap.dedent("""
        from torch import nn
        class Pair(nn.Module):
            def __init__(self, n_features, n_outputs):
                super().__init__()
                self.linear = nn.Linear(n_features, n_outputs)
            def forward(self, x):
                return {"logits": self.linear(x)}
        def net(n_features, n_outputs):
            return Pair(n_features, n_outputs)
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    result = run("lr-find", "--dataset", "wine", "--model", "bad_models:net", "--batch-size", "8",
                 "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "error: the model must return a tensor of outputs, got dict" in result.output


def test_our_warnings_print_as_one_note_line_without_a_source_location(tmp_path):
    """A population that falls back (accumulation cannot stack) says so in one line, no file:line."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "hyperlab", "lr-find", "--dataset", "wine", "--model", "logistic",
                           "--method", "sweep", "--accumulate", "2", "--max-lr", "0.1", "--quiet",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if "one after another" in line]
    # one line per population that falls back: the sweep's, then its confirmation's
    assert len(notes) == 2 and all(note.startswith("note: fit_population: training the ") for note in notes)
    assert ".py:" not in done.stderr and "warn(" not in done.stderr


def test_optimizer_check_on_several_seeds(tmp_path):
    r = run("optimizer-check", *COMMON, "--batch-size", "8", "--optimizers", "sgd,adam", "--epochs", "2",
            "--seeds", "2", "--out", tmp_path)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["seeds"] == 2 and all(len(run_["seed_metrics"]) == 2 for run_ in data["runs"])
    bad = run("optimizer-check", *COMMON, "--seeds", "0", "--out", tmp_path)
    assert bad.exit_code == 2 and "seeds='0' is invalid: must be an integer >= 1" in bad.output


def test_epoch_find_on_several_seeds(tmp_path):
    r = run("epoch-find", *COMMON, "--batch-size", "8", "--lr", "0.01", "--max-epochs", "6", "--patience", "2",
            "--seeds", "3", "--out", tmp_path)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert len(data["seed_best_epochs"]) == 3 and data["suggested_epochs"] == sorted(data["seed_best_epochs"])[1]
    bad = run("epoch-find", *COMMON, "--seeds", "x", "--out", tmp_path)
    assert bad.exit_code == 2 and "seeds='x' is invalid" in bad.output
