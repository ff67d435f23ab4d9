"""The divergence rule against letting every run go on: how often a run the trainer stops as
exploded (its loss past 20x its first value) would have ended among the good rates had it been
allowed to continue.

For each data set and optimizer: 9 constant rates, 1e-3 .. 10 half a decade apart, trained as one
population for ``--epochs`` epochs at batch 32, seed 0, once with the trainer's rule and once with
``diverge_factor=inf`` (only a non-finite loss stops a run). For each run the rule stopped as
exploded, its final validation loss when let go on is compared with the best final validation loss
among the runs the rule kept. Printed per stopped run, then counted: stopped runs that would have
ended within 25% of the best kept, and below it (the rule cost a better rate). Then, from the
let-go-on runs' per-step losses, the alternative of stopping only when the loss stays past 20x for
W steps in a row: how many runs it stops, how many of those would have ended within 25% of the best
it keeps, and how many spiked runs it lets finish no better than their first loss (reported as
completed when they learned nothing). W = 1 is the trainer's rule.

    .venv/bin/python bench/divergence_rule.py [--epochs 10] [--datasets digits,wine,...]
"""

from __future__ import annotations

import argparse
import math
import warnings

import torch

import hyperlab
from hyperlab import HParams, fit_population
from hyperlab.engine.trainer import DIVERGE_FACTOR

RATES = [10 ** (e / 2) for e in range(-6, 3)]  # 1e-3 .. 10
OPTIMIZERS = ("sgd", "momentum", "adam", "rmsprop")
DATASETS = ("digits", "wine", "moons", "spirals", "breast-cancer", "diabetes")
WINDOWS = (1, 3, 5, 10, 20)


def final_val_loss(result) -> float:
    loss = result.summary()["final_val_loss"]
    return math.inf if loss is None or not math.isfinite(loss) else loss


def stop_step(losses: list[float | None], window: int) -> int | None:
    """The step a rule stops at: the first non-finite loss, or the first of ``window`` losses in a
    row past DIVERGE_FACTOR times the first; None when it never stops."""
    streak = 0
    for i, loss in enumerate(losses):
        if loss is None or not math.isfinite(loss):
            return i
        streak = streak + 1 if loss > DIVERGE_FACTOR * losses[0] else 0
        if streak == window:
            return i - window + 1
    return None


def windows(runs: list[tuple[list[float], list[list[float | None]]]]) -> None:
    """The trade-off of stopping only after ``W`` exploded steps in a row, from let-go-on runs."""
    print(f"\n{'W':>3} {'stopped':>8} {'of them within 25% of best kept':>32} {'spiked, finished no better than start':>38}")
    for window in WINDOWS:
        stopped = good = useless = 0
        for finals, losses in runs:
            stops = [stop_step(ls, window) for ls in losses]
            best = min((f for f, s in zip(finals, stops) if s is None), default=math.inf)
            for final, stop, ls in zip(finals, stops, losses):
                if stop is not None:
                    stopped += 1
                    good += final <= 1.25 * best
                elif stop_step(ls, 1) is not None and final >= ls[0]:
                    useless += 1
        print(f"{window:>3} {stopped:>8} {good:>32} {useless:>38}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--datasets", default=",".join(DATASETS))
    args = parser.parse_args()
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    stopped = close = better = 0
    runs = []
    print(f"{'data':<14} {'optimizer':<9} {'lr':>7} {'stopped at':>10} {'loss let go on':>15} {'best kept':>10} {'ratio':>8}")
    for name in args.datasets.split(","):
        data = hyperlab.load_data(name)
        for optimizer in OPTIMIZERS:
            hps = [HParams(lr=lr, optimizer=optimizer, epochs=args.epochs, batch_size=32) for lr in RATES]
            ruled = fit_population("mlp", data, hps, threads=1)
            free = fit_population("mlp", data, hps, threads=1, diverge_factor=math.inf)
            kept = [final_val_loss(r) for r in ruled if not r.summary()["diverged"]]
            best = min(kept, default=math.inf)
            runs.append(([final_val_loss(r) for r in free], [r.history.step_loss for r in free]))
            for lr, a, b in zip(RATES, ruled, free):
                diverged = a.summary()["diverged"]
                if not diverged or diverged["reason"] != "exploded":
                    continue
                stopped += 1
                loss = final_val_loss(b)
                ratio = loss / best if best > 0 else (1.0 if loss == 0 else math.inf)
                close += ratio <= 1.25
                better += ratio < 1
                print(f"{name:<14} {optimizer:<9} {lr:>7.3g} {diverged['step']:>10} {loss:>15.4g} {best:>10.4g} "
                      f"{ratio:>8.3g}")
    print(f"\n{stopped} runs stopped as exploded; let go on, {close} would have ended within 25% of the best "
          f"kept rate's validation loss, {better} below it")
    windows(runs)


if __name__ == "__main__":
    main()
