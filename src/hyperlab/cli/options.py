"""Options every command shares (--dataset, --model, the four knobs, --seed, --out, --lang, --json,
--quiet, and for every command that trains --threads and the scale flags --accumulate, --precision,
--clip-grad-norm, --compile) and the one function that turns flags plus a YAML file into validated
settings. Commands take these aliases rather than defining their own, so
a flag reads and behaves the same everywhere."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from hyperlab.cli import texts as _texts  # noqa: F401 - registers the note on a fitted default batch
from hyperlab.data.arrays import FEATURES, TASKS
from hyperlab.errors import ConfigError, Interval, check_choice, did_you_mean
from hyperlab.hparams import HParams, load_yaml
from hyperlab.i18n import check_lang, t

if TYPE_CHECKING:
    from hyperlab.data import Data

# what an option takes, in the help (its Python type is str when it also takes a comma list or a range)
INT, INTS, NUMBER, NUMBERS, NAME, NAMES = "<int>", "<ints>", "<number>", "<numbers>", "<name>", "<names>"


def read_as(field: str, interval: Interval) -> Callable[[str], int | float]:
    """A typer ``parser`` for a number option that reads it as every other value is read: a bad one gets
    the one-line error (``width='abc' is invalid: must be an integer >= 1``), not typer's own wording."""
    return lambda text: interval.check(field, text)

ConfigOpt = Annotated[Path | None, typer.Option("--config", help="YAML file of settings; flags override it.")]
DatasetOpt = Annotated[str | None, typer.Option(help="Built-in name (see `hyperlab datasets`) or a .csv/.npz file.")]
LabelOpt = Annotated[str | None, typer.Option(help="Label column of a CSV file (default: the last).")]
TaskOpt = Annotated[str | None, typer.Option(
    help="classification or regression: overrides the task read from a data file's labels (a built-in set "
         "keeps its own).")]
FeaturesOpt = Annotated[str | None, typer.Option(
    help="How a data file's features are read: standardise (default), raw (as given) or ids (whole numbers kept "
         "as integer ids, for a module:function model that starts with nn.Embedding).")]
ModelOpt = Annotated[str | None, typer.Option(help="logistic, mlp, cnn, or module:function.")]
WidthOpt = Annotated[int | None, typer.Option(help="Hidden units (mlp) or channels (cnn).", metavar=INT,
                                              parser=read_as("width", Interval(int, 1)))]
DepthOpt = Annotated[int | None, typer.Option(help="Hidden layers of the mlp.", metavar=INT,
                                              parser=read_as("depth", Interval(int, 0)))]


def _knob(flag: str, metavar: str, help_text: str) -> Any:
    """One of the knobs, its help showing HParams' default (what an unset flag trains with)."""
    default = HParams.model_fields[flag.removeprefix("--").replace("-", "_")].default
    return typer.Option(flag, metavar=metavar, help=f"{help_text.removesuffix('.')} (default {default}).")


_BATCH, _LR, _EPOCHS = "Samples per optimizer step.", "Learning rate (step size).", "Full passes over the training set."
_OPTIMIZER, _SEED = "sgd, momentum, nesterov, rmsprop, adagrad, adam, adamw.", "Random seed (same seed, same numbers)."
BatchOpt = Annotated[str | None, _knob("--batch-size", INT, _BATCH)]
LrOpt = Annotated[str | None, _knob("--lr", NUMBER, _LR)]
EpochsOpt = Annotated[str | None, _knob("--epochs", INT, _EPOCHS)]
OptimizerOpt = Annotated[str | None, _knob("--optimizer", NAME, _OPTIMIZER)]
SeedOpt = Annotated[str | None, _knob("--seed", INT, _SEED)]
# the same knobs where a comma list trains every value (`train`): the same help, a plural metavar
BatchListOpt = Annotated[str | None, _knob("--batch-size", INTS, _BATCH)]
LrListOpt = Annotated[str | None, _knob("--lr", NUMBERS, _LR)]
EpochsListOpt = Annotated[str | None, _knob("--epochs", INTS, _EPOCHS)]
OptimizerListOpt = Annotated[str | None, _knob("--optimizer", NAMES, _OPTIMIZER)]
SeedListOpt = Annotated[str | None, _knob("--seed", INTS, _SEED)]

SetOpt = Annotated[list[str] | None, typer.Option("--set", metavar="<key=value>",
                                                  help="Any other setting as key=value, e.g. --set momentum=0.8.")]
OutOpt = Annotated[Path | None, typer.Option(help="Output directory.")]
LangOpt = Annotated[str, typer.Option(help="Language of the text: en or ko.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", help="No progress bar or tables.")]
ThreadsOpt = Annotated[int | None, typer.Option(
    help="torch intra-op threads of each training process (unset: 1 for lessons and for a step under 20 M "
         "multiply-adds, cores / workers for a sweep, torch's own otherwise).", metavar=INT,
    parser=read_as("threads", Interval(int, 1)))]

# the batch on the hardware at hand: every training command takes these four (``scale_flags``)
AccumulateOpt = Annotated[str | None, typer.Option(
    "--accumulate", metavar=INT, help="Micro-batches per optimizer step (gradient accumulation): the effective "
                                      "batch is batch size x accumulate x processes (default 1).")]
PrecisionOpt = Annotated[str | None, typer.Option(
    "--precision", help="fp32 (default), bf16 (autocast, CPU and CUDA) or fp16 (CUDA only, with a gradient "
                        "scaler).")]
ClipGradNormOpt = Annotated[str | None, typer.Option(
    "--clip-grad-norm", metavar="X", help="Clip the total gradient norm to X before each update (default off).")]
CompileOpt = Annotated[bool | None, typer.Option(
    "--compile/--no-compile", help="torch.compile the model (default off; compiling takes seconds, so it pays "
                                   "off in long runs only).")]
SCALE_KEYS = ("accumulate", "precision", "clip_grad_norm", "compile")

SETUP_KEYS = ("dataset", "label", "task", "features", "model", "width", "depth")


@dataclass
class Setup:
    """What a command trains: data and model choice plus the validated hyperparameters."""

    dataset: str
    label: str | None
    model: str
    width: int | None
    depth: int | None
    hparams: HParams
    task: str | None = None  # --task: None infers it from the labels
    features: str | None = None  # --features: None standardises a file's features
    batch_given: bool = False  # whether the user chose the batch size (flag, --set or the YAML file)

    def as_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "label": self.label, "task": self.task, "features": self.features,
                "model": self.model, "width": self.width, "depth": self.depth}

    def read_data(self, lang: str, quiet: bool, *, note: bool = True) -> "Data":
        """The data these settings name (with --label, --task and --features), and its note on stderr (``note``)."""
        from hyperlab.api import as_data
        from hyperlab.cli.datanote import print_data_notes

        data = as_data(self.dataset, seed=self.hparams.seed, label=self.label, task=self.task, features=self.features)
        if note:
            print_data_notes(data, self.dataset, lang, quiet, task=self.task, features=self.features)
        return data

    def load_data(self, lang: str, quiet: bool, *, note: bool = True, world_size: int = 1) -> "Data":
        """``read_data``, and a default batch size larger than its training set replaced by the whole
        set (said in the note; a batch size the user chose is kept, and checked where it trains)."""
        data = self.read_data(lang, quiet, note=note)
        self.fit_batch(data.n_train, lang, quiet or not note, world_size)
        return data

    def threads(self, threads: int | None, data: "Data") -> AbstractContextManager[None]:
        """``torch_threads`` for training these settings on ``data``: --threads if given; else one
        intra-op thread when a step is small, judged on a probe of the model (built aside, the
        random state kept) and one batch of the training set (``is_small_step``)."""
        import torch

        from hyperlab.engine.threads import threads_by_step, torch_threads
        from hyperlab.models import build_model

        if threads is not None:
            return torch_threads(threads)
        with torch.random.fork_rng(devices=[]):
            probe = build_model(self.model, data, width=self.width, depth=self.depth, seed=self.hparams.seed)
        return threads_by_step(probe, data.train, self.hparams.batch_size)

    def fit_batch(self, n_train: int, lang: str, quiet: bool, world_size: int = 1) -> None:
        """Replace a default batch size whose step is more than the training set by the whole set
        (``HParams.fit_default_batch``) and say so on stderr unless quiet; a chosen one stays."""
        from hyperlab.cli.datanote import print_note

        if self.batch_given:
            return
        fitted = self.hparams.fit_default_batch(n_train, world_size)
        if fitted is not self.hparams:
            if not quiet:
                print_note(t("cli.data.whole_batch", lang, default=self.hparams.batch_size, n=n_train,
                             b=fitted.batch_size))
            self.hparams = fitted


def resolve(config: Path | None = None, *, settings: list[str] | None = None,
            defaults: dict[str, Any] | None = None, **flags: Any) -> Setup:
    """Merge defaults < YAML file < --set < flags, then validate everything through HParams (and the
    precision against this machine's device)."""
    merged: dict[str, Any] = dict(defaults or {})
    if config is not None:
        merged.update(load_yaml(config))
    for item in settings or []:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError("set", item, "must be key=value, e.g. momentum=0.8")
        merged[key.strip().replace("-", "_")] = value.strip()
    merged.update({k: v for k, v in flags.items() if v is not None})
    known = set(SETUP_KEYS) | set(HParams.model_fields)
    for key in merged:
        if key not in known:
            raise ConfigError(key, merged[key], "is not a known setting" + did_you_mean(key, sorted(known)))
    setup = {k: merged.pop(k, None) for k in SETUP_KEYS}
    if setup["task"] is not None:
        setup["task"] = check_choice("task", str(setup["task"]).strip(), TASKS)
    if setup["features"] is not None:
        setup["features"] = check_choice("features", str(setup["features"]).strip(), FEATURES)
    for key in ("width", "depth"):
        if setup[key] is not None:
            try:
                setup[key] = int(setup[key])
            except (TypeError, ValueError):
                raise ConfigError(key, setup[key], "must be a positive integer") from None
    hparams = HParams(**merged)
    check_device(hparams)
    return Setup(dataset=str(setup["dataset"] or "digits"), label=setup["label"],
                 model=str(setup["model"] or "mlp"), width=setup["width"], depth=setup["depth"],
                 hparams=hparams, task=setup["task"], features=setup["features"], batch_given="batch_size" in merged)


def scale_flags(accumulate: str | None = None, precision: str | None = None, clip_grad_norm: str | None = None,
                compile_: bool | None = None) -> dict[str, Any]:
    """The scale flags as settings for ``resolve`` (None: not given, so --set or --config decide)."""
    return dict(zip(SCALE_KEYS, (accumulate, precision, clip_grad_norm, compile_), strict=True))


def check_device(hp: HParams) -> None:
    """Refuse a precision this machine cannot train in (fp16 without CUDA) before anything starts."""
    if hp.precision == "fp32":
        return
    from hyperlab.engine.distributed import default_device
    from hyperlab.engine.steps import check_precision

    check_precision(hp.precision, default_device())


def console(quiet: bool = False, json_out: bool = False) -> Console:
    """Human output goes to stderr when stdout carries JSON, and nowhere with --quiet."""
    return Console(stderr=json_out, quiet=quiet)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False) + "\n")


def lang_of(lang: str) -> str:
    return check_lang(lang)
