"""The web lab's "Try several": wall time of a set trained as one population (what the lab does)
against the same set trained one run after another (``population=False``, what the lab did before),
in the same run.

Each case is the lab's own job work (``lab.workflows.train_members`` on the lab's data sets, its
events streamed into memory as with a page connected), on one thread with one torch thread, as a lab
worker runs it. Sequential and population are interleaved, the order alternating, median of the
repeats; the ratio is sequential / population (above 1: the population is faster). The final
validation losses of the two are compared too (they must agree to float tolerance).

    .venv/bin/python bench/lab_try_several.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch

from hyperlab.hparams import HParams
from hyperlab.lab.datasets import DataSets
from hyperlab.lab.forms import Setup
from hyperlab.lab.jobs import Job
from hyperlab.lab.workflows import train_members, variants

CASES = [  # (name, setup, vary)
    ("moons mlp 16x2, B 8, 10 ep, 5 lrs", Setup("moons", "mlp", 16, 2, HParams(batch_size=8, epochs=10, lr=0.01)),
     "lr"),
    ("moons mlp 16x2, B 32, 20 ep, 3 optimizers",
     Setup("moons", "mlp", 16, 2, HParams(batch_size=32, epochs=20, lr=0.01)), "optimizer"),
    ("digits mlp 128x2, B 32, 3 ep, 5 lrs", Setup("digits", "mlp", None, None, HParams(batch_size=32, epochs=3,
                                                                                       lr=0.001)), "lr"),
    ("digits cnn, B 64, 1 ep, 5 lrs", Setup("digits", "cnn", None, None, HParams(batch_size=64, epochs=1, lr=0.001)),
     "lr"),
]


def one(members: list[Setup], datasets: DataSets, population: bool) -> tuple[float, list[float], int]:
    """Wall seconds of the job's work, the members' final validation losses, members trained together."""
    job = Job("bench", "train", "bench", lambda job: None)
    started = time.perf_counter()
    result = train_members(job, members, datasets, population=population)
    seconds = time.perf_counter() - started
    return seconds, [m["final_val_loss"] for m in result["members"]], result["population"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)  # as a lab worker
    datasets = DataSets(Path(tempfile.mkdtemp()), 1)
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(f"load average at the start: {load}; one torch thread; median of {args.repeats}, interleaved")
    print(f"{'case':44s} {'sequential s':>12s} {'population s':>12s} {'ratio':>6s}  together  max |dval loss|")
    for name, setup, vary in CASES:
        members = variants(setup, vary)
        one(members, datasets, True)  # warm-up: data, models, first-call costs
        one(members, datasets, False)
        times: dict[bool, list[float]] = {True: [], False: []}
        finals: dict[bool, list[float]] = {}
        together = 0
        for k in range(args.repeats):
            for population in ((True, False) if k % 2 == 0 else (False, True)):
                seconds, finals[population], n = one(members, datasets, population)
                times[population].append(seconds)
                together = max(together, n) if population else together
        seq, pop = statistics.median(times[False]), statistics.median(times[True])
        diff = max(abs(a - b) for a, b in zip(finals[True], finals[False], strict=True)
                   if a is not None and b is not None)
        print(f"{name:44s} {seq:12.3f} {pop:12.3f} {seq / pop:6.2f}  {together}/{len(members):<6d} {diff:.2e}")
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    print(f"load average at the end: {load}")


if __name__ == "__main__":
    main()
