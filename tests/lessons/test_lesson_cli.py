"""`hyperlab lesson ...` and `hyperlab tour` as a user runs them."""

from __future__ import annotations

import json
import pytest
from typer.testing import CliRunner

from hyperlab.cli import app

runner = CliRunner()


def test_lesson_group_lists_the_four_lessons():
    result = runner.invoke(app, ["lesson", "--help"])
    assert result.exit_code == 0
    for name in ("batch-size", "learning-rate", "epochs", "optimizer"):
        assert name in result.output
    assert "tour" in runner.invoke(app, ["--help"]).output


def test_learning_rate_lesson_json_and_files(tmp_path):
    out = tmp_path / "lr"
    result = runner.invoke(app, ["lesson", "learning-rate", "--dataset", "wine", "--seed", "1", "--out", str(out),
                                 "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["lesson"] == "learning-rate" and data["setup"]["dataset"] == "wine" and data["setup"]["seed"] == 1
    lrs = [row["lr"] for row in data["measurements"]["rows"]]
    assert lrs[0] == 1e-05 and lrs[-1] == 10.0 and len(lrs) == 13  # the quick range
    assert {"report.html", "lesson.json", "learning_rate_curves.png", "learning_rate_summary.png"} <= {
        p.name for p in out.iterdir()}


def test_korean_table_and_report_path(tmp_path):
    out = tmp_path / "ko"
    result = runner.invoke(app, ["lesson", "epochs", "--dataset", "wine", "--model", "logistic", "--lang", "ko",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "주장" in result.output and "판정" in result.output and "보고서" in result.output
    assert str(out / "report.html") in result.output.replace("\n", "")
    assert '<html lang="ko">' in (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("args, message", [
    (["lesson", "batch-size", "--lang", "fr"], "lang='fr' is invalid: must be one of en, ko"),
    (["lesson", "epochs", "--dataset", "digts"], "did you mean 'digits'?"),
    (["lesson", "optimizer", "--model", "resnet"], "model='resnet' is invalid"),
    (["lesson", "learning-rate", "--seed", "-1"], "seed='-1' is invalid: must be an integer >= 0"),
    (["lesson", "learning-rate", "--width", "0"], "width='0' is invalid: must be an integer >= 1"),
    (["tour", "--threads", "0"], "threads='0' is invalid: must be an integer >= 1"),
    (["tour", "--dataset", "missing.csv"], "missing.csv"),
])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(args, message, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


@pytest.mark.slow
def test_tour_writes_the_combined_and_per_lesson_reports(tmp_path):
    out = tmp_path / "tour"
    result = runner.invoke(app, ["tour", "--dataset", "wine", "--model", "logistic", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Tour report (all four lessons)" in result.output and result.output.count("Report:") == 4
    assert (out / "tour.html").is_file() and json.loads((out / "tour.json").read_text())["lessons"]
    for name in ("batch-size", "learning-rate", "epochs", "optimizer"):
        assert (out / name / "report.html").is_file()
