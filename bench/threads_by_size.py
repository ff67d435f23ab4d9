"""Training with 1 and with 2 intra-op threads, by the size of a step: where does a second thread
start to pay? MLPs from the digits one (64-128-128-10) up to width 2048, at batch sizes 32 and 256,
on digits-shaped random data; each trains ``--steps`` steps through ``fit`` with torch at one and
at two threads (interleaved, median of ``--repeats``). Printed per size: the forward's
multiply-adds per step (``torch.utils.flop_counter``), seconds per step at 1 and 2 threads and
2 threads / 1 thread (below 1: the second thread helps). Run it on an idle machine: beside other
work a second thread can cost many times its gain (``bench/threads_under_load.py``).

    .venv/bin/python bench/threads_by_size.py [--steps 60] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from hyperlab.data import from_arrays
from hyperlab.engine import fit
from hyperlab.engine.callbacks import StopAfter
from hyperlab.hparams import HParams
from hyperlab.models import build_model

SIZES = [(128, 32), (128, 256), (512, 32), (256, 256), (512, 128), (1024, 64), (512, 256), (1024, 256),
         (2048, 256)]  # (width, batch size)


def seconds_per_step(data, width: int, batch: int, threads: int, steps: int) -> float:
    torch.set_num_threads(threads)
    net = build_model("mlp", data, width=width, seed=0)
    hp = HParams(batch_size=batch, epochs=100, lr=1e-3, optimizer="adam")
    started = time.perf_counter()
    fit(net, data, hp, callbacks=[StopAfter(steps)], measure_memory=False)
    return (time.perf_counter() - started) / steps


def forward_macs(data, width: int, batch: int) -> float:
    net = build_model("mlp", data, width=width, seed=0)
    x = data.train.tensors[0][:batch]
    with FlopCounterMode(display=False) as counter:
        net(x)
    return counter.get_total_flops() / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    gen = torch.Generator().manual_seed(0)
    X = torch.randn(4000, 64, generator=gen).numpy()
    y = torch.randint(0, 10, (4000,), generator=gen).numpy()
    data = from_arrays(X, y, name="random-64", seed=0)
    before = torch.get_num_threads()
    print(f"torch threads by default: {before}; {args.steps} steps, median of {args.repeats}")
    print("| width | batch | forward multiply-adds per step | 1 thread ms/step | 2 threads ms/step | 2 / 1 |")
    print("|---|---|---|---|---|---|")
    for width, batch in SIZES:
        times: dict[int, list[float]] = {1: [], 2: []}
        for r in range(args.repeats):
            for threads in ((1, 2) if r % 2 == 0 else (2, 1)):
                times[threads].append(seconds_per_step(data, width, batch, threads, args.steps))
        one, two = statistics.median(times[1]), statistics.median(times[2])
        print(f"| {width} | {batch} | {forward_macs(data, width, batch):,.0f} | {one * 1000:.2f} | {two * 1000:.2f} | "
              f"{two / one:.2f} |", flush=True)
    torch.set_num_threads(before)


if __name__ == "__main__":
    main()
