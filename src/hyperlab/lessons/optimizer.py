"""Lesson: how the optimizers differ — on the real task at each one's tuned lr, and on 2-D surfaces.

Each optimizer (sgd, momentum, nesterov, rmsprop, adagrad, adam, adamw) is trained over its own
small grid of learning rates and compared at its best rate (highest final validation metric, ties
broken by lower validation loss), so the comparison is fair; with ``seeds`` > 1 (``--full``: 3) every
rate trains on that many seeds and is judged by their mean, finished only when every seed finished.
"Epochs to target" is the first epoch
whose validation metric reaches 90% of the best final metric of any optimizer (epochs + 1 if never).
The same optimizers then walk three 2-D surfaces (``lessons.surfaces``), each at the rate from a
grid that ends lowest (ties: the one with the lower mean value along its path).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hyperlab.engine import evaluate
from hyperlab.engine.trainer import loss_for
from hyperlab.errors import ConfigError
from hyperlab.hparams import OPTIMIZERS, HParams, optimizer_name
from hyperlab.errors import check_int
from hyperlab.lessons.base import (Claim, LessonContext, RunOutcome, RunSpec, median, not_measured,
                                   ratio, rounded, settings_for, verdict)
from hyperlab.lessons import texts  # noqa: F401 - registers the lesson texts
from hyperlab.lessons.surfaces import SURFACES, best_path

NAME = "optimizer"
TARGET_FRACTION = 0.9  # "reached the target" = val metric >= 90% of the best final metric of any optimizer
SPEED_RATIO = 1.5  # one optimizer needs >= 1.5x the epochs of the other: it is slower
METRIC_MARGIN = 0.02
CLOSE_SPREAD = 0.03  # tuned optimizers within this spread: "close"
FAR_SPREAD = 0.10
DISTANCE_RATIO = 2.0  # surfaces: one ends >= 2x farther from the minimum than the other

GRIDS_QUICK: dict[str, tuple[float, ...]] = {
    "sgd": (0.03, 0.1, 0.3), "momentum": (0.003, 0.01, 0.03), "nesterov": (0.003, 0.01, 0.03),
    "rmsprop": (3e-4, 1e-3, 3e-3), "adagrad": (3e-3, 1e-2, 3e-2), "adam": (3e-4, 1e-3, 3e-3),
    "adamw": (3e-4, 1e-3, 3e-3),
}
GRIDS_FULL: dict[str, tuple[float, ...]] = {  # 7 rates over 3 decades: affordable as one population
    "sgd": (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0), "momentum": (3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3),
    "nesterov": (3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3), "rmsprop": (3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2),
    "adagrad": (3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3), "adam": (3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2),
    "adamw": (3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2),
}
SURFACE_LRS_QUICK = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)


@dataclass(frozen=True)
class Settings:
    """What the lesson trains; every field can be overridden by name (validated)."""
    optimizers: tuple[str, ...] = OPTIMIZERS
    grids: dict[str, tuple[float, ...]] = field(default_factory=lambda: dict(GRIDS_QUICK))
    epochs: int = 10
    batch_size: int = 32
    surfaces: tuple[str, ...] = tuple(SURFACES)
    surface_steps: int = 100
    surface_lrs: tuple[float, ...] = SURFACE_LRS_QUICK
    seeds: int = 1  # each rate trained on this many seeds (lesson seed, +1, ...) and judged by their mean

    def __post_init__(self) -> None:
        if isinstance(self.optimizers, str) or not self.optimizers:
            raise ConfigError("optimizers", self.optimizers, f"must be a list of: {', '.join(OPTIMIZERS)}")
        object.__setattr__(self, "optimizers", tuple(optimizer_name(o) for o in self.optimizers))
        grids = {}
        for name in self.optimizers:
            grid = self.grids.get(name) if isinstance(self.grids, dict) else None
            if not grid or isinstance(grid, (int, float, str)):
                raise ConfigError("grids", self.grids, f"must give a list of learning rates for {name!r}")
            grids[name] = tuple(sorted(HParams(lr=lr).lr for lr in grid))
        object.__setattr__(self, "grids", grids)
        for name in self.surfaces:
            if name not in SURFACES:
                raise ConfigError("surfaces", name, f"must be among {', '.join(SURFACES)}")
        check_int("epochs", self.epochs, 1)
        check_int("seeds", self.seeds, 1)
        check_int("surface_steps", self.surface_steps, 1)
        HParams(batch_size=self.batch_size)
        object.__setattr__(self, "surface_lrs", tuple(HParams(lr=lr).lr for lr in self.surface_lrs))


PRESETS: dict[str, dict[str, Any]] = {
    "tiny": {"grids": {k: v[1:] for k, v in GRIDS_QUICK.items()}, "epochs": 2, "surface_steps": 20,
             "surface_lrs": (1e-3, 1e-2, 0.1, 1.0)},
    "quick": {},
    "full": {"grids": GRIDS_FULL, "epochs": 40, "seeds": 3, "surface_steps": 300,
             "surface_lrs": (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 0.1, 0.2, 0.5, 1.0)},
}


def settings(budget: str = "quick", **overrides: Any) -> Settings:
    """The settings for a budget (tiny, quick, full) with overrides checked by name."""
    return settings_for(Settings, PRESETS, budget, NAME, overrides)


def _key(name: str, lr: float, k: int) -> str:
    """A run's key: ``adam/lr0.001``, and ``adam/lr0.001/s1`` for the second seed."""
    return f"{name}/lr{lr:g}" + (f"/s{k}" if k else "")


def plan(ctx: LessonContext, s: Settings) -> list[RunSpec]:
    """The runs of this lesson, in order (the progress bar counts their planned steps)."""
    return [RunSpec(_key(name, lr, k), HParams(optimizer=name, lr=lr, batch_size=ctx.batch(s.batch_size),
                                                epochs=s.epochs), seed_offset=k)
            for name in s.optimizers for lr in s.grids[name] for k in range(s.seeds)]


# ---- measuring ---------------------------------------------------------------------------------

def _grid_row(runs: list[RunOutcome]) -> dict[str, Any]:
    """One rate on its seeds: completed only when every seed did, its numbers their means."""
    finals = [r.history.final() if r.history.status == "completed" else None for r in runs]
    failed = next((r.history for r, last in zip(runs, finals) if last is None), None)
    done = failed is None
    metrics = [last.val_metric for last in finals if last is not None]
    losses = [last.val_loss for last in finals if last is not None and last.val_loss is not None]
    return {"lr": runs[0].result.hparams.lr, "status": failed.status if failed else "completed",
            "val_metric": _mean(metrics) if done and None not in metrics else None,
            "val_loss": _mean(losses) if done and losses else None,
            "seed_metrics": metrics if done and len(runs) > 1 else None,
            "diverged_step": failed.diverged["step"] if failed is not None and failed.diverged else None}


def _mean(values: list[Any]) -> float | None:
    return sum(values) / len(values) if values else None


def _mean_curve(histories: list[Any], column: str) -> list[float | None]:
    """Epoch by epoch, the mean of the runs' ``column`` (None where a run has none)."""
    curves = [h.column(column) for h in histories]
    return [None if any(v is None for v in values) else sum(values) / len(values)
            for values in zip(*curves, strict=True)]


def pick_best(grid: list[dict[str, Any]]) -> int | None:
    """Index of the completed rate with the best final val metric (ties: lower val loss)."""
    scored = [(i, g) for i, g in enumerate(grid) if g["val_metric"] is not None]
    if not scored:
        return None
    return max(scored, key=lambda ig: (ig[1]["val_metric"], -(ig[1]["val_loss"] or 0.0)))[0]


def epochs_to(curve: list[float | None], target: float | None, epochs: int) -> int | None:
    """First epoch (1-based) whose value reaches ``target``; epochs + 1 if never; None without a target."""
    if target is None:
        return None
    return next((i + 1 for i, v in enumerate(curve) if v is not None and v >= target), epochs + 1)


def measure(ctx: LessonContext, s: Settings, outcomes: dict[str, RunOutcome]) -> dict[str, Any]:
    """Every number of the lesson from its finished runs (JSON-safe)."""
    data = ctx.data
    rows = []
    for name in s.optimizers:
        runs = [[outcomes[_key(name, lr, k)] for k in range(s.seeds)] for lr in s.grids[name]]
        grid = [_grid_row(r) for r in runs]
        best = pick_best(grid)
        row: dict[str, Any] = {"optimizer": name, "grid": grid, "best_index": best}
        if best is not None:
            seeds = runs[best]
            h = seeds[0].history
            tests = [evaluate(r.result.model, data.test, data.task, loss_for(data.task),
                              next(r.result.model.parameters()).device)[1] for r in seeds] if data.test is not None \
                else []
            row.update({"lr": grid[best]["lr"], "at_grid_edge": best in (0, len(grid) - 1) and len(grid) > 1,
                        "val_metric": grid[best]["val_metric"], "val_loss": grid[best]["val_loss"],
                        "seed_metrics": grid[best]["seed_metrics"],
                        "test_metric": _mean(tests) if tests and None not in tests else None,
                        "seconds": rounded(h.seconds), "seconds_per_epoch": rounded(median(h.column("seconds"))),
                        "curves": {k: _mean_curve([r.history for r in seeds], k)
                                   for k in ("train_loss", "val_loss", "val_metric")}})
        rows.append(row)
    best_metrics = [r["val_metric"] for r in rows if r.get("val_metric") is not None]
    top = max(best_metrics) if best_metrics else None
    target = TARGET_FRACTION * top if top is not None and top > 0 else None
    for row in rows:
        row["epochs_to_target"] = epochs_to(row["curves"]["val_metric"], target, s.epochs) if "curves" in row else None
    surfaces = {}
    for sname in s.surfaces:
        surface = SURFACES[sname]
        paths = {}
        for name in s.optimizers:
            path, grid = best_path(surface, name, s.surface_lrs, s.surface_steps)
            paths[name] = {**path.to_dict(), "grid": grid, "final_value": path.final_value,
                           "distance": path.distance_to(surface.minimum), "escape_step": path.escape_step()}
        surfaces[sname] = {"start": list(surface.start), "minimum": list(surface.minimum),
                           "steps": s.surface_steps, "paths": paths}
    return {"metric": next(iter(outcomes.values())).history.metric, "epochs": s.epochs, "seeds": s.seeds,
            "batch_size": ctx.batch(s.batch_size), "target": rounded(target), "rows": rows, "surfaces": surfaces}


# ---- judging (pure) ----------------------------------------------------------------------------

def judge(m: dict[str, Any]) -> list[Claim]:
    """The claims with verdicts computed from the measurements ``m`` alone (pure)."""
    rows = {r["optimizer"]: r for r in m["rows"]}
    claims = [_lr_matters_claim(m), _close_claim(m), _speed_claim(m, rows, "opt.adaptive_faster", "sgd", "adam"),
              _speed_claim(m, rows, "opt.momentum_faster", "sgd", "momentum")]
    surfaces = m["surfaces"]
    if "valley" in surfaces:
        claims.append(_distance_claim("surf.valley", surfaces["valley"], "sgd", "momentum"))
    if "saddle" in surfaces:
        claims.append(_escape_claim(surfaces["saddle"], "sgd", "adam"))
    if "rosenbrock" in surfaces:
        claims.append(_distance_claim("surf.rosenbrock", surfaces["rosenbrock"], "sgd", "adam"))
    return claims


def _spread(values: list[float]) -> float:
    return max(values) - min(values) if values else 0.0


def _lr_matters_claim(m: dict[str, Any]) -> Claim:
    rule = {"margin": METRIC_MARGIN}
    tuned = [r for r in m["rows"] if r.get("val_metric") is not None]
    if len(tuned) < 2:
        return not_measured("opt.lr_matters", "few_optimizers", rule)
    within = [_spread([g["val_metric"] for g in r["grid"] if g["val_metric"] is not None]) for r in tuned]
    within_mean = sum(within) / len(within)
    across = _spread([r["val_metric"] for r in tuned])
    diff = within_mean - across
    return Claim("opt.lr_matters", verdict(diff, METRIC_MARGIN, -METRIC_MARGIN),
                 {"within": rounded(within_mean, 4), "across": rounded(across, 4), "diff": rounded(diff, 4),
                  "metric": m["metric"]}, rule)


def _close_claim(m: dict[str, Any]) -> Claim:
    rule = {"close": CLOSE_SPREAD, "far": FAR_SPREAD}
    tuned = [r for r in m["rows"] if r.get("val_metric") is not None]
    if len(tuned) < 2:
        return not_measured("opt.close", "few_optimizers", rule)
    best = max(tuned, key=lambda r: r["val_metric"])
    worst = min(tuned, key=lambda r: r["val_metric"])
    spread = best["val_metric"] - worst["val_metric"]
    return Claim("opt.close", verdict(spread, CLOSE_SPREAD, FAR_SPREAD),
                 {"spread": rounded(spread, 4), "best": best["optimizer"], "best_value": best["val_metric"],
                  "worst": worst["optimizer"], "worst_value": worst["val_metric"], "metric": m["metric"]}, rule)


def _speed_claim(m: dict[str, Any], rows: dict[str, dict[str, Any]], key: str, slow: str, fast: str) -> Claim:
    rule = {"ratio": SPEED_RATIO, "target": TARGET_FRACTION}
    a, b = rows.get(slow), rows.get(fast)
    if a is None or b is None or a.get("epochs_to_target") is None or b.get("epochs_to_target") is None:
        return not_measured(key, "needs_pair", rule, slow=slow, fast=fast)
    value = ratio(a["epochs_to_target"], b["epochs_to_target"])
    return Claim(key, verdict(value, SPEED_RATIO, 1 / SPEED_RATIO),
                 {"slow": slow, "fast": fast, "e_slow": a["epochs_to_target"], "e_fast": b["epochs_to_target"],
                  "lr_slow": a["lr"], "lr_fast": b["lr"], "target": m["target"], "metric": m["metric"],
                  "epochs": m["epochs"], "ratio": rounded(value, 4)}, rule)


def _distance_claim(key: str, surface: dict[str, Any], slow: str, fast: str) -> Claim:
    rule = {"ratio": DISTANCE_RATIO}
    paths = surface["paths"]
    if slow not in paths or fast not in paths:
        return not_measured(key, "needs_pair", rule, slow=slow, fast=fast)
    a, b = paths[slow], paths[fast]
    if a["distance"] is None or b["distance"] is None:
        return not_measured(key, "path_diverged", rule)
    value = a["distance"] / max(b["distance"], 1e-12)
    return Claim(key, verdict(value, DISTANCE_RATIO, 1 / DISTANCE_RATIO),
                 {"slow": slow, "fast": fast, "d_slow": a["distance"], "d_fast": b["distance"], "lr_slow": a["lr"],
                  "lr_fast": b["lr"], "steps": surface["steps"], "ratio": rounded(value, 4)}, rule)


def _escape_claim(surface: dict[str, Any], slow: str, fast: str) -> Claim:
    rule = {"ratio": SPEED_RATIO}
    paths = surface["paths"]
    if slow not in paths or fast not in paths:
        return not_measured("surf.saddle", "needs_pair", rule, slow=slow, fast=fast)
    steps = surface["steps"]
    a = paths[slow]["escape_step"]
    b = paths[fast]["escape_step"]
    a_val, b_val = (steps + 1 if a is None else a), (steps + 1 if b is None else b)
    value = a_val / max(b_val, 1)
    return Claim("surf.saddle", verdict(value, SPEED_RATIO, 1 / SPEED_RATIO),
                 {"slow": slow, "fast": fast, "s_slow": a_val, "s_fast": b_val, "lr_slow": paths[slow]["lr"],
                  "lr_fast": paths[fast]["lr"], "steps": steps, "ratio": rounded(value, 4)}, rule)


def settings_dict(s: Settings) -> dict[str, Any]:
    """The settings as plain JSON values."""
    return {"optimizers": list(s.optimizers), "grids": {k: list(v) for k, v in s.grids.items()},
            "epochs": s.epochs, "seeds": s.seeds, "batch_size": s.batch_size, "surfaces": list(s.surfaces),
            "surface_steps": s.surface_steps, "surface_lrs": list(s.surface_lrs)}


# ---- report pieces -------------------------------------------------------------------------------

def intro_values(m: dict[str, Any], lang: str) -> dict[str, Any]:
    """The numbers the lesson's introduction text is filled with."""
    from hyperlab.i18n import t

    return {"count": len(m["rows"]), "epochs": m["epochs"], "batch": m["batch_size"], "metric": t(m["metric"], lang),
            "target_fraction": TARGET_FRACTION, "target": "-" if m["target"] is None else f"{m['target']:.4f}",
            "steps": m["settings"]["surface_steps"], "n_lrs": len(m["settings"]["surface_lrs"]),
            "seeds_note": t("opt.seeds_note", lang, seeds=m["seeds"]) if m.get("seeds", 1) > 1 else ""}


def tables(m: dict[str, Any], lang: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """(heading, rows) tables for the report, with column names in ``lang``."""
    from hyperlab.i18n import t

    metric = t(m["metric"], lang)
    rows = []
    for r in m["rows"]:
        grid = ", ".join(f"{g['lr']:g}" for g in r["grid"])
        seeds = r.get("seed_metrics")
        rows.append({t("optimizer", lang): r["optimizer"], t("col.best_lr", lang): r.get("lr"),
                     t("col.grid", lang): grid + (" *" if r.get("at_grid_edge") else ""),
                     f"{t('val', lang)} {metric}": r.get("val_metric"),
                     **({t("col.seed_range", lang, n=len(seeds)): f"{min(seeds):.4f} – {max(seeds):.4f}"}
                        if seeds else {}),
                     f"{t('col.test', lang)} {metric}": r.get("test_metric"),
                     t("col.epochs_to_target", lang): r.get("epochs_to_target"),
                     t("seconds", lang): r.get("seconds"), t("col.sec_epoch", lang): r.get("seconds_per_epoch")})
    tables_ = [(t("opt.table", lang), rows)]
    if m["surfaces"]:
        surface_rows = []
        for name in m["rows"]:
            opt = name["optimizer"]
            row: dict[str, Any] = {t("optimizer", lang): opt}
            for sname, data in m["surfaces"].items():
                path = data["paths"].get(opt)
                label = t(f"surface.{sname}", lang)
                row[f"{label}: lr"] = path["lr"] if path else None
                if sname == "saddle":
                    row[f"{label}: {t('col.escape', lang)}"] = path["escape_step"] if path else None
                else:
                    row[f"{label}: {t('col.distance', lang)}"] = path["distance"] if path else None
            surface_rows.append(row)
        tables_.append((t("opt.surface_table", lang, steps=m["settings"]["surface_steps"]), surface_rows))
    return tables_
