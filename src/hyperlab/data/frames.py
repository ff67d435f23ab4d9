"""A table's feature columns as numbers: one rule for a CSV file and a pandas DataFrame.

Numbers are kept; a text column that is a category (a colour, a town) becomes one 0/1 column per
value; a column of numbers with a stray text, a text column of names or ids, a missing and an
infinite value are refused, saying where (a file's line, a DataFrame's row)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from hyperlab.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

MAX_CATEGORIES = 50  # distinct values a text column may have to be one-hot encoded
CONVERT_DATES = ("convert it to numbers (a date: days since the first one, its month or hour; a duration: "
                 "seconds) or drop the column")

Place = Callable[[Sequence[int]], str]  # rows (0-based positions) -> where they are: "line 3", "rows 2, 5"


def frame_features(frame: pd.DataFrame, where: str, place: Place,
                   features: str | None = None) -> tuple[np.ndarray, dict[str, list[str]]]:
    """The feature columns of ``frame`` as a float64 array, and each one-hot encoded text column's
    values (in the order of its 0/1 columns). ``where`` starts every message (the file, or X);
    ``features='ids'`` refuses text columns (their ids would be the user's to choose)."""
    import pandas as pd

    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]) or pd.api.types.is_timedelta64_dtype(frame[column]):
            raise DataError(f"{where}: feature column {column!r} holds dates or times ({frame[column].dtype}); "
                            f"features must be numbers: {CONVERT_DATES}")
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    numbers_as_text = [c for c in text if _all_numbers(frame[c])]  # "1.5" and 2 in an object column
    if numbers_as_text:
        frame = frame.copy()  # a user's DataFrame is left as it was
        for column in numbers_as_text:
            frame[column] = pd.to_numeric(frame[column])
        text = [c for c in text if c not in numbers_as_text]
    for column in text:
        _check_text(frame[column], where, place)
    missing = frame.isna().any()
    if missing.any():
        column = str(missing[missing].index[0])
        rows = np.flatnonzero(frame[column].isna())[:5]
        raise DataError(f"{where}: column {column!r} has missing values ({place(rows)}); fill or drop those rows")
    frame, encoded = _one_hot(frame, text, where)
    if encoded and features == "ids":
        name, values = next(iter(encoded.items()))
        raise DataError(f"{where}: with features='ids' every feature must be a whole number, and column {name!r} "
                        f"is text ({values[0]!r}, ...): map its values to ids first, or read it one-hot encoded "
                        "with features='standardise' or 'raw'")
    values = frame.to_numpy(dtype=np.float64)
    infinite = ~np.isfinite(values)
    if infinite.any():
        row, col = map(int, np.argwhere(infinite)[0])
        rows = np.flatnonzero(infinite[:, col])[:5]
        raise DataError(f"{where}: column {str(frame.columns[col])!r} has infinite values ({float(values[row, col])} "
                        f"on {place(rows)}); features must be finite numbers")
    return values, encoded


def is_frame(X: object) -> bool:
    """Whether ``X`` is a pandas DataFrame (told without importing pandas, which costs start-up)."""
    return type(X).__module__.split(".")[0] == "pandas" and hasattr(X, "columns") and hasattr(X, "dtypes")


def row_numbers(rows: Sequence[int]) -> str:
    """Where rows of a DataFrame are, by position: "row 3" or "rows 3, 5"."""
    return f"row{'s' if len(rows) != 1 else ''} {', '.join(str(int(r)) for r in rows)}"


def _all_numbers(column: pd.Series) -> bool:
    """Whether every present value of a non-numeric column reads as a number."""
    import pandas as pd

    present = column.dropna()
    return bool(len(present)) and bool(pd.to_numeric(present, errors="coerce").notna().all())


def _all_dates(values: pd.Series) -> bool:
    """Whether every value of a text column reads as a date or time ("2024-03-01", "2024-03-01 12:00")."""
    import warnings

    import pandas as pd

    with warnings.catch_warnings():  # pandas warns when it has to guess the format of each value
        warnings.simplefilter("ignore")
        return bool(pd.to_datetime(values, errors="coerce", format="mixed").notna().all())


def _check_text(column: pd.Series, where: str, place: Place) -> None:
    """Refuse a column that holds numbers with a few stray texts (a typo, a unit): it is meant to be
    numeric, so its first non-number is named with where it is. A column of mostly text passes: it
    is a category, one-hot encoded by ``_one_hot``."""
    import pandas as pd

    present = column.notna()
    not_numbers = np.flatnonzero(pd.to_numeric(column, errors="coerce").isna() & present)
    if len(not_numbers) * 2 < present.sum():
        row = int(not_numbers[0])
        raise DataError(f"{where}: feature column {column.name!r} is not numeric: {column.iloc[row]!r} on "
                        f"{place([row])}, where most of its values are numbers; features must be numbers: convert "
                        "it or drop the column")


def _one_hot(frame: pd.DataFrame, text: list[str], where: str) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The ``text`` columns (categories such as 'red', 'green') replaced by one 0/1 column per value,
    named ``column=value``; also the values of each encoded column, in order. A column with more
    than MAX_CATEGORIES values, or one of mostly distinct values (a name, an id), is refused."""
    import pandas as pd

    if not text:
        return frame, {}
    frame = frame.copy()  # a user's DataFrame is left as it was
    encoded: dict[str, list[str]] = {}
    for column in text:
        values = frame[column].astype(str).str.strip()
        categories = sorted(values.unique())
        if len(categories) > MAX_CATEGORIES or (len(frame) >= 20 and len(categories) > len(frame) / 2):
            if _all_dates(values):
                raise DataError(f"{where}: feature column {column!r} holds dates ({categories[0]!r}, ...); features "
                                f"must be numbers: {CONVERT_DATES}")
            raise DataError(f"{where}: feature column {column!r} is text with {len(categories)} distinct values in "
                            f"{len(frame)} rows (e.g. {categories[0]!r}); a text column is one-hot encoded when it "
                            f"has at most {MAX_CATEGORIES} values, fewer than half the rows (a category, not a name "
                            "or an id): drop the column or convert it to numbers")
        frame[column] = values
        encoded[str(column)] = categories
    return pd.get_dummies(frame, columns=text, prefix_sep="=", dtype=np.float64), encoded
