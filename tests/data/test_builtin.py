"""Built-in data without scikit-learn: the shipped arrays and the moons generator equal scikit-learn's."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import numpy as np
import pytest
from sklearn import datasets

from hyperlab.data import BUILTIN
from hyperlab.data.builtin import ARRAYS, make_moons, shipped

LOADERS = {"digits": datasets.load_digits, "breast-cancer": datasets.load_breast_cancer,
           "wine": datasets.load_wine, "diabetes": datasets.load_diabetes}


@pytest.mark.parametrize("name", list(LOADERS))
def test_shipped_arrays_equal_scikit_learns(name):
    reference = LOADERS[name]()
    X, y = shipped(name)
    assert X.dtype == np.float64 and X.shape == reference.data.shape
    assert np.array_equal(X, reference.data) and np.array_equal(y, reference.target)
    assert y.dtype.kind == reference.target.dtype.kind


@pytest.mark.parametrize("seed", [0, 1, 7, 123])
@pytest.mark.parametrize("n, noise", [(1000, 0.2), (7, None), (100, 0.05)])
def test_make_moons_equals_scikit_learns(seed, n, noise):
    X, y = make_moons(n, noise=noise, seed=seed)
    X_ref, y_ref = datasets.make_moons(n_samples=n, noise=noise, random_state=seed)
    assert np.array_equal(X, X_ref) and np.array_equal(y, y_ref)


def test_built_in_moons_is_scikit_learns_with_noise_02():
    X, y, _ = BUILTIN["moons"][0](5)
    X_ref, y_ref = datasets.make_moons(n_samples=1000, noise=0.2, random_state=5)
    assert np.array_equal(X, X_ref) and np.array_equal(y, y_ref)


def test_loading_built_in_data_does_not_import_scikit_learn():
    code = ("import sys, hyperlab\n"
            "for name in hyperlab.data.BUILTIN: hyperlab.load_data(name)\n"
            "print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_arrays_are_package_data():
    """The .npz is declared as package data (a non-editable install carries it) and stays small."""
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert ARRAYS.name in pyproject["tool"]["setuptools"]["package-data"]["hyperlab.data"]
    assert ARRAYS.stat().st_size < 200_000
    with zipfile.ZipFile(ARRAYS) as z:
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in z.infolist())
