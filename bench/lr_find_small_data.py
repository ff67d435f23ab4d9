"""LR range test on small data: its suggestion against the best rate of a brute constant-lr sweep.

Data sets with fewer than 300 training rows (several with 3+ classes, two regressions), a linear
model (logistic / linear regression) and an MLP, sgd and adam, mostly at batch size 32, where an
epoch is only 4-9 steps. The brute sweep trains each of 10 log-spaced constant learning rates
(3.16e-4 .. 10, half a decade apart) for ``--epochs`` epochs with three seeds; its best lr has the
lowest validation loss after those epochs, averaged over the seeds (a diverged run counts as
infinite). A second column takes each run's best epoch instead (as early stopping would); it
rewards rates that dip low once and then swing, so the first is the headline. The range test runs once with its defaults (100 steps, seed 0, recommended rule) and
also with seeds 1-4. Printed per combination: the factor suggested / best (a factor under ~1.8 is
within the sweep's own resolution of half a decade), the factor to the nearest rate whose loss is
within 5% of the best (validation loss is often flat over a decade), the other rules' factors,
the validation loss of training at the suggestion against the best one's, the compute of each
(steps, samples), and what the old default (one epoch of steps, refused below 10) gave.
Runs single-threaded (tiny models; a second thread only contends on a shared machine).

    .venv/bin/python bench/lr_find_small_data.py [--epochs 20]
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
from hyperlab.engine import fit
from hyperlab.errors import HyperlabError
from hyperlab.hparams import HParams, samples_seen
from hyperlab.models import build_model
from hyperlab.tuners import lr_find
from hyperlab.tuners.lr_find import RULES

DATA: dict[str, Callable[[], Data]] = {
    "wine": lambda: load_data("wine", seed=0),  # 106 training rows, 3 classes
    "breast-cancer/200": lambda: load_data("breast-cancer", seed=0).subsample_train(200, seed=0),
    "blobs-4class": lambda: from_arrays(*make_classification(n_samples=300, n_features=10, n_informative=6,
                                                             n_classes=4, n_clusters_per_class=1, random_state=0),
                                        name="blobs-4class", seed=0),  # 180 training rows
    "diabetes/200": lambda: load_data("diabetes", seed=0).subsample_train(200, seed=0),
    "make-regression": lambda: from_arrays(*make_regression(n_samples=250, n_features=8, n_informative=5,
                                                            noise=20.0, random_state=0),
                                           name="make-regression", seed=0),  # 150 training rows
}
COMBOS = [  # data, model, optimizer, batch size
    ("wine", "logistic", "sgd", 32),
    ("wine", "logistic", "adam", 32),
    ("wine", "mlp", "sgd", 16),
    ("wine", "mlp", "adam", 32),
    ("breast-cancer/200", "logistic", "sgd", 32),
    ("breast-cancer/200", "mlp", "adam", 32),
    ("blobs-4class", "logistic", "adam", 32),
    ("blobs-4class", "mlp", "sgd", 32),
    ("blobs-4class", "mlp", "adam", 16),
    ("diabetes/200", "logistic", "sgd", 32),
    ("diabetes/200", "mlp", "sgd", 32),
    ("diabetes/200", "mlp", "adam", 32),
    ("make-regression", "logistic", "adam", 32),
    ("make-regression", "mlp", "sgd", 32),
    ("wine", "logistic", "sgd", 8),  # 14 steps per epoch: the old default swept 7 decades in 14 steps
    ("diabetes/200", "mlp", "sgd", 16),  # 13 steps per epoch
]
NEAR = 0.05  # "near-best": a mean validation loss within 5% of the best one
SWEEP = [10 ** (k / 2) for k in range(-7, 3)]  # 3.16e-4 .. 10, ten rates
SEEDS = (0, 1, 2)
RANGE_SEEDS = range(5)


def score(data: Data, model: str, hp: HParams) -> tuple[float, float, int, int]:
    """Means over SEEDS of the final and of the best epoch's validation loss (inf if a run diverged),
    and the compute: (final, best epoch, steps, samples)."""
    final, best, steps, samples = [], [], 0, 0
    for seed in SEEDS:
        result = fit(build_model(model, data, seed=seed), data, hp.replace(seed=seed), measure_memory=False)
        h = result.history
        steps += h.steps_done
        samples += samples_seen(h.n_train, h.batch_size, h.steps_done)
        values = [e.val_loss for e in h.epochs if e.val_loss is not None]
        ok = result.status == "completed" and len(values) == len(h.epochs)
        final.append(values[-1] if ok else math.inf)
        best.append(min(values) if ok else math.inf)
    return statistics.mean(final), statistics.mean(best), steps, samples


def suggestion(model: str, data: Data, hp: HParams, **options: int) -> float | None:
    """The range test's recommended lr, or None when it could not suggest one (printed as inf)."""
    try:
        return lr_find(model, data, hp, **options).suggested_lr
    except HyperlabError:
        return None


def factor(ratio: float) -> float:
    """How far from the best, as a factor >= 1 either way."""
    return max(ratio, 1 / ratio)


def main() -> None:
    torch.set_num_threads(1)  # tiny models: a second thread only contends (and the machine is shared)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    started = time.perf_counter()
    datasets = {name: make() for name, make in DATA.items()}
    worst: list[tuple[float, str]] = []
    worst_epoch: list[float] = []
    rows = []
    for name, model, optimizer, batch in COMBOS:
        data = datasets[name]
        hp = HParams(batch_size=batch, optimizer=optimizer, epochs=args.epochs)
        brute = {lr: score(data, model, hp.replace(lr=lr)) for lr in SWEEP}
        best = min(SWEEP, key=lambda lr: brute[lr][0])
        best_epoch = min(SWEEP, key=lambda lr: brute[lr][1])
        brute_steps = sum(v[2] for v in brute.values())
        brute_samples = sum(v[3] for v in brute.values())

        found = lr_find(model, data, hp)
        ratio = found.suggested_lr / best
        rules = {rule: found.suggestions[rule] / best for rule in RULES if found.suggestions[rule]}
        seeds = [lr / best if lr else math.inf for lr in (suggestion(model, data, hp.replace(seed=s))
                                                          for s in RANGE_SEEDS)]
        at_suggested = score(data, model, hp.replace(lr=found.suggested_lr))[0]
        found_samples = samples_seen(data.n_train, batch, found.steps_run)
        near = [lr for lr in SWEEP if brute[lr][0] <= (1 + NEAR) * brute[best][0]]
        to_band = min((found.suggested_lr / lr for lr in near), key=factor)
        spe = found.steps_per_epoch
        one_epoch = (suggestion(model, data, hp, steps=spe) or math.inf) / best if spe >= 10 else None
        label = f"{name}+{model}+{optimizer}"
        worst.append((factor(ratio), label))
        worst_epoch.append(factor(found.suggested_lr / best_epoch))
        rows.append((label, data.n_train, data.task, batch, found.steps_per_epoch, best, brute[best][0],
                     found.suggested_lr, ratio, to_band, found.suggested_lr / best_epoch, one_epoch,
                     max(factor(r) for r in seeds),
                     at_suggested, found.steps_run, found.passes, found_samples, brute_steps, brute_samples))
        print(f"{label} ({data.n_train} rows, {data.task}, batch {batch} = {found.steps_per_epoch} steps/epoch): "
              f"best constant lr {best:.3g} (val loss {brute[best][0]:.4f}; by best epoch {best_epoch:.3g}); "
              f"{len(SWEEP)} lrs x {len(SEEDS)} seeds x {args.epochs} epochs = {brute_steps} steps, "
              f"{brute_samples} samples")
        print("  val loss per lr (final / best epoch): " + ", ".join(
            f"{lr:.2g} {v[0]:.3f}/{v[1]:.3f}" for lr, v in brute.items()))
        print(f"  range test: {found.recommended_rule} {found.suggested_lr:.3g} -> factor suggested/best {ratio:.2f}; "
              f"cost {found.steps_run} steps = {found.passes:.2g} passes = {found_samples} samples "
              f"({found_samples / brute_samples:.1%} of the sweep's)")
        print("  all rules: " + ", ".join(f"{rule} {r:.2f}" for rule, r in rules.items())
              + f"; {found.recommended_rule} over seeds 0-4: " + ", ".join(f"{r:.2f}" for r in seeds))
        print(f"  val loss at the suggestion {at_suggested:.4f} vs at the best {brute[best][0]:.4f}; factor to the "
              f"near-best band {to_band:.2f}; old default (one epoch, {spe} steps): "
              + ("refused" if one_epoch is None else f"factor {one_epoch:.3g}"))
    print()
    print("| data + model + optimizer | rows | task | batch (steps/epoch) | best lr (val loss) | suggested | "
          "factor | to near-best band | best-epoch criterion | old default (one epoch) | worst factor, seeds 0-4 | "
          "val loss at suggestion | range test: steps, passes, samples | sweep: steps, samples |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (label, n, task, batch, spe, best, loss, lr, ratio, to_band, ratio_epoch, one_epoch, seed_worst, at_lr,
         steps, passes, samples, b_steps, b_samples) in rows:
        old = "refused" if one_epoch is None else f"{one_epoch:.3g}"
        print(f"| {label} | {n} | {task} | {batch} ({spe}) | {best:.3g} ({loss:.4f}) | {lr:.3g} | **{ratio:.2f}** | "
              f"{to_band:.2f} | {ratio_epoch:.2f} | {old} | {seed_worst:.2f} | {at_lr:.4f} | {steps}, {passes:.2g}, "
              f"{samples:,} | {b_steps:,}, {b_samples:,} |")
    factors = sorted(worst, reverse=True)
    band = [factor(row[9]) for row in rows]
    print(f"\nsummary: worst factor {factors[0][0]:.2f} ({factors[0][1]}); median "
          f"{statistics.median(f for f, _ in factors):.2f}; within 3x on {sum(f <= 3 for f, _ in factors)} of "
          f"{len(factors)}; to the near-best band: worst {max(band):.2f}, within 3x on {sum(f <= 3 for f in band)}; "
          f"best-epoch criterion: worst {max(worst_epoch):.2f}, median {statistics.median(worst_epoch):.2f}; "
          f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
