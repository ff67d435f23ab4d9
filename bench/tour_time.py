"""How long `hyperlab tour` takes, quick (and with --full the thorough version), as a user runs it.

Baseline, measured in the same run: one plain `hyperlab train` on the same data (digits, MLP,
10 epochs), the median of three. Both are timed as whole processes (start-up included). Prints
absolute seconds, the ratio tour / train, and each lesson's own seconds from tour.json.

    .venv/bin/python bench/tour_time.py            # quick tour
    .venv/bin/python bench/tour_time.py --full     # also the full tour (a few minutes)
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HYPERLAB = [sys.executable, "-m", "hyperlab"]


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([*HYPERLAB, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def tour(out: Path, full: bool) -> tuple[float, dict[str, float]]:
    seconds = timed(["tour", "--out", str(out), "--quiet", *(["--full"] if full else [])])
    lessons = json.loads((out / "tour.json").read_text(encoding="utf-8"))["lessons"]
    return seconds, {name: lesson["seconds"] for name, lesson in lessons.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also time `hyperlab tour --full`")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        train = statistics.median(timed(["train", "--dataset", "digits", "--model", "mlp", "--epochs", "10",
                                         "--quiet", "--out", str(tmp_path / f"train{i}")]) for i in range(3))
        print(f"baseline `hyperlab train` (digits, mlp, 10 epochs): {train:.1f} s (median of 3)")
        runs = [("quick", False)] + ([("full", True)] if args.full else [])
        for label, full in runs:
            seconds, lessons = tour(tmp_path / label, full)
            per_lesson = ", ".join(f"{name} {s:.1f} s" for name, s in lessons.items())
            print(f"`hyperlab tour{' --full' if full else ''}`: {seconds:.1f} s = {seconds / train:.1f} x one train run "
                  f"(inside: {per_lesson})")


if __name__ == "__main__":
    main()
