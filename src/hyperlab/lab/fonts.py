"""The one font the lab serves: NanumGothic (SIL Open Font License), shipped in the
koreanize-matplotlib package hyperlab already depends on, so Korean reads the same on a machine
without Korean fonts, offline. Browsers refuse the file as shipped (its empty ``TSI*`` tables,
left by a hinting editor, fail their font sanitizer), so the lab serves a copy without them."""

from __future__ import annotations

import importlib.util
import io
from functools import lru_cache
from pathlib import Path

FONT_NAME = "NanumGothic.ttf"
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
