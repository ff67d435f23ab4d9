"""Text for people lives in ``lessons/texts.py``, apart from the lessons' logic (the rule for every
package, including this one, is checked in ``tests/test_texts.py``)."""

from __future__ import annotations

from pathlib import Path

import hyperlab.lessons
from hyperlab.i18n import TEXT
from hyperlab.lessons import texts  # noqa: F401 - registers the lesson texts

PACKAGE = Path(hyperlab.lessons.__file__).parent


def test_only_texts_py_of_the_lessons_mentions_register():
    holders = sorted(p.name for p in PACKAGE.glob("*.py") if "register(" in p.read_text(encoding="utf-8"))
    assert holders == ["texts.py"]


def test_every_lessons_texts_are_registered_in_both_languages():
    for key in ("verdict.confirmed", "lesson.setup_text", "batch.noise.claim", "batch.gap_scaled.rule", "col.noise",
                "epochs.overfit.claim", "epochs.table", "lr.kind.good", "lr.table", "opt.adaptive_faster.evidence",
                "surf.valley.rule", "lesson.tour_intro", "task.regression"):
        assert TEXT[key]["en"] and TEXT[key]["ko"]
    assert TEXT["batch.gap_scaled.evidence"] == TEXT["batch.gap.evidence"]
    assert TEXT["surf.valley.evidence"] == TEXT["surf.rosenbrock.evidence"]
