"""Results that show themselves in a notebook: the same sections as their HTML reports, inline.

A result class inherits ``Displayable`` and gives ``display_sections(lang)`` (title, sections,
intro); it then has ``display(lang)`` (an object a notebook shows as HTML) and ``_repr_html_``
(Jupyter's hook, in the result's ``lang``, "en" unless the call that made it said otherwise).

    >>> import hyperlab
    >>> result = hyperlab.train("logistic", "moons", {"epochs": 2})  # doctest: +SKIP
    >>> result.display("ko")  # doctest: +SKIP
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hyperlab.i18n import check_lang
from hyperlab.views.report import Section, html_report, notebook_html


class HTMLView:
    """HTML that a notebook displays (``_repr_html_``); its text form is the result's short repr."""

    def __init__(self, html: str, text: str = "") -> None:
        self.html, self.text = html, text

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text or "HTMLView"


class Displayable:
    """Mixin: ``display(lang)`` and ``_repr_html_`` from the subclass's ``display_sections(lang)``."""

    lang: str = "en"  # the language ``_repr_html_`` uses; producers set it from their ``lang=``

    def display_sections(self, lang: str) -> tuple[str, list[Section], str]:
        """(title, sections, intro) of the display; images are PNG bytes or files read at once."""
        raise NotImplementedError

    def display(self, lang: str | None = None) -> HTMLView:
        """This result as notebook HTML in ``lang`` (default: the result's own ``lang``)."""
        lang = check_lang(lang or self.lang)
        title, sections, intro = self.display_sections(lang)
        page = html_report(title, sections, lang=lang, intro=intro)
        return HTMLView(notebook_html(page), repr(self))

    def _repr_html_(self) -> str:
        return self.display().html


def inline_images(sections: list[Section]) -> list[Section]:
    """Replace image files by their bytes, so the sections outlive the files (a temporary folder)."""
    for section in sections:
        section.images = [img if isinstance(img, bytes) else Path(img).read_bytes() for img in section.images]
    return sections


@contextmanager
def scratch_dir() -> Iterator[Path]:
    """A temporary folder for plots drawn only to be inlined."""
    with tempfile.TemporaryDirectory(prefix="hyperlab-display-") as tmp:
        yield Path(tmp)


def drawn(draw: Callable[[Path], Any], name: str = "plot.png") -> bytes | None:
    """PNG bytes of what ``draw(path)`` saves (None when it draws nothing)."""
    with scratch_dir() as tmp:
        path = draw(tmp / name)
        return Path(path).read_bytes() if path else None
