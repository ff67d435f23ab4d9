"""Sweep efficiency: the default strategy (TPE + ASHA pruning) against an exhaustive grid and
against random search at the same compute, on digits with an MLP.

Every strategy runs through `hyperlab.sweeps.sweep` (the one trainer, a SQLite study). The grid
trains every point for all its epochs. TPE (pruning poor trials early, epochs as the budget) and
random search (no pruning) run as many trials as the grid has points, one after the other; each
is also scored at a compute budget of 25% of the grid's steps: the best trial among those run
before their cumulative steps passed it (the sweep's anytime result). Compute = optimizer steps
actually taken. Prints, per seed and overall:

    best validation accuracy / grid's best     (target >= 0.995: within 0.5%)
    training steps / grid's steps              (target <= 0.25)

    .venv/bin/python bench/sweep_efficiency.py [--seeds 0 1 2] [--epochs 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch

from optuna.trial import TrialState

from hyperlab.sweeps import open_study, sweep

LRS = "0.001,0.003,0.01,0.03,0.1"
BATCHES = "16,32,64,128"
OPTIMIZERS = "sgd,momentum,adam"
COMMON = {"model": "mlp", "data": "digits", "width": 64, "depth": 1}
BUDGET = 0.25  # share of the grid's steps


def run(folder: Path, name: str, seed: int, epochs: int, **kwargs) -> dict:
    """Run one study; return its summary plus the anytime curve (cumulative steps, best so far)."""
    started = time.perf_counter()
    url = f"sqlite:///{folder / (name + '.db')}"
    summary = sweep(study=name, storage=url, seed=seed, epochs=epochs, **COMMON, **kwargs).summary
    spent, best, curve = 0, 0.0, []
    for trial in sorted(open_study(name, url).get_trials(deepcopy=False), key=lambda tr: tr.number):
        spent += trial.user_attrs.get("steps") or 0
        if trial.state == TrialState.COMPLETE:
            best = max(best, trial.value)
        curve.append((spent, best, trial.number + 1))
    return {"best": summary["best"]["value"], "steps": summary["steps"], "finished": summary["finished"],
            "params": summary["best"]["params"], "seconds": time.perf_counter() - started,
            "counts": summary["counts"], "curve": curve}


def within(result: dict, budget: float) -> dict:
    """Best validation metric of the trials run before the cumulative steps passed ``budget``."""
    spent, best, trials = max((point for point in result["curve"] if point[0] <= budget), default=(0, 0.0, 0))
    return {"best": best, "steps": spent, "finished": trials}


def one_seed(folder: Path, seed: int, epochs: int) -> dict[str, dict]:
    grid = run(folder, f"grid-{seed}", seed, epochs, strategy="grid",
               space={"lr": LRS, "batch_size": BATCHES, "optimizer": OPTIMIZERS})
    space = {"lr": "0.001..0.1:log", "batch_size": BATCHES, "optimizer": OPTIMIZERS}
    n = grid["finished"]
    tpe = run(folder, f"tpe-{seed}", seed, epochs, strategy="tpe", space=space, trials=n)
    rand = run(folder, f"random-{seed}", seed, epochs, strategy="random", pruner="none", space=space, trials=n)
    budget = BUDGET * grid["steps"]
    return {"grid": grid, f"tpe+asha {n}": tpe, f"random {n}": rand,
            "tpe+asha @25%": within(tpe, budget), "random @25%": within(rand, budget)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(1)  # small models: one thread is fastest and steadiest
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            results[seed] = one_seed(Path(tmp), seed, args.epochs)
            grid = results[seed]["grid"]
            print(f"\nseed {seed}: grid {grid['finished']} points x {args.epochs} epochs, "
                  f"best {grid['best']:.4f} with {grid['params']}, {grid['steps']} steps, {grid['seconds']:.0f} s")
            print(f"{'strategy':15} {'trials':>6} {'best':>7} {'best/grid':>9} {'steps/grid':>10} {'seconds':>7}  counts")
            for name, r in results[seed].items():
                print(f"{name:15} {r['finished']:6d} {r['best']:7.4f} {r['best'] / grid['best']:9.4f} "
                      f"{r['steps'] / grid['steps']:10.3f} {r.get('seconds', 0):7.0f}  {r.get('counts', '')}")
    print("\nover seeds (mean):")
    for name in [k for k in results[args.seeds[0]] if k != "grid"]:
        quality = [results[s][name]["best"] / results[s]["grid"]["best"] for s in results]
        compute = [results[s][name]["steps"] / results[s]["grid"]["steps"] for s in results]
        print(f"{name:15} best/grid {statistics.mean(quality):.4f} (min {min(quality):.4f})  "
              f"steps/grid {statistics.mean(compute):.3f}")
    tpe_ok = all(results[s]["tpe+asha @25%"]["best"] >= 0.995 * results[s]["grid"]["best"] for s in results)
    print(f"target (TPE+pruning within 0.5% of the grid's best for <= 25% of its steps, every seed): "
          f"{'met' if tpe_ok else 'NOT met'}")


if __name__ == "__main__":
    main()
