"""Data-parallel scaling on this machine: 2 DDP processes vs 1 process at the same effective batch.

The digits MLP (64-128-128-10, Adam), the same seed and the same samples per optimizer step:
1 process x batch B (1 thread, and 2 threads: the other way to use the second core) against
2 gloo processes x batch B/2 (1 thread each), started by torch.distributed's elastic launcher as
`hyperlab train --nproc 2` does. Training time is ``history.seconds`` as the trainer measured it
(rank 0's, the ranks run in lockstep), without process start-up, which is reported apart.
Interleaved repeats; medians compared.

    scaling efficiency = (1-process time / 2-process time) / 2     (1.0 = perfect)

    .venv/bin/python bench/ddp_scaling.py [--repeats 3] [--epochs 10] [--batches 32 256] [--width 128]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import torch

from hyperlab.data import load_data
from hyperlab.engine import distributed, fit
from hyperlab.engine.threads import torch_threads
from hyperlab.hparams import HParams
from hyperlab.models import build_model


def train_seconds(batch: int, epochs: int, width: int) -> tuple[float, list[float | None]]:
    """Train the digits MLP in this process (one rank, or the only process); (seconds, step losses)."""
    data = load_data("digits", seed=0)
    hp = HParams(batch_size=batch, epochs=epochs, lr=1e-3, optimizer="adam")
    net = build_model("mlp", data, width=width, seed=hp.seed)
    result = fit(net, data, hp, measure_memory=False)
    return result.history.seconds, result.history.step_loss


def one_process(batch: int, epochs: int, width: int, threads: int) -> tuple[float, float, list[float | None]]:
    start = time.perf_counter()
    with torch_threads(threads):
        seconds, losses = train_seconds(batch, epochs, width)
    return seconds, time.perf_counter() - start, losses


def two_processes(batch: int, epochs: int, width: int) -> tuple[float, float, list[float | None]]:
    start = time.perf_counter()
    seconds, losses = distributed.launch(2, train_seconds, batch // 2, epochs, width, threads=1)
    return seconds, time.perf_counter() - start, losses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 256])
    parser.add_argument("--width", type=int, default=128, help="hidden units of the MLP (2 hidden layers)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; torch {torch.__version__}; "
          f"MLP width {args.width}, {args.epochs} epochs, median of {args.repeats}")
    print("effective batch | 1 proc 1 thread (s) | 1 proc 2 threads (s) | 2 procs x B/2 (s) | "
          "speed-up vs 1 thread | efficiency | vs 2 threads | launch + start-up (s) | losses allclose")
    for batch in args.batches:
        runs: dict[str, list[tuple[float, float, list]]] = {"t1": [], "t2": [], "ddp": []}
        for _ in range(args.repeats):
            runs["t1"].append(one_process(batch, args.epochs, args.width, 1))
            runs["t2"].append(one_process(batch, args.epochs, args.width, 2))
            runs["ddp"].append(two_processes(batch, args.epochs, args.width))
        med = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
        startup = statistics.median(r[1] - r[0] for r in runs["ddp"])
        same = np.allclose(runs["ddp"][0][2], runs["t1"][0][2], rtol=1e-4)
        speedup = med["t1"] / med["ddp"]
        print(f"{batch} | {med['t1']:.2f} | {med['t2']:.2f} | {med['ddp']:.2f} | {speedup:.2f} | "
              f"{speedup / 2:.2f} | {med['t2'] / med['ddp']:.2f} | {startup:.1f} | {same}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
