"""How long the tour takes, quick (and with --full the thorough version), with its comparisons trained
as populations (what `hyperlab tour` does) against one `fit` after another, in the same run.

Baseline, measured in the same run: one plain `hyperlab train` on the same data (digits, MLP,
10 epochs), the median of three. Every figure is a whole process (start-up included); the two tour
variants run the same `run_tour` call in a fresh process, differing only in ``population``, and
alternate (``--rounds`` each, median). Prints absolute seconds, ratios, and each lesson's own
seconds from tour.json.

    .venv/bin/python bench/tour_time.py            # quick tour
    .venv/bin/python bench/tour_time.py --full     # also the full tour (several minutes)
    .venv/bin/python bench/tour_time.py --clip-grad-norm 1   # every run clipped
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
TOUR = ("from hyperlab.lessons import run_tour; "
        "run_tour('digits', budget={budget!r}, out={out!r}, population={population}, training={training!r})")


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def tour(out: Path, budget: str, population: bool, training: dict[str, float]) -> tuple[float, dict[str, float]]:
    seconds = timed([sys.executable, "-c", TOUR.format(budget=budget, out=str(out), population=population,
                                                       training=training)])
    lessons = json.loads((out / "tour.json").read_text(encoding="utf-8"))["lessons"]
    return seconds, {name: lesson["seconds"] for name, lesson in lessons.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also time the full tour")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each tour variant (alternating)")
    parser.add_argument("--clip-grad-norm", type=float, default=None,
                        help="every lesson run clipped to this gradient norm (stacked since this session)")
    args = parser.parse_args()
    training = {} if args.clip_grad_norm is None else {"clip_grad_norm": args.clip_grad_norm}
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        train = statistics.median(timed([*HYPERLAB, "train", "--dataset", "digits", "--model", "mlp", "--epochs",
                                         "10", "--quiet", "--out", str(tmp_path / f"train{i}")]) for i in range(3))
        print(f"baseline `hyperlab train` (digits, mlp, 10 epochs): {train:.1f} s (median of 3)")
        for budget in ["quick"] + (["full"] if args.full else []):
            times: dict[bool, list[tuple[float, dict[str, float]]]] = {True: [], False: []}
            for r in range(args.rounds):
                for population in (False, True):
                    times[population].append(tour(tmp_path / f"{budget}-{population}-{r}", budget, population,
                                                  training))
            for population in (False, True):
                seconds = statistics.median(s for s, _ in times[population])
                lessons = {name: statistics.median(run[1][name] for run in times[population])
                           for name in times[population][0][1]}
                per_lesson = ", ".join(f"{name} {s:.1f} s" for name, s in lessons.items())
                how = "populations" if population else "one fit after another"
                print(f"{budget} tour, {how}: {seconds:.1f} s = {seconds / train:.1f} x one train run "
                      f"(inside: {per_lesson}; all runs: {', '.join(f'{s:.1f}' for s, _ in times[population])})")
            before = statistics.median(s for s, _ in times[False])
            after = statistics.median(s for s, _ in times[True])
            print(f"{budget} tour speed-up: {before / after:.2f}x (whole process); lessons alone "
                  f"{sum(statistics.median(r[1][n] for r in times[False]) for n in times[False][0][1]) / sum(statistics.median(r[1][n] for r in times[True]) for n in times[True][0][1]):.2f}x",
                  flush=True)


if __name__ == "__main__":
    main()
