"""Server-sent events: a job's events, in order, from a cursor, to one connected page.

The worker thread appends an event and wakes the stream (at most once until the stream has
read); the stream sends everything new in one chunk, then waits ``INTERVAL`` so a fast run's
steps go out a few dozen at a time instead of one write per step."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import AsyncIterator, Callable
from typing import Any

from hyperlab.lab.jobs import Job, Waiter

INTERVAL = 0.02  # seconds between sends while a run streams (at most 50 chunks a second)
KEEPALIVE = 10.0  # seconds of silence before a comment line keeps the connection open


def to_json(event: Any) -> str:
    """JSON without NaN or infinity (JSON has none; such a number is sent as null)."""
    try:
        return json.dumps(event, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        return json.dumps(_finite(event), allow_nan=False, ensure_ascii=False, separators=(",", ":"))


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


async def events(job: Job, cursor: int, closing: Callable[[], bool]) -> AsyncIterator[str]:
    """The job's events after ``cursor`` as SSE text, until the job ends (or the lab closes)."""
    waiter = Waiter(asyncio.get_running_loop())
    job.watch(waiter)
    try:
        while True:
            waiter.pending = False
            waiter.event.clear()
            new = job.since(cursor)
            if new:
                lines = [f"id: {cursor + i + 1}\ndata: {to_json(e)}\n\n" for i, e in enumerate(new)]
                cursor += len(new)
                yield "".join(lines)
                if any(e["t"] == "end" for e in new):
                    return
            elif job.done:
                return
            if closing():
                yield "event: closing\ndata: {}\n\n"
                return
            try:
                await asyncio.wait_for(waiter.event.wait(), KEEPALIVE)
            except TimeoutError:
                yield ": keepalive\n\n"
            job.seen()
            await asyncio.sleep(INTERVAL)
    finally:
        job.unwatch(waiter)
