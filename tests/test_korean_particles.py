"""Korean particles chosen for the value before them: 0.4451이었습니다, not 0.4451였습니다."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from hyperlab.cli import app
from hyperlab.i18n import TEXT, korean_particles, t
from hyperlab.lessons import texts as lesson_texts  # noqa: F401 - registers the lesson texts
from hyperlab.sweeps import texts as sweep_texts  # noqa: F401 - registers the sweep texts
from hyperlab.tuners import texts as tuner_texts  # noqa: F401 - registers the tuner texts


@pytest.mark.parametrize("written, read", [
    ("정확도은(는)", "정확도는"), ("손실은(는)", "손실은"), ("배치 크기 8이(가)", "배치 크기 8이"),
    ("0.4451(이)었습니다", "0.4451이었습니다"), ("0.4452(이)었습니다", "0.4452였습니다"),
    ("0.4450(이)었습니다", "0.4450이었습니다"),            # 영
    ("배치 크기 10은(는)", "배치 크기 10은"), ("배치 크기 20을(를)", "배치 크기 20을"),  # 십
    ("100(으)로", "100으로"), ("1,000과(와)", "1,000과"), ("10000을(를)", "10000을"),  # 백 천 만
    ("107(으)로", "107로"), ("106(으)로", "106으로"), ("104(으)로", "104로"),  # 칠 (ㄹ) 육 사
    ("2.5을(를)", "2.5를"), ("1e-06은(는)", "1e-06은"), ("20%과(와)", "20%와"),
    ("428.0 KiB(으)로", "428.0 KiB로"), ("256(목표)은(는)", "256(목표)은"),
    ("결정계수 R²은(는)", "결정계수 R²은"), ("R²(으)로", "R²으로"),  # 알 제곱 (ㅂ)
])
def test_a_pair_becomes_the_particle_the_word_or_number_takes(written, read):
    assert korean_particles(written) == read


def test_a_pair_after_what_cannot_be_read_stays_as_written():
    assert korean_particles("adam은(는) 빠름") == "adam은(는) 빠름"
    assert korean_particles("은(는) 처음") == "은(는) 처음"


def test_t_chooses_particles_in_korean_only():
    TEXT["test.particle"] = {"en": "batch size {b} needed {peak}", "ko": "배치 크기 {b}은(는) {peak}이(가) 필요"}
    try:
        assert t("test.particle", "ko", b=32, peak="1.0 MiB") == "배치 크기 32는 1.0 MiB가 필요"
        assert t("test.particle", "ko", b=8, peak="3 초") == "배치 크기 8은 3 초가 필요"
    finally:
        del TEXT["test.particle"]


# a value, optionally followed by a parenthesis ("{lr}({loss})였": the particle follows the value before it)
FIXED = re.compile(r"\}(\((?!으\)|이\))[^()]*\))?(는|은|를|을|가|였|로|와|과)(?![가-힣(])")


def test_no_korean_text_writes_a_fixed_particle_after_a_value():
    """After a {value} the particle depends on the value: write it as a pair (은(는), (으)로, ...)."""
    fixed = {key: entry["ko"] for key, entry in TEXT.items() if FIXED.search(entry.get("ko", ""))}
    assert not fixed


def test_batch_find_in_korean_reads_its_measured_numbers_with_the_right_particle(tmp_path):
    out = CliRunner().invoke(app, ["batch-find", "--dataset", "wine", "--lang", "ko", "--out", str(tmp_path / "bf")],
                             terminal_width=200).output
    said = re.findall(r"(\d[\d.,]*)(이었|였)습니다", out)
    assert said, out  # the gradient-norm sentence ends with a measured number
    for number, copula in said:
        vowel = number[-1] in "2459" and not re.fullmatch(r"\d*[1-9]0+", number)
        assert copula == ("였" if vowel else "이었"), (number, copula)


REVERSED = ("는(은)", "가(이)", "를(을)", "와(과)", "로(으로)", "였(이었)")


def test_every_korean_text_writes_its_pairs_the_way_they_are_chosen():
    """A pair written the other way round (와(과)) is never chosen, so it would reach the reader as written."""
    from hyperlab.cli import texts as cli_texts  # noqa: F401 - every module that registers texts
    from hyperlab.lab import texts as lab_texts  # noqa: F401
    from hyperlab.views import texts as view_texts  # noqa: F401
    wrong = {key: pair for key, entry in TEXT.items() for pair in REVERSED if pair in entry.get("ko", "")}
    assert wrong == {}


def test_a_regression_in_korean_names_its_metric_without_failing(tmp_path):
    """The metric R² ends in a character str.isdigit takes but no number pattern reads (it crashed)."""
    result = CliRunner().invoke(app, ["epoch-find", "--dataset", "diabetes", "--lang", "ko", "--max-epochs", "3",
                                      "--out", str(tmp_path / "ep")], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "결정계수 R²은 에폭" in result.output
