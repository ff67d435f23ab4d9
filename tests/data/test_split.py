"""Splitting without scikit-learn: deterministic by seed, stratified by class, and tiny data
refused with how many rows a split needs."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperlab.data import from_arrays, load_data
from hyperlab.data.split import min_rows, split_indices, split_sizes
from hyperlab.errors import DataError


def test_sizes_are_the_usual_60_20_20():
    assert split_sizes(1797, 0.2, 0.2) == (1078, 359, 360)
    assert split_sizes(178, 0.2, 0.2) == (106, 36, 36)
    assert split_sizes(10, 0.2, 0.0) == (8, 2, 0)
    assert split_sizes(10, 0.0, 0.0) == (10, 0, 0)
    assert load_data("digits").describe()["n_train"] == 1078


def test_classes_keep_their_proportions_in_every_split():
    y = np.repeat([0, 1, 2], [500, 300, 200])
    train, val, test = split_indices(len(y), y, 0.2, 0.2, seed=3)
    for part, size in ((train, 600), (val, 200), (test, 200)):
        assert len(part) == size
        counts = np.bincount(y[part], minlength=3)
        assert np.all(np.abs(counts - size * np.array([0.5, 0.3, 0.2])) <= 1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=3, max_size=200), st.sampled_from([0.0, 0.1, 0.2, 0.3]),
       st.sampled_from([0.0, 0.2, 0.25]), st.integers(0, 2**31), st.booleans())
def test_split_is_a_partition_with_stratified_counts(labels, val_fraction, test_fraction, seed, stratify):
    y = np.array(labels)
    n = len(y)
    if n < min_rows(val_fraction, test_fraction):
        with pytest.raises(DataError, match="too few"):
            split_indices(n, y, val_fraction, test_fraction, seed)
        return
    parts = split_indices(n, y if stratify else None, val_fraction, test_fraction, seed)
    assert np.array_equal(np.sort(np.concatenate(parts)), np.arange(n))
    assert tuple(map(len, parts)) == split_sizes(n, val_fraction, test_fraction)
    assert len(parts[0]) >= 1
    again = split_indices(n, y if stratify else None, val_fraction, test_fraction, seed)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again, strict=True))
    if stratify:
        for part in parts[1:]:  # each class gets its share of a held-out split, to within one row
            expected = np.bincount(y, minlength=5) * len(part) / n
            assert np.all(np.abs(np.bincount(y[part], minlength=5) - expected) < 2)


def test_from_arrays_is_deterministic_and_does_not_import_scikit_learn():
    code = ("import sys, numpy as np\n"
            "from hyperlab.data import from_arrays\n"
            "X = np.arange(200.0).reshape(100, 2); y = np.arange(100) % 3\n"
            "d = from_arrays(X, y, seed=4)\n"
            "print(d.train.tensors[0][:3, 0].tolist(), 'sklearn' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert runs[0] == runs[1] and runs[0].strip().endswith("False")


def test_two_row_csv_says_how_many_rows_are_needed(tmp_path):
    path = tmp_path / "tiny.csv"
    path.write_text("a,b,y\n1,2,0\n3,4,1\n")
    with pytest.raises(DataError, match=r"tiny.csv: 2 rows are too few: a 60/20/20 train/validation/test "
                                        r"split needs at least 3 rows"):
        load_data(path)
    with pytest.raises(DataError, match=r"1 row is too few: .* needs at least 2 rows"):
        from_arrays(np.ones((1, 2)), np.array([1.5]), val_fraction=0.2, test_fraction=0.0)
    assert from_arrays(np.arange(6.0).reshape(3, 2), np.array([0, 1, 0])).describe()["n_train"] == 1


def test_non_numeric_column_shows_the_bad_value_and_its_line(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("a,b,y\n1,2,0\n\n2,3,1\n3,x,0\n4,5,1\n")
    with pytest.raises(DataError, match=r"odd.csv: feature column 'b' is not numeric: 'x' on line 5"):
        load_data(path)
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('a,note,y\n1,"two\nlines",0\n2,3,1\n3,4,0\n')
    with pytest.raises(DataError, match=r"column 'note' is not numeric: 'two\\nlines' on line 2"):
        load_data(quoted)
    missing = tmp_path / "missing.csv"
    missing.write_text('a,b,y\n1,"x",0\n\n2,,1\n3,4,0\n5,6,1\n')
    with pytest.raises(DataError, match=r"column 'b' is not numeric: 'x' on line 2"):
        load_data(missing)
    gap = tmp_path / "gap.csv"
    gap.write_text("a,b,y\n1,2,0\n\n2,,1\n")
    with pytest.raises(DataError, match=r"column 'b' has missing values \(line 4\)"):
        load_data(gap)


def test_cli_refuses_a_two_row_csv_in_one_line(tmp_path):
    path = tmp_path / "tiny.csv"
    path.write_text("a,b,y\n1,2,0\n3,4,1\n")
    out = subprocess.run([sys.executable, "-m", "hyperlab", "train", "--dataset", str(path), "--epochs", "1",
                          "--out", str(tmp_path / "run")], capture_output=True, text=True)
    assert out.returncode == 2, out.stderr
    assert "needs at least 3 rows" in out.stderr + out.stdout and "Traceback" not in out.stderr
