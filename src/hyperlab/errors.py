"""Errors a user can fix: each names the field, the value and what is allowed."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
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


def check_int(field_name: str, value: Any, minimum: int, maximum: int | None = None, why: str = "") -> int:
    """``value`` as an int in [minimum, maximum], else ConfigError naming the field."""
    allowed = f"must be an integer >= {minimum}" if maximum is None else \
        f"must be an integer from {minimum} to {maximum}"
    allowed += f" ({why})" if why else ""
    try:
        as_float = float(value)
        number = int(as_float) if not isinstance(value, bool) and as_float.is_integer() else None
    except (TypeError, ValueError, OverflowError):
        number = None
    if number is None or number < minimum or (maximum is not None and number > maximum):
        raise ConfigError(field_name, value, allowed)
    return number


def check_float(field_name: str, value: Any, *, low: float | None = 0.0, high: float | None = None,
                low_open: bool = True, why: str = "") -> float:
    """``value`` as a finite float above ``low`` (and at most ``high``), else ConfigError."""
    parts = ["must be a finite number"]
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        parts.append(f"and <= {high:g}")
    allowed = " ".join(parts) + (f" ({why})" if why else "")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(field_name, value, allowed) from None
    if isinstance(value, bool) or not math.isfinite(number) or \
            (low is not None and (number <= low if low_open else number < low)) or \
            (high is not None and number > high):
        raise ConfigError(field_name, value, allowed)
    return number
