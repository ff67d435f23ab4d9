"""The Python entry point: ``hyperlab.train(model, data, hparams)``.

    >>> import hyperlab
    >>> result = hyperlab.train("mlp", "digits", hyperlab.HParams(epochs=2))
    >>> result.status
    'completed'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from torch.utils.data import Dataset

from hyperlab.data import VAL_FRACTION, DataSpec, as_data
from hyperlab.engine import Callback, Checkpoint, RunResult, fit, load_checkpoint
from hyperlab.engine.trainer import LossFn, TrainingInterrupted
from hyperlab.errors import ConfigError
from hyperlab.hparams import HParams
from hyperlab.models import ModelSpec, build_model
from hyperlab.records import save_run

__all__ = ["DataSpec", "as_data", "as_hparams", "train"]


def as_hparams(hparams: HParams | dict[str, Any] | None = None, **overrides: Any) -> HParams:
    """An HParams from an object, a dict, or nothing, with keyword overrides applied."""
    if hparams is None:
        return HParams(**overrides)
    if isinstance(hparams, dict):
        return HParams(**{**hparams, **overrides})
    if isinstance(hparams, HParams):
        return hparams.replace(**overrides) if overrides else hparams
    raise ConfigError("hparams", type(hparams).__name__, "must be an HParams or a dict of settings")


def train(model: ModelSpec = "mlp", data: DataSpec = "digits", hparams: HParams | dict[str, Any] | None = None,
          *, out: str | Path | None = None, resume: bool = False, callbacks: list[Callback] | None = None,
          device: str | None = None, loss_fn: LossFn | None = None, eval_train: bool = False,
          width: int | None = None, depth: int | None = None, lang: str = "en",
          val: Dataset | None = None, val_fraction: float = VAL_FRACTION, **overrides: Any) -> RunResult:
    """Train a model on data with the four hyperparameters; return the result with its history.

    ``model`` is a built-in name (``logistic``, ``mlp``, ``cnn``), ``"module:function"``, an
    ``nn.Module`` or a factory; ``data`` anything ``as_data`` takes: a built-in name, a CSV/.npz
    path, ``(X, y)``, a Dataset (``val_fraction`` of it held out for validation unless ``val=``
    gives one) or ``(train_dataset, val_dataset)``.
    With ``out`` the run directory gets config, history, summary, plot and a checkpoint per
    epoch; ``resume=True`` continues from that checkpoint.
    """
    hp = as_hparams(hparams, **overrides)
    bundle = as_data(data, seed=hp.seed, val=val, val_fraction=val_fraction)
    hp.check_data_size(bundle.n_train)
    net = build_model(model, bundle, width=width, depth=depth, seed=hp.seed)
    callbacks = list(callbacks or [])
    state = None
    if out is not None:
        checkpoint = Path(out) / "checkpoint.pt"
        if resume:
            state = load_checkpoint(checkpoint)
        callbacks.append(Checkpoint(checkpoint))
    elif resume:
        raise ConfigError("resume", True, "needs out= (the run directory that holds the checkpoint)")
    setup = {"dataset": bundle.name, "model": model if isinstance(model, str) else type(net).__name__,
             "width": width, "depth": depth}
    try:
        result = fit(net, bundle, hp, callbacks=callbacks, device=device, loss_fn=loss_fn,
                     eval_train=eval_train, resume_from=state)
    except TrainingInterrupted as stop:
        if out is not None:
            save_run(stop.result, out, setup=setup, lang=lang)
        raise
    if out is not None:
        save_run(result, out, setup=setup, lang=lang)
    result.lang = lang  # what the result shows in a notebook
    return result
