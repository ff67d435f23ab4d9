"""One validator family: messages built from the bounds, one parsing rule for HParams, tuners and sweeps."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hyperlab.errors import ConfigError, Interval, check_float, check_int
from hyperlab.hparams import HParams


@pytest.mark.parametrize(("interval", "message"), [
    (Interval(int, 1), "must be an integer >= 1"),
    (Interval(int, 1, 100), "must be an integer from 1 to 100"),
    (Interval(int, 0, 10, closed="left"), "must be an integer in [0, 10)"),
    (Interval(float, 0, closed="right"), "must be a finite number > 0"),
    (Interval(float, 0), "must be a finite number >= 0"),
    (Interval(float, 0, 1, closed="left"), "must be a finite number in [0, 1)"),
    (Interval(float, 0, 1, closed="right"), "must be a finite number in (0, 1]"),
    (Interval(float, None, 0.5), "must be a finite number <= 0.5"),
    (Interval(int, 1, why="epochs between lr drops"), "must be an integer >= 1 (epochs between lr drops)"),
])
def test_message_is_built_from_the_bounds(interval, message):
    assert interval.describe() == message
    with pytest.raises(ConfigError) as err:
        interval.check("x", "oops")
    assert str(err.value) == f"x='oops' is invalid: {message}"


@pytest.mark.parametrize("value", ["3.0", "1e3", "x", True, None, 2.5, float("nan"), "inf"])
def test_check_int_and_hparams_refuse_the_same_non_integers(value):
    # check_int used to accept "3.0" and "1e3" where HParams refused them
    with pytest.raises(ConfigError):
        check_int("epochs", value, 1)
    with pytest.raises(ConfigError):
        HParams(epochs=value)


@given(st.one_of(st.integers(-5, 50), st.floats(allow_nan=True, allow_infinity=True),
                 st.text(max_size=6), st.booleans(), st.integers(-5, 50).map(str)))
def test_check_int_agrees_with_hparams(value):
    try:
        expected = HParams(epochs=value).epochs
    except ConfigError:
        expected = None
    try:
        got = check_int("epochs", value, 1)
    except ConfigError:
        got = None
    assert got == expected


@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-3, 3), st.text(max_size=6)))
def test_check_float_agrees_with_hparams_lr(value):
    try:
        expected = HParams(lr=value).lr
    except ConfigError:
        expected = None
    try:
        got = check_float("lr", value)
    except ConfigError:
        got = None
    assert got == expected or (got is not None and math.isclose(got, expected))


def test_upper_bound_is_inclusive_for_both_kinds_unless_said_otherwise():
    assert check_int("steps", 100, 1, 100) == 100
    assert check_float("resolution", 1.0, low=0.0, high=1.0) == 1.0
    assert HParams(gamma=1.0).gamma == 1.0  # (0, 1]
    with pytest.raises(ConfigError, match=r"momentum=1 is invalid: must be a finite number in \[0, 1\)"):
        HParams(optimizer="momentum", momentum=1)
