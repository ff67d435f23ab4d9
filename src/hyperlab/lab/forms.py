"""The training form: what the page sends (data set, model, the four knobs and their options) turned
into validated settings through ``HParams``, so a bad value gets the CLI's own one-line message,
shown next to its field before anything runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hyperlab.data import Data
from hyperlab.errors import ConfigError, HyperlabError, check_choice, check_int, did_you_mean
from hyperlab.hparams import HParams
from hyperlab.i18n import LANGS, steps_arithmetic, t
from hyperlab.lab.config import LabConfig
from hyperlab.lab.datasets import DataSets
from hyperlab.models import MODELS, build_model

HP_FIELDS = ("batch_size", "lr", "epochs", "optimizer", "momentum", "alpha", "betas", "eps", "weight_decay",
             "seed", "schedule", "warmup_steps", "early_stopping", "patience")
OPTION_FIELDS = ("momentum", "alpha", "betas", "eps", "weight_decay")
SETUP_FIELDS = ("dataset", "model", "width", "depth")
MODEL_NAMES = tuple(MODELS)  # built-in models only: a page never names a module to import


class FormErrors(HyperlabError):
    """One message per field that is wrong (each as ``field=value is invalid: ...``)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Setup:
    """A validated form: what to train and how."""

    dataset: str
    model: str
    width: int | None
    depth: int | None
    hparams: HParams

    def label(self) -> str:
        hp = self.hparams
        shape = f" {self.width or 128}x{2 if self.depth is None else self.depth}" if self.model == "mlp" else ""
        return f"{self.model}{shape} · {hp.optimizer} lr {hp.lr:g} · B {hp.batch_size} · {hp.epochs} ep"

    def to_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "model": self.model, "width": self.width, "depth": self.depth,
                "hparams": self.hparams.to_dict()}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_setup(form: Any, datasets: DataSets, config: LabConfig) -> tuple[Setup, Data]:
    """Validate a form; raise FormErrors naming every wrong field (the CLI's messages)."""
    if not isinstance(form, dict):
        raise FormErrors({"form": str(ConfigError("form", type(form).__name__, "must be a JSON object"))})
    values = {str(k): v for k, v in form.items() if not _blank(v)}
    errors: dict[str, str] = {}

    def note(exc: ConfigError, field: str | None = None) -> None:
        errors.setdefault(field or exc.field, str(exc))

    known = (*SETUP_FIELDS, *HP_FIELDS)
    for key, value in values.items():
        if key not in known:
            note(ConfigError(key, value, "is not a setting the lab offers" + did_you_mean(key, known)))
    # each knob on its own first, so every wrong field gets its message at once
    optimizer = values.get("optimizer", "adam")
    try:
        optimizer = HParams(optimizer=optimizer).optimizer
    except ConfigError as exc:
        note(exc)
        optimizer = None
    for key in HP_FIELDS:
        if key in values and key != "optimizer":
            try:
                HParams(**{key: values[key]}, **({"optimizer": optimizer} if key in OPTION_FIELDS and optimizer
                                                 else {}))
            except ConfigError as exc:
                note(exc, key if exc.field in HP_FIELDS else None)
    model = str(values.get("model", "mlp"))
    try:
        check_choice("model", model, MODEL_NAMES)
    except ConfigError as exc:
        note(exc)
    width = depth = None
    try:
        width = None if "width" not in values else check_int("width", values["width"], 1, config.max_width)
    except ConfigError as exc:
        note(exc)
    try:
        depth = None if "depth" not in values else check_int("depth", values["depth"], 0, config.max_depth)
    except ConfigError as exc:
        note(exc)
    if errors:
        raise FormErrors(errors)
    try:
        hp = HParams(**{k: values[k] for k in HP_FIELDS if k in values})
    except ConfigError as exc:
        raise FormErrors({exc.field: str(exc)}) from None
    dataset = str(values.get("dataset", "digits"))
    try:
        data = datasets.get(dataset, hp.seed)
        hp.check_data_size(data.n_train)
        total = hp.epochs * hp.steps_per_epoch(data.n_train)
        if total > config.max_steps:
            raise ConfigError("epochs", hp.epochs, f"makes {total} steps at batch size {hp.batch_size}; the lab trains "
                              f"at most {config.max_steps} steps per run (fewer epochs or a larger batch)")
        build_model(model, data, width=width, depth=depth, seed=hp.seed)
    except ConfigError as exc:
        raise FormErrors({exc.field: str(exc)}) from None
    return Setup(dataset, model, width, depth, hp), data


def arithmetic(setup: Setup, data: Data) -> dict[str, Any]:
    """The seed's arithmetic for the form, in every language: N samples / B = S steps per epoch."""
    hp = setup.hparams
    spe = hp.steps_per_epoch(data.n_train)
    total = hp.epochs * spe
    return {"n_train": data.n_train, "steps_per_epoch": spe, "total_steps": total,
            "two_d": data.task == "classification" and data.n_features == 2,
            "arith": {lang: steps_arithmetic(data.n_train, hp.batch_size, spe, lang, accumulate=hp.accumulate)
                      for lang in LANGS},
            "total": {lang: t("lab.total_steps", lang, epochs=hp.epochs, spe=spe, total=total) for lang in LANGS}}


def both(key: str, **values: Any) -> dict[str, str]:
    """A text in every language, for the page to show in whichever is chosen."""
    return {lang: t(key, lang, **values) for lang in LANGS}
