"""`hyperlab train` with 1 and with 2 intra-op threads (`--threads`), on an idle machine and with
other processes keeping cores busy, measured in the same run (interleaved, median of
``--repeats``). Why: torch uses as many threads as cores by default, and its threads wait for each
other at every operation; when another process holds a core, each of those waits can last a
scheduler time slice. The figure to read is the 2-thread time over the 1-thread time, idle and loaded
(the default is torch's own: every core).

    .venv/bin/python bench/threads_under_load.py [--repeats 3] [--epochs 5] [--busy 0 1 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def busy(stop: multiprocessing.synchronize.Event) -> None:
    """Keep one core busy (another program on a shared machine) until told to stop."""
    while not stop.is_set():
        sum(range(10_000))


def seconds(threads: int, epochs: int, out: Path) -> float:
    argv = [str(BIN / "hyperlab"), "train", "--dataset", "digits", "--model", "mlp", "--batch-size", "32",
            "--epochs", str(epochs), "--threads", str(threads), "--quiet", "--out", str(out)]
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--busy", type=int, nargs="+", default=[0, 1, 2], help="busy processes beside it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        for load in args.busy:
            stop = multiprocessing.Event()
            workers = [multiprocessing.Process(target=busy, args=(stop,)) for _ in range(load)]
            for worker in workers:
                worker.start()
            try:
                times: dict[int, list[float]] = {1: [], 2: []}
                for _ in range(args.repeats):
                    for threads in (1, 2):
                        times[threads].append(seconds(threads, args.epochs, out))
            finally:
                stop.set()
                for worker in workers:
                    worker.join()
            one, two = statistics.median(times[1]), statistics.median(times[2])
            print(f"{load} busy process(es) beside it: 1 thread {one:.2f} s, 2 threads {two:.2f} s "
                  f"(whole process: start-up + {args.epochs} epochs); 2 threads / 1 thread = {two / one:.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
