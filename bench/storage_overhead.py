"""Storage overhead per trial: SQLite (the embedded default) vs PostgreSQL, as a ratio to the trial's
training time.

The same small sweep (digits MLP, random search, no pruning, one worker) runs on a SQLite file and
on a throwaway local PostgreSQL server (default settings: fsync and synchronous_commit on), twice
each, interleaved. Per trial, overhead = time between consecutive trial completions minus the
trial's own training time (``fit``'s seconds): creating or claiming the trial, writing its
parameters, per-epoch intermediate values, heartbeats, attributes and history, telling the result,
and the sampler. Prints the median overhead in ms and as a ratio to the median training time.

    .venv/bin/python bench/storage_overhead.py [--trials 20] [--epochs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

import torch
from optuna.trial import TrialState

from hyperlab.sweeps import open_study, sweep
from hyperlab.sweeps.localpg import new_database, temporary_postgres

SPACE = {"lr": "0.001..0.1:log", "batch_size": "32,64", "optimizer": "sgd,adam"}


def measure(url: str, name: str, trials: int, epochs: int) -> tuple[list[float], list[float]]:
    """(overhead seconds, training seconds) of each trial after the first."""
    sweep(SPACE, study=name, storage=url, strategy="random", pruner="none", trials=trials, epochs=epochs,
          model="mlp", data="digits", width=64, depth=1)
    done = sorted((tr for tr in open_study(name, url).get_trials(deepcopy=False) if tr.state == TrialState.COMPLETE),
                  key=lambda tr: tr.datetime_complete)
    overhead, train = [], []
    for before, trial in zip(done, done[1:]):
        gap = (trial.datetime_complete - before.datetime_complete).total_seconds()
        overhead.append(gap - trial.user_attrs["train_seconds"])
        train.append(trial.user_attrs["train_seconds"])
    return overhead, train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(1)
    results: dict[str, tuple[list[float], list[float]]] = {"sqlite": ([], []), "postgresql": ([], [])}
    with tempfile.TemporaryDirectory() as tmp, temporary_postgres() as server:
        for round_ in range(args.rounds):
            for backend in ("sqlite", "postgresql"):
                url = f"sqlite:///{Path(tmp) / f'r{round_}.db'}" if backend == "sqlite" else new_database(server)
                overhead, train = measure(url, f"overhead-{round_}", args.trials, args.epochs)
                results[backend][0].extend(overhead)
                results[backend][1].extend(train)
    print(f"{args.rounds} x {args.trials} trials per storage, digits MLP 64, {args.epochs} epochs, random search")
    print(f"{'storage':11} {'overhead ms':>11} {'train ms':>9} {'overhead/train':>14}")
    medians = {}
    for backend, (overhead, train) in results.items():
        medians[backend] = statistics.median(overhead)
        print(f"{backend:11} {1000 * medians[backend]:11.1f} {1000 * statistics.median(train):9.1f} "
              f"{medians[backend] / statistics.median(train):14.3f}")
    print(f"postgresql / sqlite overhead: {medians['postgresql'] / medians['sqlite']:.2f}")


if __name__ == "__main__":
    main()
