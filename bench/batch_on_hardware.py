"""The batch on the hardware at hand (one process): what accumulation, bf16 and torch.compile cost.

Rows, each a ratio against a baseline timed in the same run (interleaved, median of --repeats):
- batch 32 x accumulate 4 vs batch 128: the same samples per optimizer step, so the ratio is
  the price of four smaller forward/backward passes instead of one;
- bf16 autocast vs fp32 at batch 128, with the measured peak tensor memory of a step of each
  (engine/memory.py) — on CPU, without bf16 matrix units, bf16 is a memory saving, not a speed-up;
- torch.compile vs eager at batch 128, with and without the one-off compile time.

The model is the digits MLP made wider (``--width``), since at width 128 a step is mostly Python
and launch overhead, where none of the three can show anything.

    .venv/bin/python bench/batch_on_hardware.py [--repeats 5] [--epochs 5] [--width 512]
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


def timed(data, width: int, epochs: int, **settings) -> tuple[float, float, int | None]:
    """(seconds of the whole fit, seconds from the second epoch on, peak step bytes)."""
    hp = HParams(epochs=epochs, lr=1e-3, optimizer="adam", **settings)
    model = build_model("mlp", data, width=width, depth=2, seed=0)
    started = time.perf_counter()
    result = fit(model, data, hp)
    total = time.perf_counter() - started
    steady = sum(e.seconds for e in result.history.epochs[1:])
    return total, steady, result.history.peak_memory.get("step_peak_bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--width", type=int, default=512)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-compile", action="store_true", help="skip the torch.compile rows (slow to compile)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = load_data("digits")
    cases = {
        "batch 128": dict(batch_size=128),
        "batch 32 x accumulate 4": dict(batch_size=32, accumulate=4),
        "bf16, batch 128": dict(batch_size=128, precision="bf16"),
    }
    if not args.no_compile:
        cases["compile, batch 128"] = dict(batch_size=128, compile=True)
    runs: dict[str, list[tuple[float, float, int | None]]] = {name: [] for name in cases}
    for _ in range(args.repeats):
        for name, settings in cases.items():  # interleaved
            runs[name].append(timed(data, args.width, args.epochs, **settings))

    def median(name: str, i: int) -> float:
        return statistics.median(r[i] for r in runs[name])

    base_total, base_steady = median("batch 128", 0), median("batch 128", 1)
    print(f"digits MLP width {args.width} depth 2, Adam, {args.epochs} epochs, {args.threads} thread(s), "
          f"median of {args.repeats}")
    print(f"{'run':<26} {'fit s':>7} {'x batch 128':>12} {'epochs 2+ s':>12} {'x batch 128':>12} {'step peak KiB':>14}")
    for name in cases:
        total, steady = median(name, 0), median(name, 1)
        peak = runs[name][0][2]
        print(f"{name:<26} {total:>7.2f} {total / base_total:>12.2f} {steady:>12.2f} {steady / base_steady:>12.2f} "
              f"{'' if peak is None else f'{peak / 1024:,.0f}':>14}")
    if "compile, batch 128" in runs:
        first = runs["compile, batch 128"][0][0]
        print(f"the first compiled fit (compiling included): {first:.2f} s = {first / base_total:.1f}x an eager fit; "
              f"later fits in the same process reuse the compiled code")


if __name__ == "__main__":
    main()
