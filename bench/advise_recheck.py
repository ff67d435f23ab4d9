"""Is `advise`'s re-check worth its compute? The sweep chooses a rate for runs of the planned length
(10 epochs); the epoch stage may then recommend a rather different length E. With budget left,
`advise` sweeps the rate again over E epochs. This measures, on the 40 combinations of
``bench/lr_choice.py`` (its data sets, models, optimizers and batch sizes), what that second sweep
changes for a user who trains E epochs.

Per combination, as advise does it (seed 0): the one-seed sweep over 10 epochs chooses a rate; the
epoch stage at that rate (early stopping, up to 50 epochs, patience 5) gives E; when E is more than
1.5x away from 10, advise sweeps again over E epochs (1.5 decades below to 1 above the first choice,
confirmed on 4 seeds) and recommends ``lrE``; without the re-check it would confirm the 10-epoch
sweep on 4 seeds and recommend ``lr10``. Both rates are then trained for E epochs on seeds 11-14
(not a seed either choice was made on) and compared by the mean final validation loss and metric.
Compute: the re-check's samples against the confirmation's. Single-threaded.

    .venv/bin/python bench/advise_recheck.py [--spread all]
"""

from __future__ import annotations

import argparse
import math
from dataclasses import replace
import statistics
import time

import torch
from lr_choice import DATA, SPREADS

from hyperlab.hparams import HParams, samples_seen
from hyperlab.members import train_members
from hyperlab.tuners import epoch_find, lr_sweep
from hyperlab.tuners.advise import RECHECK_WINDOW
from hyperlab.tuners.lr_sweep import confirm_sweep

SEEDS = (11, 12, 13, 14)
PLANNED = 10


def trained(data, model: str, hp: HParams, lrs: list[float]) -> list[tuple[float, float | None]]:
    """(mean final validation loss, mean final metric) over SEEDS for each rate, E epochs each."""
    members = [hp.replace(lr=lr, seed=s) for lr in lrs for s in SEEDS]
    results = train_members(model, data, members)
    out = []
    for i in range(len(lrs)):
        runs = results[i * len(SEEDS):(i + 1) * len(SEEDS)]
        losses = [r.history.epochs[-1].val_loss if r.history.epochs and r.history.epochs[-1].val_loss is not None
                  else math.inf for r in runs]
        metrics = [r.history.epochs[-1].val_metric for r in runs if r.history.epochs]
        out.append((statistics.fmean(losses),
                    statistics.fmean(m for m in metrics if m is not None) if any(m is not None for m in metrics)
                    else None))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spread", default="all", choices=[*SPREADS, "all"])
    args = parser.parse_args()
    torch.set_num_threads(1)
    combos = [c for name, cs in SPREADS.items() if args.spread in (name, "all") for c in cs]
    rows, ratios, extra = [], [], []
    started = time.perf_counter()
    for name, model, optimizer, batch in combos:
        data = DATA[name]()
        hp = HParams(optimizer=optimizer, batch_size=batch, epochs=PLANNED, seed=0)
        first = lr_sweep(model, data, hp, seeds=1)
        epochs = epoch_find(model, data, hp.replace(lr=first.suggested_lr), max_epochs=50, patience=5)
        e = epochs.suggested_epochs
        label = f"{name}+{model}+{optimizer}+b{batch}"
        if 2 / 3 <= e / PLANNED <= 3 / 2:
            rows.append(f"| {label} | {e} | {first.suggested_lr:.3g} | (no re-check) | | | |")
            continue
        confirmed = confirm_sweep(replace(first, confirmed={}, confirm_histories=[], plot=None), model, data=data)
        below, above = RECHECK_WINDOW
        again = lr_sweep(model, data, hp.replace(epochs=e), min_lr=first.suggested_lr / 10 ** below,
                         max_lr=first.suggested_lr * 10 ** above)
        confirm_samples = sum(samples_seen(h.n_train, h.effective_batch, h.steps_done)
                              for h in confirmed.confirm_histories)
        extra.append(again.samples / max(confirm_samples, 1))
        (loss10, metric10), (lossE, metricE) = trained(data, model, hp.replace(epochs=e),
                                                       [confirmed.suggested_lr, again.suggested_lr])
        ratio = lossE / loss10 if loss10 > 0 and math.isfinite(loss10) else math.nan
        ratios.append(ratio)
        rows.append(f"| {label} | {e} | {confirmed.suggested_lr:.3g} | {again.suggested_lr:.3g} | "
                    f"{loss10:.4f} / {lossE:.4f} | {ratio:.3f} | {fmt(metric10)} / {fmt(metricE)} |")
        print(rows[-1], flush=True)
    print()
    print("| data + model + optimizer + batch | E (epoch stage) | lr over 10 epochs (confirmed) | lr over E epochs "
          "| val loss after E epochs at each (seeds 11-14) | ratio | val metric at each |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    done = [r for r in ratios if math.isfinite(r)]
    if done:
        print(f"\nre-checked {len(ratios)} of {len(combos)}; loss ratio (re-check / first): geometric mean "
              f"{math.exp(statistics.fmean(math.log(r) for r in done)):.3f}, better on "
              f"{sum(r < 1 for r in done)}, equal on {sum(r == 1 for r in done)}, worse on {sum(r > 1 for r in done)}; "
              f"worst {max(done):.3f}, best {min(done):.3f}; re-check samples / the confirmation's: median "
              f"{statistics.median(extra):.2f}; {time.perf_counter() - started:.0f} s")


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


if __name__ == "__main__":
    main()
