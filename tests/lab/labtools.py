"""Helpers for the lab's tests: the lab started for real (uvicorn on a free loopback port, in a thread
of the test process, so a test can also look at the lab's own state) and its event streams read with httpx."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from hyperlab.lab.app import Lab
from hyperlab.lab.config import LabConfig
from hyperlab.lab.server import in_background

SMALL = {"dataset": "moons", "model": "mlp", "width": 8, "depth": 1, "batch_size": 64, "epochs": 2, "lr": 0.01,
         "optimizer": "adam"}
LONG = {**SMALL, "batch_size": 1, "epochs": 50}  # 30,000 steps: still running when a test looks


@dataclass
class RunningLab:
    url: str
    lab: Lab
    config: LabConfig

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)


@contextmanager
def running_lab(out: Path, **settings: Any) -> Iterator[RunningLab]:
    """A real lab server on 127.0.0.1 and a free port, stopped (as Ctrl-C would) afterwards."""
    config = LabConfig(port=0, out=out, **settings)
    with in_background(config) as (url, lab):
        yield RunningLab(url, lab, config)
    assert all(not t.is_alive() for t in lab.jobs._workers)


def read_events(client: httpx.Client, job_id: str, *, until: str = "end", after: int = 0,
                timeout: float = 120) -> list[dict[str, Any]]:
    """A job's events from its SSE stream, up to and including the first of type ``until``."""
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    with client.stream("GET", f"/api/jobs/{job_id}/events", params={"after": after}, timeout=timeout) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            assert time.monotonic() < deadline, "the stream did not end in time"
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
                if events[-1]["t"] == until:
                    break
    return events


def start(client: httpx.Client, path: str = "/api/runs", **body: Any) -> dict[str, Any]:
    response = client.post(path, json=body)
    assert response.status_code == 202, response.text
    return response.json()


def of_type(events: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for e in events if e["t"] == kind]
