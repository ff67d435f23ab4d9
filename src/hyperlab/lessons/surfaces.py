"""2-D test surfaces and optimizer paths over them, driven by torch.optim on a 2-element parameter.

Each surface is a function of a point ``p = (x, y)``; :func:`descend` starts at the surface's start
point and takes ``steps`` updates with the optimizer that ``hyperlab.optim.build_optimizer``
builds from ``HParams`` (so these are exactly the optimizers the trainer uses)::

    >>> path = descend(SURFACES["valley"], "momentum", 0.05, steps=50)
    >>> len(path.points), path.diverged_step is None
    (51, True)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from hyperlab.hparams import HParams
from hyperlab.optim import build_optimizer

ESCAPE_Y = 0.5  # the saddle is left once |y| reaches this (half-way to the minima at y = +-1)
BOUND = 1e3  # a point this far out counts as diverged


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface with its start point, a global minimum and a plotting window."""

    name: str
    fn: Callable[[Tensor], Tensor]
    start: tuple[float, float]
    minimum: tuple[float, float]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    log_levels: bool = False  # contour levels spaced logarithmically (steep walls)

    def value(self, x: float, y: float) -> float:
        return float(self.fn(torch.tensor([x, y], dtype=torch.float64)))

    def grid(self, n: int = 160) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """X, Y, Z on an n x n grid over the plotting window, for contour plots."""
        xs = torch.linspace(*self.xlim, n, dtype=torch.float64)
        ys = torch.linspace(*self.ylim, n, dtype=torch.float64)
        X, Y = torch.meshgrid(xs, ys, indexing="xy")
        Z = self.fn(torch.stack([X, Y]))
        return X.numpy(), Y.numpy(), Z.numpy()


def rosenbrock(p: Tensor) -> Tensor:
    """(1 - x)^2 + 100 (y - x^2)^2: a curved, narrow valley; minimum 0 at (1, 1)."""
    x, y = p[0], p[1]
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


def saddle(p: Tensor) -> Tensor:
    """x^2 + y^4/4 - y^2/2: a saddle point at (0, 0), minima -0.25 at (0, +-1)."""
    x, y = p[0], p[1]
    return x ** 2 + y ** 4 / 4 - y ** 2 / 2


def valley(p: Tensor) -> Tensor:
    """x^2/50 + y^2: an elongated valley (curvatures differ 50x); minimum 0 at (0, 0)."""
    x, y = p[0], p[1]
    return x ** 2 / 50 + y ** 2


SURFACES: dict[str, Surface] = {
    "rosenbrock": Surface("rosenbrock", rosenbrock, (-1.5, 2.0), (1.0, 1.0), (-2.0, 2.0), (-1.0, 3.0), True),
    "saddle": Surface("saddle", saddle, (1.5, 1e-3), (0.0, 1.0), (-2.0, 2.0), (-1.6, 1.6)),
    "valley": Surface("valley", valley, (-9.0, 2.0), (0.0, 0.0), (-10.0, 10.0), (-3.0, 3.0)),
}


@dataclass
class Path:
    """The points an optimizer visited (start included) and the surface value at each."""

    optimizer: str
    lr: float
    points: list[tuple[float, float]]
    values: list[float]
    diverged_step: int | None = None

    @property
    def final_value(self) -> float | None:
        return None if self.diverged_step is not None else self.values[-1]

    def distance_to(self, point: tuple[float, float]) -> float | None:
        if self.diverged_step is not None:
            return None
        x, y = self.points[-1]
        return math.hypot(x - point[0], y - point[1])

    def escape_step(self, threshold: float = ESCAPE_Y) -> int | None:
        """First step at which |y| >= threshold (leaving the saddle), or None."""
        return next((k for k, (_, y) in enumerate(self.points) if abs(y) >= threshold), None)

    def to_dict(self) -> dict:
        return {"optimizer": self.optimizer, "lr": self.lr, "diverged_step": self.diverged_step,
                "points": [[round(x, 6), round(y, 6)] for x, y in self.points],
                "values": [float(f"{v:.6g}") for v in self.values]}


def descend(surface: Surface, optimizer: str, lr: float, steps: int) -> Path:
    """Take ``steps`` torch.optim updates on the surface from its start point."""
    p = torch.tensor(surface.start, dtype=torch.float64, requires_grad=True)
    opt = build_optimizer([p], HParams(optimizer=optimizer, lr=lr))
    points: list[tuple[float, float]] = []
    values: list[float] = []
    for step in range(steps + 1):
        f = surface.fn(p)
        x, y = p.detach().tolist()
        value = float(f.detach())
        if not (math.isfinite(value) and max(abs(x), abs(y)) < BOUND):
            return Path(optimizer, lr, points, values, diverged_step=step)
        points.append((x, y))
        values.append(value)
        if step == steps:
            break
        opt.zero_grad()
        f.backward()
        opt.step()
    return Path(optimizer, lr, points, values)


def best_path(surface: Surface, optimizer: str, lrs: Sequence[float], steps: int) -> tuple[Path, list[dict]]:
    """The path that ends lowest over a grid of rates (diverged paths excluded; ties, e.g. several
    rates that all reached the minimum, go to the lower mean value along the path: the faster one),
    and the grid."""
    paths = [descend(surface, optimizer, lr, steps) for lr in lrs]
    grid = [{"lr": p.lr, "final_value": p.final_value, "diverged_step": p.diverged_step} for p in paths]
    finished = [p for p in paths if p.final_value is not None]
    if not finished:
        return paths[0], grid
    return min(finished, key=lambda p: (round(p.final_value, 9), sum(p.values) / len(p.values))), grid  # type: ignore[arg-type]
