"""Jobs: trainings and tools started from the page, run by a fixed number of worker threads.

At most ``max_running`` jobs run at once (default one per core) and at most ``max_queued`` wait;
a waiting job is shown with its place in the queue. Every job keeps its events (state, step,
epoch, result...) in order, so a page that connects late or reconnects gets all of them. A job
that no page has watched for ``orphan_seconds`` is stopped, so a closed tab never leaves a
training running; ``close`` stops everything and waits for the workers (Ctrl-C).

Why threads and not processes: the trainer's callbacks hand each step straight to the streams
in memory (no pickling, no second import of torch per job), and Stop is a flag the next step
reads; torch releases the GIL inside its kernels, and each worker runs torch with one intra-op
thread so N workers use N cores without oversubscribing them. The price: the Python part of the
loop of concurrent tiny models shares one interpreter lock.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
import time
import traceback
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch

from hyperlab.errors import HyperlabError

log = logging.getLogger("hyperlab.lab")

ACTIVE = ("queued", "running")
KEEP_FINISHED = 200


class JobCancelled(Exception):
    """Raised inside a job's work when Stop was pressed (or the lab is closing)."""


class QueueFull(HyperlabError):
    """More jobs are waiting than the lab allows."""


@dataclass
class Waiter:
    """One connected stream: woken from the worker thread, at most once until it has read."""

    loop: asyncio.AbstractEventLoop
    event: asyncio.Event = field(default_factory=asyncio.Event)
    pending: bool = False

    def wake(self) -> None:
        if not self.pending:
            self.pending = True
            try:
                self.loop.call_soon_threadsafe(self.event.set)
            except RuntimeError:  # the loop is closed: the stream is gone
                pass


@dataclass
class Job:
    """One piece of work started from the page, with its events in order."""

    id: str
    kind: str
    label: str
    work: Callable[[Job], dict[str, Any] | None]
    state: str = "queued"
    events: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    result: dict[str, Any] | None = None
    stop_reason: str | None = None
    created: float = field(default_factory=time.monotonic)
    last_seen: float = field(default_factory=time.monotonic)
    watchers: int = 0
    stop_requested: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    _waiters: list[Waiter] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def emit(self, kind: str, **data: Any) -> None:
        """Append an event and wake the streams that watch this job."""
        with self._lock:
            self.events.append({"t": kind, **data})
            waiters = list(self._waiters)
        for waiter in waiters:
            waiter.wake()

    def check_stop(self) -> None:
        """Raise JobCancelled if Stop was asked for (tools and lessons call this between steps)."""
        if self.stop_requested.is_set():
            raise JobCancelled(self.stop_reason or "stopped")

    def since(self, cursor: int) -> list[dict[str, Any]]:
        with self._lock:
            return self.events[cursor:]

    def watch(self, waiter: Waiter) -> None:
        with self._lock:
            self._waiters.append(waiter)
            self.watchers += 1
        self.seen()

    def unwatch(self, waiter: Waiter) -> None:
        with self._lock:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
                self.watchers -= 1
        self.seen()

    def seen(self) -> None:
        self.last_seen = time.monotonic()

    @property
    def done(self) -> bool:
        return self.state not in ACTIVE

    def snapshot(self, position: int | None = None) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "label": self.label, "state": self.state,
                "position": position, "error": self.error, "stop_reason": self.stop_reason,
                "events": len(self.events), "result": self.result}


class Jobs:
    """The queue, the worker threads and every job the lab knows."""

    def __init__(self, max_running: int, max_queued: int, orphan_seconds: float) -> None:
        self.max_running, self.max_queued, self.orphan_seconds = max_running, max_queued, orphan_seconds
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self.queue: deque[Job] = deque()
        self.closing = False
        self._cond = threading.Condition()
        self._workers = [threading.Thread(target=self._work, name=f"lab-worker-{i}", daemon=True)
                         for i in range(max_running)]
        self._watchdog = threading.Thread(target=self._watch_orphans, name="lab-watchdog", daemon=True)
        for thread in (*self._workers, self._watchdog):
            thread.start()

    # ---- starting and stopping ---------------------------------------------------------------
    def submit(self, kind: str, label: str, work: Callable[[Job], dict[str, Any] | None]) -> Job:
        """Queue a job; raise QueueFull when ``max_queued`` jobs already wait."""
        with self._cond:
            if self.closing:
                raise QueueFull("the lab is shutting down")
            if len(self.queue) >= self.max_queued + self._idle_workers():
                raise QueueFull(f"the queue is full ({self.max_queued} waiting); try again when a run has finished")
            job = Job(secrets.token_hex(8), kind, label, work)
            self.jobs[job.id] = job
            self.queue.append(job)
            job.emit("state", state="queued", position=len(self.queue) - 1)
            self._forget_old()
            self._cond.notify()
        return job

    def stop(self, job: Job, reason: str = "stopped") -> None:
        """Ask a job to stop: a queued one ends now, a running one at its next step."""
        with self._cond:
            if job.done:
                return
            job.stop_reason = job.stop_reason or reason
            job.stop_requested.set()
            if job.state == "queued" and job in self.queue:
                self.queue.remove(job)
                self._finish(job, "stopped")
                self._announce_positions()

    def get(self, job_id: str) -> Job | None:
        return self.jobs.get(job_id)

    def position(self, job: Job) -> int | None:
        with self._cond:
            return self.queue.index(job) if job in self.queue else None

    def counts(self) -> dict[str, int]:
        with self._cond:
            running = sum(1 for j in self.jobs.values() if j.state == "running")
            return {"running": running, "queued": len(self.queue), "max_running": self.max_running,
                    "max_queued": self.max_queued}

    def close(self, timeout: float = 30.0) -> bool:
        """Stop every job and wait for the workers; True if all of them ended in time."""
        with self._cond:
            self.closing = True
            jobs = [j for j in self.jobs.values() if not j.done]
        for job in jobs:
            self.stop(job, "shutdown")
        with self._cond:
            self._cond.notify_all()
        deadline = time.monotonic() + timeout
        for thread in self._workers:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self._workers)

    # ---- the workers ---------------------------------------------------------------------------
    def _work(self) -> None:
        torch.set_num_threads(1)  # one core per training: N workers on N cores
        while True:
            with self._cond:
                while not self.queue and not self.closing:
                    self._cond.wait()
                if self.closing and not self.queue:
                    return
                job = self.queue.popleft()
                job.state = "running"
                self._announce_positions()
            job.emit("state", state="running")
            self._run(job)

    def _run(self, job: Job) -> None:
        state = "done"
        try:
            job.result = job.work(job)
            if job.stop_requested.is_set():
                state = "stopped"
        except JobCancelled:
            state = "stopped"
        except HyperlabError as exc:
            state, job.error = "failed", str(exc)
        except Exception as exc:  # noqa: BLE001 - a job's failure is shown on its page, the lab goes on
            state, job.error = "failed", f"{exc.__class__.__name__}: {exc}"
            log.error("job %s (%s) failed:\n%s", job.id, job.kind, traceback.format_exc())
        with self._cond:
            self._finish(job, state)

    def _finish(self, job: Job, state: str) -> None:
        job.state = state
        job.emit("end", state=state, error=job.error, stop_reason=job.stop_reason if state == "stopped" else None,
                 result=job.result)
        job.finished.set()

    def _idle_workers(self) -> int:
        return self.max_running - sum(1 for j in self.jobs.values() if j.state == "running")

    def _announce_positions(self) -> None:
        for i, waiting in enumerate(self.queue):
            waiting.emit("state", state="queued", position=i)

    def _forget_old(self) -> None:
        finished = [j for j in self.jobs.values() if j.done]
        for job in finished[:max(0, len(finished) - KEEP_FINISHED)]:
            del self.jobs[job.id]

    def _watch_orphans(self) -> None:
        while not self.closing:
            time.sleep(min(1.0, self.orphan_seconds / 4))
            now = time.monotonic()
            for job in list(self.jobs.values()):
                if not job.done and job.watchers == 0 and now - job.last_seen > self.orphan_seconds:
                    log.info("job %s: no page watched it for %.0f s; stopping it", job.id, self.orphan_seconds)
                    self.stop(job, "abandoned")
