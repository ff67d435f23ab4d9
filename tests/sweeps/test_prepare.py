"""Preparing a study: the objective is named for optuna-dashboard, and the default space fits the data
(only values the user typed are errors)."""

from __future__ import annotations

import optuna
from typer.testing import CliRunner

from hyperlab.cli import app
from hyperlab.sweeps import sweep
from hyperlab.sweeps.objective import SweepSetup
from hyperlab.sweeps.storage import open_storage

runner = CliRunner()


def stored_study(url: str, name: str) -> optuna.Study:
    """The study as another process sees it (a fresh storage object: nothing cached)."""
    return optuna.load_study(study_name=name, storage=open_storage(url, heartbeat=None, retry=False))


def test_the_objective_is_named_after_the_validation_metric(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    result = runner.invoke(app, ["sweep", "--study", "c", "--storage", url, "--dataset", "moons", "--model",
                                 "logistic", "--epochs", "1", "--lr", "0.01,0.1", "--strategy", "grid"])
    assert result.exit_code == 0, result.output
    assert stored_study(url, "c").metric_names == ["val_accuracy"]
    sweep({"lr": "0.001,0.01"}, data="diabetes", model="mlp", width=8, depth=1, epochs=1, strategy="grid",
          study="r", storage=url)
    assert stored_study(url, "r").metric_names == ["val_r2"]


def test_an_older_study_without_a_name_gets_it_when_resumed(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    args = {"data": "moons", "model": "logistic", "epochs": 1, "strategy": "grid", "study": "o", "storage": url}
    sweep({"lr": "0.01,0.1"}, **args)
    study = stored_study(url, "o")
    study._storage.set_study_system_attr(study._study_id, "study:metric_names", None)  # as before naming
    assert stored_study(url, "o").metric_names is None
    sweep({"lr": "0.01,0.1"}, **args)
    assert stored_study(url, "o").metric_names == ["val_accuracy"]


def test_default_space_drops_batch_sizes_above_the_training_set_and_says_so(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    args = ["sweep", "--storage", url, "--dataset", "wine", "--model", "mlp", "--width", "8", "--trials", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("default space")]
    assert notes == ["default space fitted to the data: batch size 16,32,64 (128 dropped: more than the "
                     "106 training samples)"]
    setup = SweepSetup.from_dict(stored_study(url, "sweep").user_attrs["hyperlab"])
    assert setup.space["batch_size"] == "16,32,64"
    assert setup.space["lr"] == "0.0001..1:log" and setup.space["optimizer"] == "sgd,momentum,adam"
    again = runner.invoke(app, [*args[:-1], "3"])  # the same command resumes: the fitted space is the same
    assert again.exit_code == 0, again.output
    assert "resuming study 'sweep'" in again.output and "3 of 3 trials finished" in again.output


def test_batch_sizes_the_user_typed_are_checked_not_changed(tmp_path):
    url = f"sqlite:///{tmp_path / 'u.db'}"
    result = runner.invoke(app, ["sweep", "--storage", url, "--dataset", "wine", "--model", "mlp",
                                 "--batch-size", "16,32,64,128", "--trials", "2"])
    assert result.exit_code == 2
    assert result.output == ("error: batch_size='16,32,64,128' is invalid: must be at most the training set "
                             "size (106)\n")


def test_one_fitting_default_size_is_fixed_and_none_means_the_whole_training_set():
    setup = SweepSetup.build({}, dataset="wine")
    assert setup.defaulted == ("lr", "batch_size", "epochs", "optimizer")
    fitted, dropped = setup.fit_to_data(20)
    assert dropped == [32, 64, 128] and "batch_size" not in fitted.space and fitted.hparams().batch_size == 16
    fitted, dropped = setup.fit_to_data(10)
    assert dropped == [16, 32, 64, 128] and fitted.hparams().batch_size == 10
    assert setup.fit_to_data(1000) == (setup, [])
    typed = SweepSetup.build({"batch_size": "16,32,64,128"}, dataset="wine")
    assert typed.fit_to_data(20) == (typed, [])  # the user's own list is never narrowed
    assert "defaulted" not in setup.to_dict() and SweepSetup.from_dict(setup.to_dict()) == setup


def test_a_space_without_a_batch_size_trains_small_data_as_train_does(tmp_path):
    """--lr and --optimizer searched, no batch size anywhere: the default 32 is more than the 7 training rows,
    so every trial takes the whole training set, with train's note; a batch size typed is checked."""
    path = tmp_path / "tiny.csv"
    path.write_text("a,b,y\n" + "".join(f"{i},{i * 3 % 7},{i % 2}\n" for i in range(12)))
    url = f"sqlite:///{tmp_path / 't.db'}"
    args = ["sweep", "--storage", url, "--dataset", str(path), "--lr", "0.01,0.1", "--optimizer", "sgd,adam",
            "--strategy", "grid", "--epochs", "2"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert ("no batch size given, and the default 32 is more than the 7 training rows: each step takes the whole "
            "training set (batch size 7)") in result.output
    assert "4 of 4 trials finished" in result.output
    assert SweepSetup.from_dict(stored_study(url, "sweep").user_attrs["hyperlab"]).base["batch_size"] == 7
    typed = runner.invoke(app, [*args, "--study", "typed", "--set", "batch_size=32"])
    assert (typed.exit_code, typed.output) == (2, "error: batch_size=32 is invalid: must be at most the training "
                                                  "set size (7)\n")
    assert "typed" not in optuna.get_all_study_names(storage=url)  # refused before the study was created ...
    fixed = runner.invoke(app, [*args, "--study", "typed", "--set", "batch_size=4"])
    assert fixed.exit_code == 0, fixed.output  # ... so the corrected command is not told the study differs
    outcome = sweep({"lr": "0.01,0.1"}, data=str(path), epochs=1, strategy="grid", study="py", storage=url)
    assert outcome.setup.hparams().batch_size == 7  # from Python too
    assert {t.params["lr"] for t in stored_study(url, "py").trials if t.state.is_finished()} == {0.01, 0.1}
    setup = SweepSetup.build({"lr": "0.01,0.1"}, dataset="wine")
    assert setup.defaulted == ("batch_size",) and setup.fit_to_data(1000) == (setup, [])
    assert SweepSetup.build({"lr": "0.01,0.1"}, settings={"batch_size": 32}).defaulted == ()
