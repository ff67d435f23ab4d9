"""The Hangul font a report or notebook display embeds: only its own glyphs, small, and none for a
page without Korean."""

from __future__ import annotations

import base64
import io
import re

from fontTools.ttLib import TTFont

from hyperlab.views.fonts import FAMILY, font_face_css
from hyperlab.views.report import Section, html_report, notebook_html


def _embedded(css: str) -> TTFont:
    data = re.search(r"base64,([A-Za-z0-9+/=]+)\)", css).group(1)
    return TTFont(io.BytesIO(base64.b64decode(data)))


def test_a_page_without_hangul_embeds_nothing():
    assert font_face_css("learning rate 0.01, batch size 32") == ""
    assert "@font-face" not in html_report("T", [Section("S", paragraphs=["p"])], lang="en")


def test_the_embedded_font_holds_the_pages_hangul_and_little_else():
    css = font_face_css("학습률 0.01 (배치 크기 32)")
    assert css.startswith(f'@font-face{{font-family:"{FAMILY}"') and "unicode-range:U+1100-11FF" in css
    cmap = set(_embedded(css).getBestCmap())
    assert {ord(c) for c in "학습률배치크기"} <= cmap
    assert ord("가") not in cmap  # only the page's own syllables
    assert len(css) < 20_000  # seven syllables, not the 4.7 MB font


def test_reports_and_notebook_displays_carry_the_font_for_their_korean():
    page = html_report("수업", [Section("결과", paragraphs=["학습률이 너무 높으면 발산한다."])], lang="ko")
    style = re.search(r"<style>(.*?)</style>", page, re.DOTALL).group(1)
    assert style.startswith("@font-face") and ord("발") in set(_embedded(style).getBestCmap())
    shown = notebook_html(page)
    assert '@font-face{font-family:"hyperlab-hangul"' in shown  # not scoped: an at-rule, a name of its own
    assert ".hyperlab-report{font-family:\"hyperlab-hangul\"" in shown


def test_the_labs_static_css_names_the_same_hangul_blocks_as_the_embedded_font():
    """lab.css is a static file, so it writes the range out; it must say what views/fonts derives."""
    from hyperlab.lab.app import STATIC_DIR
    from hyperlab.views.fonts import UNICODE_RANGE

    css = (STATIC_DIR / "lab.css").read_text()
    assert re.search(r"unicode-range:\s*([^;]+);", css).group(1) == UNICODE_RANGE
