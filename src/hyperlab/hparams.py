"""The four hyperparameters (batch size, learning rate, epochs, optimizer) and their options.

Every entry point (CLI flags, YAML file, Python, web form, sweep sample) builds an
``HParams``, so a bad value gets the same one-line error everywhere::

    >>> HParams(batch_size=32, lr=0.01, epochs=20, optimizer="adam").optimizer
    'adam'
    >>> HParams(lr=-1)
    Traceback (most recent call last):
    hyperlab.errors.ConfigError: lr=-1 is invalid: must be a finite number > 0
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from hyperlab.errors import ConfigError, Interval, check_choice, did_you_mean
from hyperlab.textfiles import NotText, read_text

OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adam", "adamw")
PRECISIONS = ("fp32", "bf16", "fp16")
SCHEDULES = ("constant", "step", "cosine", "warmup", "onecycle")

# Which options each optimizer accepts (anything else is an error, not silently ignored).
_OPTIONS = {
    "sgd": {"weight_decay"},
    "momentum": {"momentum", "weight_decay"},
    "nesterov": {"momentum", "weight_decay"},
    "rmsprop": {"momentum", "alpha", "eps", "weight_decay"},
    "adagrad": {"eps", "weight_decay"},
    "adam": {"betas", "eps", "weight_decay"},
    "adamw": {"betas", "eps", "weight_decay"},
}
_OPTIONAL_OPTIONS = ("momentum", "alpha", "betas", "eps")


# The bounds of each numeric setting; their error messages are built from the bounds.
POSITIVE_INT = Interval(int, 1)
NON_NEGATIVE_INT = Interval(int, 0)
POSITIVE = Interval(float, 0, closed="right")
NON_NEGATIVE = Interval(float, 0)
UNIT = Interval(float, 0, 1, closed="left")  # [0, 1): momentum, alpha, each beta
FACTOR = Interval(float, 0, 1, closed="right")  # (0, 1]: gamma


class HParams(BaseModel):
    """Batch size, learning rate, epochs and optimizer, with their options, validated up front."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=False)

    batch_size: int = 32
    lr: float = 0.001  # torch.optim.Adam's default, as the default optimizer is adam
    epochs: int = 10
    optimizer: str = "adam"
    # optimizer options (None = torch.optim's default, or 0.9 momentum for momentum/nesterov)
    momentum: float | None = None
    alpha: float | None = None
    betas: tuple[float, float] | None = None
    eps: float | None = None
    weight_decay: float = 0.0
    # learning-rate schedule
    schedule: str = "constant"
    step_size: int = 10
    gamma: float = 0.1
    warmup_steps: int = 0
    # early stopping (off unless patience is set)
    early_stopping: bool = False
    patience: int = 5
    min_delta: float = 0.0
    restore_best: bool = True
    # reproducibility and batching
    seed: int = 0
    drop_last: bool = False
    # the batch on the hardware at hand: micro-batches per optimizer step, number format, clipping
    accumulate: int = 1
    precision: str = "fp32"
    clip_grad_norm: float | None = None
    compile: bool = False

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _config_error(exc) from None

    # ---- field checks: each message says what is allowed --------------------------------
    @field_validator("batch_size", mode="before")
    @classmethod
    def _batch_size(cls, v: Any) -> int:
        return POSITIVE_INT.parse(v)

    @field_validator("epochs", mode="before")
    @classmethod
    def _epochs(cls, v: Any) -> int:
        return POSITIVE_INT.parse(v)

    @field_validator("step_size", mode="before")
    @classmethod
    def _step_size(cls, v: Any) -> int:
        return Interval(int, 1, why="epochs between lr drops").parse(v)

    @field_validator("accumulate", mode="before")
    @classmethod
    def _accumulate(cls, v: Any) -> int:
        return Interval(int, 1, why="micro-batches per optimizer step").parse(v)

    @field_validator("precision", mode="before")
    @classmethod
    def _precision(cls, v: Any) -> str:
        name = str(v).strip().lower()
        if name not in PRECISIONS:
            raise ValueError(f"must be one of {', '.join(PRECISIONS)}" + did_you_mean(name, PRECISIONS))
        return name

    @field_validator("clip_grad_norm", mode="before")
    @classmethod
    def _clip(cls, v: Any) -> float | None:
        return None if v is None or (isinstance(v, str) and v.strip().lower() in ("", "none", "off")) \
            else POSITIVE.parse(v)

    @field_validator("warmup_steps", "patience", mode="before")
    @classmethod
    def _non_negative_int(cls, v: Any) -> int:
        return NON_NEGATIVE_INT.parse(v)

    @field_validator("seed", mode="before")
    @classmethod
    def _seed(cls, v: Any) -> int:
        return NON_NEGATIVE_INT.parse(v)

    @field_validator("lr", mode="before")
    @classmethod
    def _lr(cls, v: Any) -> float:
        return POSITIVE.parse(v)

    @field_validator("optimizer", mode="before")
    @classmethod
    def _optimizer(cls, v: Any) -> str:
        if not isinstance(v, str):
            raise ValueError(f"must be one of {', '.join(OPTIMIZERS)}")
        name = v.strip().lower()
        if name not in OPTIMIZERS:
            raise ValueError(f"must be one of {', '.join(OPTIMIZERS)}" + did_you_mean(name, OPTIMIZERS))
        return name

    @field_validator("schedule", mode="before")
    @classmethod
    def _schedule(cls, v: Any) -> str:
        if not isinstance(v, str) or v.strip().lower() not in SCHEDULES:
            raise ValueError(f"must be one of {', '.join(SCHEDULES)}" + did_you_mean(str(v), SCHEDULES))
        return v.strip().lower()

    @field_validator("momentum", "alpha", mode="before")
    @classmethod
    def _unit_interval(cls, v: Any) -> float | None:
        return None if v is None else UNIT.parse(v)

    @field_validator("betas", mode="before")
    @classmethod
    def _betas(cls, v: Any) -> tuple[float, float] | None:
        if v is None:
            return None
        if isinstance(v, str):
            v = [p for p in v.replace("(", "").replace(")", "").split(",") if p.strip()]
        message = "must be two numbers, each " + UNIT.describe().removeprefix("must be ") + ", e.g. 0.9,0.999"
        if not isinstance(v, (list, tuple)) or len(v) != 2:
            raise ValueError(message)
        try:
            return tuple(UNIT.parse(b) for b in v)  # type: ignore[return-value]
        except ValueError:
            raise ValueError(message) from None

    @field_validator("eps", mode="before")
    @classmethod
    def _eps(cls, v: Any) -> float | None:
        return None if v is None else POSITIVE.parse(v)

    @field_validator("weight_decay", "min_delta", mode="before")
    @classmethod
    def _non_negative(cls, v: Any) -> float:
        return NON_NEGATIVE.parse(v)

    @field_validator("gamma", mode="before")
    @classmethod
    def _gamma(cls, v: Any) -> float:
        return FACTOR.parse(v)

    @field_validator("early_stopping", "restore_best", "drop_last", "compile", mode="before")
    @classmethod
    def _bool(cls, v: Any) -> bool:
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.strip().lower() in {"true", "yes", "1", "on", "false", "no", "0", "off"}:
            return v.strip().lower() in {"true", "yes", "1", "on"}
        raise ValueError("must be true or false")

    @model_validator(mode="after")
    def _options_fit_optimizer(self) -> HParams:
        allowed = _OPTIONS[self.optimizer]
        for option in _OPTIONAL_OPTIONS:
            if getattr(self, option) is not None and option not in allowed:
                fits = sorted(o for o, opts in _OPTIONS.items() if option in opts)
                raise _FieldProblem(option, getattr(self, option),
                                    f"does not apply to optimizer {self.optimizer!r} "
                                    f"(it applies to {', '.join(fits)})")
        if self.schedule == "warmup" and self.warmup_steps == 0:
            raise _FieldProblem("warmup_steps", 0, "must be >= 1 with schedule 'warmup'")
        return self

    # ---- helpers ---------------------------------------------------------------------------
    def replace(self, **changes: Any) -> HParams:
        """A copy with some fields changed, validated again."""
        return HParams(**{**self.to_dict(), **changes})

    def to_dict(self) -> dict[str, Any]:
        """Plain, YAML/JSON-safe values (betas as a list)."""
        data = self.model_dump()
        if data["betas"] is not None:
            data["betas"] = list(data["betas"])
        return data

    def effective_batch(self, world_size: int = 1) -> int:
        """Samples per optimizer step: batch size x accumulate x processes."""
        return self.batch_size * self.accumulate * world_size

    def check_data_size(self, n_train: int, world_size: int = 1) -> None:
        """Raise ConfigError if one optimizer step would need more samples than the training set has,
        naming the cause: the batch size, the accumulation, or the process count (``world_size``:
        ``--nproc`` or torchrun's processes) when batch size x accumulate alone would fit."""
        if self.batch_size > n_train:
            raise ConfigError("batch_size", self.batch_size,
                              f"must be at most the training set size ({n_train})")
        per_process = self.batch_size * self.accumulate
        if per_process > n_train:
            raise ConfigError("accumulate", self.accumulate,
                              f"makes a step of {self.batch_size} x {self.accumulate} = {per_process} samples, "
                              f"more than the training set ({n_train})")
        if self.effective_batch(world_size) > n_train:
            most = n_train // per_process
            raise ConfigError("nproc", world_size,
                              f"makes a step of {self.batch_size} x {self.accumulate} x {world_size} processes = "
                              f"{self.effective_batch(world_size)} samples, more than the training set ({n_train}); "
                              f"use at most {most} process{'es' if most != 1 else ''} or a smaller "
                              f"batch_size/accumulate")

    def fit_default_batch(self, n_train: int, world_size: int = 1) -> HParams:
        """These settings with a batch size whose step (x accumulate x processes) is more than the
        training set replaced by the whole set (``whole_set_batch``); ``self`` when it fits. For a
        batch size nobody chose: a chosen one is checked (``check_data_size``), never changed."""
        if self.effective_batch(world_size) <= n_train:
            return self
        return self.replace(batch_size=whole_set_batch(n_train, self.accumulate, world_size))

    def steps_per_epoch(self, n_train: int, world_size: int = 1) -> int:
        """ceil(N / effective batch), or floor with drop_last: 2,000 samples at B=100 is 20 steps,
        and so is B=25 with 4 micro-batches per step."""
        b = self.effective_batch(world_size)
        return n_train // b if self.drop_last else math.ceil(n_train / b)


def as_hparams(hparams: HParams | dict[str, Any] | None = None, **overrides: Any) -> HParams:
    """An HParams from an object, a dict, or nothing, with keyword overrides applied."""
    if hparams is None:
        return HParams(**overrides)
    if isinstance(hparams, dict):
        return HParams(**{**hparams, **overrides})
    if isinstance(hparams, HParams):
        return hparams.replace(**overrides) if overrides else hparams
    raise ConfigError("hparams", type(hparams).__name__, "must be an HParams or a dict of settings")


def whole_set_batch(n_train: int, accumulate: int = 1, world_size: int = 1) -> int:
    """The batch size whose step (x ``accumulate`` micro-batches x ``world_size`` processes) takes
    the whole training set, or as much of it as divides evenly (at least 1): the default for a
    training set smaller than the default batch."""
    return max(1, n_train // (accumulate * world_size))


def parse_value(field: str, value: Any) -> Any:
    """One value of a setting, converted and validated by HParams alone (an option only some
    optimizers have is tried with one that has it), so it gets the error any value of it gets."""
    if field in _OPTIONAL_OPTIONS:
        optimizer = next(name for name, options in _OPTIONS.items() if field in options)
        return getattr(HParams(optimizer=optimizer, **{field: value}), field)
    return getattr(HParams(**{field: value}), field)


def parse_list(field: str, text: str) -> list[Any]:
    """A comma list of one setting's values (``--lr 0.001,0.01``), each through ``parse_value``: a bad
    item gets the one-line error a single value gets (``lr='abc' is invalid: must be a finite number > 0``).
    ``train`` and ``sweep`` both read their lists here.

        >>> parse_list("batch_size", "16, 32")
        [16, 32]
    """
    items = [part.strip() for part in str(text).split(",")]
    if not all(items):
        raise ConfigError(field, text, "has an empty value; write values separated by commas, e.g. 16,32")
    values = [parse_value(field, item) for item in items]
    check_distinct(field, values, items, text)
    return values


def check_distinct(field: str, values: list[Any], written: list[Any], whole: Any) -> None:
    """Refuse a list of settings that gives one value twice (``written``: each as the user wrote it,
    so ``0.1`` and ``1e-1`` are named both); a comma list and a sweep's YAML list alike."""
    for j, value in enumerate(values):
        if value in values[:j]:
            first, again = str(written[values.index(value)]), str(written[j])
            same = f"{first} twice" if first == again else f"the same value twice ({first} and {again})"
            raise ConfigError(field, whole, f"lists {same}: give each value once")


def samples_seen(n_train: int, batch_size: int, steps: int) -> int:
    """Samples the optimizer has seen after ``steps`` steps: full epochs of ``n_train`` plus the
    batches of the epoch under way (each epoch's last batch may be short)."""
    per_epoch = math.ceil(n_train / batch_size)
    return steps // per_epoch * n_train + min(steps % per_epoch * batch_size, n_train)


class _FieldProblem(ValueError):
    """Raised from a model validator to name a field other than the one being checked."""

    def __init__(self, field: str, value: Any, allowed: str) -> None:
        super().__init__(allowed)
        self.field, self.value = field, value


def _config_error(exc: ValidationError) -> ConfigError:
    error = exc.errors()[0]
    field = ".".join(str(p) for p in error["loc"]) or "hparams"
    value = error.get("input")
    ctx_error = (error.get("ctx") or {}).get("error")
    if isinstance(ctx_error, _FieldProblem):
        return ConfigError(ctx_error.field, ctx_error.value, str(ctx_error))
    if error["type"] == "extra_forbidden":
        keys = list(HParams.model_fields)
        return ConfigError(field, value, "is not a known setting"
                           + (did_you_mean(field, keys) or f"; known: {', '.join(keys)}"))
    message = error["msg"].removeprefix("Value error, ")
    if isinstance(value, str) and ".." in value:  # a sweep's range given where one value goes
        message += f"; a range is what a sweep searches (hyperlab sweep --{field.replace('_', '-')} {value})"
    return ConfigError(field, value, message)


def load_yaml(path: str | Path) -> dict[str, Any]:
    """Read a YAML config into a dict (keys may use dashes or underscores)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError("config", str(path), "must be an existing YAML file")
    try:
        data = yaml.safe_load(read_text(path)[0]) or {}
    except NotText as exc:
        raise ConfigError("config", str(path), f"must be UTF-8 text (byte 0x{exc.byte:02x} on line {exc.line} "
                                               "is not)") from None
    except yaml.YAMLError as exc:
        raise ConfigError("config", str(path), f"must be valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ConfigError("config", str(path), "must be a mapping of setting: value")
    return {str(k).replace("-", "_"): v for k, v in data.items()}


def optimizer_name(name: str) -> str:
    """Validate an optimizer name alone (for lists of optimizers on the CLI)."""
    return check_choice("optimizer", name.strip().lower(), OPTIMIZERS)


Schedule = Literal["constant", "step", "cosine", "warmup", "onecycle"]
