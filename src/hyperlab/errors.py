"""Errors a user can fix, and the validators that raise them: each names the field, the value
and what is allowed."""

from __future__ import annotations

import difflib
import math
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class HyperlabError(Exception):
    """Base class for errors caused by user input (the CLI exits 2 on these)."""


class ConfigError(HyperlabError, ValueError):
    """An invalid value for a named field."""

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        self.field, self.value, self.allowed = field, value, allowed
        super().__init__(f"{field}={value!r} is invalid: {allowed}")


class DataError(HyperlabError, ValueError):
    """Data that cannot be used as given (missing column, non-numeric values...)."""


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """' (did you mean 'adam'?)' when a close choice exists, else ''."""
    close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_choice(field: str, value: str, choices: Iterable[str]) -> str:
    """Return value if it is one of choices, else raise ConfigError with a suggestion."""
    choices = list(choices)
    if value not in choices:
        raise ConfigError(field, value, f"must be one of {', '.join(choices)}" + did_you_mean(value, choices))
    return value


@dataclass(frozen=True)
class Interval:
    """A range of integers or finite numbers whose error message is built from its own bounds
    (scikit-learn's ``Interval``): ``Interval(int, 1)`` says "must be an integer >= 1",
    ``Interval(float, 0, 1, closed="left")`` says "must be a finite number in [0, 1)".

    One parsing rule everywhere: numbers, or text that is a plain number; an integer may be written
    ``3`` or ``3.0`` as a number, but as text only as ``3`` (not ``"3.0"`` or ``"1e3"``); booleans
    are not numbers.
    """

    kind: type  # int or float
    low: float | None = None
    high: float | None = None
    closed: str = "both"  # which bounds belong to the interval: both, left, right, neither
    why: str = ""  # appended in parentheses

    def __post_init__(self) -> None:
        if self.closed not in ("both", "left", "right", "neither"):
            raise ValueError(f"closed={self.closed!r}")

    def describe(self) -> str:
        """What is allowed, e.g. "must be an integer from 1 to 100"."""
        closed_low = self.closed in ("both", "left")
        closed_high = self.closed in ("both", "right")
        what = "an integer" if self.kind is int else "a finite number"
        if self.low is not None and self.high is not None:
            if self.kind is int and closed_low and closed_high:
                text = f"{what} from {_num(self.low)} to {_num(self.high)}"
            else:
                text = (f"{what} in {'[' if closed_low else '('}{_num(self.low)}, "
                        f"{_num(self.high)}{']' if closed_high else ')'}")
        elif self.low is not None:
            text = f"{what} {'>=' if closed_low else '>'} {_num(self.low)}"
        elif self.high is not None:
            text = f"{what} {'<=' if closed_high else '<'} {_num(self.high)}"
        else:
            text = what
        return f"must be {text}" + (f" ({self.why})" if self.why else "")

    def parse(self, value: Any) -> int | float:
        """The value as ``kind`` if it lies in the interval, else ValueError(describe())."""
        number = _as_number(value, self.kind)
        if number is None or not self._contains(number):
            raise ValueError(self.describe())
        return number

    def check(self, field: str, value: Any) -> int | float:
        """``parse``, raising ConfigError naming ``field``."""
        try:
            return self.parse(value)
        except ValueError as exc:
            raise ConfigError(field, value, str(exc)) from None

    def _contains(self, x: float) -> bool:
        if self.low is not None and (x < self.low if self.closed in ("both", "left") else x <= self.low):
            return False
        return not (self.high is not None and (x > self.high if self.closed in ("both", "right") else x >= self.high))


def _as_number(value: Any, kind: type) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text) if kind is int else float(text)
        except ValueError:
            return None
    if isinstance(value, float) and kind is int:
        value = int(value) if value.is_integer() else None
    if not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return int(value) if kind is int else float(value)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def check_int(field_name: str, value: Any, minimum: int, maximum: int | None = None, why: str = "") -> int:
    """``value`` as an int in [minimum, maximum], else ConfigError naming the field."""
    return int(Interval(int, minimum, maximum, why=why).check(field_name, value))


def check_float(field_name: str, value: Any, *, low: float | None = 0.0, high: float | None = None,
                low_open: bool = True, why: str = "") -> float:
    """``value`` as a finite float above ``low`` (and at most ``high``), else ConfigError."""
    closed = ("right" if low_open else "both") if low is not None else "both"
    return float(Interval(float, low, high, closed=closed, why=why).check(field_name, value))


def check_out_dir(field: str, path: str | Path | None) -> Path | None:
    """``path`` as a Path if it is a directory hyperlab can write into or create, else ConfigError,
    so that a run is refused before it trains rather than losing its results when it saves them.
    Writing is tried for real (a temporary directory made and removed in the nearest existing
    folder): permission bits do not tell, for root or on special file systems."""
    if path is None:
        return None
    target = Path(path)
    if target.exists() and not target.is_dir():
        raise ConfigError(field, str(path), "must be a directory, and it is a file")
    existing = target.absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(field, str(path), f"cannot be created: {existing} is a file")
    try:
        with tempfile.TemporaryDirectory(dir=existing, prefix=".hyperlab-write-check-"):
            pass
    except OSError as exc:
        raise ConfigError(field, str(path),
                          f"cannot be written: making a folder in {existing} failed ({exc.strerror or exc})") from None
    return target
