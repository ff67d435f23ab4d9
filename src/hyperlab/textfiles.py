"""Which encoding a user's text file (a CSV, a YAML config) is in: UTF-8, or Korean cp949.

Korean text that is not UTF-8 is almost always cp949 (EUC-KR and Windows' extension of it): what
Excel on Korean Windows saves as "CSV" and Notepad long saved as "ANSI". A file is read so only
when it decodes whole and holds nothing but Hangul beyond ASCII, so text in another encoding
(Latin-1, say) is never taken for it; that is refused, naming the first byte that is not UTF-8.
"""

from __future__ import annotations

import re
from pathlib import Path

UTF8 = "utf-8-sig"  # UTF-8, with or without a byte-order mark (which it drops)
KOREAN_LEGACY = "cp949"
_HANGUL_ONLY = re.compile(r"[\u3131-\u318e\uac00-\ud7a3]+")  # compatibility jamo and syllables
_ASCII = re.compile(r"[\x00-\x7f]")


class NotText(ValueError):
    """A file in neither encoding: ``byte`` is the first that is not UTF-8, on line ``line``."""

    def __init__(self, path: Path, byte: int, line: int) -> None:
        self.path, self.byte, self.line = path, byte, line
        super().__init__(f"is not UTF-8 text (byte 0x{byte:02x} on line {line})")


def text_encoding(path: str | Path) -> str:
    """``UTF8`` or ``KOREAN_LEGACY``; ``NotText`` for any other file."""
    return _encoding_of(Path(path).read_bytes(), Path(path))


def read_text(path: str | Path) -> tuple[str, str]:
    """The file's text and the encoding it was read in (``text_encoding``), the file read once."""
    raw = Path(path).read_bytes()
    encoding = _encoding_of(raw, Path(path))
    return raw.decode(encoding), encoding


def _encoding_of(raw: bytes, path: Path) -> str:
    try:
        raw.decode(UTF8)
        return UTF8
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        beyond_ascii = _ASCII.sub("", raw.decode(KOREAN_LEGACY))
    except UnicodeDecodeError:
        beyond_ascii = ""
    if _HANGUL_ONLY.fullmatch(beyond_ascii):
        return KOREAN_LEGACY
    raise NotText(path, raw[first_bad], raw.count(b"\n", 0, first_bad) + 1)
