"""Built-in data sets, all offline: four small sets shipped in ``builtin.npz`` (scikit-learn's
bundled copies, written by ``scripts/make_builtin_data.py``; sources and licences in the README)
and two 2-D sets generated here. Nothing imports scikit-learn, nothing is downloaded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

BuiltinLoader = Callable[[int], tuple[np.ndarray, np.ndarray, tuple[int, ...]]]
ARRAYS = Path(__file__).with_name("builtin.npz")


def shipped(name: str) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` of a shipped set as scikit-learn's loader gives them (float64 features)."""
    with np.load(ARRAYS, allow_pickle=False) as arrays:
        X, y = arrays[f"{name}.X"], arrays[f"{name}.y"]
    return X.astype(np.float64), (y.astype(np.int64) if y.dtype.kind in "iu" else y)


def _shipped_loader(name: str, shape: tuple[int, ...] = ()) -> BuiltinLoader:
    def load(seed: int) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
        return (*shipped(name), shape)
    return load


def make_moons(n_samples: int = 1000, noise: float | None = None,
               seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, equal to ``sklearn.datasets.make_moons(n_samples,
    noise=noise, random_state=seed)`` (same points, same shuffle, same noise; a test checks)."""
    n_out = n_samples // 2
    n_in = n_samples - n_out
    rng = np.random.RandomState(seed)
    X = np.vstack([np.append(np.cos(np.linspace(0, np.pi, n_out)), 1 - np.cos(np.linspace(0, np.pi, n_in))),
                   np.append(np.sin(np.linspace(0, np.pi, n_out)),
                             1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    order = np.arange(n_samples)
    rng.shuffle(order)
    X, y = X[order], y[order]
    if noise is not None:
        X += rng.normal(scale=noise, size=X.shape)
    return X, y


def _moons(seed: int):
    X, y = make_moons(1000, noise=0.2, seed=seed)
    return X, y, ()


def _spirals(seed: int):
    """Two interleaved spirals: a classic 2-D set a linear model cannot separate."""
    rng = np.random.default_rng(seed)
    n = 500
    t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
    arms = []
    for k in range(2):
        angle = t + k * np.pi
        arms.append(np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1) + rng.normal(0, 0.3, (n, 2)))
    X = np.concatenate(arms)
    y = np.repeat([0, 1], n)
    return X, y, ()


# name -> (loader, task, one-line description)
BUILTIN: dict[str, tuple[BuiltinLoader, str, str]] = {
    "digits": (_shipped_loader("digits", (1, 8, 8)), "classification",
               "8x8 handwritten digits, 1,797 images, 10 classes (UCI, via scikit-learn)"),
    "breast-cancer": (_shipped_loader("breast-cancer"), "classification",
                      "569 tumours, 30 features, binary (UCI, via scikit-learn)"),
    "wine": (_shipped_loader("wine"), "classification", "178 wines, 13 features, 3 classes (UCI, via scikit-learn)"),
    "moons": (_moons, "classification", "1,000 points, two interleaving half-moons, 2-D synthetic"),
    "spirals": (_spirals, "classification", "1,000 points, two spirals, 2-D synthetic"),
    "diabetes": (_shipped_loader("diabetes"), "regression",
                 "442 patients, 10 features, disease progression (Efron et al. 2004, via scikit-learn)"),
}


def describe_builtin() -> list[dict[str, str]]:
    """Name, task and description of each built-in data set."""
    return [{"name": n, "task": t, "description": d} for n, (_, t, d) in BUILTIN.items()]
