"""Population training against K sequential ``fit`` calls, same members, same machine, same run.

Members: the digits MLP (64-128-128-10), batch 32, the seven optimizers in turn, each at a spread
of learning rates around a workable one (one decade either side), seed 0 unless said. Both sides
train every member to the end and evaluate every epoch. Prints wall-clock seconds and the ratio
(sequential / population), per torch thread count; also the process CPU-time ratio, which the
other jobs on a shared machine disturb less (for one thread it is the work done).

    .venv/bin/python bench/population_speedup.py [--epochs 10] [--members 8,16,64] [--threads 1,2]
"""

from __future__ import annotations

import argparse
import time
import warnings

import torch

from hyperlab.data import load_data
from hyperlab.engine import fit
from hyperlab.engine.population import SequentialFallbackWarning, fit_population
from hyperlab.hparams import OPTIMIZERS, HParams
from hyperlab.models import build_model

BASE_LR = {"sgd": 0.1, "momentum": 0.03, "nesterov": 0.03, "rmsprop": 0.001, "adagrad": 0.03, "adam": 0.001,
           "adamw": 0.001}


def members(k: int, epochs: int, seeds: int = 1, batch_sizes: tuple[int, ...] = (32,)) -> list[HParams]:
    out = []
    for i in range(k):
        name = OPTIMIZERS[i % len(OPTIMIZERS)]
        spread = 10 ** (-1 + 2 * (i // len(OPTIMIZERS)) / max((k - 1) // len(OPTIMIZERS), 1))
        out.append(HParams(optimizer=name, lr=BASE_LR[name] * spread, epochs=epochs, seed=i % seeds,
                           batch_size=batch_sizes[i % len(batch_sizes)]))
    return out


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def sequential(data, hps):
    return [fit(build_model("mlp", data, seed=hp.seed), data, hp) for hp in hps]


def compare(label: str, data, hps, forward: str = "auto") -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("error", SequentialFallbackWarning)  # a fallback would make the figure meaningless
        pop, pop_wall, pop_cpu = timed(lambda: fit_population("mlp", data, hps, forward=forward))
    seq, seq_wall, seq_cpu = timed(lambda: sequential(data, hps))
    # float32: rounding differences (batched vs single products) stay ~1e-7 in stable training but
    # grow in chaotic training at the edge of divergence (float64 agrees there to ~1e-8, tested)
    close = sum(a.status == b.status and all(x is None and y is None or (x is not None and y is not None and
                                                                       abs(x - y) <= 1e-5 * abs(y))
                                             for x, y in zip(a.history.step_loss, b.history.step_loss, strict=True))
                for a, b in zip(pop, seq, strict=True))
    row = {"case": label, "K": len(hps), "threads": torch.get_num_threads(), "population s": round(pop_wall, 2),
           "sequential s": round(seq_wall, 2), "ratio": round(seq_wall / pop_wall, 1),
           "cpu ratio": round(seq_cpu / pop_cpu, 1), "members within 1e-5 of fit": f"{close}/{len(hps)}"}
    print(" | ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--members", default="8,16,64")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--extras", action="store_true", help="also vmap vs matmul, seeds, mixed batch sizes")
    args = parser.parse_args()
    data = load_data("digits", seed=0)
    fit(build_model("mlp", data, seed=0), data, HParams(epochs=1))  # warm up torch (imports, first optimizer)
    fit_population("mlp", data, members(2, 1))
    rows = []
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        for k in [int(m) for m in args.members.split(",")]:
            rows.append(compare("digits MLP, seed 0", data, members(k, args.epochs)))
        if args.extras:
            rows.append(compare("vmap forward", data, members(16, args.epochs), forward="vmap"))
            rows.append(compare("matmul forward", data, members(16, args.epochs), forward="matmul"))
            rows.append(compare("4 seeds (4 shuffles)", data, members(16, args.epochs, seeds=4)))
            rows.append(compare("batch 32 and 128 (two cohorts)", data,
                                members(16, args.epochs, batch_sizes=(32, 128))))
    keys = list(rows[0])
    print("\n| " + " | ".join(keys) + " |\n|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")


if __name__ == "__main__":
    main()
