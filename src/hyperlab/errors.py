"""Errors a user can fix: each names the field, the value and what is allowed."""

from __future__ import annotations

import difflib
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
