"""A CSV's text feature columns (categories such as a colour or a town) are one-hot encoded, said in a
note, and trained on; a column meant to be numeric with a stray text, or a text column of names or
ids, is refused with its column, value and line."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

import hyperlab
from hyperlab.cli import app
from hyperlab.data import load_data
from hyperlab.errors import DataError

COLOURS = {"red": 1.0, "green": 0.0, "blue": -1.0}


def _shop(folder, n: int = 150) -> str:
    """Prices that depend on a number, a colour (3 values) and a town (2): most of their variance
    comes from the two text columns."""
    rng = np.random.default_rng(0)
    colour = rng.choice(list(COLOURS), n)
    town = rng.choice(["Seoul", "Busan"], n)
    size = rng.uniform(0, 1, n)
    price = size + 2 * np.vectorize(COLOURS.get)(colour) + 1.5 * (town == "Seoul") + rng.normal(0, 0.05, n)
    rows = "\n".join(f"{s:.3f}, {c},{t},{p:.4f}" for s, c, t, p in zip(size, colour, town, price))
    path = folder / "shop.csv"
    path.write_text("size,colour,town,price\n" + rows + "\n")
    return str(path)


def test_text_columns_become_one_zero_one_feature_per_value(tmp_path):
    path = _shop(tmp_path)
    data = load_data(path, features="raw")
    assert data.encoded == {"colour": ["blue", "green", "red"], "town": ["Busan", "Seoul"]}  # ' red' stripped
    assert data.task == "regression" and data.n_features == 1 + 3 + 2
    X = data.train.tensors[0].numpy()
    assert set(np.unique(X[:, 1:])) == {0.0, 1.0}
    assert (X[:, 1:4].sum(1) == 1).all() and (X[:, 4:6].sum(1) == 1).all()  # one value per column per row
    lines = open(path).read().splitlines()[1:]
    first = lines[0].split(",")  # the split shuffles rows: find the first file row among all rows
    X_all = np.concatenate([d.tensors[0].numpy() for d in (data.train, data.val, data.test)])
    row = X_all[np.isclose(X_all[:, 0], float(first[0]))][0]
    assert row[1 + ["blue", "green", "red"].index(first[1].strip())] == 1
    assert row[4 + ["Busan", "Seoul"].index(first[2])] == 1
    standardised = load_data(path)
    assert standardised.encoded == data.encoded and standardised.n_features == 6


def test_a_model_learns_from_the_encoded_columns(tmp_path):
    data = load_data(_shop(tmp_path))
    result = hyperlab.train("mlp", data, lr=0.01, optimizer="adam", epochs=40, batch_size=16)
    assert result.history.epochs[-1].val_metric > 0.95  # the colour and town carry most of the variance


def test_columns_that_cannot_be_categories_are_refused(tmp_path):
    typo = tmp_path / "typo.csv"
    typo.write_text("a,b,y\n" + "".join(f"{i},{i * 2},{i % 2}\n" for i in range(9)) + "9,18kg,1\n")
    with pytest.raises(DataError, match=r"typo.csv: feature column 'b' is not numeric: '18kg' on line 11, where "
                                        r"most of its values are numbers"):
        load_data(typo)
    names = tmp_path / "names.csv"
    names.write_text("name,a,y\n" + "".join(f"person {i},{i},{i % 2}\n" for i in range(40)))
    with pytest.raises(DataError, match=r"names.csv: feature column 'name' is text with 40 distinct values in 40 rows "
                                        r"\(e.g. 'person 0'\); a text column is one-hot encoded when it has at most "
                                        r"50 values, fewer than half the rows"):
        load_data(names)
    many = tmp_path / "many.csv"
    many.write_text("code,y\n" + "".join(f"c{i % 60},{i % 2}\n" for i in range(600)))
    with pytest.raises(DataError, match=r"'code' is text with 60 distinct values in 600 rows"):
        load_data(many)
    gap = tmp_path / "gap.csv"
    gap.write_text("a,colour,y\n" + "".join(f"{i},{'red' if i % 2 else 'blue'},{i % 2}\n" for i in range(9)) + "9,,1\n")
    with pytest.raises(DataError, match=r"column 'colour' has missing values \(line 11\)"):
        load_data(gap)
    with pytest.raises(DataError, match=r"with features='ids' every feature must be a whole number, and column "
                                        r"'colour' is text \('blue', ...\)"):
        load_data(_shop(tmp_path), features="ids")


runner = CliRunner()


@pytest.mark.parametrize("lang, says", [
    ("en", "note: text columns one-hot encoded (one 0/1 feature per value): 'colour', 3 values (blue, green, red); "
           "'town', 2 values (Busan, Seoul); 6 features in all\n"),
    ("ko", "note: 문자 열을 원-핫 인코딩함 (값마다 0/1 특성 하나): 'colour', 값 3개 (blue, green, red); "
           "'town', 값 2개 (Busan, Seoul); 특성 모두 6개\n"),
])
def test_the_command_line_says_which_columns_it_encoded(tmp_path, lang, says):
    result = runner.invoke(app, ["train", "--dataset", _shop(tmp_path), "--epochs", "2", "--lang", lang,
                                 "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert says in result.stderr
    ids = runner.invoke(app, ["train", "--dataset", _shop(tmp_path), "--features", "ids", "--out", str(tmp_path / "x")])
    assert ids.exit_code == 2 and ids.output.startswith("error: ") and "'colour' is text" in ids.output
    assert "Traceback" not in ids.output and not (tmp_path / "x").exists()


def test_a_pandas_dataframe_is_read_by_the_same_rule_as_a_csv_file():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"size": rng.uniform(0, 1, 120), "colour": rng.choice(list(COLOURS), 120)})
    y = frame["size"] + 2 * frame["colour"].map(COLOURS)
    before = frame.copy()
    data = hyperlab.as_data((frame, y))
    assert data.encoded == {"colour": ["blue", "green", "red"]} and data.n_features == 4
    pd.testing.assert_frame_equal(frame, before)  # the user's DataFrame is left as it was
    result = hyperlab.train("mlp", (frame, y), lr=0.01, optimizer="adam", epochs=30, batch_size=16)
    assert result.history.epochs[-1].val_metric > 0.95
    typo = frame.assign(size=frame["size"].astype(object))
    typo.loc[7, "size"] = "0.5m"
    with pytest.raises(DataError, match=r"^X: feature column 'size' is not numeric: '0.5m' on row 7, where most"):
        hyperlab.as_data((typo, y))
    gap = frame.assign(size=frame["size"].where(frame.index != 4))
    with pytest.raises(DataError, match=r"^X: column 'size' has missing values \(row 4\); fill or drop those rows"):
        hyperlab.as_data((gap, y))
    with pytest.raises(DataError, match=r"^X: with features='ids' every feature must be a whole number, and column "
                                        r"'colour' is text"):
        hyperlab.as_data((frame, y), features="ids")
    numbers = hyperlab.as_data((frame[["size"]], y))  # a numeric DataFrame: as its array
    assert numbers.encoded == {} and numbers.n_features == 1


def test_dates_are_refused_naming_the_column_and_numbers_held_as_text_are_numbers(tmp_path):
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"size": rng.uniform(0, 1, 60), "when": pd.date_range("2024-01-01", periods=60),
                          "took": pd.to_timedelta(rng.integers(0, 9, 60), unit="h"),
                          "count": pd.Series([str(v) for v in rng.integers(0, 5, 60)], dtype=object)})
    y = frame["size"] * 2
    for column, kind in (("when", "datetime64"), ("took", "timedelta64")):  # an IndexError before
        with pytest.raises(DataError, match=rf"^X: feature column '{column}' holds dates or times \({kind}.*\); "
                                            "features must be numbers: convert it to numbers"):
            hyperlab.as_data((frame[["size", column]], y))
    counted = hyperlab.as_data((frame[["size", "count"]], y), features="raw")  # "3" in an object column: 3
    assert counted.encoded == {} and counted.n_features == 2
    assert sorted(set(counted.train.tensors[0][:, 1].tolist())) <= [0.0, 1.0, 2.0, 3.0, 4.0]
    path = tmp_path / "days.csv"
    path.write_text("day,x,y\n" + "".join(f"2024-{1 + i // 28:02d}-{1 + i % 28:02d},{i % 7},{i % 3}\n"
                                          for i in range(150)))
    with pytest.raises(DataError, match=r"days.csv: feature column 'day' holds dates \('2024-01-01', ...\)"):
        load_data(path)


def test_decimal_commas_in_a_semicolon_file_are_numbers_not_categories(tmp_path):
    path = tmp_path / "eu.csv"  # as a spreadsheet in many European locales saves it
    path.write_text("a;b;town;y\n" + "".join(f"{i},5;{i};{('Seoul, KR', 'Busan, KR')[i % 2]};{i % 2}\n"
                                            for i in range(30)) + "-0,25;7;Seoul, KR;1\n,5;8;Busan, KR;0\n")
    data = load_data(path, features="raw")
    assert data.encoded == {"town": ["Busan, KR", "Seoul, KR"]}  # text with a comma stays text
    X = np.concatenate([d.tensors[0].numpy() for d in (data.train, data.val, data.test)])
    assert sorted(X[:, 0].tolist())[:3] == [-0.25, 0.5, 0.5] and 29.5 in X[:, 0]
    assert data.n_features == 4  # a, b and the two towns
