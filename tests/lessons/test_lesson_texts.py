"""Text for people lives in ``lessons/texts.py``, apart from the lessons' logic."""

from __future__ import annotations

import ast
from pathlib import Path

import hyperlab.lessons
from hyperlab.i18n import TEXT

PACKAGE = Path(hyperlab.lessons.__file__).parent


def registers(path: Path) -> int:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return sum(1 for node in ast.walk(tree)
               if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "register")


def test_base_and_batch_size_hold_no_text_tables():
    assert registers(PACKAGE / "base.py") == 0
    assert registers(PACKAGE / "batch_size.py") == 0
    assert registers(PACKAGE / "texts.py") >= 2


def test_the_shared_and_batch_size_texts_are_registered_in_both_languages():
    for key in ("verdict.confirmed", "lesson.setup_text", "batch.noise.claim", "batch.gap_scaled.rule", "col.noise"):
        assert TEXT[key]["en"] and TEXT[key]["ko"]
    assert TEXT["batch.gap_scaled.evidence"] == TEXT["batch.gap.evidence"]
