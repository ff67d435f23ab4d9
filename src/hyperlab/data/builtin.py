"""Built-in data sets: all made or shipped by installed packages, nothing downloaded."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

BuiltinLoader = Callable[[int], tuple[np.ndarray, np.ndarray, tuple[int, ...]]]


def _digits(seed: int):
    from sklearn.datasets import load_digits
    d = load_digits()
    return d.data, d.target, (1, 8, 8)


def _breast_cancer(seed: int):
    from sklearn.datasets import load_breast_cancer
    d = load_breast_cancer()
    return d.data, d.target, ()


def _wine(seed: int):
    from sklearn.datasets import load_wine
    d = load_wine()
    return d.data, d.target, ()


def _diabetes(seed: int):
    from sklearn.datasets import load_diabetes
    d = load_diabetes()
    return d.data, d.target.astype(np.float64), ()


def _moons(seed: int):
    from sklearn.datasets import make_moons
    X, y = make_moons(n_samples=1000, noise=0.2, random_state=seed)
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
    "digits": (_digits, "classification", "8x8 handwritten digits, 1,797 images, 10 classes (scikit-learn)"),
    "breast-cancer": (_breast_cancer, "classification", "569 tumours, 30 features, binary (scikit-learn)"),
    "wine": (_wine, "classification", "178 wines, 13 features, 3 classes (scikit-learn)"),
    "moons": (_moons, "classification", "1,000 points, two interleaving half-moons, 2-D synthetic"),
    "spirals": (_spirals, "classification", "1,000 points, two spirals, 2-D synthetic"),
    "diabetes": (_diabetes, "regression", "442 patients, 10 features, disease progression (scikit-learn)"),
}


def describe_builtin() -> list[dict[str, str]]:
    """Name, task and description of each built-in data set."""
    return [{"name": n, "task": t, "description": d} for n, (_, t, d) in BUILTIN.items()]
