"""What a run measured, as plain JSON-safe data (a non-finite loss becomes None plus a divergence record)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

STATUSES = ("running", "completed", "diverged", "stopped_early", "interrupted")


def finite_or_none(value: float | None) -> float | None:
    """The value as a float, or None if it is missing or non-finite (JSON has no NaN)."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


@dataclass
class EpochRecord:
    epoch: int  # 1-based: epoch 1 is the first full pass
    step: int  # optimizer steps done when the epoch ended
    train_loss: float | None  # mean loss over the epoch's steps, as the optimizer saw them
    train_metric: float | None
    val_loss: float | None
    val_metric: float | None
    lr: float
    seconds: float
    samples_per_second: float


@dataclass
class History:
    """Per-step and per-epoch measurements of one run."""

    task: str
    metric: str  # "accuracy" or "r2"; higher is better for both
    n_train: int
    batch_size: int
    steps_per_epoch: int
    total_steps: int  # planned: epochs * steps_per_epoch
    accumulate: int = 1  # micro-batches of batch_size per optimizer step
    world_size: int = 1  # processes training together (data-parallel ranks)
    effective_batch: int | None = None  # samples per optimizer step (batch_size x accumulate x processes)
    step_loss: list[float | None] = field(default_factory=list)
    step_lr: list[float] = field(default_factory=list)
    step_grad_norm: list[float | None] = field(default_factory=list)
    epochs: list[EpochRecord] = field(default_factory=list)
    status: str = "running"
    diverged: dict[str, Any] | None = None  # {"step", "epoch", "loss", "reason"}
    stopped_epoch: int | None = None
    best_epoch: int | None = None
    peak_memory: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    # below 32 samples a step: the untrained model's loss on the first 32 training samples, against
    # which the divergence rule compares (``trainer.divergence``); None at 32 or more (the first step's)
    diverge_reference: float | None = None

    def __post_init__(self) -> None:
        if self.effective_batch is None:
            self.effective_batch = self.batch_size * self.accumulate * self.world_size

    @property
    def steps_done(self) -> int:
        return len(self.step_loss)

    def best(self) -> EpochRecord | None:
        """The epoch with the best validation metric (or lowest train loss without validation)."""
        scored = [e for e in self.epochs if e.val_metric is not None]
        if scored:
            return max(scored, key=lambda e: e.val_metric)  # type: ignore[arg-type, return-value]
        losses = [e for e in self.epochs if e.train_loss is not None]
        return min(losses, key=lambda e: e.train_loss) if losses else None  # type: ignore[arg-type, return-value]

    def final(self) -> EpochRecord | None:
        return self.epochs[-1] if self.epochs else None

    def column(self, name: str) -> list[Any]:
        """One per-epoch field as a list, e.g. ``history.column("val_loss")``."""
        return [getattr(e, name) for e in self.epochs]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> History:
        data = dict(data)
        data["epochs"] = [EpochRecord(**e) for e in data.get("epochs", [])]
        return cls(**data)
