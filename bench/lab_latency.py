"""The web lab's live streaming: how long a step's point takes to reach a connected page, and how
much a connected page slows the trainer.

The lab runs in this process (uvicorn in a thread, as `hyperlab lab` runs it, max one training at
a time); the "page" is a separate process that starts a run through the API and reads its event
stream, noting when each step's event arrives. Both sides read the same system-wide monotonic
clock (CLOCK_MONOTONIC), and the trainer's side stamps each step as the lab's callback receives it
from the trainer, so latency = arrival - step end. The trainer's time is the run's own training
seconds (history.seconds), with a page connected and with none (the run streams into memory
either way), interleaved, median of the repeats; the ratio is the slowdown (target <= 1.05). The
lab's run with no page is also compared with plain `hyperlab.train` (no lab callbacks).

    .venv/bin/python bench/lab_latency.py [--repeats 5] [--epochs 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

import hyperlab
from hyperlab.hparams import HParams
from hyperlab.lab.config import LabConfig
from hyperlab.lab.live import LiveRun
from hyperlab.lab.server import in_background

PAGE = r"""
import json, sys, time, httpx
url, form = sys.argv[1], json.loads(sys.argv[2])
sys.stdin.readline()  # go
arrivals = {}
with httpx.Client(base_url=url, timeout=300) as client:
    job = client.post("/api/runs", json={"form": form}).json()
    with client.stream("GET", f"/api/jobs/{job['id']}/events") as response:
        for line in response.iter_lines():
            if line.startswith("data: "):
                event = json.loads(line[6:])
                if event["t"] == "step":
                    arrivals[event["step"]] = time.monotonic()
                if event["t"] == "end":
                    break
print(json.dumps({"job": job["id"], "arrivals": arrivals}))
"""


def stamp_steps() -> dict[tuple[str, int], float]:
    """Record when the lab's callback receives each step from the trainer (before it streams it)."""
    stamps: dict[tuple[str, int], float] = {}
    original = LiveRun._step

    def stamped(self, run, step, loss):
        stamps[(self.job.id, step)] = time.monotonic()
        original(self, run, step, loss)

    LiveRun._step = stamped  # type: ignore[method-assign]
    return stamps


def training_seconds(lab, job_id: str) -> float:
    job = lab.jobs.get(job_id)
    job.finished.wait(600)
    return job.result["members"][0]["seconds"]


def with_page(url: str, lab, form: dict, stamps: dict) -> tuple[float, list[float]]:
    page = subprocess.Popen([sys.executable, "-c", PAGE, url, json.dumps(form)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    time.sleep(1.5)  # the page process is up (imports done) before the run starts
    out, _ = page.communicate("go\n", timeout=600)
    answer = json.loads(out)
    job = answer["job"]
    latencies = [t - stamps[(job, int(step))] for step, t in answer["arrivals"].items()]
    return training_seconds(lab, job), latencies


def without_page(lab, form: dict) -> float:
    from hyperlab.lab.forms import read_setup
    from hyperlab.lab.workflows import train_members

    setup, _ = read_setup(form, lab.datasets, lab.config)
    job = lab.submit("train", "bench", lambda job: train_members(job, [setup], lab.datasets))
    return training_seconds(lab, job.id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    torch.set_num_threads(1)
    form = {"dataset": "moons", "model": "mlp", "width": 16, "depth": 2, "batch_size": 8, "epochs": args.epochs,
            "lr": 0.01, "optimizer": "adam"}
    stamps = stamp_steps()
    config = LabConfig(port=0, max_running=1, out=Path(tempfile.mkdtemp()) / "out", orphan_seconds=600)
    connected, alone, plain, latencies = [], [], [], []
    with in_background(config) as (url, lab):
        without_page(lab, {**form, "epochs": 1})  # warm-up
        hp = HParams(batch_size=8, epochs=args.epochs, lr=0.01, optimizer="adam")
        for k in range(args.repeats):  # interleaved, the order alternating, so drift hits both alike
            for page_connected in ((True, False) if k % 2 == 0 else (False, True)):
                if page_connected:
                    seconds, lat = with_page(url, lab, form, stamps)
                    connected.append(seconds)
                    latencies += lat[20:]  # the first steps wait for the stream to connect
                else:
                    alone.append(without_page(lab, form))
            plain.append(hyperlab.train("mlp", "moons", hp, width=16, depth=2).history.seconds)
    steps = args.epochs * 75  # 600 training samples / batch 8
    ms = sorted(1000 * x for x in latencies)
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(f"load average at the end: {load} (on {torch.get_num_threads()} torch thread(s))")
    print(f"moons, mlp 16x2, batch 8, {args.epochs} epochs = {steps} steps per run, {args.repeats} repeats")
    print(f"latency step end -> page: median {statistics.median(ms):.1f} ms, p95 {ms[int(0.95 * len(ms))]:.1f} ms, "
          f"max {ms[-1]:.1f} ms over {len(ms)} steps")
    m_conn, m_alone, m_plain = (statistics.median(v) for v in (connected, alone, plain))
    print(f"training seconds (median): page connected {m_conn:.3f}, no page {m_alone:.3f}, "
          f"plain hyperlab.train {m_plain:.3f}")
    print(f"slowdown with a page connected / no page: {m_conn / m_alone:.3f}  (target <= 1.05)")
    print(f"lab run with no page / plain hyperlab.train: {m_alone / m_plain:.3f}")


if __name__ == "__main__":
    main()
