"""The HTML reports in a real browser (Debian's Chromium, driven by Playwright), as a learner
opens them on a phone: offline, every image shown, nothing wider than the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsertools import ARGS, CHROMIUM, MARKS

from hyperlab.lessons import run_lesson

pytestmark = MARKS


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


def open_on_phone(browser, report: Path, lang: str, shot: Path):
    """Open a report as a phone would, offline; check it; return the page's text."""
    page = browser.new_page(viewport={"width": 390, "height": 844})
    blocked: list[str] = []
    page.route("**/*", lambda route: (route.continue_() if route.request.url.startswith(("file:", "data:"))
                                      else (blocked.append(route.request.url), route.abort())))
    page.goto(Path(report).resolve().as_uri())
    assert page.evaluate("document.documentElement.lang") == lang
    images = page.evaluate("Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
    assert images and all(images)  # every plot is inline and decodes
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling of the page
    assert blocked == []  # opens offline: it asked for nothing outside the file
    # Korean wraps between words, as Korean pages set it; English as usual
    assert page.evaluate("getComputedStyle(document.body).wordBreak") == ("keep-all" if lang == "ko" else "normal")
    # Korean reads without a Korean font on the machine (this one has none): the page embeds the
    # glyphs of its own Hangul, and the browser loads them offline; an English page embeds nothing
    faces = page.evaluate("document.fonts.load('16px \"hyperlab-hangul\"', '학습률').then(f => f.length)")
    assert faces == (1 if lang == "ko" else 0)
    text = page.inner_text("body")
    page.screenshot(path=str(shot), full_page=True)
    page.close()
    return text


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_lesson_report_reads_on_a_phone_offline(browser, tmp_path, lang):
    result = run_lesson("batch-size", "digits", budget="tiny", lang=lang, out=tmp_path)
    text = open_on_phone(browser, result.files["report"], lang, tmp_path / "phone.png")
    verdict_words = {"en": ("confirmed", "not observed"), "ko": ("확인됨", "관찰되지 않음")}[lang]
    assert any(word in text for word in verdict_words)
    assert result.claims[0].text("claim", lang) in text


def test_advice_report_reads_on_a_phone_offline(browser, tmp_path):
    from hyperlab.engine.threads import torch_threads
    from hyperlab.tuners import advise

    # a budget no loaded CI machine runs out of: the test is about the report, not the deadline
    with torch_threads(1):
        advice = advise("logistic", "wine", {"batch_size": 8}, budget_seconds=300, max_epochs=5, out=tmp_path)
    text = open_on_phone(browser, advice.report, "en", tmp_path / "phone.png")
    assert f"{advice.values['batch_size']}" in text


def test_sweep_report_reads_on_a_phone_offline(browser, tmp_path):
    from hyperlab.sweeps import sweep
    from hyperlab.sweeps.report import write_sweep_report
    from hyperlab.sweeps.results import open_study

    url = f"sqlite:///{tmp_path / 's.db'}"
    sweep({"lr": "0.01,0.1", "batch_size": "16,32", "epochs": 2, "optimizer": "sgd"}, model="logistic",
          data="moons", study="s", storage=url, strategy="grid")
    report = write_sweep_report(open_study("s", url), tmp_path / "report", "ko")
    text = open_on_phone(browser, report, "ko", tmp_path / "phone.png")
    assert "학습률 x 배치 크기" in text
