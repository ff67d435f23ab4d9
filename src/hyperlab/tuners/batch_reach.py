"""How to reach a batch larger than one device holds: micro-batches (``accumulate``) and processes.

The effective batch is ``batch_size x accumulate x processes``; the batch-size finder measures the
largest micro-batch that fits one device. When the batch wanted (the user's target, or the
critical batch size from the gradient noise scale) is larger, this splits it exactly into a
micro-batch that fits times a number of micro-batches, and lists the process counts that can
take over part of the accumulation. The learning rate to go with the new batch comes from the
lr-scale rules (``scale_lr``: linear for the SGD family, square root for adaptive optimizers).

    >>> reach = reach_batch(512, 128, lr=0.1, from_batch=32, optimizer="sgd", n_train=2000)
    >>> reach.micro_batch, reach.accumulate, reach.processes, reach.lr
    (128, 4, [(2, 2), (4, 1)], 1.6)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from hyperlab.i18n import t
from hyperlab.tuners import texts  # noqa: F401 - registers the tuner texts
from hyperlab.tuners.lr_scaling import LRScaling, scale_lr

MAX_PROCESSES = 8  # process counts listed as alternatives (one node's worth of devices)
SOURCES = ("target", "critical")  # where the batch wanted came from: --target-batch or the noise scale


@dataclass
class BatchReach:
    """The batch wanted, split as micro-batch x accumulate (one process), the process alternatives
    and the learning rate scaled to it."""

    target: int
    source: str  # "target" (given) or "critical" (the critical batch size, rounded down to a power of two)
    largest_fitting: int
    micro_batch: int
    accumulate: int
    processes: list[tuple[int, int]]  # (processes, accumulate) that give the same effective batch
    scaling: LRScaling
    critical_batch_size: float | None = None

    @property
    def fits(self) -> bool:
        return self.accumulate == 1

    @property
    def lr(self) -> float:
        return self.scaling.suggested_lr

    def to_dict(self) -> dict[str, Any]:
        return {"target_batch": self.target, "source": self.source, "largest_fitting": self.largest_fitting,
                "fits": self.fits, "micro_batch": self.micro_batch, "accumulate": self.accumulate,
                "processes": [{"processes": p, "accumulate": a} for p, a in self.processes],
                "effective_batch": self.micro_batch * self.accumulate, "lr": self.lr, "rule": self.scaling.rule,
                "from_lr": self.scaling.lr, "from_batch": self.scaling.from_batch,
                "warmup_epochs": self.scaling.warmup_epochs, "warmup_steps": self.scaling.warmup_steps}


def split_batch(target: int, largest: int) -> tuple[int, int]:
    """``(micro_batch, accumulate)`` with ``micro_batch x accumulate == target`` exactly, the micro-batch at
    most ``largest`` and as few micro-batches as that allows (512 within 128: 128 x 4; 512 within 100: 64 x 8)."""
    if target <= largest:
        return target, 1
    accumulate = math.ceil(target / largest)
    while target % accumulate:
        accumulate += 1
    return target // accumulate, accumulate


def process_options(accumulate: int, most: int = MAX_PROCESSES) -> list[tuple[int, int]]:
    """``(processes, accumulate per process)`` for each process count (2..``most``) that divides the
    micro-batches evenly: 4 micro-batches -> 2 processes x 2, or 4 processes x 1."""
    return [(p, accumulate // p) for p in range(2, min(accumulate, most) + 1) if accumulate % p == 0]


def auto_target(critical: float | None, largest: int, n_train: int) -> int | None:
    """The batch the noise scale asks for when it is more than fits: the critical batch size rounded
    down to a power of two (at most the training set); None when it fits or was not measured."""
    if critical is None or critical <= largest:
        return None
    return min(2 ** math.floor(math.log2(critical)), n_train)


def reach_batch(target: int, largest: int, *, lr: float, from_batch: int, optimizer: str, n_train: int,
                epochs: int | None = None, source: str = "target",
                critical_batch_size: float | None = None) -> BatchReach:
    """Split ``target`` into a micro-batch within ``largest`` times micro-batches, list the process
    alternatives, and scale ``lr`` (given at ``from_batch``) to the target with ``scale_lr``."""
    micro, accumulate = split_batch(target, largest)
    scaling = scale_lr(lr, from_batch, target, optimizer=optimizer, n_train=n_train, epochs=epochs,
                       critical_batch_size=critical_batch_size)
    return BatchReach(target, source, largest, micro, accumulate, process_options(accumulate), scaling,
                      critical_batch_size)


def explain(reach: BatchReach, lang: str = "en") -> str:
    """One sentence: the flags that reach the target, and its learning rate."""
    source = t(f"bf.reach.source.{reach.source}", lang, crit=reach.critical_batch_size or 0)
    s = reach.scaling
    lr = t("bf.reach.lr", lang, lr=reach.lr, rule=t(f"bf.reach.rule.{s.rule}", lang), optimizer=s.optimizer,
           lr0=s.lr, b0=s.from_batch,
           warmup=t("bf.reach.warmup", lang, epochs=s.warmup_epochs) if s.warmup_epochs > 0 else "")
    crit = reach.critical_batch_size
    note = t("bf.reach.above_critical", lang, target=reach.target, crit=crit) \
        if crit is not None and reach.source == "target" and reach.target > crit else ""
    if reach.fits:
        return t("bf.reach.fits", lang, target=reach.target, source=source, fits=reach.largest_fitting) + " " + lr + note
    options = [t("bf.reach.process" if a > 1 else "bf.reach.process_only", lang, p=p, a=a) for p, a in reach.processes]
    alternatives = "".join(t("bf.reach.or", lang, option=o) for o in options)
    return t("bf.reach.accumulate", lang, target=reach.target, source=source, fits=reach.largest_fitting,
             b=reach.micro_batch, a=reach.accumulate, alternatives=alternatives) + " " + lr + note
