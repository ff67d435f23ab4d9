"""What each job does, through the same workflows as the CLI: ``hyperlab.members.train_members``
for runs (as ``hyperlab.train`` and ``train_many`` do), the tuners' ``lr_find`` and ``advise``, the
lessons' runner, and the optimizer lesson's surfaces. The lab never trains by itself: it passes
callbacks that stream the trainer's events to the page."""

from __future__ import annotations

import math
import os
import shutil
from pathlib import Path
from typing import Any

from hyperlab.errors import ConfigError, check_choice, check_int
from hyperlab.hparams import HParams, optimizer_name
from hyperlab.i18n import LANGS
from hyperlab.lab.datasets import DataSets
from hyperlab.lab.forms import Setup, both
from hyperlab.lab.jobs import Job
from hyperlab.lab.live import Boundary, LabMonitor, LiveRun, Progress
from hyperlab.lessons import LESSONS, run_lesson, run_tour
from hyperlab.lessons.surfaces import SURFACES, descend
from hyperlab.members import train_members as train_runs
from hyperlab.tuners import advise
from hyperlab.tuners.common import TunerSetup
from hyperlab.tuners.lr_find import DEFAULT_STEPS, explain, lr_find  # also registers the range test's words

# "Try several": five learning rates a decade apart around the form's, or the seed's three
# optimizers, each at a usual starting rate (plain SGD takes larger steps than Adam needs).
LR_FACTORS = (0.01, 0.1, 1.0, 10.0, 100.0)
SEED_OPTIMIZERS = {"sgd": 0.1, "momentum": 0.01, "adam": 0.001}
PATH_GRID = 80
MAX_PATH_STEPS = 1000
MAX_PATHS = 7


# ---- training runs ---------------------------------------------------------------------------

def variants(setup: Setup, vary: str) -> list[Setup]:
    """The set "Try several" trains: ``vary`` is ``lr`` (five rates) or ``optimizer`` (three)."""
    vary = check_choice("vary", vary, ("lr", "optimizer"))
    hp = setup.hparams
    if vary == "lr":
        changes = [{"lr": float(f"{hp.lr * f:.3g}")} for f in LR_FACTORS]
    else:
        options = {k: None for k in ("momentum", "alpha", "betas", "eps")}
        changes = [{**options, "optimizer": name, "lr": lr} for name, lr in SEED_OPTIMIZERS.items()]
    return [Setup(setup.dataset, setup.model, setup.width, setup.depth, hp.replace(**c)) for c in changes]


def train_members(job: Job, members: list[Setup], datasets: DataSets, population: bool = True) -> dict[str, Any]:
    """Train a job's runs through ``hyperlab.members.train_members`` and stream them.

    Members of one data set and model ("Try several": five rates or three optimizers) train as one
    population when they can (``fit_population``; it falls back to ``fit`` one by one when the model
    cannot be stacked); a single run trains with ``fit``, its every step streamed. Each member
    emits ``member``, ``member_start``, its steps (``step``, or one ``steps`` per epoch in a
    population), ``epoch`` and ``member_end``. ``population=False`` trains one after another. The
    result holds each member's summary and ``population``: how many members trained in one."""
    job.emit("members", runs=[{"run": i, "label": s.label(), "setup": s.to_dict()} for i, s in enumerate(members)])
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, s in enumerate(members):  # one population per data set and model (the split follows the seed)
        groups.setdefault((s.dataset, s.model, s.width, s.depth, s.hparams.seed), []).append(i)
    summaries: dict[int, dict[str, Any]] = {}
    together = 0
    for (dataset, model, width, depth, seed), indices in groups.items():
        data = datasets.get(dataset, seed)
        boundary = Boundary.of(data)
        runs = [LiveRun(job, i, boundary) for i in indices]
        for i in indices:
            job.emit("member", run=i, boundary=boundary.describe() if boundary else None)
        results = train_runs(model, data, [members[i].hparams for i in indices], callbacks=[[r] for r in runs],
                             population=population, width=width, depth=depth, stop=job.stop_requested)
        summaries.update((i, r.summary()) for i, r in zip(indices, results, strict=True))
        together += sum(r.population for r in runs)
    return {"members": [summaries[i] for i in range(len(members))], "population": together}


# ---- tools -----------------------------------------------------------------------------------

def range_test(job: Job, setup: Setup, datasets: DataSets) -> dict[str, Any]:
    """The LR range test on the form's model, data and optimizer; the curve and its suggestion."""
    data = datasets.get(setup.dataset, setup.hparams.seed)
    result = lr_find(setup.model, data, setup.hparams, setup=TunerSetup(width=setup.width, depth=setup.depth),
                     callbacks=[Progress(job, [0], [DEFAULT_STEPS])])
    test = result.tests[0]
    return {"lrs": test.lrs, "losses": test.losses, "smoothed": test.smoothed, "suggestions": result.suggestions,
            "suggested_lr": result.suggested_lr, "rule": result.recommended_rule, "stop_reason": test.stop_reason,
            "explanation": {lang: explain(result, lang) for lang in LANGS},
            "rule_names": {rule: both(f"lrf.{rule}") for rule in result.suggestions}}


def advice(job: Job, setup: Setup, datasets: DataSets, budget_seconds: float, lang: str) -> dict[str, Any]:
    """``advise`` within a time budget: the four values, the evidence for each and the notes (in every
    language: the page re-renders them when its language changes), and the settings."""
    data = datasets.get(setup.dataset, setup.hparams.seed)
    result = advise(setup.model, data, setup.hparams, budget_seconds=budget_seconds, lang=lang,
                    setup=TunerSetup(width=setup.width, depth=setup.depth),
                    on_stage=lambda stage: job.emit("stage", stage=stage),
                    callbacks=[Progress(job, [0], [0])])
    return {"values": result.values, "evidence": {lang: result.evidence_in(lang) for lang in LANGS},
            "notes": {lang: result.notes_in(lang) for lang in LANGS}, "lang": lang,
            "hparams": result.hparams.to_dict(), "seconds": round(result.total.seconds, 2)}


def lesson(job: Job, name: str, setup: Setup, datasets: DataSets, budget: str, lang: str,
           out_root: Path) -> dict[str, Any]:
    """A lesson (or the tour, ``name="tour"``) on the form's data and model; its report is
    written to a hidden staging folder and moved to ``out_root/<job id>`` only when complete."""
    staging, final = out_root / f".{job.id}.partial", out_root / job.id
    out_root.mkdir(parents=True, exist_ok=True)
    data = datasets.get(setup.dataset, setup.hparams.seed)
    common: dict[str, Any] = {"budget": budget, "seed": setup.hparams.seed, "lang": lang, "out": staging,
                              "width": setup.width, "depth": setup.depth, "monitor": LabMonitor(job),
                              "threads": None}
    try:
        if name == "tour":
            tour = run_tour(data, setup.model, **common)
            claims = [c for r in tour.lessons for c in r.claims]
        else:
            claims = run_lesson(name, data, setup.model, **common).claims
        job.check_stop()
        os.replace(staging, final)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    counts = {v: sum(1 for c in claims if c.verdict == v) for v in ("confirmed", "not_observed", "contradicted")}
    return {"report": f"/reports/{job.id}/", "lesson": name, "verdicts": counts}


def lesson_names() -> list[str]:
    return [*LESSONS, "tour"]


# ---- optimizer paths on 2-D surfaces (quick: no job) -----------------------------------------

def optimizer_paths(surface: str, runs: list[dict[str, Any]], steps: Any) -> dict[str, Any]:
    """Each optimizer's path on a surface (``descend``), and the surface on a grid for its contour plot."""
    s = SURFACES[check_choice("surface", str(surface), SURFACES)]
    steps = check_int("steps", steps, 1, MAX_PATH_STEPS)
    if not isinstance(runs, list) or not 1 <= len(runs) <= MAX_PATHS:
        raise ConfigError("runs", runs if not isinstance(runs, list) else len(runs),
                          f"must be a list of 1 to {MAX_PATHS} optimizer/lr pairs")
    paths = []
    for run in runs:
        if not isinstance(run, dict):
            raise ConfigError("runs", run, "each must be {optimizer, lr}")
        name = optimizer_name(str(run.get("optimizer", "")))
        lr = HParams(lr=run.get("lr")).lr
        path = descend(s, name, lr, steps).to_dict()
        if path["diverged_step"] is not None:
            path["text"] = both("lab.path_diverged", optimizer=name, lr=f"{lr:g}", step=path["diverged_step"])
        else:
            path["text"] = both("lab.path_end", optimizer=name, lr=f"{lr:g}", value=f"{path['values'][-1]:.4g}",
                                steps=steps)
        paths.append(path)
    return {"surface": s.name, "xlim": list(s.xlim), "ylim": list(s.ylim), "start": list(s.start),
            "minimum": list(s.minimum), "n": PATH_GRID, "z": surface_grid(s.name), "paths": paths}


def surface_grid(name: str) -> list[float]:
    """The surface's values on a PATH_GRID x PATH_GRID grid (rows = y), scaled to [0, 1] for colour
    (log-scaled where the surface has steep walls)."""
    s = SURFACES[name]
    _, _, Z = s.grid(PATH_GRID)
    v = Z - Z.min()
    if s.log_levels:
        v = [[math.log10(x + 1e-2) for x in row] for row in v.tolist()]
    else:
        v = v.tolist()
    flat = [x for row in v for x in row]
    low, high = min(flat), max(flat)
    return [round((x - low) / (high - low), 4) for x in flat]
