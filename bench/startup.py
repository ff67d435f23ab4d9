"""Start-up of whole hyperlab processes against ``python -c "import torch"``, measured in the
same run (interleaved, median of --repeats): every CLI call, sweep worker and test process pays it.

Rows: ``import torch`` (the baseline, 1.0); ``hyperlab --help``; ``hyperlab train --epochs 1
--quiet`` (digits MLP, one epoch: ~0.06 s of training, the rest is start-up). Targets from
issue 12: train <= 1.8x, --help <= 1.2x.

    .venv/bin/python bench/startup.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
TARGETS = {"hyperlab --help": 1.2, "hyperlab train --epochs 1 --quiet": 1.8}


def cases(out: Path) -> dict[str, list[str]]:
    return {
        "import torch": [sys.executable, "-c", "import torch"],
        "hyperlab --help": [str(BIN / "hyperlab"), "--help"],
        "hyperlab train --epochs 1 --quiet": [str(BIN / "hyperlab"), "train", "--epochs", "1", "--quiet",
                                              "--out", str(out / "run")],
    }


def seconds(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        commands = cases(Path(tmp))
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeats):
            for name, argv in commands.items():  # interleaved: machine noise hits every case alike
                times[name].append(seconds(argv))
    base = statistics.median(times["import torch"])
    print(f"{'process':<40} {'median s':>9} {'x import torch':>15} {'target':>7}")
    for name, values in times.items():
        median = statistics.median(values)
        target = f"<= {TARGETS[name]}" if name in TARGETS else ""
        print(f"{name:<40} {median:>9.2f} {median / base:>15.2f} {target:>7}")


if __name__ == "__main__":
    main()
