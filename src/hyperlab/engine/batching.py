"""Which samples each optimizer step sees: one shuffled order per epoch, cut into steps.

An optimizer step takes ``batch_size x accumulate x world_size`` samples (the effective batch)
from the epoch's shuffled order. Each of the ``world_size`` processes takes its own contiguous
share of them, in micro-batches of ``batch_size``. So 2 processes x batch 16 see exactly the
samples of 1 process x batch 32, and batch 32 x accumulate 4 those of batch 128. The epoch's last
step may be short (all of it is used unless ``drop_last``); its micro-batches are then short
too, and each micro-batch's loss is weighted by its share of the step's samples, so the step's
gradient is still the mean over the samples it saw.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import Tensor
from torch.utils.data import Dataset, TensorDataset, default_collate


def epoch_generator(seed: int, epoch: int) -> torch.Generator:
    """The shuffle order of each epoch depends only on (seed, epoch), so resuming is exact."""
    return torch.Generator().manual_seed(seed * 1_000_003 + epoch)


@dataclass
class StepBatch:
    """This process's micro-batches for one optimizer step."""

    micro: list[tuple[Tensor, Tensor]]
    samples: int  # samples of the whole step, over all processes (the loss weights' denominator)

    @property
    def local_samples(self) -> int:
        return sum(len(x) for x, _ in self.micro)


def step_batches(dataset: Dataset, batch_size: int, generator: torch.Generator, device: torch.device, *,
                 accumulate: int = 1, drop_last: bool = False, rank: int = 0,
                 world_size: int = 1) -> Iterator[StepBatch]:
    """The steps of one epoch, in order (index slicing for in-memory tensors, collated items otherwise)."""
    n = len(dataset)  # type: ignore[arg-type]
    order = torch.randperm(n, generator=generator)
    per_step = batch_size * accumulate * world_size
    stop = n - n % per_step if drop_last else n
    for start in range(0, stop, per_step):
        step = order[start:start + per_step]
        share = math.ceil(len(step) / world_size)
        mine = step[rank * share:(rank + 1) * share]
        micro = [_fetch(dataset, mine[i:i + batch_size], device) for i in range(0, len(mine), batch_size)]
        yield StepBatch(micro, len(step))


def batches(dataset: Dataset, batch_size: int, drop_last: bool, generator: torch.Generator,
            device: torch.device) -> Iterator[tuple[Tensor, Tensor]]:
    """Shuffled mini-batches of one epoch, one per step (no accumulation, one process)."""
    for step in step_batches(dataset, batch_size, generator, device, drop_last=drop_last):
        yield step.micro[0]


def first_batch(dataset: Dataset, size: int) -> Tensor:
    """The inputs of the first ``size`` samples, as the trainer would batch them (for a probe)."""
    return first_samples(dataset, size)[0]


def first_samples(dataset: Dataset, size: int, device: torch.device | None = None) -> tuple[Tensor, Tensor]:
    """Inputs and targets of the first ``size`` samples (all when there are fewer), batched."""
    n = min(size, len(dataset))  # type: ignore[arg-type]
    return _fetch(dataset, torch.arange(n), device or torch.device("cpu"))


def _fetch(dataset: Dataset, idx: Tensor, device: torch.device) -> tuple[Tensor, Tensor]:
    if isinstance(dataset, TensorDataset):
        X, y = dataset.tensors
        idx = idx.to(X.device)
        return X[idx], y[idx]
    xb, yb = default_collate([dataset[i] for i in idx.tolist()])
    return xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
