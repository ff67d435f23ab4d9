"""`--features` on the command line: how a data file's features are read (standardised, raw, or integer
ids for a module:function model that starts with nn.Embedding), on every command that reads data, in
the YAML file and in what a sweep stores."""

from __future__ import annotations

import json

import numpy as np
import optuna
import pytest
from typer.testing import CliRunner

from hyperlab.cli import app
from hyperlab.sweeps.objective import SweepSetup
from hyperlab.sweeps.storage import open_storage

runner = CliRunner()

EMBEDDING_NET = ("from torch import nn\n"
                 "def make(n_features, n_outputs):\n"
                 "    return nn.Sequential(nn.Embedding(20, 6), nn.Flatten(), nn.Linear(6 * n_features, n_outputs))\n")


def _tokens(folder) -> str:
    """240 rows of 4 token ids (0-19); the label is whether the first token is 10 or more."""
    X = np.random.default_rng(0).integers(0, 20, (240, 4))
    rows = "\n".join(",".join(map(str, r)) + f",{int(r[0] >= 10)}" for r in X.tolist())
    (folder / "tokens.csv").write_text("t0,t1,t2,t3,label\n" + rows + "\n")
    (folder / "tokennet.py").write_text(EMBEDDING_NET)
    return str(folder / "tokens.csv")


def _ok(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


BAD = ("error: features='idz' is invalid: must be one of standardise, raw, ids (did you mean 'ids'?)\n")


@pytest.mark.parametrize("command", [
    ["train"], ["train", "--lr", "0.1,0.01"], ["lr-find"], ["batch-find"], ["noise-scale"], ["epoch-find"],
    ["optimizer-check"], ["advise"], ["sweep"], ["lesson", "epochs"], ["tour"],
])
def test_a_bad_value_is_one_line_naming_the_option_value_and_choices(command, tmp_path):
    result = runner.invoke(app, [*command, "--dataset", "moons", "--features", "idz", "--out" if
                                 command[0] != "sweep" else "--storage", str(tmp_path / "x")])
    assert (result.exit_code, result.output) == (2, BAD)


def test_train_reads_ids_for_an_embedding_model_of_the_working_directory(tmp_path, monkeypatch):
    path = _tokens(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = _ok("train", "--dataset", path, "--features", "ids", "--model", "tokennet:make", "--epochs", 15,
                 "--lr", 0.03, "--optimizer", "adam", "--out", tmp_path / "run", "--json")
    out = json.loads(result.stdout)
    assert out["setup"]["features"] == "ids"
    assert ("note: features read as integer ids (--features ids): 4 per sample, 0 to 19, for the model's "
            "nn.Embedding") in result.stderr
    assert out["summary"]["final_val_metric"] >= 0.9  # learnt from the first token's id
    standardised = runner.invoke(app, ["train", "--dataset", path, "--model", "tokennet:make", "--epochs", "1",
                                       "--out", str(tmp_path / "s")])
    assert standardised.exit_code == 2 and "read the data with features='ids'" in standardised.output


def test_the_yaml_key_is_read_and_the_flag_overrides_it(tmp_path):
    path = _tokens(tmp_path)
    config = tmp_path / "c.yaml"
    config.write_text(f"dataset: {path}\nfeatures: raw\nepochs: 2\nbatch_size: 16\nmodel: logistic\n")
    raw_run = _ok("train", "--config", config, "--out", tmp_path / "a", "--json", "--lang", "ko")
    assert "note: 특성을 주어진 그대로 사용 (--features raw): 표준화하지 않았으므로" in raw_run.stderr
    raw = json.loads(raw_run.stdout)
    standard = json.loads(_ok("train", "--config", config, "--features", "standardise", "--out", tmp_path / "b",
                              "--json").stdout)
    assert (raw["setup"]["features"], standard["setup"]["features"]) == ("raw", "standardise")
    # ids of 0-19 as given against standardised ones: the same model trains to other losses
    assert raw["history"]["step_loss"][-1] != pytest.approx(standard["history"]["step_loss"][-1], rel=1e-3)


def test_a_sweep_stores_the_features_and_another_worker_trains_with_them(tmp_path, monkeypatch):
    path = _tokens(tmp_path)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 's.db'}"
    _ok("sweep", "--study", "f", "--storage", url, "--dataset", path, "--features", "ids", "--model", "tokennet:make",
        "--epochs", 2, "--batch-size", 16, "--lr", "0.01,0.1", "--strategy", "grid", "--trials", 1)
    study = optuna.load_study(study_name="f", storage=open_storage(url, heartbeat=None, retry=False))
    assert SweepSetup.from_dict(study.user_attrs["hyperlab"]).features == "ids"
    _ok("sweep", "--study", "f", "--storage", url, "--trials", 2)  # an extra worker: the study's own setup
    study = optuna.load_study(study_name="f", storage=open_storage(url, heartbeat=None, retry=False))
    assert [t.state.name for t in study.trials] == ["COMPLETE", "COMPLETE"]
