"""Choosing the learning rate: the range test (`lr-find --method range`) and the population sweep
(`lr-find --method sweep`) against the best rate of a brute constant-lr sweep, with the compute
each one used.

Four spreads of data set / model / optimizer / batch size (``--spread``): ``first`` (12, the
spread the sweep was first built on), ``holdout`` (8, added later to check it), ``fresh`` (10
more, on data sets and a model (the CNN) not used while choosing the sweep's horizon and grid) and
``unseen`` (10, fixed after the judging rule last changed, using every other spread, and run only
after that) and ``later`` (12, fixed after the sweep's confirmation was built on the other four,
with two models of its own: a deeper tanh MLP and a wider one); among them small data (< 300 training rows), regression and linear models. Brute sweep: 10
constant rates (1e-4 .. 3.16, half a decade apart; 3.16e-4 .. 10 for plain SGD; ``--reference-per-decade 4``:
the same span a quarter decade apart, 19 rates) x ``--epochs``
epochs x 8 seeds (11 .. 18, or ``--reference-seeds 16``: 11 .. 26; not the seed 0 every method trains with, nor the sweep's confirming seeds 1-3, so no method shares a run with
the reference); best = lowest validation loss after those epochs, averaged over the seeds (a diverged
run counts as infinite). Each method runs once with its defaults (seed 0):

- range test: 100 steps, ``min_div_10``;
- sweep (the default): 25 rates 1e-5 .. 10 a quarter decade apart, trained for the planned run
  (``--epochs``), narrowed after a fifth of it to the rates 1.5 decades below to 0.75 above the
  best so far, each judged by the worst of its final validation loss and its neighbours' a quarter
  decade away; then the rate chosen and its neighbours trained on 3 more seeds (1-3) and judged
  by their mean (``seeds=4``);
- one-seed sweep: the same without the confirmation (``seeds=1``, the default before it);
- whole sweep: the one-seed sweep without narrowing (every rate trained the whole way);
- short sweep (the default before it): 13 rates half a decade apart, 100 steps each (whole epochs),
  the lowest single loss;
- cheap sweep: 13 rates, 8 steps each (whole epochs): about the range test's compute on small data.

Printed per combination: each method's choice and its factor to the best (a factor >= 1 either way;
the brute sweep's own resolution is half a decade, 3.16x), the brute-style validation loss of
training at the choice (the same 8 seeds and epochs) against the best's, and the compute (samples)
and wall seconds of each. And how sure the reference itself is: the **rates tied with the best**
(their loss minus the best's, seed by seed, within two standard errors of zero; a choice within 3x
of one of them is counted apart), the **seed floor** (how often one seed's brute sweep picks a rate
within 3x of the other seeds' mean best) and whether the brute sweep on seeds 11-14 and on seeds 15-18
pick rates within 3x of each other. Single-threaded; everything trains through fit / fit_population.

    .venv/bin/python bench/lr_choice.py [--spread first|holdout|fresh|unseen|later|all] [--epochs 20]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
from sklearn.datasets import (load_iris, make_blobs, make_circles, make_classification, make_friedman1,
                              make_friedman2, make_friedman3, make_gaussian_quantiles, make_hastie_10_2, make_moons,
                              make_regression, make_s_curve, make_sparse_uncorrelated, make_swiss_roll)
from torch import nn

from hyperlab.data import Data, from_arrays, load_data
from hyperlab.errors import HyperlabError
from hyperlab.hparams import HParams, samples_seen
from hyperlab.members import train_members
from hyperlab.tuners import lr_find, lr_sweep


def generated(name: str, arrays: tuple[np.ndarray, np.ndarray]) -> Data:
    return from_arrays(*arrays, name=name, seed=0)


DATA: dict[str, Callable[[], Data]] = {
    "wine": lambda: load_data("wine", seed=0),  # 106 training rows, 3 classes
    "breast-cancer": lambda: load_data("breast-cancer", seed=0),
    "breast-cancer/200": lambda: load_data("breast-cancer", seed=0).subsample_train(200, seed=0),
    "diabetes/200": lambda: load_data("diabetes", seed=0).subsample_train(200, seed=0),
    "class-5": lambda: generated("class-5", make_classification(n_samples=400, n_features=12, n_informative=7,
                                                                n_classes=5, n_clusters_per_class=1,
                                                                random_state=7)),  # 240 training rows
    "regr-10": lambda: generated("regr-10", make_regression(n_samples=400, n_features=10, n_informative=6,
                                                            noise=10.0, random_state=11)),  # 240 rows
    "spirals": lambda: load_data("spirals", seed=0),
    "moons": lambda: load_data("moons", seed=0),
    "digits": lambda: load_data("digits", seed=0),
    # the fresh spread's sets (scikit-learn's bundled iris and its generators, fixed seeds)
    "iris": lambda: generated("iris", load_iris(return_X_y=True)),  # 90 training rows
    "circles": lambda: generated("circles", make_circles(n_samples=600, noise=0.1, factor=0.5, random_state=3)),
    "friedman1": lambda: generated("friedman1", make_friedman1(n_samples=500, noise=1.0, random_state=5)),
    "quantiles": lambda: generated("quantiles", make_gaussian_quantiles(n_samples=500, n_features=6, n_classes=3,
                                                                        random_state=9)),
    "hastie": lambda: generated("hastie", make_hastie_10_2(n_samples=600, random_state=2)),
    "blobs": lambda: generated("blobs", make_blobs(n_samples=300, centers=4, n_features=8, cluster_std=3.0,
                                                   random_state=4)),  # 180 training rows
    "sparse-lin": lambda: generated("sparse-lin", make_sparse_uncorrelated(n_samples=400, n_features=8,
                                                                           random_state=6)),
    # the unseen spread's (added after the rule changed to the worst neighbour, before any run on them)
    "moons-noisy": lambda: generated("moons-noisy", make_moons(n_samples=500, noise=0.3, random_state=21)),
    "class-8": lambda: generated("class-8", make_classification(n_samples=700, n_features=20, n_informative=10,
                                                                n_classes=8, n_clusters_per_class=1,
                                                                random_state=22)),
    "regr-20": lambda: generated("regr-20", make_regression(n_samples=300, n_features=20, n_informative=8,
                                                            noise=30.0, random_state=23)),  # 180 training rows
    "s-curve": lambda: generated("s-curve", make_s_curve(n_samples=500, noise=0.1, random_state=24)),
    "swiss-roll": lambda: generated("swiss-roll", make_swiss_roll(n_samples=500, noise=0.5, random_state=25)),
    "digits/250": lambda: load_data("digits", seed=0).subsample_train(250, seed=0),
    "diabetes": lambda: load_data("diabetes", seed=0),
    "friedman2": lambda: generated("friedman2", make_friedman2(n_samples=600, noise=0.5, random_state=26)),
    # the later spread's (fixed after the sweep's confirmation was built, before any run on them)
    "class-3-noisy": lambda: generated("class-3-noisy", make_classification(
        n_samples=500, n_features=15, n_informative=5, n_classes=3, flip_y=0.1, random_state=31)),
    "regr-noisy": lambda: generated("regr-noisy", make_regression(n_samples=350, n_features=8, n_informative=4,
                                                                  noise=25.0, random_state=32)),  # 210 rows
    "moons-small": lambda: generated("moons-small", make_moons(n_samples=200, noise=0.25, random_state=33)),
    "friedman3": lambda: generated("friedman3", make_friedman3(n_samples=400, noise=0.1, random_state=34)),
    "circles-tight": lambda: generated("circles-tight", make_circles(n_samples=400, factor=0.3, noise=0.15,
                                                                     random_state=35)),
    "blobs-6": lambda: generated("blobs-6", make_blobs(n_samples=450, centers=6, n_features=10, cluster_std=4.0,
                                                       random_state=36)),
}


def deep_tanh(n_features: int, n_outputs: int) -> nn.Module:
    """Three tanh layers of 64: deeper than the built-in MLP, with a saturating activation."""
    return nn.Sequential(nn.Linear(n_features, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(),
                         nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, n_outputs))


def wide(n_features: int, n_outputs: int) -> nn.Module:
    """One ReLU layer of 256: wider than the built-in MLP."""
    return nn.Sequential(nn.Linear(n_features, 256), nn.ReLU(), nn.Linear(256, n_outputs))


MODELS: dict[str, Callable[..., nn.Module]] = {"deep-tanh": deep_tanh, "wide": wide}  # else a built-in name
SPREADS = {  # data, model, optimizer, batch size
    "first": [
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
    ],
    "holdout": [
        ("wine", "mlp", "adam", 16),
        ("breast-cancer/200", "logistic", "sgd", 16),
        ("moons", "logistic", "adam", 32),
        ("spirals", "mlp", "momentum", 32),
        ("class-5", "logistic", "rmsprop", 32),
        ("regr-10", "mlp", "sgd", 32),
        ("diabetes/200", "mlp", "adamw", 16),
        ("digits", "mlp", "nesterov", 64),
    ],
    "fresh": [  # fixed before any of them was measured; never used to choose the sweep's settings
        ("iris", "mlp", "adam", 16),
        ("circles", "mlp", "sgd", 32),
        ("friedman1", "mlp", "adam", 32),
        ("quantiles", "mlp", "momentum", 32),
        ("hastie", "logistic", "adam", 64),
        ("blobs", "logistic", "sgd", 16),
        ("sparse-lin", "logistic", "adagrad", 32),
        ("digits", "cnn", "adam", 64),
        ("breast-cancer", "mlp", "nesterov", 32),
        ("wine", "logistic", "adamw", 8),
    ],
    "unseen": [  # fixed after the judging rule last changed, before anything was run on them
        ("moons-noisy", "mlp", "adam", 32),
        ("class-8", "mlp", "rmsprop", 64),
        ("regr-20", "logistic", "momentum", 16),
        ("s-curve", "mlp", "sgd", 32),
        ("swiss-roll", "mlp", "adamw", 32),
        ("digits/250", "mlp", "adam", 16),
        ("breast-cancer", "logistic", "adagrad", 16),
        ("diabetes", "mlp", "nesterov", 32),
        ("wine", "mlp", "rmsprop", 8),
        ("friedman2", "mlp", "adam", 64),
    ],
    "later": [  # fixed after the sweep's confirmation was built (2026-12-07), before anything was run on them
        ("class-3-noisy", "deep-tanh", "adam", 32),
        ("class-3-noisy", "mlp", "momentum", 128),
        ("regr-noisy", "mlp", "rmsprop", 16),
        ("moons-small", "logistic", "momentum", 8),
        ("breast-cancer", "wide", "adamw", 64),
        ("digits", "logistic", "sgd", 64),
        ("wine", "deep-tanh", "adagrad", 16),
        ("friedman3", "mlp", "adam", 32),
        ("circles-tight", "mlp", "rmsprop", 32),
        ("diabetes", "logistic", "adam", 16),
        ("iris", "logistic", "sgd", 8),
        ("blobs-6", "wide", "nesterov", 32),
    ],
}
SEEDS = tuple(range(11, 19))  # the brute sweep's (the reference); every method trains with seed 0 (the sweep's
# confirmation with seeds 1-3), so no method shares a run with the reference
SHORT_STEPS = 100  # the sweep's default before it followed the planned run
CHEAP_STEPS = 8  # 13 rates x 8 steps (whole epochs, at least one): about a range test's 100 steps on small data
METHODS = ("range", "sweep", "single", "whole", "short", "cheap")


def brute_rates(optimizer: str, per_decade: int = 2) -> list[float]:
    """The reference's rates: 4.5 decades from 1e-4 (3.16e-4 for plain SGD), ``per_decade`` to a decade."""
    low = (-3.5 if optimizer == "sgd" else -4.0) * per_decade
    return [10 ** ((low + k) / per_decade) for k in range(round(4.5 * per_decade) + 1)]


def losses(data: Data, model: str | Callable[..., nn.Module], hp: HParams, lrs: list[float]) -> tuple[dict[float, list[float]], int]:
    """Per rate: the final validation loss of each seed in SEEDS (inf if diverged); samples used."""
    members = [hp.replace(lr=lr, seed=s) for lr in lrs for s in SEEDS]
    results = train_members(model, data, members)
    out: dict[float, list[float]] = {}
    for i, lr in enumerate(lrs):
        runs = results[i * len(SEEDS):(i + 1) * len(SEEDS)]
        out[lr] = [r.history.epochs[-1].val_loss if r.status == "completed" and r.history.epochs[-1].val_loss
                   is not None else math.inf for r in runs]
    samples = sum(samples_seen(r.history.n_train, r.history.batch_size, r.history.steps_done) for r in results)
    return out, samples


def mean(values: list[float]) -> float:
    return math.inf if any(math.isinf(v) for v in values) else statistics.mean(values)


def factor(ratio: float) -> float:
    return max(ratio, 1 / ratio)


def best_of(brute: dict[float, list[float]], seeds: list[int]) -> float:
    """The brute rate with the lowest validation loss averaged over these seeds (indices into SEEDS)."""
    means = {lr: mean([runs[k] for k in seeds]) for lr, runs in brute.items()}
    return min(means, key=means.__getitem__)


def seed_floor(brute: dict[float, list[float]]) -> tuple[int, float]:
    """How many of the brute seeds, alone, pick a rate within 3x of the other seeds' mean best; the worst factor."""
    hits, worst = 0, 1.0
    for k in range(len(SEEDS)):
        best = best_of(brute, [j for j in range(len(SEEDS)) if j != k])
        own = best_of(brute, [k])
        hits += factor(own / best) <= 3
        worst = max(worst, factor(own / best))
    return hits, worst


def halves_agree(brute: dict[float, list[float]]) -> bool:
    """Whether the brute sweep on the first half of its seeds picks a rate within 3x of the one the second half picks."""
    half = len(SEEDS) // 2
    return factor(best_of(brute, list(range(half))) / best_of(brute, list(range(half, len(SEEDS))))) <= 3


def tied(brute: dict[float, list[float]], best: float) -> list[float]:
    """The brute rates whose loss is not measurably worse than the best's: their mean difference to the
    best, seed by seed, is within two standard errors of zero (the best is among them)."""
    out = []
    for lr, runs in brute.items():
        diffs = [a - b for a, b in zip(runs, brute[best])]
        if lr == best or (all(math.isfinite(d) for d in diffs)
                          and statistics.mean(diffs) <= 2 * statistics.stdev(diffs) / math.sqrt(len(diffs))):
            out.append(lr)
    return out


def choose(method: str, data: Data, model: str | Callable[..., nn.Module], hp: HParams) -> tuple[float, int]:
    """A method's rate and the samples it used."""
    if method == "range":
        try:
            found = lr_find(model, data, hp)
            return found.suggested_lr, samples_seen(data.n_train, hp.batch_size, found.steps_run)
        except HyperlabError:
            return math.nan, samples_seen(data.n_train, hp.batch_size, 100)
    options = {"sweep": {}, "single": {"seeds": 1}, "whole": {"narrow": False, "seeds": 1},
               # the old default: never narrowed, no neighbour within a quarter decade to judge with
               "short": {"per_decade": 2, "steps": SHORT_STEPS, "narrow": False, "seeds": 1},
               "cheap": {"per_decade": 2, "steps": CHEAP_STEPS, "narrow": False, "seeds": 1}}[method]
    swept = lr_sweep(model, data, hp, **options)
    return swept.suggested_lr, swept.samples


def main() -> None:
    global SEEDS  # --reference-seeds
    torch.set_num_threads(1)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--spread", choices=[*SPREADS, "all"], default="first")  # all: every spread
    parser.add_argument("--reference-per-decade", type=int, default=2, choices=[2, 4],
                        help="the brute sweep's rates per decade (2: the issue's 10 rates; 4: 19 rates)")
    parser.add_argument("--reference-seeds", type=int, default=len(SEEDS),
                        help="seeds of the brute sweep, from 11 (8: seeds 11-18; 16: 11-26, a steadier reference)")
    args = parser.parse_args()
    SEEDS = tuple(range(11, 11 + args.reference_seeds))
    started = time.perf_counter()
    combos = [c for name, spread in SPREADS.items() if args.spread in (name, "all") for c in spread]
    datasets: dict[str, Data] = {}
    rows = []
    for name, model_name, optimizer, batch in combos:
        data = datasets.setdefault(name, DATA[name]())
        model = MODELS.get(model_name, model_name)
        hp = HParams(batch_size=batch, optimizer=optimizer, epochs=args.epochs)
        t0 = time.perf_counter()
        brute, b_samples = losses(data, model, hp, brute_rates(optimizer, args.reference_per_decade))
        b_s = time.perf_counter() - t0
        means = {lr: mean(runs) for lr, runs in brute.items()}
        best = min(means, key=means.__getitem__)
        row = {"label": f"{name}+{model_name}+{optimizer}+b{batch}", "n": data.n_train, "task": data.task, "best": best,
               "best_loss": means[best], "b_samples": b_samples, "b_s": b_s, "floor": seed_floor(brute),
               "tied": tied(brute, best), "halves": halves_agree(brute)}
        for method in METHODS:
            t0 = time.perf_counter()
            row[method], row[f"{method}_samples"] = choose(method, data, model, hp)
            row[f"{method}_s"] = time.perf_counter() - t0
        chosen = sorted({row[m] for m in METHODS if math.isfinite(row[m])} - set(brute))
        at = {**means, **{lr: mean(v) for lr, v in losses(data, model, hp, chosen)[0].items()}} if chosen else means
        for method in METHODS:
            lr = row[method]
            row[f"{method}_f"] = factor(lr / best) if math.isfinite(lr) else math.inf
            row[f"{method}_t"] = min(factor(lr / t) for t in row["tied"]) if math.isfinite(lr) else math.inf
            row[f"{method}_loss"] = at[lr] if math.isfinite(lr) else math.inf
        rows.append(row)
        print(f"{row['label']} ({data.n_train} rows, {data.task}): best {best:.3g} (val loss {means[best]:.4f}); "
              + "; ".join(f"{m} {row[m]:.3g} (x{row[m + '_f']:.2f}, loss {row[m + '_loss']:.4f}, "
                          f"{row[m + '_samples']:,} samples, {row[m + '_s']:.1f} s)" for m in METHODS)
              + f"; brute {b_samples:,} samples, {b_s:.1f} s; seed floor {row['floor'][0]}/{len(SEEDS)}; "
              f"tied with the best: {', '.join(f'{lr:.3g}' for lr in row['tied'])}; halves agree: {row['halves']}",
              flush=True)
        print("  brute val loss per lr: " + ", ".join(f"{lr:.2g} {v:.3f}" for lr, v in means.items()))
    print()
    print("| data + model + optimizer + batch | rows | best lr (val loss) | range test: lr, factor, val loss | "
          "sweep: lr, factor, val loss | one-seed sweep: lr, factor, val loss | whole sweep: lr, factor, val loss "
          "| short sweep (100 steps): lr, factor, val loss | rates tied with the best | one brute seed alone: within "
          "3x | brute halves agree |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        cells = " | ".join(f"{r[m]:.3g}, **{r[m + '_f']:.2f}**, {r[m + '_loss']:.4f}"
                           for m in ("range", "sweep", "single", "whole", "short"))
        print(f"| {r['label']} | {r['n']} | {r['best']:.3g} ({r['best_loss']:.4f}) | {cells} | "
              f"{', '.join(f'{lr:.3g}' for lr in r['tied'])} | {r['floor'][0]} of {len(SEEDS)} | "
              f"{'yes' if r['halves'] else '**no**'} |")
    print()
    brute_samples = sum(r["b_samples"] for r in rows)
    # one brute sweep of 10 rates x the epochs, one seed, on every combination (whatever the reference's grid)
    one_seed = brute_samples / len(SEEDS) * 10 / len(brute_rates("adam", args.reference_per_decade))
    for method in METHODS:
        factors = [r[f"{method}_f"] for r in rows]
        regret = [r[f"{method}_loss"] / r["best_loss"] for r in rows]
        worst = max(range(len(rows)), key=lambda i: factors[i])
        samples = sum(r[f"{method}_samples"] for r in rows)
        seconds = sum(r[f"{method}_s"] for r in rows)
        finite = [r for r in regret if math.isfinite(r) and r > 0]
        print(f"{method}: worst factor {factors[worst]:.2f} ({rows[worst]['label']}), median "
              f"{statistics.median(factors):.2f}, within 3x on {sum(f <= 3 for f in factors)} of {len(rows)} "
              f"(of a rate tied with the best: {sum(r[method + '_t'] <= 3 for r in rows)}); "
              f"val loss at the choice / best: median {statistics.median(regret):.3f}, worst {max(regret):.3f}, "
              f"within 25% on {sum(r <= 1.25 for r in regret)} of {len(rows)}, geometric mean "
              f"{math.exp(statistics.mean(math.log(r) for r in finite)):.3f} ({len(finite)} finite); "
              f"compute {samples:,} samples ({samples / one_seed:.2f} one-seed brute sweeps), {seconds:.0f} s")
    hits = sum(r["floor"][0] for r in rows)
    print(f"seed floor: one brute seed alone is within 3x of the other seeds' mean best on {hits} of "
          f"{len(rows) * len(SEEDS)} ({hits / (len(rows) * len(SEEDS)):.0%}), worst {max(r['floor'][1] for r in rows):.1f}")
    halves = sum(r["halves"] for r in rows)
    print(f"brute halves: the brute sweep on seeds {SEEDS[:len(SEEDS) // 2]} picks a rate within 3x of the one it picks "
          f"on seeds {SEEDS[len(SEEDS) // 2:]} on {halves} of {len(rows)}; rates tied with the best per combination: "
          f"{statistics.mean(len(r['tied']) for r in rows):.1f} on average")
    print(f"brute sweeps: {sum(r['b_s'] for r in rows):.0f} s, {brute_samples:,} samples; "
          f"whole run {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
