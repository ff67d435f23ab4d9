"""What a sweep run is asked to do (``SweepPlan``) and what it did (``SweepOutcome``), as plain data."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from hyperlab.engine.tensorboard import check_log_dir
from hyperlab.errors import ConfigError, check_int
from hyperlab.sweeps.objective import SweepSetup
from hyperlab.sweeps.storage import DEFAULT_HEARTBEAT_S, is_memory, storage_url
from hyperlab.sweeps.strategies import check_pruner, check_strategy, default_pruner
from hyperlab.views.display import Displayable

if TYPE_CHECKING:
    from matplotlib.figure import Figure


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) stopped the sweep; ``summary`` describes what the study holds."""

    def __init__(self, summary: dict[str, Any]) -> None:
        super().__init__("sweep interrupted")
        self.summary = summary


@dataclass
class SweepPlan:
    """How to run a study, as plain data (it is sent to worker processes)."""

    study: str
    storage: str
    setup: SweepSetup | None  # None: use the one stored with an existing study
    strategy: str = "tpe"
    pruner: str | None = None  # None: the strategy's default
    trials: int | None = None  # finished trials the study should hold; None: 20, or the whole grid
    timeout: float | None = None  # seconds each worker keeps starting trials
    workers: int = 1
    heartbeat: int = DEFAULT_HEARTBEAT_S
    grace: int | None = None
    echo: str = "stdout"  # where each finished trial's line goes: stdout, stderr or none
    lang: str = "en"
    threads: int | None = None  # torch threads of each process; None: torch's (one worker), else cores / processes
    nproc: int = 1  # processes training each trial together (data-parallel; rank 0 talks to the study)
    tensorboard: str | None = None  # folder of TensorBoard runs, one per trial (``sweeps.tensorboard``)
    population: int = 1  # trials each worker trains together (one fit_population call); 1: one at a time

    def __post_init__(self) -> None:
        self.storage = storage_url(self.storage)
        self.strategy = check_strategy(self.strategy)
        if self.pruner is not None:
            self.pruner = check_pruner(self.pruner)
        if not isinstance(self.study, str) or not self.study.strip():
            raise ConfigError("study", self.study, "must be a non-empty name")
        for name, value, low in (("trials", self.trials, 1), ("workers", self.workers, 1),
                                 ("heartbeat", self.heartbeat, 1), ("threads", self.threads, 1),
                                 ("nproc", self.nproc, 1)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < low):
                raise ConfigError(name, value, f"must be an integer >= {low}")
        self.population = check_int("population", self.population, 1)
        if self.workers > 1 and is_memory(self.storage):
            raise ConfigError("workers", self.workers, "more than 1 needs a database (a SQLite file or "
                                                       "PostgreSQL): an in-memory study lives in one process")
        self.tensorboard = check_log_dir(self.tensorboard)
        if self.nproc > 1 and is_memory(self.storage):
            raise ConfigError("nproc", self.nproc, "more than 1 needs a database (a SQLite file or PostgreSQL): "
                                                   "the processes of a trial start apart from this one")
        if self.nproc > 1 and self.population > 1:
            raise ConfigError("population", self.population, "cannot be combined with nproc > 1 (a population "
                              "trains in one process); choose trials trained together or data-parallel trials")
        if self.timeout is not None and not (isinstance(self.timeout, (int, float)) and self.timeout > 0):
            raise ConfigError("timeout", self.timeout, "must be a number of seconds > 0")

    def worker_threads(self, cores: int) -> int | None:
        """torch threads of each training process: ``threads`` if given; else, for W workers of N
        processes each on ``cores`` cores, cores / (W x N) (at least 1); a single worker in this
        process keeps torch's setting (None)."""
        if self.threads is not None:
            return self.threads
        processes = self.workers * self.nproc
        return max(1, cores // processes) if processes > 1 else None

    @property
    def pruner_name(self) -> str:
        return self.pruner or default_pruner(self.strategy)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["setup"] = self.setup.to_dict() if self.setup else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SweepPlan:
        data = dict(data)
        data["setup"] = SweepSetup.from_dict(data["setup"]) if data.get("setup") else None
        return cls(**data)


@dataclass(repr=False)
class SweepOutcome(Displayable):
    """What a sweep run did: the study's summary, whether it was new, and what it held before.
    In a notebook it shows the sweep report (best trial, trials, lr x batch heatmap, curves)."""

    summary: dict[str, Any]
    created: bool
    finished_before: int
    grid_size: int | None = None
    setup: SweepSetup | None = None
    storage: str | None = None  # where the study lives (to read it back for display)

    def __repr__(self) -> str:
        best = self.summary.get("best")
        shown = f"best #{best['number']} {best['value']:.4f} {best['params']}" if best else "no completed trial"
        return f"SweepOutcome({self.summary.get('study')}: {self.summary.get('finished')} finished, {shown})"

    def study(self) -> Any:
        """The Optuna study, read back from its storage."""
        from hyperlab.sweeps.results import open_study

        if self.storage is None:
            raise ConfigError("storage", None, "is unknown for this outcome; open the study with open_study")
        return open_study(self.summary["study"], self.storage)

    def plot(self, which: str = "heatmap", lang: str | None = None) -> Figure:
        """One of the sweep report's figures as a matplotlib Figure, from the study as stored:
        ``"heatmap"`` (best score per learning rate x batch size cell, the default), ``"history"``
        (optimisation history), ``"parallel"``, ``"curves"`` or ``"importance"``. ``lang``: default
        the outcome's own."""
        from hyperlab.i18n import check_lang
        from hyperlab.sweeps.report import sweep_figure

        return sweep_figure(self.study(), which, check_lang(lang or self.lang))

    def display_sections(self, lang: str) -> tuple[str, list[Any], str]:
        from hyperlab.sweeps.report import sweep_sections
        from hyperlab.views.display import inline_images, scratch_dir

        with scratch_dir() as tmp:
            title, sections = sweep_sections(self.study(), tmp, lang)
            return title, inline_images(sections), ""
