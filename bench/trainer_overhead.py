"""Trainer overhead: hyperlab's trainer vs a minimal hand-written loop vs a typical DataLoader loop.

Same model, data, seed and work per epoch (shuffle, forward/backward/step, mean train loss,
validation loss and accuracy). The trainer also records per-step loss, lr and gradient norm,
the running train accuracy, and measures peak memory on the first step. Runs are interleaved and repeated; the median time of each is
compared. Prints ratios: trainer / hand-written (target <= 1.05) and trainer / DataLoader (< 1).

    .venv/bin/python bench/trainer_overhead.py [--repeats 7] [--epochs 10]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from hyperlab.data import load_data
from hyperlab.engine import fit
from hyperlab.engine.trainer import epoch_generator
from hyperlab.hparams import HParams
from hyperlab.models import build_model


def baseline_loop(model, data, epochs, lr, epoch_batches):
    """A plain PyTorch loop over ``epoch_batches(epoch)``: train, then validation loss and accuracy."""
    Xv, yv = data.val.tensors
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for epoch in range(epochs):
        model.train()
        total = 0.0
        for xb, yb in epoch_batches(epoch):
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item()
        model.eval()
        with torch.no_grad():
            out = model(Xv)
            F.cross_entropy(out, yv).item(), (out.argmax(1) == yv).float().mean().item()
    return model


def hand_written(model, data, batch_size, epochs, lr, seed):
    """What a careful user writes: index slicing of a shuffled order, no DataLoader."""
    X, y = data.train.tensors

    def epoch_batches(epoch):
        order = torch.randperm(len(X), generator=epoch_generator(seed, epoch))
        for i in range(0, len(X), batch_size):
            idx = order[i:i + batch_size]
            yield X[idx], y[idx]

    return baseline_loop(model, data, epochs, lr, epoch_batches)


def dataloader_loop(model, data, batch_size, epochs, lr, seed):
    """The tutorial loop: a shuffling DataLoader over the TensorDataset."""
    loader = DataLoader(data.train, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(seed))
    return baseline_loop(model, data, epochs, lr, lambda epoch: loader)


def ours(model, data, batch_size, epochs, lr, seed):
    """The trainer as users get it: records per-step loss/lr/grad-norm and measures peak memory."""
    return fit(model, data, HParams(batch_size=batch_size, epochs=epochs, lr=lr, optimizer="adam", seed=seed)).model


def ours_no_memory(model, data, batch_size, epochs, lr, seed):
    """The same without the peak-memory probe (a fixed ~10 ms per run: torch's MemTracker on step 1)."""
    hp = HParams(batch_size=batch_size, epochs=epochs, lr=lr, optimizer="adam", seed=seed)
    return fit(model, data, hp, measure_memory=False).model


def timed(fn, data, batch_size, epochs, seed=0, lr=1e-3):
    model = build_model("mlp", data, seed=seed)
    start = time.perf_counter()
    fn(model, data, batch_size, epochs, lr, seed)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(1)  # steadier timings on a shared 2-core machine
    data = load_data("digits", seed=0)
    loops = {"trainer": ours, "nomem": ours_no_memory, "hand": hand_written, "dataloader": dataloader_loop}
    print(f"digits MLP (64-128-128-10), Adam, {args.epochs} epochs, {data.n_train} training samples, "
          f"median of {args.repeats}, 1 thread")
    print(f"{'batch':>6} {'trainer s':>10} {'hand s':>8} {'loader s':>9} {'trainer/hand':>13} "
          f"{'trainer/loader':>15} {'no-memory-probe/hand':>21}")
    for batch_size in (32, 256):
        for fn in loops.values():  # warm-up
            timed(fn, data, batch_size, 1)
        times = {name: [] for name in loops}
        for _ in range(args.repeats):
            for name, fn in loops.items():
                times[name].append(timed(fn, data, batch_size, args.epochs))
        med = {name: statistics.median(v) for name, v in times.items()}
        print(f"{batch_size:>6} {med['trainer']:>10.3f} {med['hand']:>8.3f} {med['dataloader']:>9.3f} "
              f"{med['trainer'] / med['hand']:>13.3f} {med['trainer'] / med['dataloader']:>15.3f} "
              f"{med['nomem'] / med['hand']:>21.3f}")


if __name__ == "__main__":
    main()
