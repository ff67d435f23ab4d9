"""`hyperlab sweep` against the plain Optuna script a user would write, on the same space and data.

Space: lr 1e-4..1 (log), batch 16/32/64/128, optimizer sgd/momentum/adam, epochs 5..40; digits,
the default MLP (64-128-128-10), hyperlab's split (seeded), one process, one torch thread, 30
trials. The plain script (below, ``plain``) is a hand-written PyTorch loop inside an Optuna
objective: TPE, no pruning, in-memory study, evaluated once at the end. Ours is the command as a
user types it (TPE + ASHA pruning), on the embedded SQLite default and on an in-memory study
(``--storage :memory:``). Each is a whole process, start-up included, timed in the same run,
interleaved, for each seed (the seed sets the split, the initial weights and the sampler).
Prints per seed and the medians:

    our wall time / plain wall time       (target <= 1.0)
    best validation accuracy, both        (target: within one validation sample, 1 / n_val)

    .venv/bin/python bench/sweep_vs_optuna.py [--seeds 0 1 2] [--trials 30] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPACE = ["--lr", "1e-4..1:log", "--batch-size", "16,32,64,128", "--optimizer", "sgd,momentum,adam",
         "--epochs", "5..40"]
HYPERLAB = [sys.executable, "-m", "hyperlab"]


def plain(trials: int, seed: int, threads: int) -> dict:
    """The script a user writes: Optuna + a PyTorch loop, TPE, no pruning, in-memory study."""
    import optuna
    import torch
    from torch import nn

    from hyperlab.data import load_data

    torch.set_num_threads(threads)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    data = load_data("digits", seed=seed)  # hyperlab's split, so both score on the same validation set
    (x_train, y_train), (x_val, y_val) = data.train.tensors, data.val.tensors
    optimizers = {"sgd": lambda p, lr: torch.optim.SGD(p, lr=lr),
                  "momentum": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9),
                  "adam": lambda p, lr: torch.optim.Adam(p, lr=lr)}
    steps = 0

    def objective(trial: optuna.Trial) -> float:
        nonlocal steps
        lr = trial.suggest_float("lr", 1e-4, 1, log=True)
        batch = trial.suggest_categorical("batch_size", [16, 32, 64, 128])
        name = trial.suggest_categorical("optimizer", ["sgd", "momentum", "adam"])
        epochs = trial.suggest_int("epochs", 5, 40)
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))
        optimizer, loss_fn = optimizers[name](model.parameters(), lr), nn.CrossEntropyLoss()
        for _ in range(epochs):
            model.train()
            order = torch.randperm(len(x_train))
            for start in range(0, len(x_train), batch):
                idx = order[start:start + batch]
                optimizer.zero_grad()
                loss_fn(model(x_train[idx]), y_train[idx]).backward()
                optimizer.step()
                steps += 1
        model.eval()
        with torch.no_grad():
            return (model(x_val).argmax(1) == y_val).float().mean().item()

    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=trials)
    return {"best": study.best_value, "steps": steps, "n_val": len(y_val)}


def timed(command: list[str]) -> tuple[float, dict]:
    """Wall time of a whole process and the JSON it printed last."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return seconds, json.loads(done.stdout)


def one_seed(folder: Path, seed: int, trials: int, threads: int) -> dict[str, dict]:
    common = [*SPACE, "--trials", str(trials), "--seed", str(seed), "--threads", str(threads), "--json", "--quiet"]
    runs: dict[str, dict] = {}
    for name, command in (
            ("plain", [sys.executable, __file__, "--plain", "--seed", str(seed), "--trials", str(trials),
                       "--threads", str(threads)]),
            ("ours sqlite", [*HYPERLAB, "sweep", "--study", f"s{seed}", "--storage", str(folder / f"s{seed}.db"),
                             *common]),
            ("ours memory", [*HYPERLAB, "sweep", "--study", f"m{seed}", "--storage", ":memory:", *common])):
        seconds, out = timed(command)
        if name == "plain":
            runs[name] = {"seconds": seconds, **out}
        else:
            runs[name] = {"seconds": seconds, "best": out["best"]["value"], "steps": out["steps"],
                          "counts": out["counts"]}
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--plain", action="store_true", help="run only the plain script (one seed) and print JSON")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.plain:
        print(json.dumps(plain(args.trials, args.seed, args.threads)))
        return
    ratios: dict[str, list[float]] = {"ours sqlite": [], "ours memory": []}
    gaps: dict[str, list[float]] = {"ours sqlite": [], "ours memory": []}
    print(f"digits MLP, {args.trials} trials, {args.threads} thread(s); whole processes, seconds")
    print(f"{'seed':>4} {'run':12} {'seconds':>8} {'x plain':>8} {'best':>7} {'gap (val samples)':>18} "
          f"{'steps':>7} counts")
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            runs = one_seed(Path(tmp), seed, args.trials, args.threads)
            base, n_val = runs["plain"], runs["plain"]["n_val"]
            for name, run in runs.items():
                ratio = run["seconds"] / base["seconds"]
                gap = (run["best"] - base["best"]) * n_val
                if name in ratios:
                    ratios[name].append(ratio)
                    gaps[name].append(gap)
                print(f"{seed:>4} {name:12} {run['seconds']:8.2f} {ratio:8.2f} {run['best']:7.4f} {gap:+18.1f} "
                      f"{run['steps']:>7} {run.get('counts', '')}")
    for name in ratios:
        print(f"median {name} / plain: {statistics.median(ratios[name]):.2f}x wall time (target <= 1.0); "
              f"best - plain's best: {statistics.median(gaps[name]):+.1f} validation samples "
              f"(each seed: {', '.join(f'{g:+.0f}' for g in gaps[name])}; target within 1)")


if __name__ == "__main__":
    main()
