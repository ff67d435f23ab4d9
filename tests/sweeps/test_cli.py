"""`hyperlab sweep` and `hyperlab results` as a user runs them: extend, refuse a changed setup,
read the study back (table, csv, json, HTML report), and one-line errors with exit code 2."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from hyperlab.cli import app
from hyperlab.sweeps.storage import integrity_problems

runner = CliRunner()
TINY = ["--dataset", "moons", "--model", "logistic", "--epochs", "2", "--batch-size", "32,64",
        "--lr", "1e-3..1:log", "--optimizer", "sgd,adam"]


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A small finished study (random search, 5 trials, then extended to 7), shared by the read tests."""
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'study.db'}"
    first = run("sweep", "--study", "s", "--storage", url, *TINY, "--strategy", "random", "--trials", "5")
    assert first.exit_code == 0, first.output
    assert "new study 's'" in first.output and "5 of 5 trials finished" in first.output
    more = run("sweep", "--study", "s", "--storage", url, *TINY, "--strategy", "random", "--trials", "7")
    assert more.exit_code == 0, more.output
    assert "resuming study 's': 5 trials already finished" in more.output
    assert "7 of 7 trials finished" in more.output
    return url


def test_extending_keeps_earlier_trials_and_adds_to_the_total(study):
    data = json.loads(run("results", "s", "--storage", study, "--format", "json", "--no-report").stdout)
    assert data["summary"]["finished"] == 7
    assert sorted(r["number"] for r in data["trials"]) == list(range(7))
    values = [r["value"] for r in data["trials"] if r["status"] == "complete"]
    assert values == sorted(values, reverse=True)  # sorted by the objective, best first
    assert data["summary"]["best"]["value"] == values[0]
    assert integrity_problems(study) == []


def test_same_study_with_other_settings_is_refused_and_left_as_it_was(study):
    before = run("results", "s", "--storage", study, "--format", "csv", "--no-report").stdout
    result = run("sweep", "--study", "s", "--storage", study, *TINY[:-2], "--optimizer", "adam,adamw")
    assert result.exit_code == 2
    assert "error: study='s' is invalid: already exists with other settings" in result.output
    assert "optimizer" in result.output and "Traceback" not in result.output
    assert run("results", "s", "--storage", study, "--format", "csv", "--no-report").stdout == before


def test_results_formats_and_report(study, tmp_path):
    table = run("results", "s", "--storage", study, "--out", str(tmp_path / "rep"))
    assert table.exit_code == 0, table.output
    assert "7 of 7 trials finished" in table.output and "best: trial" in table.output
    page = (tmp_path / "rep" / "report.html").read_text()
    for title in ("Learning rate x batch size", "Parallel coordinates", "Optimisation history",
                  "Learning curves of the best trials", "Importance of each knob"):
        assert title in page
    assert page.count("data:image/png;base64") >= 4
    rows = list(csv.DictReader(io.StringIO(run("results", "s", "--storage", study, "--format", "csv",
                                               "--no-report").stdout)))
    assert len(rows) == 7 and {"number", "status", "value", "lr", "batch_size", "optimizer", "steps",
                               "diverged_step", "seconds"} <= set(rows[0])
    assert {r["status"] for r in rows} <= {"complete", "pruned", "diverged"}
    as_json = json.loads(run("results", "s", "--storage", study, "--json", "--quiet", "--no-report").stdout)
    assert len(as_json["trials"]) == 7 and as_json["report"] is None
    korean = run("results", "s", "--storage", study, "--lang", "ko", "--out", str(tmp_path / "ko"))
    assert korean.exit_code == 0 and "시행" in korean.output
    assert "학습률 x 배치 크기" in (tmp_path / "ko" / "report.html").read_text()


def test_diverged_trials_are_listed_with_their_step_and_the_sweep_goes_on(tmp_path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    result = run("sweep", "--study", "d", "--storage", url, "--dataset", "moons", "--model", "logistic",
                 "--epochs", "2", "--optimizer", "sgd", "--lr", "0.05,1000", "--strategy", "grid")
    assert result.exit_code == 0, result.output
    assert "diverged" in result.output and "2 of 2 trials finished" in result.output
    rows = json.loads(run("results", "d", "--storage", url, "--format", "json", "--no-report").stdout)["trials"]
    assert [r["status"] for r in rows] == ["complete", "diverged"]
    assert rows[1]["lr"] == 1000 and rows[1]["diverged_step"] >= 1 and rows[1]["diverged_epoch"] == 1


@pytest.mark.parametrize("args, words", [
    (["--lr", "1..0.1"], ["lr='1..0.1'", "low < high"]),
    (["--batch-size", "16,,32"], ["batch_size", "empty value"]),
    (["--optimizer", "sgd,adamm"], ["optimizer='adamm'", "did you mean 'adam'"]),
    (["--strategy", "tp"], ["strategy='tp'", "did you mean 'tpe'"]),
    (["--pruner", "hyperbnd"], ["pruner='hyperbnd'", "hyperband"]),
    (["--strategy", "grid", "--lr", "1e-3..1:log"], ["strategy 'grid' needs a list"]),
    (["--strategy", "cmaes", "--lr", "1e-3..1:log", "--optimizer", "sgd,adam"], ["needs at least 2 ranges"]),
    (["--optimizer", "adam,adamw", "--momentum", "0.5..0.9"], ["momentum", "none of the optimizers"]),
    (["--batch-size", "16,4096"], ["batch_size", "training set size (600)"]),
    (["--storage", "mysql://x/y"], ["storage='mysql://x/y'", "postgresql://"]),
    (["--trials", "-1"], ["trials=-1", "integer >= 1"]),
    (["--trials", "0"], ["trials=0", "integer >= 1"]),
    (["--workers", "0"], ["workers=0", "integer >= 1"]),
    (["--set", "lr=0.1", "--lr", "1e-3..1"], ["both fixed and searched"]),
    (["--set", "learning_rate=0.1"], ["learning_rate", "not a known setting"]),
    (["--lang", "fr"], ["lang='fr'"]),
])
def test_bad_input_is_one_line_exit_2_and_creates_no_study(tmp_path, args, words):
    url = f"sqlite:///{tmp_path / 'bad.db'}"
    base = ["sweep", "--study", "bad", "--dataset", "moons", "--epochs", "1"]
    result = run(*base, *(["--storage", url] if "--storage" not in args else []), *args)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: ") and "Traceback" not in result.output
    for word in words:
        assert word in result.output
    if (tmp_path / "bad.db").exists():  # validation happens before a study is created
        missing = run("results", "bad", "--storage", url, "--no-report")
        assert missing.exit_code == 2 and "is not in this storage" in missing.output


def test_results_of_missing_study_or_file(tmp_path, study):
    assert run("results", "nope", "--storage", study).exit_code == 2
    result = run("results", "s", "--storage", str(tmp_path / "none.db"))
    assert result.exit_code == 2 and "does not exist" in result.output
    assert not (tmp_path / "none.db").exists()  # reading never creates a database
    assert run("results", "s", "--storage", study, "--format", "xml").exit_code == 2


def test_yaml_space_file(tmp_path):
    config = tmp_path / "sweep.yaml"
    config.write_text("dataset: moons\nmodel: logistic\nepochs: 2\nstrategy: grid\n"
                      "space:\n  lr: [0.01, 0.1]\n  optimizer: [sgd, adam]\n")
    url = f"sqlite:///{tmp_path / 'y.db'}"
    result = run("sweep", "--config", str(config), "--study", "y", "--storage", url, "--json", "--quiet")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["finished"] == 4 and summary["space"] == {"lr": "0.01,0.1", "optimizer": "sgd,adam"}
    assert summary["strategy"] == "grid" and summary["pruner"] == "none"
    bad = tmp_path / "bad.yaml"
    bad.write_text("space:\n  learning_rate: 0.1..1\n")
    result = run("sweep", "--config", str(bad), "--storage", url)
    assert result.exit_code == 2 and "not a searchable setting" in result.output and "searchable: lr" in result.output


def test_timeout_and_cmaes(tmp_path):
    url = f"sqlite:///{tmp_path / 't.db'}"
    result = run("sweep", "--study", "t", "--storage", url, "--dataset", "moons", "--model", "logistic",
                 "--epochs", "1", "--trials", "1000", "--timeout", "1", "--json", "--quiet")
    assert result.exit_code == 0, result.output
    assert 1 <= json.loads(result.stdout)["finished"] < 1000  # stopped starting trials after 1 s
    result = run("sweep", "--study", "c", "--storage", url, "--dataset", "moons", "--model", "logistic",
                 "--strategy", "cmaes", "--lr", "1e-3..1:log", "--epochs", "1..3", "--batch-size", "32,64",
                 "--trials", "4")
    assert result.exit_code == 0, result.output
    assert "cmaes moves through the ranges; lists (batch size) are drawn at random" in result.output
    assert "4 of 4 trials finished" in result.output


def test_heatmap_cells_count_diverged_trials_where_they_happened(tmp_path):
    from hyperlab.sweeps.report import heatmap_cells
    from hyperlab.sweeps.results import open_study

    url = f"sqlite:///{tmp_path / 'h.db'}"
    result = run("sweep", "--study", "h", "--storage", url, "--dataset", "moons", "--model", "logistic",
                 "--epochs", "2", "--optimizer", "sgd", "--lr", "0.05,1000", "--batch-size", "16,32",
                 "--strategy", "grid")
    assert result.exit_code == 0, result.output
    cells = heatmap_cells(open_study("h", url))
    assert cells.y_labels == ["0.05", "1e+03"] and cells.x_labels == ["16", "32"]
    assert list(cells.count[0]) == [1, 1] and list(cells.count[1]) == [0, 0]  # lr 1000 never completes
    assert cells.stopped == {(1, 0): {"diverged": 1}, (1, 1): {"diverged": 1}}


def test_a_linear_range_over_decades_gets_a_note_with_the_log_spelling(tmp_path):
    """`--lr 1e-4..1` (no :log) draws 90% of its rates above 0.1: a run of mostly diverged trials."""
    url = f"sqlite:///{tmp_path / 'lin.db'}"
    base = ["sweep", "--storage", url, "--dataset", "moons", "--model", "logistic", "--epochs", "1", "--trials", "1"]
    linear = run(*base, "--study", "a", "--lr", "1e-4..1")
    assert linear.exit_code == 0, linear.output
    assert ("note: lr 0.0001..1 is searched on a linear scale, so 90% of its draws fall above 0.1; write "
            "0.0001..1:log to spread them evenly over the decades") in " ".join(linear.output.split())
    for study, spec in (("b", "1e-4..1:log"), ("c", "0.01..0.5")):  # a log scale, or a range under two decades
        other = run(*base, "--study", study, "--lr", spec)
        assert other.exit_code == 0 and "linear scale" not in other.output, other.output
