"""Start-up cost of the built-in data: a whole process that loads a built-in set, against a
process that only imports torch, measured in the same run (interleaved, median of --repeats).

Rows: ``import torch`` (the baseline, 1.0); ``import hyperlab`` + ``load_data`` for each shipped
set (today's path: arrays from the package's .npz, a numpy split); and the same plus what the
previous path imported and called (scikit-learn's loader and ``train_test_split``), so the
difference is what shipping the arrays saves per process (every CLI call, sweep worker, test).

    .venv/bin/python bench/data_load.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

SETS = ("digits", "breast-cancer", "wine", "diabetes")
SKLEARN = {"digits": "load_digits", "breast-cancer": "load_breast_cancer", "wine": "load_wine",
           "diabetes": "load_diabetes"}
CASES = {
    "import torch": "import torch",
    "hyperlab load_data (shipped arrays)": "import hyperlab\n" + "".join(
        f"hyperlab.load_data({name!r})\n" for name in SETS),
    "hyperlab load_data + scikit-learn's loaders and split (the previous path)": (
        "import hyperlab\nfrom sklearn import datasets\nfrom sklearn.model_selection import train_test_split\n"
        + "".join(f"datasets.{SKLEARN[name]}(); hyperlab.load_data({name!r})\n" for name in SETS)),
}


def seconds(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(args.repeats):
        for name, code in CASES.items():  # interleaved: machine noise hits every case alike
            times[name].append(seconds(code))
    base = statistics.median(times["import torch"])
    print(f"{'process':<76} {'median s':>9} {'x import torch':>15}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<76} {median:>9.2f} {median / base:>15.2f}")


if __name__ == "__main__":
    main()
