"""Population training against K sequential ``fit`` calls, same members, same machine, same run.

Members: the digits MLP (64-128-128-10), batch 32, the seven optimizers in turn, each at a spread
of learning rates around a workable one (one decade either side), seed 0 unless said. Both sides
train every member to the end and evaluate every epoch.

Sides, interleaved and repeated (the best of the repeats counts):

- ``fit x1`` / ``fit x2``: the K members one after another with ``fit``, torch at one / two
  intra-op threads; the baseline is the faster of the two.
- ``pop 1``: ``fit_population(threads=1)``, one intra-op thread.
- ``pop 2 ops``: ``fit_population(threads=1)`` with torch at two intra-op threads (each batched
  product and update split across the cores).
- ``pop 2 halves``: ``fit_population(threads=2)``: the cohort split into two halves trained on two
  threads, one intra-op thread each.

Prints wall seconds, process CPU seconds and the share of a core the process got (CPU / wall:
other jobs on a shared machine lower it), and the ratios sequential / population of wall time
and of CPU time. For ``pop 2 halves`` it also prints the critical path: the CPU time of the
busier thread plus what the calling thread did alone, i.e. the wall time on two free cores
(kernels do not wait on the GIL; Python between them does, so this is a lower bound).

    .venv/bin/python bench/population_speedup.py [--epochs 10] [--members 8,16,64] [--repeats 2]
"""

from __future__ import annotations

import argparse
import os
import threading
import time
import warnings

import torch

from hyperlab.data import load_data
from hyperlab.engine import fit
from hyperlab.engine.cohort import Cohort
from hyperlab.engine.population import SequentialFallbackWarning, fit_population
from hyperlab.hparams import OPTIMIZERS, HParams
from hyperlab.models import build_model

BASE_LR = {"sgd": 0.1, "momentum": 0.03, "nesterov": 0.03, "rmsprop": 0.001, "adagrad": 0.03, "adam": 0.001,
           "adamw": 0.001}
THREAD_CPU: dict[str, float] = {}  # CPU seconds of each population thread (cohort training)


def members(k: int, epochs: int, seeds: int = 1, batch_sizes: tuple[int, ...] = (32,)) -> list[HParams]:
    out = []
    for i in range(k):
        name = OPTIMIZERS[i % len(OPTIMIZERS)]
        spread = 10 ** (-1 + 2 * (i // len(OPTIMIZERS)) / max((k - 1) // len(OPTIMIZERS), 1))
        out.append(HParams(optimizer=name, lr=BASE_LR[name] * spread, epochs=epochs, seed=i % seeds,
                           batch_size=batch_sizes[i % len(batch_sizes)]))
    return out


def _counted_train(train):
    def counted(self, results):
        start = time.thread_time()
        try:
            return train(self, results)
        finally:
            name = threading.current_thread().name
            THREAD_CPU[name] = THREAD_CPU.get(name, 0.0) + time.thread_time() - start
    return counted


Cohort.train = _counted_train(Cohort.train)


def timed(fn, intra_op: int) -> dict:
    torch.set_num_threads(intra_op)
    THREAD_CPU.clear()
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    workers = {k: v for k, v in THREAD_CPU.items() if k.startswith("hyperlab-population")}
    critical = cpu - sum(workers.values()) + max(workers.values()) if workers else None
    return {"result": result, "wall": wall, "cpu": cpu, "critical": critical}


SIDES = {
    "fit x1": lambda data, hps: timed(lambda: [fit(build_model("mlp", data, seed=hp.seed), data, hp) for hp in hps], 1),
    "fit x2": lambda data, hps: timed(lambda: [fit(build_model("mlp", data, seed=hp.seed), data, hp) for hp in hps], 2),
    "pop 1": lambda data, hps: timed(lambda: fit_population("mlp", data, hps, threads=1), 1),
    "pop 2 ops": lambda data, hps: timed(lambda: fit_population("mlp", data, hps, threads=1), 2),
    "pop 2 halves": lambda data, hps: timed(lambda: fit_population("mlp", data, hps, threads=2), 1),
}


def close_to_fit(pop, seq) -> int:
    """Members whose every per-step loss is within 1e-5 (relative) of their own fit run."""
    return sum(a.status == b.status and all(x is None and y is None or (x is not None and y is not None and
                                                                      abs(x - y) <= 1e-5 * abs(y))
                                            for x, y in zip(a.history.step_loss, b.history.step_loss, strict=True))
               for a, b in zip(pop, seq, strict=True))


def compare(label: str, data, hps, sides: list[str], repeats: int) -> list[dict]:
    best: dict[str, dict] = {}
    loads = []
    for rep in range(repeats):
        for side in (sides if rep % 2 == 0 else sides[::-1]):  # interleaved, order alternating
            loads.append(os.getloadavg()[0])
            with warnings.catch_warnings():
                warnings.simplefilter("error", SequentialFallbackWarning)  # a fallback would make the figure meaningless
                got = SIDES[side](data, hps)
            print(f"  {label} K={len(hps)} {side}: wall {got['wall']:.2f} s, cpu {got['cpu']:.2f} s, "
                  f"share {got['cpu'] / got['wall']:.2f}" + (f", critical path {got['critical']:.2f} s"
                                                             if got["critical"] else ""), flush=True)
            if side not in best or got["wall"] < best[side]["wall"]:
                best[side] = got
    seq = [s for s in sides if s.startswith("fit")]
    base = min(seq, key=lambda s: best[s]["wall"])
    rows = []
    for side in sides:
        if side.startswith("fit"):
            continue
        got = best[side]
        row = {"case": label, "K": len(hps), "side": side, "population s": round(got["wall"], 2),
               "baseline": base, "sequential s": round(best[base]["wall"], 2),
               "wall ratio": round(best[base]["wall"] / got["wall"], 1),
               "cpu ratio": round(best[base]["cpu"] / got["cpu"], 1),
               "two free cores (critical path)": (f"{best[base]['cpu'] / got['critical']:.1f}"
                                                  if got["critical"] else ""),
               "load avg": f"{min(loads):.1f}-{max(loads):.1f}",
               "within 1e-5 of fit": f"{close_to_fit(got['result'], best[base]['result'])}/{len(hps)}"}
        print(" | ".join(f"{k}={v}" for k, v in row.items()), flush=True)
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--members", default="8,16,64")
    parser.add_argument("--sides", default=",".join(SIDES))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--extras", action="store_true", help="also vmap vs matmul, seeds, mixed batch sizes")
    args = parser.parse_args()
    sides = args.sides.split(",")
    data = load_data("digits", seed=0)
    torch.set_num_threads(1)
    fit(build_model("mlp", data, seed=0), data, HParams(epochs=1))  # warm up torch (imports, first optimizer)
    fit_population("mlp", data, members(8, 1), threads=2)
    rows = []
    for k in [int(m) for m in args.members.split(",")]:
        rows += compare("digits MLP, seed 0", data, members(k, args.epochs), sides, args.repeats)
    if args.extras:
        rows += compare("4 seeds (4 shuffles)", data, members(16, args.epochs, seeds=4), sides, args.repeats)
        rows += compare("batch 32 and 128 (two cohorts)", data, members(16, args.epochs, batch_sizes=(32, 128)),
                        sides, args.repeats)
    keys = list(rows[0])
    print("\n| " + " | ".join(keys) + " |\n|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")


if __name__ == "__main__":
    main()
