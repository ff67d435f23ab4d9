"""The Python entry points: ``hyperlab.train(model, data, hparams)`` for one run and
``hyperlab.train_many(model, data, grid_or_list)`` for several trained together.

    >>> import hyperlab
    >>> result = hyperlab.train("mlp", "digits", hyperlab.HParams(epochs=2))
    >>> result.status
    'completed'
    >>> runs = hyperlab.train_many("logistic", "wine", {"lr": [0.01, 0.1], "optimizer": ["sgd", "adam"]}, epochs=2)
    >>> [(r.hparams.optimizer, r.hparams.lr) for r in runs]
    [('sgd', 0.01), ('adam', 0.01), ('sgd', 0.1), ('adam', 0.1)]
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from torch.utils.data import Dataset

from hyperlab.data import VAL_FRACTION, DataSpec, as_data
from hyperlab.engine import Callback, Checkpoint, RunResult, fit, load_checkpoint
from hyperlab.engine.memory import parse_bytes
from hyperlab.engine.trainer import LossFn, TrainingInterrupted
from hyperlab.errors import ConfigError, check_out_dir
from hyperlab.hparams import HParams, as_hparams
from hyperlab.models import ModelSpec, build_model, model_size
from hyperlab.records import save_members, save_run
from hyperlab.records.run_store import commit_run, discard, holds_run, staging

if TYPE_CHECKING:
    from hyperlab.views.comparison import Comparison

__all__ = ["DataSpec", "as_data", "as_hparams", "expand_grid", "train", "train_many"]


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
    check_out_dir("out", out)
    bundle = as_data(data, seed=hp.seed, val=val, val_fraction=val_fraction)
    hp.check_data_size(bundle.n_train)
    net = build_model(model, bundle, width=width, depth=depth, seed=hp.seed)
    callbacks = list(callbacks or [])
    state = None
    target = where = None
    if out is not None:
        target = Path(out)
        # a run replacing an earlier one is written beside it first, so failing leaves that one whole
        where = staging(target) if not resume and holds_run(target) else target
        if resume:
            state = load_checkpoint(target / "checkpoint.pt")
        callbacks.append(Checkpoint(where / "checkpoint.pt"))
    elif resume:
        raise ConfigError("resume", True, "needs out= (the run directory that holds the checkpoint)")
    setup = run_setup(model, bundle, net, width, depth)
    try:
        try:
            result = fit(net, bundle, hp, callbacks=callbacks, device=device, loss_fn=loss_fn,
                         eval_train=eval_train, resume_from=state)
        except TrainingInterrupted as stop:
            if target is not None:  # what it measured so far replaces the earlier run, as --resume expects
                save_run(stop.result, where, setup=setup, lang=lang)
                stop.result.run_dir = commit_run(where, target)
            raise
        if target is not None:
            save_run(result, where, setup=setup, lang=lang)
            result.run_dir = commit_run(where, target)
    finally:
        if where is not None and where != target:
            discard(where)
    result.lang = lang  # what the result shows in a notebook
    return result


def run_setup(model: ModelSpec, bundle: Any, net: Any, width: int | None, depth: int | None) -> dict[str, Any]:
    """What config.yaml records besides the hyperparameters: the data, the model, and the width and
    depth the model was built with (defaults filled in; left out where they do not apply)."""
    name = model if isinstance(model, str) else type(net).__name__
    return {"dataset": bundle.name, "model": name, **model_size(model, width, depth)}


def expand_grid(settings: dict[str, Any]) -> list[dict[str, Any]]:
    """Every combination of the list values of ``settings`` (a single value is a list of one),
    the first key varying slowest: ``{"lr": [0.1, 1], "optimizer": ["sgd", "adam"]}`` gives four."""
    keys = list(settings)
    values = [v if isinstance(v, (list, tuple)) and not (k == "betas" and _is_pair(v)) else [v]
              for k, v in settings.items()]
    for key, options in zip(keys, values, strict=True):
        if not options:
            raise ConfigError(key, list(options), "must hold at least one value")
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]


def _is_pair(value: Sequence[Any]) -> bool:
    return len(value) == 2 and all(isinstance(b, (int, float)) for b in value)


def train_many(model: ModelSpec = "mlp", data: DataSpec = "digits",
               hparams: Sequence[HParams | dict[str, Any]] | dict[str, Any] | None = None, *,
               out: str | Path | None = None, callbacks: Sequence[Sequence[Callback]] | None = None,
               device: str | None = None, loss_fn: LossFn | None = None, eval_train: bool = False,
               width: int | None = None, depth: int | None = None, lang: str = "en",
               val: Dataset | None = None, val_fraction: float = VAL_FRACTION, population: bool = True,
               memory_limit: int | str | None = None, **overrides: Any) -> Comparison:
    """Train several settings of one model on one data set together (one population); return one
    result per member, in order, as a ``Comparison``: a list that shows the comparison table and
    the overlaid curves in a notebook.

    ``hparams`` is a grid, a dict whose list values are combined (``{"lr": [1e-3, 1e-2],
    "optimizer": ["sgd", "adam"]}``: four members, the first key varying slowest), or a list of
    HParams / dicts (one member each); ``overrides`` apply to every member (``epochs=5``). Every
    member is validated through HParams first (a bad item raises ``ConfigError`` naming it). The
    data are split once, by the first member's seed; each member's seed sets its own initial
    weights and shuffle order. With ``out``: ``out/<member>/`` per member (config, history,
    summary, curves; no checkpoint), ``out/comparison.json`` and the overlaid ``out/curves.png``.
    ``callbacks[i]`` go to member i (epoch events only, or the member trains with ``fit``);
    ``population=False`` trains one ``fit`` after another (same numbers to float tolerance);
    ``memory_limit`` (bytes or a size such as "64MB") keeps each population's training step within
    it, training a cohort that would not fit in chunks one after another (same numbers).
    """
    from hyperlab.members import MembersInterrupted, train_members
    from hyperlab.views.comparison import Comparison

    members = _members(hparams, overrides)
    check_out_dir("out", out)
    parse_bytes(memory_limit)  # a bad size is refused before the data are read
    bundle = as_data(data, seed=members[0].seed, val=val, val_fraction=val_fraction)
    for i, hp in enumerate(members):
        try:
            hp.check_data_size(bundle.n_train)
        except ConfigError as exc:
            raise ConfigError(exc.field, exc.value, exc.allowed + (f" (member {i})" if len(members) > 1 else "")) \
                from None
    if callbacks is not None and len(callbacks) != len(members):
        raise ConfigError("callbacks", f"{len(callbacks)} lists", f"must give one list per member ({len(members)})")

    def setup(first: RunResult) -> dict[str, Any]:
        return run_setup(model, bundle, first.model, width, depth)

    try:
        results = train_members(model, bundle, members, callbacks=callbacks, population=population, device=device,
                                loss_fn=loss_fn, eval_train=eval_train, width=width, depth=depth,
                                memory_limit=memory_limit)
    except MembersInterrupted as interrupted:
        if out is not None:  # what each member measured so far, as a single run's Ctrl-C keeps it
            save_members(interrupted.results, out, setup=setup(interrupted.result), lang=lang, hparams=members)
            interrupted.saved_to = Path(out)
        raise
    if out is not None:
        save_members(results, out, setup=setup(results[0]), lang=lang)
    return Comparison(results, lang=lang)


def _members(hparams: Sequence[HParams | dict[str, Any]] | dict[str, Any] | None,
             overrides: dict[str, Any]) -> list[HParams]:
    """The members as validated HParams, from a grid dict or a list (``overrides`` on each)."""
    if hparams is None or isinstance(hparams, dict):
        return [as_hparams(combo) for combo in expand_grid({**(hparams or {}), **overrides})]
    if isinstance(hparams, (HParams, str)) or not isinstance(hparams, Sequence) or not hparams:
        raise ConfigError("hparams", type(hparams).__name__, "must be a dict of settings (lists are combined) or a "
                          "non-empty list of HParams / dicts")
    return [as_hparams(hp, **overrides) for hp in hparams]
