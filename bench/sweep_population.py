"""`hyperlab sweep --population 16` against `--population 1`: the same random sweep, timed in one run.

Digits, the default MLP (64-128-128-10), hyperlab's seeded split, 32 random-search trials, one
worker, one torch thread, a new SQLite file per run. Two spaces:

- ``fixed``: lr 1e-4..1 (log) x sgd/momentum/adam, batch 32, 20 epochs, no pruning: every member of
  a population is in one cohort (the case population training is for). The random sampler draws the
  same 32 configurations in both runs, so the best values must agree (equivalence);
- ``full``: the README's space (lr 1e-4..1 log, batch 16/32/64/128, sgd/momentum/adam, epochs
  5..40) with the default ASHA pruning: four batch-size cohorts per population, and ASHA decides on
  members that report together instead of one after another, so the pruned trials differ.

Each command is a whole process (start-up included), the two interleaved per seed and repeat.
Prints per run and the medians:

    population 16 wall / population 1 wall      (lower is better)
    best validation accuracy of each

    .venv/bin/python bench/sweep_population.py [--seeds 0 1] [--trials 32] [--population 16] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPACES = {
    "fixed": ["--lr", "1e-4..1:log", "--optimizer", "sgd,momentum,adam", "--batch-size", "32", "--epochs", "20",
              "--pruner", "none"],
    "full": ["--lr", "1e-4..1:log", "--batch-size", "16,32,64,128", "--optimizer", "sgd,momentum,adam",
             "--epochs", "5..40"],
}
HYPERLAB = [sys.executable, "-m", "hyperlab"]


def timed(command: list[str]) -> tuple[float, dict]:
    """Wall time of a whole process and the JSON summary it printed."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return seconds, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--spaces", nargs="+", default=list(SPACES), choices=list(SPACES))
    parser.add_argument("--trials", type=int, default=32)
    parser.add_argument("--population", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    k = args.population
    print(f"digits MLP, {args.trials} random trials, {args.threads} thread(s), whole processes")
    print(f"{'space':6} {'seed':>4} {'K=1 s':>8} {f'K={k} s':>8} {'ratio':>6} {'best K=1':>9} {f'best K={k}':>9} "
          f"{'steps K=1':>9} {f'steps K={k}':>9}")
    ratios: dict[str, list[float]] = {name: [] for name in args.spaces}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.spaces:
            for seed in args.seeds:
                runs = {}
                for pop in (1, k):
                    study = f"{name}-{seed}-{pop}"
                    runs[pop] = timed([*HYPERLAB, "sweep", "--study", study, "--storage",
                                       str(Path(tmp) / f"{study}.db"), "--strategy", "random", *SPACES[name],
                                       "--trials", str(args.trials), "--seed", str(seed), "--threads",
                                       str(args.threads), "--population", str(pop), "--json", "--quiet"])
                (s1, one), (sk, many) = runs[1], runs[k]
                ratios[name].append(sk / s1)
                print(f"{name:6} {seed:>4} {s1:8.1f} {sk:8.1f} {sk / s1:6.3f} {one['best']['value']:9.4f} "
                      f"{many['best']['value']:9.4f} {one['steps']:>9} {many['steps']:>9}", flush=True)
    for name, values in ratios.items():
        print(f"median {name}: population {k} / population 1 = {statistics.median(values):.3f} of the wall time "
              f"({1 / statistics.median(values):.2f}x faster)")


if __name__ == "__main__":
    main()
