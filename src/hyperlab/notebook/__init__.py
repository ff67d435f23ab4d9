"""Notebook helpers: ``LiveCurves`` (curves redrawn in place while training runs).

Every result object (``RunResult``, lesson and tour results, tuner results, advice, sweep
outcomes) displays itself in a notebook through ``_repr_html_``; ``result.display("ko")`` shows it
in Korean (see ``hyperlab.views.display``).
"""

from hyperlab.notebook.live import LiveCurves, in_notebook
from hyperlab.views.display import HTMLView

__all__ = ["HTMLView", "LiveCurves", "in_notebook"]
