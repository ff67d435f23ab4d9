"""``hyperlab lab``: a local web page where a learner turns the four knobs (batch size, learning
rate, epochs, optimizer) and watches real PyTorch training live, through the same workflows as the
CLI (``hyperlab.train``, the tuners, the lessons).

    >>> from hyperlab.lab import LabConfig, create_app, serve
    >>> app = create_app(LabConfig(port=8765))          # doctest: +SKIP
    >>> serve(LabConfig())                              # doctest: +SKIP  (what `hyperlab lab` runs)

The web framework is imported only when the lab is used, so the rest of the CLI starts as fast.
"""

from __future__ import annotations

from typing import Any

from hyperlab.lab import texts  # noqa: F401 - registers the page's words

__all__ = ["LabConfig", "create_app", "serve"]


def __getattr__(name: str) -> Any:
    if name == "LabConfig":
        from hyperlab.lab.config import LabConfig
        return LabConfig
    if name == "create_app":
        from hyperlab.lab.app import create_app
        return create_app
    if name == "serve":
        from hyperlab.lab.server import serve
        return serve
    raise AttributeError(name)
