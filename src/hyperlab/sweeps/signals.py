"""Ctrl-C and SIGTERM in a sweep: stop once, cleanly, never in the middle of taking, reporting or telling a trial."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any


class StopOnSignal:
    """SIGINT/SIGTERM -> KeyboardInterrupt once (repeats are ignored so the clean-up can finish).

    Inside ``deferred()`` (taking a trial, reporting an epoch, telling its outcome) the signal waits until the block
    ends, so a trial is never left RUNNING half-created (without a heartbeat nobody would fail it).
    """

    def __init__(self) -> None:
        self.stopping = False
        self.depth = 0  # > 0 inside deferred()
        self.pending = False
        self.signum: int | None = None  # the signal that stopped us (SIGINT or SIGTERM)
        self.previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: Any) -> None:
        if self.stopping:
            return
        self.stopping, self.signum = True, signum
        if self.depth:
            self.pending = True
            return
        raise KeyboardInterrupt

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
        if self.pending and not self.depth:
            self.pending = False
            raise KeyboardInterrupt

    def __enter__(self) -> StopOnSignal:
        self.stopping = self.pending = False
        self.signum = None
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        self.previous.clear()


SIGNALS = StopOnSignal()  # installed by run_sweep / worker processes; deferred() is harmless without
