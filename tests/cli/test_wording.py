"""Words agree with their counts ("1 step", "line 3"), in English and Korean, and trials=0 is refused
in one line rather than printed as "0 of 0 trials finished ()"."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from hyperlab.cli import app
from hyperlab.i18n import TEXT, steps_arithmetic, t
from hyperlab.lessons import texts as lesson_texts  # noqa: F401 - registers the lesson texts
from hyperlab.tuners import texts as tuner_texts  # noqa: F401 - registers the tuner texts

runner = CliRunner()


def test_one_step_one_pass_one_epoch_are_singular():
    assert steps_arithmetic(1078, 1078, 1) == "1078 samples / batch size 1078 = 1 step per epoch"
    assert steps_arithmetic(2000, 100, 20) == "2000 samples / batch size 100 = 20 steps per epoch"
    assert t("batch.steps.item", n=1078, b=1078, s=1, measured=1) == "1078 samples / batch 1078 = 1 step (measured 1)"
    assert t("batch.steps.item", "ko", n=1078, b=1078, s=1, measured=1) == "샘플 1078개 / 배치 1078 = 1 스텝 (측정 1)"
    ran = t("lrf.ran", min_lr=1e-6, max_lr=10, steps=100, optimizer="sgd", batch=1078, n=1078, spe=1, done=1,
            stop_lr=1e-6, reason="it reached the maximum learning rate", passes=1.0, beta=0.98)
    assert "is 1 step)" in ran and "after 1 step at" in ran and "1 step = 1 pass over" in ran
    assert t("lrs.stopped_at", rung=1) == "stopped after 1 epoch (loss then)"
    assert t("lrs.diverged", count=2, lowest=0.5).startswith("2 rates diverged")


def test_no_count_is_written_with_an_s_in_parentheses():
    english = [entry["en"] for entry in TEXT.values()]
    assert not [text for text in english if re.search(r"\}[^{]*\w\(s\)", text)]


def test_the_loss_falls_by_an_amount():
    evidence = t("lr.edge.evidence", lr=0.1, diverged_lr=1.0, kind="oscillating", progress=2.33, first=2.5,
                 rebound=0.4)
    assert "after falling by 2.3300 from the starting loss 2.5000" in evidence


def test_one_missing_line_is_a_line(tmp_path):
    data = tmp_path / "gaps.csv"
    data.write_text("a,b,label\n1,2,0\n3,,1\n" + "".join(f"{i},{i},{i % 2}\n" for i in range(20)))
    result = runner.invoke(app, ["train", "--dataset", str(data), "--epochs", "1", "--out", str(tmp_path / "r")])
    assert result.exit_code == 2 and "has missing values (line 3); fill or drop those rows\n" in result.output, result.output


def test_sweep_refuses_zero_trials_in_one_line(tmp_path):
    result = runner.invoke(app, ["sweep", "--storage", str(tmp_path / "z.db"), "--dataset", "moons", "--trials", "0"])
    assert result.exit_code == 2 and result.output == "error: trials=0 is invalid: must be an integer >= 1\n"
    assert not (tmp_path / "z.db").exists()
