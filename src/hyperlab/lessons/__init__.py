"""Lessons: measured experiments that show what batch size, learning rate, epochs and optimizer do.

Each lesson trains configured runs through the one trainer, measures, and states textbook claims
with verdicts computed from the numbers (``confirmed``, ``not_observed``, ``contradicted``)::

    from hyperlab.lessons import run_lesson, run_tour
    result = run_lesson("batch-size", "digits", budget="quick", out="runs/lessons/batch-size")
    print(result.verdicts())
    tour = run_tour("digits", out="runs/lessons/tour", lang="ko")
"""

from hyperlab.lessons.base import VERDICTS, Claim, LessonContext, LessonResult, Monitor, RunSpec, verdict
from hyperlab.lessons.runner import LESSONS, TourResult, execute, make_context, run_lesson, run_tour

__all__ = ["LESSONS", "VERDICTS", "Claim", "LessonContext", "LessonResult", "Monitor", "RunSpec", "TourResult",
           "execute", "make_context", "run_lesson", "run_tour", "verdict"]
