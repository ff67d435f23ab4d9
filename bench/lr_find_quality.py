"""LR range test quality: its suggestion against the best constant learning rate of a full sweep.

For each data/model/optimizer combination, a sweep of constant learning rates (log grid, four
per decade, 1e-5 .. 10) trains for a fixed number of epochs with three seeds; the best learning
rate is the one with the highest mean validation metric (ties: lower validation loss). The range
test runs once with its defaults (seed 0, 100 steps) and its recommended suggestion is
compared: ratio suggested / best (target: within a factor of 3 on every combination). Also
printed: the other rules' ratios, the recommended rule's ratio over five single-run seeds, and
the validation metric of training at the suggested learning rate against the best one's.
Runs single-threaded (tiny models; a second thread only contends on a shared machine).

    .venv/bin/python bench/lr_find_quality.py [--epochs 20]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from hyperlab.data import load_data
from hyperlab.engine import fit
from hyperlab.hparams import HParams
from hyperlab.models import build_model
from hyperlab.tuners import lr_find
from hyperlab.tuners.lr_find import RULES

COMBOS = [  # data, model, optimizer, batch size
    ("digits", "mlp", "sgd", 16),
    ("digits", "mlp", "adam", 16),
    ("breast-cancer", "logistic", "sgd", 16),
    ("moons", "mlp", "momentum", 16),
]
SWEEP = [10 ** (k / 4) for k in range(-20, 5)]
SEEDS = (0, 1, 2)


def mean_score(data, model: str, hp: HParams) -> tuple[float, float]:
    """Mean final validation metric and loss over SEEDS (a diverged run scores -1 and loss inf)."""
    metrics, losses = [], []
    for seed in SEEDS:
        result = fit(build_model(model, data, seed=seed), data, hp.replace(seed=seed), measure_memory=False)
        final = result.history.final()
        ok = result.status == "completed" and final.val_metric is not None
        metrics.append(final.val_metric if ok else -1.0)
        losses.append(final.val_loss if ok and final.val_loss is not None else float("inf"))
    return statistics.mean(metrics), statistics.mean(losses)


def main() -> None:
    torch.set_num_threads(1)  # tiny models: a second thread only contends (and the machine is shared)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    worst = 1.0
    for dataset, model, optimizer, batch in COMBOS:
        started = time.perf_counter()
        data = load_data(dataset, seed=0)
        hp = HParams(batch_size=batch, optimizer=optimizer, epochs=args.epochs)
        scores = {lr: mean_score(data, model, hp.replace(lr=lr)) for lr in SWEEP}
        best = max(SWEEP, key=lambda lr: (scores[lr][0], -scores[lr][1]))
        sweep_seconds = time.perf_counter() - started

        found = lr_find(model, data, hp)
        ratio = found.suggested_lr / best
        rule_ratios = {rule: found.suggestions[rule] / best for rule in RULES if found.suggestions[rule]}
        single = [lr_find(model, data, hp.replace(seed=s)).suggested_lr / best for s in range(5)]
        at_suggested = mean_score(data, model, hp.replace(lr=found.suggested_lr))[0]
        fraction = found.steps_run / found.steps_per_epoch
        worst = max(worst, ratio, 1 / ratio)
        print(f"{dataset}+{model}+{optimizer} (batch {batch}, {args.epochs} epochs): best constant lr {best:.3g} "
              f"(val {scores[best][0]:.4f}; sweep {len(SWEEP)} lrs x {len(SEEDS)} seeds, {sweep_seconds:.0f} s)")
        print(f"  range test: {found.recommended_rule} {found.suggested_lr:.3g} -> ratio suggested/best = "
              f"{ratio:.2f} ({'within' if 1 / 3 <= ratio <= 3 else 'OUTSIDE'} a factor of 3); cost "
              f"{found.steps_run} steps = {fraction:.2f} epoch")
        print("  all rules: " + ", ".join(f"{rule} {r:.2f}" for rule, r in rule_ratios.items())
              + f"; {found.recommended_rule} over seeds 0-4: " + ", ".join(f"{r:.2f}" for r in single))
        print(f"  val metric at the suggestion {at_suggested:.4f} vs at the best {scores[best][0]:.4f} "
              f"(ratio {at_suggested / scores[best][0]:.4f})")
    print(f"summary: worst factor from the best lr = {worst:.2f} "
          f"({'target met' if worst <= 3 else 'target MISSED'}: within 3 on every combination)")


if __name__ == "__main__":
    main()
