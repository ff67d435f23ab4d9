"""A lesson and the tour in a notebook: report.html's content, plots inline, in the result's language."""

from __future__ import annotations

import base64
import re

import pytest

from hyperlab.lessons import run_lesson, run_tour
from hyperlab.lessons.report import lesson_sections


@pytest.fixture(scope="module")
def lesson(small_digits):
    return run_lesson("epochs", small_digits, budget="tiny", lang="ko")


def test_lesson_html_holds_claims_verdicts_evidence_and_plots(lesson):
    page = lesson._repr_html_()
    assert 'lang="ko"' in page and "<body" not in page
    for claim in lesson.claims:
        finding = claim.finding("ko")
        assert str(finding["claim"]) in page and str(finding["label"]) in page
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert images and all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    assert lesson.plots == {} and lesson.files == {}  # drawn for display only: the result keeps no temp files
    titles = [s.title for s in lesson_sections(lesson, "en")]
    english = lesson.display("en").html
    assert all(title in english for title in titles)


def test_lesson_repr_is_short(lesson):
    text = repr(lesson)
    assert text.startswith("LessonResult(epochs, tiny, ") and "\n" not in text and len(text) < 300


def test_tour_html_holds_every_lesson(small_digits):
    tour = run_tour(small_digits, budget="tiny", lessons=("epochs", "learning-rate"))
    page = tour._repr_html_()
    assert repr(tour).startswith("TourResult(epochs, learning-rate; ")
    for result in tour.lessons:
        assert all(str(c.finding("en")["claim"]) in page for c in result.claims)
    assert page.count("<img") >= 2
