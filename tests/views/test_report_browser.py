"""The HTML reports in a real browser (Debian's Chromium, driven by Playwright), as a learner
opens them on a phone: offline, every image shown, nothing wider than the screen."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hyperlab.lessons import run_lesson

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make test installs it)"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_lesson_report_reads_on_a_phone_offline(browser, tmp_path, lang):
    result = run_lesson("batch-size", "digits", budget="tiny", lang=lang, out=tmp_path)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    blocked: list[str] = []
    page.route("**/*", lambda route: (route.continue_() if route.request.url.startswith(("file:", "data:"))
                                      else (blocked.append(route.request.url), route.abort())))
    page.goto(result.files["report"].resolve().as_uri())
    assert page.evaluate("document.documentElement.lang") == lang
    images = page.evaluate("Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
    assert images and all(images)  # every plot is inline and decodes
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling of the page
    text = page.inner_text("body")
    verdict_words = {"en": ("confirmed", "not observed"), "ko": ("확인됨", "관찰되지 않음")}[lang]
    assert any(word in text for word in verdict_words)
    first_claim = result.claims[0]
    assert first_claim.text("claim", lang) in text
    assert blocked == []  # opens offline: it asked for nothing outside the file
    page.screenshot(path=str(tmp_path / f"phone-{lang}.png"), full_page=True)
    page.close()
