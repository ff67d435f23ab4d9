"""The learning-rate sweep when its rates cannot train as one population (here: gradient
accumulation, which the stacked trainer does not do): narrowed (each rate pauses after a fifth of
the run until every rate has got there; the kept resume exactly, the others end) against the same
sweep trained whole (``narrow=False``: every rate to the end), both one rate after another, measured
in the same run (interleaved, median of ``--repeats``). Before pausing existed, narrowing saved
nothing here: each rate trained to the end before the next began.

Printed per combination: the samples and wall seconds of each, their ratios, and whether both chose
the same rate. Single-threaded.

    .venv/bin/python bench/lr_sweep_fallback.py [--repeats 3] [--epochs 10]
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import torch

from hyperlab.data import load_data
from hyperlab.tuners import lr_sweep

COMBOS = [  # data, model, optimizer, micro-batch (x 2 accumulated)
    ("wine", "mlp", "adam", 16),
    ("breast-cancer", "logistic", "sgd", 16),
    ("digits", "mlp", "momentum", 32),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")  # the one-after-another fallback says so once per sweep
    sample_ratios, time_ratios = [], []
    for name, model, optimizer, batch in COMBOS:
        data = load_data(name, seed=0)
        hp = {"optimizer": optimizer, "batch_size": batch, "accumulate": 2, "epochs": args.epochs}
        lr_sweep(model, data, {**hp, "epochs": 1}, seeds=1)  # warm-up
        seconds: dict[bool, list[float]] = {True: [], False: []}
        chosen, samples = {}, {}
        for _ in range(args.repeats):
            for narrow in (False, True):
                started = time.perf_counter()
                result = lr_sweep(model, data, hp, narrow=narrow, seeds=1)  # narrowing alone
                seconds[narrow].append(time.perf_counter() - started)
                chosen[narrow], samples[narrow] = result.suggested_lr, result.samples
                assert not result.together
        s_ratio = samples[True] / samples[False]
        t_ratio = statistics.median(seconds[True]) / statistics.median(seconds[False])
        sample_ratios.append(s_ratio)
        time_ratios.append(t_ratio)
        print(f"{name}+{model}+{optimizer}+b{batch}x2, {args.epochs} epochs: whole {samples[False]:,} samples, "
              f"{statistics.median(seconds[False]):.2f} s; narrowed {samples[True]:,} samples, "
              f"{statistics.median(seconds[True]):.2f} s; samples ratio {s_ratio:.2f}, time ratio {t_ratio:.2f}; "
              f"same choice: {chosen[True] == chosen[False]} ({chosen[True]:.3g} vs {chosen[False]:.3g})", flush=True)
    print(f"narrowed / whole, one rate after another: samples {statistics.mean(sample_ratios):.2f}, "
          f"wall time {statistics.mean(time_ratios):.2f} (mean over {len(COMBOS)} combinations)")


if __name__ == "__main__":
    main()
