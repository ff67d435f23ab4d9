"""Choosing the learning rate: the range test (`lr-find --method range`) and the short population
sweep (`lr-find --method sweep`) against the best rate of a brute constant-lr sweep, with the compute
each one used.

Combinations of data set / model / optimizer / batch size, among them small data (< 300 training
rows), regression, a linear model and sets not used while developing the tools (make_classification
and make_regression sets generated here with fixed seeds, spirals, moons, a breast-cancer
subsample). Brute sweep: 10 constant rates (1e-4 .. 3.16, half a decade apart; 3.16e-4 .. 10 for
plain sgd) x ``--epochs`` epochs x 3 seeds; best = lowest validation loss after those epochs,
averaged over the seeds (a diverged run counts as infinite). Each method runs once with its
defaults (seed 0). Printed per combination: each method's choice and its factor to the best (a
factor >= 1 either way; the brute sweep's own resolution is half a decade, 3.16x), the brute-style
validation loss of training at the choice (3 seeds, same epochs) against the best's, and the compute
(steps, samples) and wall seconds of each. A third method, "cheap sweep", is the sweep cut to
8 steps per rate (rounded up to whole epochs): about the range test's compute on small data. Single-threaded (tiny models; a second thread only
contends on a shared machine). Everything trains through fit / fit_population.

    .venv/bin/python bench/lr_choice.py [--epochs 20]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
from sklearn.datasets import make_classification, make_regression

from hyperlab.data import Data, from_arrays, load_data
from hyperlab.errors import HyperlabError
from hyperlab.hparams import HParams, samples_seen
from hyperlab.members import train_members
from hyperlab.tuners import lr_find, lr_sweep

DATA: dict[str, Callable[[], Data]] = {
    "wine": lambda: load_data("wine", seed=0),  # 106 training rows, 3 classes
    "breast-cancer/200": lambda: load_data("breast-cancer", seed=0).subsample_train(200, seed=0),
    "diabetes/200": lambda: load_data("diabetes", seed=0).subsample_train(200, seed=0),
    "class-5": lambda: from_arrays(*make_classification(n_samples=400, n_features=12, n_informative=7,
                                                        n_classes=5, n_clusters_per_class=1, random_state=7),
                                   name="class-5", seed=0),  # 240 training rows
    "regr-10": lambda: from_arrays(*make_regression(n_samples=400, n_features=10, n_informative=6, noise=10.0,
                                                    random_state=11), name="regr-10", seed=0),  # 240 rows
    "spirals": lambda: load_data("spirals", seed=0),
    "moons": lambda: load_data("moons", seed=0),
    "digits": lambda: load_data("digits", seed=0),
}
COMBOS = [  # data, model, optimizer, batch size
    ("wine", "logistic", "adam", 32),
    ("wine", "mlp", "sgd", 16),
    ("breast-cancer/200", "mlp", "adam", 32),
    ("diabetes/200", "logistic", "sgd", 32),
    ("diabetes/200", "mlp", "adam", 32),
    ("class-5", "mlp", "momentum", 32),
    ("regr-10", "mlp", "adam", 16),
    ("regr-10", "logistic", "sgd", 32),
    ("spirals", "mlp", "adam", 32),
    ("moons", "mlp", "momentum", 64),
    ("digits", "mlp", "sgd", 32),
    ("digits", "logistic", "adam", 128),
]
# a second spread, never used while building the sweep (--holdout): where its quality is checked honestly
HOLDOUT = [
    ("wine", "mlp", "adam", 16),
    ("breast-cancer/200", "logistic", "sgd", 16),
    ("moons", "logistic", "adam", 32),
    ("spirals", "mlp", "momentum", 32),
    ("class-5", "logistic", "rmsprop", 32),
    ("regr-10", "mlp", "sgd", 32),
    ("diabetes/200", "mlp", "adamw", 16),
    ("digits", "mlp", "nesterov", 64),
]
SEEDS = (0, 1, 2)
CHEAP_STEPS = 8  # 13 rates x 8 steps (whole epochs, at least one): about a range test's 100 steps on small data


def brute_rates(optimizer: str) -> list[float]:
    low = -7 if optimizer == "sgd" else -8
    return [10 ** (k / 2) for k in range(low, low + 10)]


def score(data: Data, model: str, hp: HParams, lrs: list[float]) -> dict[float, tuple[float, int, int]]:
    """Per rate: (mean final validation loss over SEEDS, inf if any run diverged; steps; samples)."""
    members = [hp.replace(lr=lr, seed=s) for lr in lrs for s in SEEDS]
    results = train_members(model, data, members)
    out = {}
    for i, lr in enumerate(lrs):
        runs = results[i * len(SEEDS):(i + 1) * len(SEEDS)]
        losses = [r.history.epochs[-1].val_loss if r.status == "completed" else math.inf for r in runs]
        steps = sum(r.history.steps_done for r in runs)
        samples = sum(samples_seen(r.history.n_train, r.history.batch_size, r.history.steps_done) for r in runs)
        out[lr] = (statistics.mean(v if v is not None else math.inf for v in losses), steps, samples)
    return out


def factor(ratio: float) -> float:
    return max(ratio, 1 / ratio)


def main() -> None:
    torch.set_num_threads(1)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--holdout", action="store_true", help="the second spread of combinations (HOLDOUT)")
    parser.add_argument("--sweep-steps", default="100",
                        help="steps per rate of the sweep: a number (default 100, lr_sweep's) or 'full' "
                             "(the brute sweep's whole horizon, --epochs epochs)")
    args = parser.parse_args()
    started = time.perf_counter()
    datasets = {name: make() for name, make in DATA.items()}
    rows = []
    for name, model, optimizer, batch in (HOLDOUT if args.holdout else COMBOS):
        data = datasets[name]
        hp = HParams(batch_size=batch, optimizer=optimizer, epochs=args.epochs)
        lrs = brute_rates(optimizer)
        t0 = time.perf_counter()
        brute = score(data, model, hp, lrs)
        brute_s = time.perf_counter() - t0
        best = min(lrs, key=lambda lr: brute[lr][0])
        b_steps, b_samples = sum(v[1] for v in brute.values()), sum(v[2] for v in brute.values())

        t0 = time.perf_counter()
        try:
            found = lr_find(model, data, hp)
            r_lr, r_steps = found.suggested_lr, found.steps_run
        except HyperlabError:
            r_lr, r_steps = math.nan, 100
        r_s = time.perf_counter() - t0
        r_samples = samples_seen(data.n_train, batch, r_steps)
        t0 = time.perf_counter()
        steps = hp.epochs * hp.steps_per_epoch(data.n_train) if args.sweep_steps == "full" else int(args.sweep_steps)
        swept = lr_sweep(model, data, hp, steps=steps)
        s_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        cheap = lr_sweep(model, data, hp, steps=CHEAP_STEPS)  # about the range test's compute
        c_s = time.perf_counter() - t0
        chosen = {"range": r_lr, "sweep": swept.suggested_lr, "cheap": cheap.suggested_lr}
        at = score(data, model, hp, [lr for lr in chosen.values() if math.isfinite(lr)])
        loss_at = {k: at[v][0] if math.isfinite(v) else math.inf for k, v in chosen.items()}
        label = f"{name}+{model}+{optimizer}+b{batch}"
        rows.append({"label": label, "n": data.n_train, "task": data.task, "spe": hp.steps_per_epoch(data.n_train),
                     "best": best, "best_loss": brute[best][0], "range": r_lr, "sweep": swept.suggested_lr,
                     "f_range": factor(r_lr / best) if math.isfinite(r_lr) else math.inf,
                     "f_sweep": factor(swept.suggested_lr / best), "loss_range": loss_at["range"],
                     "loss_sweep": loss_at["sweep"], "r_steps": r_steps, "r_samples": r_samples, "r_s": r_s,
                     "s_steps": swept.steps_run, "s_samples": swept.samples, "s_s": s_s,
                     "cheap": cheap.suggested_lr, "f_cheap": factor(cheap.suggested_lr / best),
                     "loss_cheap": loss_at["cheap"], "c_steps": cheap.steps_run, "c_samples": cheap.samples, "c_s": c_s,
                     "b_steps": b_steps, "b_samples": b_samples, "b_s": brute_s})
        r = rows[-1]
        print(f"{label} ({data.n_train} rows, {data.task}, {r['spe']} steps/epoch): best {best:.3g} "
              f"(val loss {brute[best][0]:.4f}); range {r_lr:.3g} (x{r['f_range']:.2f}, loss {loss_at['range']:.4f}, "
              f"{r_samples:,} samples, {r_s:.1f} s); sweep {swept.suggested_lr:.3g} (x{r['f_sweep']:.2f}, loss "
              f"{loss_at['sweep']:.4f}, {swept.samples:,} samples, {s_s:.1f} s); brute {b_samples:,} samples, "
              f"{brute_s:.1f} s; cheap sweep {cheap.suggested_lr:.3g} (x{r['f_cheap']:.2f}, {cheap.samples:,} samples)",
              flush=True)
        print("  brute val loss per lr: " + ", ".join(f"{lr:.2g} {v[0]:.3f}" for lr, v in brute.items()))
    print()
    print("| data + model + optimizer + batch | rows | task | best lr (val loss) | range test: lr, factor, val loss | "
          "sweep: lr, factor, val loss | cheap sweep: lr, factor, val loss | range test: steps, samples | "
          "sweep: steps, samples | cheap sweep: steps, samples | brute: samples |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['label']} | {r['n']} | {r['task']} | {r['best']:.3g} ({r['best_loss']:.4f}) | "
              f"{r['range']:.3g}, **{r['f_range']:.2f}**, {r['loss_range']:.4f} | "
              f"{r['sweep']:.3g}, **{r['f_sweep']:.2f}**, {r['loss_sweep']:.4f} | "
              f"{r['cheap']:.3g}, **{r['f_cheap']:.2f}**, {r['loss_cheap']:.4f} | {r['r_steps']}, {r['r_samples']:,} | "
              f"{r['s_steps']:,}, {r['s_samples']:,} | {r['c_steps']:,}, {r['c_samples']:,} | {r['b_samples']:,} |")
    for method in ("range", "sweep", "cheap"):
        factors = [r[f"f_{method}"] for r in rows]
        regret = [r[f"loss_{method}"] / r["best_loss"] for r in rows]
        worst = max(range(len(rows)), key=lambda i: factors[i])
        samples = sum(r[f"{method[0]}_samples"] for r in rows)
        seconds = sum(r[f"{method[0]}_s"] for r in rows)
        print(f"{method}: worst factor {factors[worst]:.2f} ({rows[worst]['label']}), median "
              f"{statistics.median(factors):.2f}, within 3x on {sum(f <= 3 for f in factors)} of {len(rows)}; "
              f"val loss at the choice / best: median {statistics.median(regret):.3f}, worst {max(regret):.3f}; "
              f"compute {samples:,} samples ({samples / sum(r['b_samples'] for r in rows):.1%} of the brute "
              f"sweeps'), {seconds:.0f} s")
    print(f"brute sweeps: {sum(r['b_s'] for r in rows):.0f} s; whole run {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
