"""Write src/hyperlab/data/builtin.npz: scikit-learn's bundled copies of four small data sets.

Run once (and again only if scikit-learn's copies change); the .npz is committed, so training
on a built-in set never imports scikit-learn. Provenance and licences: README, "Data".

    python scripts/make_builtin_data.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn import datasets

OUT = Path(__file__).resolve().parents[1] / "src" / "hyperlab" / "data" / "builtin.npz"


def main() -> None:
    digits = datasets.load_digits()
    cancer = datasets.load_breast_cancer()
    wine = datasets.load_wine()
    diabetes = datasets.load_diabetes()
    assert np.array_equal(digits.data, digits.data.astype(np.uint8))  # pixel counts 0..16
    arrays = {
        "digits.X": digits.data.astype(np.uint8), "digits.y": digits.target.astype(np.uint8),
        "breast-cancer.X": cancer.data, "breast-cancer.y": cancer.target.astype(np.uint8),
        "wine.X": wine.data, "wine.y": wine.target.astype(np.uint8),
        "diabetes.X": diabetes.data, "diabetes.y": diabetes.target,
    }
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
