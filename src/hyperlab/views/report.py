"""Self-contained HTML reports: images inline (base64), no external files, readable on a phone.

Lessons, advice and sweep results all build their report from ``Section`` objects::

    >>> page = html_report("Demo", [Section("Batch size", paragraphs=["It works."],
    ...                                     table=[{"batch": 8, "acc": 0.9}])])
    >>> page.startswith("<!DOCTYPE html>")
    True
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hyperlab.views.fonts import FAMILY, font_face_css

# Hangul from the page's own embedded font (``font_face_css``) first, everything else from the system's
_CSS = f"""
body{{font-family:"{FAMILY}",system-ui,-apple-system,"Noto Sans KR","Malgun Gothic",sans-serif;""" + """
margin:0 auto;max-width:980px;padding:12px;line-height:1.5;color:#222}
h1{font-size:1.6em}h2{font-size:1.3em;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:1.6em}
img{max-width:100%;height:auto;display:block;margin:8px 0}
.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.9em;margin:8px 0}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f4f4f4}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.verdict-confirmed{color:#1a7f37;font-weight:bold}.verdict-contradicted{color:#c62828;font-weight:bold}
.verdict-not_observed{color:#9a6700;font-weight:bold}.note{color:#555;font-size:.9em}
body:lang(ko){word-break:keep-all;overflow-wrap:break-word}
"""


@dataclass
class Section:
    """One heading with paragraphs, an optional table (list of row dicts), images and findings."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    table: list[dict[str, Any]] = field(default_factory=list)
    images: list[str | Path | bytes] = field(default_factory=list)  # PNG files, or PNG data
    findings: list[dict[str, Any]] = field(default_factory=list)  # {"claim", "evidence", "verdict", "label"}
    html: str = ""  # extra, already-escaped HTML (e.g. links)


def image_tag(path: str | Path | bytes, alt: str = "") -> str:
    """An <img> with the PNG (a file, or its bytes) inlined as a data URI."""
    png = path if isinstance(path, bytes) else Path(path).read_bytes()
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def table_html(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    heads = list(rows[0].keys())
    out = ['<div class="scroll"><table><tr>', *(f"<th>{html.escape(str(h))}</th>" for h in heads), "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(_cell(row.get(h)) for h in heads) + "</tr>")
    out.append("</table></div>")
    return "".join(out)


def _cell(value: Any) -> str:
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return f'<td{" class=num" if numeric else ""}>{html.escape(format_value(value))}</td>'


def format_value(value: Any) -> str:
    """A table cell: '–' for missing, 4 significant digits for floats."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def html_report(title: str, sections: list[Section], *, lang: str = "en", intro: str = "") -> str:
    """The whole page as one string."""
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if intro:
        parts.append(f"<p>{html.escape(intro)}</p>")
    for section in sections:
        parts.append(f"<section><h2>{html.escape(section.title)}</h2>")
        parts += [f"<p>{html.escape(p)}</p>" for p in section.paragraphs]
        if section.findings:
            parts.append("<ul>")
            for f in section.findings:
                verdict = str(f.get("verdict", ""))
                label = f.get("label", verdict)
                parts.append(f'<li><b>{html.escape(str(f.get("claim", "")))}</b> — '
                             f'<span class="verdict-{html.escape(verdict)}">{html.escape(str(label))}</span><br>'
                             f'<span class="note">{html.escape(str(f.get("evidence", "")))}</span></li>')
            parts.append("</ul>")
        parts.append(table_html(section.table))
        parts += [image_tag(img, section.title) for img in section.images]
        parts.append(section.html)
        parts.append("</section>")
    body = "\n".join(parts)
    return "\n".join([f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">',
                      '<meta name="viewport" content="width=device-width, initial-scale=1">',
                      f"<title>{html.escape(title)}</title><style>{font_face_css(body)}{_CSS}</style></head><body>",
                      body, "</body></html>"])


def write_report(path: str | Path, title: str, sections: list[Section], *, lang: str = "en",
                 intro: str = "") -> Path:
    """Write the report atomically and return its path."""
    from hyperlab.records.run_store import write_text

    return write_text(path, html_report(title, sections, lang=lang, intro=intro))


def _scoped_css(css: str, scope: str) -> str:
    """The page's CSS with every selector under ``scope`` (``body``, and ``body:lang(ko)``, become the
    scope itself)."""
    def rule(match: re.Match[str]) -> str:
        selectors = [sel.strip() for sel in match.group(1).split(",")]
        return ",".join(scope + sel[4:] if re.match(r"body(?![\w-])", sel) else f"{scope} {sel}"
                        for sel in selectors) + "{"
    return re.sub(r"([^{}]+)\{", rule, css)


def notebook_html(page: str) -> str:
    """A report page (``html_report``) as a notebook output: its body in a ``<div>`` with the page's
    CSS scoped to that div, so the notebook's own layout is left alone (the embedded Hangul font is a
    family of its own name, so it changes nothing else either)."""
    lang = re.search(r'<html lang="([^"]*)"', page)
    body = page.split("<body>", 1)[1].rsplit("</body>", 1)[0]
    css = _scoped_css(_CSS.replace("\n", ""), ".hyperlab-report")
    return (f'<div class="hyperlab-report" lang="{lang.group(1) if lang else "en"}">'
            f"<style>{font_face_css(body)}{css}</style>{body}</div>")
