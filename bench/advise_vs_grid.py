"""`advise` against an exhaustive grid over the four on digits.

Grid: batch size {16, 32, 64, 128} x learning rate (log grid, 1e-4 .. 3.16, half-decade steps) x
optimizer {sgd, momentum, adam} x epochs {5, 10, 20, 40}. The epochs axis comes free from the
per-epoch histories of the longest run: a constant learning rate and no schedule make epoch k of
a 40-epoch run exactly a k-epoch run (same seed, same data order), so each (batch, lr, optimizer)
is trained once for 40 epochs and read at epochs 5, 10, 20 and 40. Compute is counted as the
grid would cost if run as such (every cell's 40-epoch run).

`advise` runs with its defaults; its recommended four values are then trained afresh (this
training is the use of the advice, not counted as its cost) and scored on the same validation
split. Prints the ratio of validation metrics (advise / grid best; target >= 0.99) and the ratio
of compute in training steps (and in samples; target <= 0.20). Test accuracy of both is printed
too, as a check on selection bias. `advise` is repeated with a few seeds; the grid uses seed 0.
Runs single-threaded (tiny models; a second thread only contends on a shared machine).

    .venv/bin/python bench/advise_vs_grid.py [--seeds 0 1 2] [--budget 120]
"""

from __future__ import annotations

import argparse
import math
import time

import torch

from hyperlab.data import load_data
from hyperlab.engine import evaluate, fit
from hyperlab.engine.trainer import loss_for
from hyperlab.hparams import HParams
from hyperlab.models import build_model
from hyperlab.tuners import advise

BATCHES = (16, 32, 64, 128)
LRS = tuple(10 ** (k / 2) for k in range(-8, 2))  # 1e-4 .. 3.16
OPTIMIZERS = ("sgd", "momentum", "adam")
EPOCHS = (5, 10, 20, 40)


def grid(data, seed: int):
    """Every cell's validation metric, and the grid's compute (steps and samples)."""
    cells, steps, samples = [], 0, 0
    for b in BATCHES:
        for opt in OPTIMIZERS:
            for lr in LRS:
                hp = HParams(batch_size=b, lr=lr, optimizer=opt, epochs=max(EPOCHS), seed=seed)
                result = fit(build_model("mlp", data, seed=seed), data, hp, measure_memory=False)
                steps += hp.epochs * hp.steps_per_epoch(data.n_train)
                samples += hp.epochs * data.n_train
                for e in EPOCHS:
                    record = result.history.epochs[e - 1] if len(result.history.epochs) >= e else None
                    cells.append({"batch_size": b, "lr": lr, "optimizer": opt, "epochs": e,
                                  "val_metric": record.val_metric if record and record.val_metric is not None
                                  else -1.0, "val_loss": record.val_loss if record else None})
    return cells, steps, samples


def score(data, values: dict, seed: int) -> tuple[float, float]:
    """Validation and test accuracy of a fresh run with the given four values."""
    hp = HParams(batch_size=values["batch_size"], lr=values["lr"], optimizer=values["optimizer"],
                 epochs=values["epochs"], seed=seed)
    result = fit(build_model("mlp", data, seed=seed), data, hp, measure_memory=False)
    _, test = evaluate(result.model, data.test, data.task, loss_for(data.task), next(result.model.parameters()).device)
    return result.history.final().val_metric, test


def main() -> None:
    torch.set_num_threads(1)  # tiny models: a second thread only contends (and the machine is shared)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--budget", type=float, default=120.0)
    args = parser.parse_args()
    data = load_data("digits", seed=0)

    started = time.perf_counter()
    cells, grid_steps, grid_samples = grid(data, seed=0)
    grid_seconds = time.perf_counter() - started
    best = max(cells, key=lambda c: (c["val_metric"], -(c["val_loss"] or math.inf)))
    best_val, best_test = score(data, best, seed=0)
    print(f"grid: {len(cells)} cells ({len(cells) // len(EPOCHS)} runs of {max(EPOCHS)} epochs), "
          f"{grid_steps} steps, {grid_samples} samples, {grid_seconds:.1f} s")
    print(f"grid best: batch {best['batch_size']}, lr {best['lr']:.3g}, {best['optimizer']}, "
          f"{best['epochs']} epochs -> val {best_val:.4f}, test {best_test:.4f}")

    rows = []
    for seed in args.seeds:
        t0 = time.perf_counter()
        advice = advise("mlp", data, {"seed": seed}, budget_seconds=args.budget)
        seconds = time.perf_counter() - t0
        v = advice.values
        val, test = score(data, v, seed=seed)
        total = advice.total
        rows.append((val / best_val, total.steps / grid_steps, total.samples / grid_samples))
        print(f"advise seed {seed}: batch {v['batch_size']}, lr {v['lr']:.3g}, {v['optimizer']}, {v['epochs']} "
              f"epochs -> val {val:.4f}, test {test:.4f}; {total.steps} steps, {total.samples} samples, "
              f"{seconds:.1f} s")
        print(f"  ratio val metric advise/grid = {val / best_val:.4f} (target >= 0.99); "
              f"ratio steps = {total.steps / grid_steps:.4f}, samples = {total.samples / grid_samples:.4f} "
              f"(target <= 0.20); wall time ratio = {seconds / grid_seconds:.3f}")
    worst = min(r[0] for r in rows)
    most = max(r[1] for r in rows)
    print(f"summary: worst val ratio {worst:.4f}, largest steps ratio {most:.4f}, largest samples ratio "
          f"{max(r[2] for r in rows):.4f} -> {'target met' if worst >= 0.99 and most <= 0.2 else 'target MISSED'}")


if __name__ == "__main__":
    main()
