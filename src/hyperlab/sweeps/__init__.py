"""Sweeps: search batch size, learning rate, epochs and optimizer with Optuna, resumable and parallel.

    >>> from hyperlab.sweeps import sweep
    >>> outcome = sweep({"lr": "1e-3..1e-1:log", "optimizer": "sgd,adam"}, data="moons", model="logistic",
    ...                 study="demo", storage="sqlite:///demo.db", trials=4, epochs=2)  # doctest: +SKIP
    >>> outcome.summary["best"]["params"]  # doctest: +SKIP
    {'lr': 0.031..., 'optimizer': 'adam'}

Pieces: ``space`` (the search space), ``strategies`` (samplers and pruners by name), ``storage``
(SQLite / PostgreSQL), ``objective`` (trial -> ``hyperlab.engine.fit``), ``workers`` (running
a study), ``results`` and ``report`` (reading it back).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hyperlab.data import Data
from hyperlab.engine import Callback
from hyperlab.engine.distributed import resolve_device
from hyperlab.models import ModelSpec
from hyperlab.sweeps.objective import Objective, SweepSetup
from hyperlab.sweeps.plan import SweepInterrupted, SweepOutcome, SweepPlan
from hyperlab.sweeps.results import open_study, result_rows, study_summary
from hyperlab.sweeps.space import SearchSpace, parse_space
from hyperlab.sweeps.storage import integrity_problems, open_storage, storage_url
from hyperlab.sweeps.workers import run_sweep

__all__ = ["Objective", "SearchSpace", "SweepInterrupted", "SweepOutcome", "SweepPlan", "SweepSetup",
           "integrity_problems", "open_storage", "open_study", "parse_space", "result_rows", "run_sweep",
           "storage_url", "study_summary", "sweep"]


def sweep(space: dict[str, Any] | None = None, *, model: ModelSpec = "mlp", data: str | Path | Data = "digits",
          study: str = "sweep", storage: str | None = None, strategy: str = "tpe", pruner: str | None = None,
          trials: int | None = None, timeout: float | None = None, workers: int = 1,
          width: int | None = None, depth: int | None = None, train_size: int | None = None,
          label: str | None = None, task: str | None = None, features: str | None = None, heartbeat: int = 10,
          callbacks: list[Callback] | None = None,
          device: str | None = None, echo: str = "none", lang: str = "en", threads: int | None = None,
          tensorboard: str | Path | None = None, nproc: int = 1, population: int = 1,
          **settings: Any) -> SweepOutcome:
    """Run (or resume, or extend) a study and return its summary.

    ``space`` maps settings to specs (``"1e-4..1:log"``, ``"16,32,64"``, a list, or one fixed value);
    ``settings`` are fixed HParams settings (``epochs=5``, ``schedule="cosine"``). ``model`` and
    ``data`` may be names/paths or your own objects (then ``workers`` must be 1). The study lives
    in ``storage`` (default ``sqlite:///hyperlab.db``); calling again with the same arguments
    continues it, and a larger ``trials`` extends it. ``threads``: torch threads of each worker
    (default: torch's for one worker, cores / ``workers`` for several; one for a trial whose step
    is small, ``engine.threads.ONE_THREAD_BELOW``). ``tensorboard``: a folder
    where each trial writes its TensorBoard run, ``trial-<number>`` (``hyperlab.sweeps.tensorboard``).
    ``nproc``: processes that train each trial together (data-parallel; needs a database and
    ``model``/``data`` by name). ``population``: trials each worker trains at once with one
    ``fit_population`` call (default 1: one after another). ``task`` ('classification' or
    'regression') overrides the task read from the labels; the study stores it with ``label``, and
    ``features`` ('standardise', 'raw' or 'ids': how a file's or arrays' features are read, ``as_data``).
    """
    resolve_device(device)  # a device this machine lacks: refused before any trial, not as every trial's failure
    model_name = model if isinstance(model, str) else getattr(model, "__name__", type(model).__name__)
    data_name = str(data) if isinstance(data, (str, Path)) else getattr(data, "name", type(data).__name__)
    setup = SweepSetup.build(space, dataset=data_name, label=label, task=task, features=features,
                             train_size=train_size, model=model_name, width=width, depth=depth, settings=settings)
    plan = SweepPlan(study=study, storage=storage_url(storage), setup=setup, strategy=strategy, pruner=pruner,
                     trials=trials, timeout=timeout, workers=workers, heartbeat=heartbeat, echo=echo, lang=lang,
                     threads=threads, tensorboard=tensorboard, nproc=nproc, population=population)
    objects = {"data": None if isinstance(data, (str, Path)) else data,
               "model": None if isinstance(model, str) else model}
    if objects["data"] is not None and not isinstance(objects["data"], Data):
        from hyperlab.api import as_data

        objects["data"] = as_data(objects["data"], seed=setup.hparams().seed, label=label, task=task,  # type: ignore[arg-type]
                                  features=features)
    return run_sweep(plan, callbacks=callbacks, device=device, **objects)
