"""A user's own files and arrays: separators, header or none, labels of every kind, bad cells
named by file, line and column, the task inferred as documented (and overridable)."""

from __future__ import annotations

import numpy as np
import pytest

from hyperlab.data import as_data, from_arrays, load_data
from hyperlab.errors import DataError

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 2))
Y = (X[:, 0] > 0).astype(int)


def _csv(path, rows, header="a,b,label", sep=","):
    lines = ([header.replace(",", sep)] if header else []) + [sep.join(map(str, r)) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_semicolon_and_tab_separated_csv_are_read_by_column(tmp_path):
    for sep in (";", "\t", "|"):
        data = load_data(_csv(tmp_path / "d.csv", zip(X[:, 0], X[:, 1], Y), sep=sep))
        assert (data.n_features, data.task, data.classes) == (2, "classification", ["0", "1"])


def test_csv_without_header_keeps_its_first_row_and_names_columns_by_position(tmp_path):
    path = _csv(tmp_path / "d.csv", zip(X[:, 0], X[:, 1], Y), header="")
    data = load_data(path)
    assert data.n_train + len(data.val) + len(data.test) == 40 and data.n_features == 2
    by_position = load_data(_csv(tmp_path / "e.csv", zip(Y, X[:, 0], X[:, 1]), header=""), label="1")
    assert by_position.classes == ["0", "1"] and by_position.n_features == 2
    # text labels in a header-less file: the first row is still data
    text = load_data(_csv(tmp_path / "t.csv", zip(X[:, 0], X[:, 1], np.where(Y, "cat", "dog")), header=""))
    assert text.classes == ["cat", "dog"] and text.n_train + len(text.val) + len(text.test) == 40


def test_csv_with_one_column_says_it_needs_features(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("a b label\n" + "\n".join(f"{a} {b} {c}" for a, b, c in zip(X[:, 0], X[:, 1], Y)))
    with pytest.raises(DataError, match=r"one.csv: has only the label column 'a b label'; .*feature columns"):
        load_data(path)


def test_csv_infinite_value_names_column_and_line(tmp_path):
    rows = [list(r) for r in zip(X[:, 0], X[:, 1], Y)]
    rows[3][1] = "inf"
    with pytest.raises(DataError, match=r"d.csv: column 'b' has infinite values \(inf on line 5\); features must "
                                        r"be finite"):
        load_data(_csv(tmp_path / "d.csv", rows))
    rows[3][1] = "nan"  # a header-less file counts its lines from the first row
    with pytest.raises(DataError, match=r"column '2' has missing values \(line 4\)"):
        load_data(_csv(tmp_path / "n.csv", rows, header=""))


def test_empty_csv_and_single_class_say_what_is_needed(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match=r"empty.csv: is empty; a CSV needs rows of numbers"):
        load_data(empty)
    with pytest.raises(DataError, match=r"one.csv: y has a single class \('1'\): classification needs at least 2"):
        load_data(_csv(tmp_path / "one.csv", zip(X[:, 0], X[:, 1], [1] * 40)))


def test_npz_images_keep_their_shape_and_column_labels_are_classes(tmp_path):
    path = tmp_path / "img.npz"
    np.savez(path, X=RNG.normal(size=(40, 1, 4, 4)).astype(np.uint8), y=Y[:, None].astype(np.int32))
    data = load_data(path)
    assert data.input_shape == (1, 4, 4) and data.n_features == 16
    assert data.task == "classification" and data.n_outputs == 2  # y of shape (N, 1) is one label column


def test_array_labels_as_a_column_are_classes_and_targets_as_a_column_regression():
    assert from_arrays(X, Y[:, None]).task == "classification"
    reg = from_arrays(X, X[:, :1] * 3)
    assert reg.task == "regression" and reg.n_outputs == 1


def test_bad_arrays_name_row_column_and_what_is_allowed():
    bad = X.copy()
    bad[5, 1] = np.nan
    with pytest.raises(DataError, match=r"X has a missing or infinite value \(nan\) in row 5, column 1 .*finite"):
        from_arrays(bad, Y)
    text = X.astype(object)
    text[2, 0] = "n/a"
    with pytest.raises(DataError, match=r"X must be numeric: row 2, column 0 is 'n/a'"):
        from_arrays(text, Y)
    labels = Y.astype(float)
    labels[7] = np.nan  # a missing label is reported as such, not as "a regression target"
    with pytest.raises(DataError, match=r"y has missing or infinite values in row 7; every sample needs a label"):
        from_arrays(X, labels)
    with pytest.raises(DataError, match=r"X has 40 rows but y has 39"):
        as_data((X, Y[:-1]))
