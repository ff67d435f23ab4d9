"""The Korean font of every page: NanumGothic (SIL Open Font License), shipped in the
koreanize-matplotlib package hyperlab already depends on, so Korean reads the same on a machine
without Korean fonts (a Linux box, Colab), offline. The lab serves it whole; a report or a notebook
display embeds only the glyphs of its own Hangul. Browsers refuse the file as shipped (its empty
``TSI*`` tables, left by a hinting editor, fail their font sanitizer), so both use a copy without
them."""

from __future__ import annotations

import base64
import importlib.util
import io
import re
from functools import lru_cache
from pathlib import Path

FONT_NAME = "NanumGothic.ttf"
FAMILY = "hyperlab-hangul"  # the embedded subset's family name in reports
# the Hangul blocks (jamo, compatibility jamo, extended jamo A, syllables, extended jamo B): what the
# font is used for; the CSS range and the pattern that finds a page's Hangul both come from them
HANGUL_BLOCKS = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7AF), (0xD7B0, 0xD7FF))
UNICODE_RANGE = ", ".join(f"U+{lo:04X}-{hi:04X}" for lo, hi in HANGUL_BLOCKS)
HANGUL = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in HANGUL_BLOCKS) + "]")
EDITOR_TABLES = ("TSI0", "TSI1", "TSI2", "TSI3", "TSI5")  # VTT's source tables: unused by any renderer


def font_path() -> Path | None:
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if not spec or not spec.origin:
        return None
    path = Path(spec.origin).with_name("fonts") / FONT_NAME
    return path if path.is_file() else None


@lru_cache(maxsize=1)
def korean_font() -> bytes | None:
    """The font's bytes, ready for a browser (made once, on the first request)."""
    path = font_path()
    if path is None:
        return None
    from fontTools.ttLib import TTFont  # installed with matplotlib

    font = TTFont(path)
    for table in EDITOR_TABLES:
        if table in font:
            del font[table]
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def font_face_css(text: str) -> str:
    """An ``@font-face`` rule embedding the font's glyphs for the Hangul in ``text`` as a data URL
    (family ``FAMILY``, only for Hangul), or '' when the text has none or the font is missing."""
    chars = frozenset(HANGUL.findall(text))
    data = _hangul_subset(chars) if chars else None
    if data is None:
        return ""
    url = "data:font/ttf;base64," + base64.b64encode(data).decode("ascii")
    return (f'@font-face{{font-family:"{FAMILY}";src:url({url}) format("truetype");'
            f"unicode-range:{UNICODE_RANGE}}}")


@lru_cache(maxsize=16)
def _hangul_subset(chars: frozenset[str]) -> bytes | None:
    """The font cut down to ``chars`` (a report's 150-300 syllables: 40-80 KB against 4.7 MB)."""
    whole = korean_font()
    if whole is None:
        return None
    from fontTools import subset  # installed with matplotlib

    options = subset.Options()
    options.layout_features, options.hinting, options.notdef_outline = [], False, True
    font = subset.load_font(io.BytesIO(whole), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(map(ord, chars)))
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()
