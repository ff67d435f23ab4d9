"""The search space of a sweep: which of the four knobs (and optimizer options) vary, and how.

Written on the command line or in YAML with one small syntax per setting::

    >>> space = parse_space({"lr": "1e-4..1:log", "batch_size": "16,32,64,128",
    ...                      "optimizer": "sgd,momentum,adam", "epochs": "5..40"})
    >>> space.describe()["lr"], space.describe()["batch_size"]
    ('0.0001..1:log', '16,32,64,128')

``lo..hi`` is a range (``:log`` for a log scale), ``a,b,c`` a list of choices, a single value is
fixed (not searched). Every bound and choice goes through ``HParams``, so a bad value gets the
same one-line error as anywhere else in hyperlab.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hyperlab.errors import ConfigError, did_you_mean
from hyperlab.hparams import OPTIMIZERS, HParams, check_distinct, parse_list

# what may be searched, and the type of its values
FLOAT_KNOBS = ("lr", "momentum", "alpha", "eps", "weight_decay")
INT_KNOBS = ("batch_size", "epochs")
CHOICE_KNOBS = ("optimizer",)
SEARCHABLE = ("lr", "batch_size", "epochs", "optimizer", "momentum", "alpha", "eps", "weight_decay")
# options that only some optimizers have (weight_decay applies to all of them)
OPTIONAL_OPTIONS = ("momentum", "alpha", "eps")
_PROBE = {"momentum": 0.5, "alpha": 0.5, "eps": 1e-8}  # valid for every optimizer that has the option

DEFAULT_SPACE = {"lr": "1e-4..1:log", "batch_size": "16,32,64,128", "optimizer": "sgd,momentum,adam",
                 "epochs": "5..40"}
"""The space searched when a new study names none (the four knobs, as in the issue's example)."""


def applies(option: str, optimizer: str) -> bool:
    """Whether ``optimizer`` has ``option`` (asked of HParams, which owns that table)."""
    if option not in OPTIONAL_OPTIONS:
        return True
    try:
        HParams(optimizer=optimizer, **{option: _PROBE[option]})
    except ConfigError:
        return False
    return True


WIDE_LINEAR = 100  # a linear range whose high is this many times its low is said to bunch at the top


@dataclass(frozen=True)
class Dim:
    """One searched setting: a numeric range (``low``..``high``, maybe log) or a list of choices."""

    name: str
    low: float | int | None = None
    high: float | int | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()

    @property
    def is_range(self) -> bool:
        return not self.choices

    @property
    def is_int(self) -> bool:
        return self.name in INT_KNOBS

    def top_decade_share(self) -> float | None:
        """For a linear range over two decades or more (``1e-4..1``): the share of its draws that
        fall in its top decade (0.9 here), which a log scale would spread evenly; else None."""
        if self.choices or self.log or self.low is None or self.high is None or self.low <= 0 \
                or self.high < WIDE_LINEAR * self.low:
            return None
        return (self.high - self.high / 10) / (self.high - self.low)

    def describe(self) -> str:
        """The flag syntax that gives this dimension back: ``1e-4..1:log`` or ``16,32``."""
        if self.choices:
            return ",".join(_fmt(c) for c in self.choices)
        return f"{_fmt(self.low)}..{_fmt(self.high)}" + (":log" if self.log else "")

    def suggest(self, trial: Any) -> Any:
        """Ask an Optuna trial for a value of this dimension."""
        if self.choices:
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.is_int:
            return trial.suggest_int(self.name, int(self.low), int(self.high), log=self.log)  # type: ignore[arg-type]
        return trial.suggest_float(self.name, float(self.low), float(self.high), log=self.log)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SearchSpace:
    """The searched dimensions, in a fixed order; options are only searched for optimizers that have them."""

    dims: tuple[Dim, ...]

    def __post_init__(self) -> None:
        if not self.dims:
            raise ConfigError("space", {}, "must search at least one setting, e.g. --lr 1e-4..1:log")

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.dims]

    def get(self, name: str) -> Dim | None:
        return next((d for d in self.dims if d.name == name), None)

    def describe(self) -> dict[str, str]:
        return {d.name: d.describe() for d in self.dims}

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe, for the study's records; ``from_dict`` reads it back."""
        return self.describe()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SearchSpace:
        return parse_space(data)

    def optimizers(self, fixed: str) -> list[str]:
        """The optimizers this space can pick (``fixed`` when optimizer is not searched)."""
        dim = self.get("optimizer")
        return list(dim.choices) if dim else [fixed]

    def suggest(self, trial: Any) -> dict[str, Any]:
        """Sample one configuration from an Optuna trial (options only where the optimizer has them)."""
        params: dict[str, Any] = {}
        optimizer_dim = self.get("optimizer")
        if optimizer_dim is not None:
            params["optimizer"] = optimizer_dim.suggest(trial)
        for dim in self.dims:
            if dim.name == "optimizer":
                continue
            if dim.name in OPTIONAL_OPTIONS and "optimizer" in params and not applies(dim.name, params["optimizer"]):
                continue
            params[dim.name] = dim.suggest(trial)
        return params

    def grid(self, seed: int = 0) -> list[dict[str, Any]]:
        """Every combination of the choices (a grid needs lists, not ranges), each once, in a
        seeded shuffled order so that a partial grid (``--trials`` below its size) spreads out."""
        ranged = [d.name for d in self.dims if d.is_range]
        if ranged:
            raise ConfigError(ranged[0], self.get(ranged[0]).describe(),  # type: ignore[union-attr]
                              "strategy 'grid' needs a list of values, e.g. --lr 0.001,0.01,0.1")
        points: list[dict[str, Any]] = []
        seen: set[tuple] = set()
        for values in itertools.product(*(d.choices for d in self.dims)):
            point = dict(zip(self.names, values))
            opt = point.get("optimizer")
            if opt is not None:
                point = {k: v for k, v in point.items() if k not in OPTIONAL_OPTIONS or applies(k, opt)}
            key = tuple(sorted(point.items()))
            if key not in seen:
                seen.add(key)
                points.append(point)
        random.Random(seed).shuffle(points)
        return points

    def check(self, base: HParams, n_train: int | None = None) -> None:
        """Raise ConfigError if some part of the space cannot train with the fixed settings in ``base``:
        options no searched optimizer has, fixed options that a searched optimizer lacks, a batch
        size above the training set."""
        optimizers = self.optimizers(base.optimizer)
        for dim in self.dims:
            if dim.name in OPTIONAL_OPTIONS and not any(applies(dim.name, o) for o in optimizers):
                fits = [o for o in OPTIMIZERS if applies(dim.name, o)]
                raise ConfigError(dim.name, dim.describe(),
                                  f"is searched but none of the optimizers searched ({', '.join(optimizers)}) "
                                  f"has it (it applies to {', '.join(fits)})")
        for optimizer in optimizers:  # fixed options (from --set or YAML) must suit every searched optimizer
            fixed = {k: getattr(base, k) for k in OPTIONAL_OPTIONS
                     if getattr(base, k) is not None and self.get(k) is None}
            base.replace(optimizer=optimizer, **fixed)
        batch = self.get("batch_size")
        if batch is not None and n_train is not None:
            largest = max(batch.choices) if batch.choices else batch.high
            if largest * base.accumulate > n_train:  # type: ignore[operator]
                per_step = f" / accumulate ({n_train} / {base.accumulate} = {n_train // base.accumulate})" \
                    if base.accumulate > 1 else ""
                raise ConfigError("batch_size", batch.describe(),
                                  f"must be at most the training set size ({n_train}){per_step}")


def _fmt(value: Any) -> str:
    """Shortest text that reads back as the same value (so a stored space loses nothing)."""
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def _number(name: str, text: Any, whole: str) -> float | int:
    """One bound or choice, converted and validated through HParams."""
    if isinstance(text, bool):
        raise ConfigError(name, whole, "must be numbers")
    if isinstance(text, str):
        text = text.strip()
        if not text:
            raise ConfigError(name, whole, "has an empty value; write e.g. 16,32 or 1e-4..1:log")
        try:
            value: float | int = int(text) if name in INT_KNOBS else float(text)
        except ValueError:
            kind = "integers" if name in INT_KNOBS else "numbers"
            raise ConfigError(name, whole, f"must be {kind}: {text!r} is not one") from None
    elif isinstance(text, (int, float)):
        value = text
        if name in INT_KNOBS:
            if isinstance(value, float) and not value.is_integer():
                raise ConfigError(name, whole, f"must be integers: {value!r} is not one")
            value = int(value)
    else:
        raise ConfigError(name, whole, "must be numbers")
    _check_value(name, value)
    return value


def _check_value(name: str, value: Any) -> None:
    """Let HParams judge one value (an option is tried with an optimizer that has it)."""
    if name in OPTIONAL_OPTIONS:
        optimizer = next(o for o in OPTIMIZERS if applies(name, o))
        HParams(optimizer=optimizer, **{name: value})
    else:
        HParams(**{name: value})


def parse_dim(name: str, spec: Any) -> Dim | Any:
    """Parse one setting's spec: a ``Dim`` when it varies, else the single fixed value.

    Accepts ``"lo..hi"``, ``"lo..hi:log"``, ``"a,b,c"``, a list, a ``{low, high, log}`` mapping or one value.
    """
    name = str(name).strip().replace("-", "_")
    if name not in SEARCHABLE:
        raise ConfigError(name, spec, "is not a searchable setting"
                          + (did_you_mean(name, SEARCHABLE) or f"; searchable: {', '.join(SEARCHABLE)}"))
    whole = spec
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"low", "high", "log"}
        if unknown or not {"low", "high"} <= set(spec):
            raise ConfigError(name, dict(spec), "a range mapping needs exactly low, high and optionally log")
        log = spec.get("log", False)
        if not isinstance(log, bool):
            raise ConfigError(name, dict(spec), "log must be true or false")
        return _range(name, spec["low"], spec["high"], log, whole)
    if isinstance(spec, (list, tuple)):
        return _choices(name, list(spec), whole)
    if isinstance(spec, str):
        text = spec.strip()
        if not text:
            raise ConfigError(name, spec, "is empty; write a value, a list (16,32) or a range (1e-4..1:log)")
        if ".." in text:
            if name in CHOICE_KNOBS:
                raise ConfigError(name, spec, f"takes a list of names, e.g. sgd,adam (one of {', '.join(OPTIMIZERS)})")
            body, _, scale = text.partition(":")
            if scale and scale.strip() != "log":
                raise ConfigError(name, spec, "the only range scale is ':log', e.g. 1e-4..1:log")
            low, sep, high = body.partition("..")
            if ".." in high:
                raise ConfigError(name, spec, "a range is lo..hi, e.g. 5..40")
            return _range(name, low, high, bool(scale), whole)
        if ":" in text:
            raise ConfigError(name, spec, "':log' only follows a range lo..hi, e.g. 1e-4..1:log")
        return _choices(name, parse_list(name, text), whole)  # each item judged as `train --lr a,b` judges it
    return _choices(name, [spec], whole)


def _range(name: str, low: Any, high: Any, log: bool, whole: Any) -> Dim:
    if name in CHOICE_KNOBS:
        raise ConfigError(name, whole, f"takes a list of names, e.g. sgd,adam (one of {', '.join(OPTIMIZERS)})")
    lo, hi = _number(name, low, whole), _number(name, high, whole)
    if not lo < hi:
        raise ConfigError(name, whole, f"a range needs low < high (got {_fmt(lo)} >= {_fmt(hi)}); "
                                       "for one fixed value write it alone")
    if log and lo <= 0:
        raise ConfigError(name, whole, "a log range needs low > 0")
    return Dim(name, low=lo, high=hi, log=log)


def _choices(name: str, items: list[Any], whole: Any) -> Dim | Any:
    if not items:
        raise ConfigError(name, whole, "must list at least one value")
    values: list[Any] = []
    for item in items:
        if name in CHOICE_KNOBS:
            if not isinstance(item, str) or not item.strip():
                raise ConfigError(name, whole, f"has an empty or non-text choice; allowed: {', '.join(OPTIMIZERS)}")
            HParams(optimizer=item)  # raises optimizer='adamm' is invalid ... (did you mean 'adam'?)
            value = item.strip().lower()
        else:
            value = _number(name, item, whole)
        values.append(value)
    check_distinct(name, values, items, whole)
    if len(values) == 1:
        return values[0]
    return Dim(name, choices=tuple(values))


def parse_space(specs: Mapping[str, Any]) -> SearchSpace:
    """A SearchSpace from ``{setting: spec}``; single values are not allowed here (see ``split_specs``)."""
    dims, fixed = split_specs(specs)
    if fixed:
        name = next(iter(fixed))
        raise ConfigError(name, fixed[name], "is a single value; a search space needs a list or a range")
    return SearchSpace(tuple(dims))


def split_specs(specs: Mapping[str, Any]) -> tuple[list[Dim], dict[str, Any]]:
    """Searched dimensions, and the settings given one value (they become fixed settings)."""
    dims: list[Dim] = []
    fixed: dict[str, Any] = {}
    for name, spec in specs.items():
        if spec is None:
            continue
        parsed = parse_dim(name, spec)
        if isinstance(parsed, Dim):
            dims.append(parsed)
        else:
            fixed[str(name).replace("-", "_")] = parsed
    order = {n: i for i, n in enumerate(SEARCHABLE)}
    dims.sort(key=lambda d: order[d.name])
    return dims, fixed


def space_or_default(dims: Iterable[Dim], fixed_names: Iterable[str] = ()) -> SearchSpace:
    """The given dimensions, or the default four-knob space minus any knob fixed by the user."""
    dims = list(dims)
    if dims:
        return SearchSpace(tuple(dims))
    fixed_names = set(fixed_names)
    default, _ = split_specs({k: v for k, v in DEFAULT_SPACE.items() if k not in fixed_names})
    return SearchSpace(tuple(default))


def numeric_dims(space: SearchSpace) -> list[Dim]:
    """Ranges (what CMA-ES can move through)."""
    return [d for d in space.dims if d.is_range]
