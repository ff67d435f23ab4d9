"""Lesson: what the learning rate does — too slow, good, oscillating, diverged.

A log-spaced range of learning rates (about 1e-5 to 10) is trained with everything else fixed.
Each rate is classified from its own loss curve (:func:`classify`), with these stated rules:

- **diverged**: the trainer stopped the run because the loss became non-finite or exploded to
  20x its first value (averaged over 32 samples' steps: ``trainer.divergence``; the step is recorded);
- **oscillating**: the smoothed loss (moving average over half an epoch) rose back above the lowest
  value it had reached so far by at least 5% of the first loss, and by more standard errors of that
  moving average (the step losses' own scatter, from one step to the next, over the square root of
  the window) than noise reaches: 2.1 x sqrt(2 ln m) for a run of m windows (``noise_bound``: 5.0
  at 8 epochs, 6.1 at 30). Smoothing leaves some mini-batch noise, and on data whose batches
  differ a lot (regression targets, most of all) its rebounds passed the 5% at every rate, the
  untrained ones included. For a rate that fell less than half the largest fall, the rebound must also be
  at least a quarter of that largest fall (a rate that barely moves is slow even when its small ups
  and downs, noise around a flat line, pass the rest);
- **too slow**: the loss fell by less than half as much as it did at the rate with the largest fall;
- **good**: otherwise.

A fall is measured from where every rate starts (they share the initial weights): the untrained
model's mean loss over the whole training set, one evaluation. The first step's loss is one
batch's: on diabetes it was 13% above the whole set's, so the lowest rate, which barely moves,
"fell" a quarter of the largest fall.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass
from typing import Any

from hyperlab.errors import ConfigError
from hyperlab.hparams import HParams
from hyperlab.errors import check_int
from hyperlab.lessons.base import (Claim, LessonContext, RunOutcome, RunSpec, finite, not_measured,
                                   rounded, settings_for)
from hyperlab.lessons import texts  # noqa: F401 - registers the lesson texts

NAME = "learning-rate"
KINDS = ("too_slow", "good", "oscillating", "diverged")
OSC_MIN_RISE = 0.05  # smoothed loss rose back above its lowest value so far by >= this fraction of the first loss
OSC_NOISE_C = 2.1  # ... and by >= this x sqrt(2 ln m) standard errors of the smoothed loss, m its windows
SLOW_FRACTION = 0.5  # fell by less than this fraction of the largest fall: too slow
SLOW_MAX_SWING = 0.25  # ... unless its smoothed loss rose back by at least this fraction of the largest fall
KIND_LABEL = {"kind": "lr.kind."}


def noise_bound(windows: float) -> float:
    """How many standard errors of the smoothed loss a rebound must pass to be more than mini-batch
    noise: the largest rebound of noise grows with the number of windows the run holds, as the
    maximum of that many draws does (sqrt(2 ln m)); 5.0 at the quick budget's 8 epochs (about 17
    windows), 6.1 at the full budget's 30 (about 63). Measured on 7 data sets, the rates that barely
    train (pure noise) reached at most 2.13 x sqrt(2 ln m), and in the quick budget 1.7."""
    return OSC_NOISE_C * math.sqrt(2 * math.log(max(windows, 2.0)))


@dataclass(frozen=True)
class Settings:
    """The range of rates (or an explicit list) and the fixed rest."""

    lr_min: float = 1e-5
    lr_max: float = 10.0
    per_decade: int = 2
    lrs: tuple[float, ...] | None = None  # explicit rates instead of the range
    epochs: int = 8
    batch_size: int = 32
    optimizer: str = "sgd"

    def __post_init__(self) -> None:
        check_int("per_decade", self.per_decade, 1)
        check_int("epochs", self.epochs, 1)
        HParams(lr=self.lr_min, batch_size=self.batch_size, optimizer=self.optimizer)
        HParams(lr=self.lr_max)
        if self.lr_max <= self.lr_min:
            raise ConfigError("lr_max", self.lr_max, f"must be greater than lr_min ({self.lr_min:g})")
        if self.lrs is not None:
            if isinstance(self.lrs, (int, float, str)) or len(self.lrs) < 2:
                raise ConfigError("lrs", self.lrs, "must be a list of at least two learning rates")
            object.__setattr__(self, "lrs", tuple(sorted(HParams(lr=v).lr for v in self.lrs)))


PRESETS: dict[str, dict[str, Any]] = {
    "tiny": {"per_decade": 1, "epochs": 2},
    "quick": {},
    "full": {"per_decade": 4, "epochs": 30},  # 25 rates, trained as one population
}


def settings(budget: str = "quick", **overrides: Any) -> Settings:
    """The settings for a budget (tiny, quick, full) with overrides checked by name."""
    return settings_for(Settings, PRESETS, budget, NAME, overrides)


def learning_rates(s: Settings) -> list[float]:
    """Log-spaced rates rounded to one significant digit (1, 3 per decade; 1, 2, 5 with three; 1, 2, 3, 6 with four)."""
    if s.lrs is not None:
        return list(s.lrs)
    lo, hi = math.log10(s.lr_min), math.log10(s.lr_max)
    count = round((hi - lo) * s.per_decade)
    rates = []
    for k in range(count + 1):
        value = 10 ** (lo + k / s.per_decade)
        rates.append(float(f"{value:.1g}"))
    return sorted(set(rates))


def plan(ctx: LessonContext, s: Settings) -> list[RunSpec]:
    """The runs of this lesson, in order (the progress bar counts their planned steps)."""
    return [RunSpec(f"lr{lr:g}", HParams(lr=lr, batch_size=ctx.batch(s.batch_size), epochs=s.epochs,
                                         optimizer=s.optimizer, seed=ctx.seed))
            for lr in learning_rates(s)]


# ---- classifying a curve (pure) ------------------------------------------------------------------

def curve_stats(step_loss: list[float | None], steps_per_epoch: int,
                start: float | None = None) -> dict[str, Any]:
    """First and final loss, total fall, and the largest rebound of the smoothed curve: how far it
    rose above the lowest value reached before (with the progress made up to that lowest value);
    ``noise_se``, the standard error of the smoothed loss: the step losses' scatter from one step to
    the next (their differences' deviation over sqrt 2) over the square root of the window.
    ``start`` is the loss the run started from (the untrained model's over the training set); by
    default the first step's, one batch's estimate of it."""
    losses = finite(step_loss)
    if not losses:
        return {"first": start, "final": None, "fall": None, "rebound": 0.0, "progress": 0.0, "window": 0,
                "noise_se": 0.0, "windows": 0.0}
    first = losses[0] if start is None else start
    n = len(losses)
    window = max(1, min(steps_per_epoch // 2, n // 4))
    differences = [b - a for a, b in zip(losses, losses[1:])]
    scatter = statistics.pstdev(differences) / math.sqrt(2) if len(differences) > 1 else 0.0
    smooth = [statistics.fmean(losses[i:i + window]) for i in range(n - window + 1)]
    low, rebound, progress = smooth[0], 0.0, 0.0
    for value in smooth:
        low = min(low, value)
        if value - low > rebound:
            rebound, progress = value - low, first - low
    final = statistics.fmean(losses[-min(steps_per_epoch, n):])
    return {"first": first, "final": final, "fall": first - final, "rebound": rebound,
            "progress": progress, "window": window, "min_smoothed": min(smooth),
            "noise_se": scatter / math.sqrt(window), "windows": n / window}


def classify(stats: dict[str, Any], diverged: dict[str, Any] | None, reference_fall: float | None) -> str:
    """'diverged', 'oscillating', 'too_slow' or 'good' by the rules in the module docstring."""
    if diverged is not None:
        return "diverged"
    if stats["first"] is None:
        return "too_slow"
    no_reference = reference_fall is None or reference_fall <= 0
    slow = no_reference or stats["fall"] < SLOW_FRACTION * reference_fall
    if slow and not no_reference and stats["rebound"] < SLOW_MAX_SWING * reference_fall:
        return "too_slow"  # barely moved: its small ups and downs are noise, not oscillation
    noise = noise_bound(stats.get("windows") or 2.0) * (stats.get("noise_se") or 0.0)
    if stats["rebound"] >= max(OSC_MIN_RISE * stats["first"], noise):
        return "oscillating"
    return "too_slow" if slow else "good"


def classify_all(curves: list[dict[str, Any]]) -> list[str]:
    """Classify each curve ({'stats', 'diverged'}); the reference fall is the largest among non-diverged."""
    falls = [c["stats"]["fall"] for c in curves if c["diverged"] is None and c["stats"]["fall"] is not None]
    reference = max(falls) if falls else None
    return [classify(c["stats"], c["diverged"], reference) for c in curves]


# ---- measuring ---------------------------------------------------------------------------------

def measure(ctx: LessonContext, s: Settings, outcomes: dict[str, RunOutcome]) -> dict[str, Any]:
    """Every number of the lesson from its finished runs (JSON-safe)."""
    rows = []
    start = ctx.untrained_loss()  # every rate starts from the same weights
    for spec_key, run in outcomes.items():
        h = run.history
        last = h.final() if h.status == "completed" else None
        rows.append({"lr": run.result.hparams.lr, "key": spec_key, "status": h.status,
                     "stats": {k: rounded(v) if isinstance(v, float) else v
                               for k, v in curve_stats(h.step_loss, h.steps_per_epoch, start).items()},
                     "diverged": h.diverged, "steps": h.steps_done, "steps_per_epoch": h.steps_per_epoch,
                     "val_metric": last.val_metric if last else None, "val_loss": last.val_loss if last else None})
    rows.sort(key=lambda r: r["lr"])
    kinds = classify_all(rows)
    for row, kind in zip(rows, kinds):
        row["kind"] = kind
    best = best_index(rows)
    falls = [r["stats"]["fall"] for r in rows if r["diverged"] is None and r["stats"]["fall"] is not None]
    return {"metric": next(iter(outcomes.values())).history.metric, "optimizer": s.optimizer,
            "batch_size": ctx.batch(s.batch_size), "epochs": s.epochs, "rows": rows,
            "reference_fall": rounded(max(falls)) if falls else None,
            "best_lr": rows[best]["lr"] if best is not None else None, "best_index": best,
            "good_range": [r["lr"] for r in rows if r["kind"] == "good"]}


def best_index(rows: list[dict[str, Any]]) -> int | None:
    """The completed rate with the best final validation metric (ties: lower validation loss)."""
    scored = [(i, r) for i, r in enumerate(rows) if r["val_metric"] is not None]
    if not scored:
        return None
    return max(scored, key=lambda ir: (ir[1]["val_metric"], -(ir[1]["val_loss"] or 0.0)))[0]


# ---- judging (pure) ----------------------------------------------------------------------------

def _kind_verdict(kind: str, confirm: str, contradict: str) -> str:
    return "confirmed" if kind == confirm else "contradicted" if kind == contradict else "not_observed"


def judge(m: dict[str, Any]) -> list[Claim]:
    """The claims with verdicts computed from the measurements ``m`` alone (pure)."""
    rows = m["rows"]
    if len(rows) < 2:
        raise ConfigError("lrs", [r["lr"] for r in rows], "must hold at least two learning rates")
    low, high = rows[0], rows[-1]
    ref = m["reference_fall"]
    claims = [
        Claim("lr.too_low", _kind_verdict(low["kind"], "too_slow", "good"),
              {"lr": low["lr"], "kind": low["kind"], "first": low["stats"]["first"], "final": low["stats"]["final"],
               "fraction": rounded(low["stats"]["fall"] / ref, 4) if ref else 0.0, "steps": low["steps"]},
              {"slow": SLOW_FRACTION, "swing": SLOW_MAX_SWING}, labels=KIND_LABEL),
        _too_high_claim(high),
        _best_inside_claim(m),
        _edge_claim(rows),
    ]
    return claims


def _too_high_claim(high: dict[str, Any]) -> Claim:
    rule = {}
    values = {"lr": high["lr"], "kind": high["kind"]}
    if high["diverged"]:
        d = high["diverged"]
        return Claim("lr.too_high", "confirmed", {**values, "step": d["step"], "reason": d["reason"]}, rule,
                     evidence_key="lr.too_high.diverged", labels={**KIND_LABEL, "reason": ""})
    return Claim("lr.too_high", _kind_verdict(high["kind"], "diverged", "good"),
                 {**values, "first": high["stats"]["first"], "final": high["stats"]["final"]}, rule,
                 labels=KIND_LABEL)


def _best_inside_claim(m: dict[str, Any]) -> Claim:
    rows, best = m["rows"], m["best_index"]
    rule = {}
    if best is None:
        return not_measured("lr.best_inside", "none_completed", rule)
    inside = 0 < best < len(rows) - 1
    return Claim("lr.best_inside", "confirmed" if inside else "contradicted",
                 {"best": rows[best]["lr"], "metric": m["metric"], "value": rows[best]["val_metric"],
                  "low": rows[0]["lr"], "high": rows[-1]["lr"]}, rule)


def _edge_claim(rows: list[dict[str, Any]]) -> Claim:
    rule = {"rise": OSC_MIN_RISE, "c": OSC_NOISE_C}
    first_div = next((i for i, r in enumerate(rows) if r["kind"] == "diverged"), None)
    if first_div is None:
        return not_measured("lr.edge", "no_divergence", rule)
    if first_div == 0:
        return not_measured("lr.edge", "all_diverged", rule)
    below = rows[first_div - 1]
    stats = below["stats"]
    progress = rounded(stats["progress"], 4)
    return Claim("lr.edge", _kind_verdict(below["kind"], "oscillating", "good"),
                 {"lr": below["lr"], "kind": below["kind"], "diverged_lr": rows[first_div]["lr"],
                  "rebound": rounded(stats["rebound"], 4), "progress": progress,
                  "first": stats["first"]}, rule, labels=KIND_LABEL,
                 # it rose before its smoothed loss fell below the first: "after falling by 0.0000" (or by a
                 # negative amount) would misread it
                 evidence_key="lr.edge.evidence_rose" if progress is not None and progress < 5e-5 else None)


def settings_dict(s: Settings) -> dict[str, Any]:
    """The settings as plain JSON values."""
    return {**asdict(s), "lrs": list(s.lrs) if s.lrs else None}


# ---- report pieces -------------------------------------------------------------------------------

def intro_values(m: dict[str, Any], lang: str) -> dict[str, Any]:
    """The numbers the lesson's introduction text is filled with."""
    rows = m["rows"]
    return {"count": len(rows), "low": rows[0]["lr"], "high": rows[-1]["lr"], "optimizer": m["optimizer"],
            "batch": m["batch_size"], "epochs": m["epochs"], "rise": OSC_MIN_RISE,
            "c": OSC_NOISE_C, "slow": SLOW_FRACTION, "swing": SLOW_MAX_SWING}


def tables(m: dict[str, Any], lang: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """(heading, rows) tables for the report, with column names in ``lang``."""
    from hyperlab.i18n import t

    rows = []
    for r in m["rows"]:
        d = r["diverged"]
        rows.append({t("lr", lang): f"{r['lr']:g}", t("col.kind", lang): t(f"lr.kind.{r['kind']}", lang),
                     t("col.first_loss", lang): r["stats"]["first"], t("col.final_loss", lang): r["stats"]["final"],
                     t("col.rebound", lang): r["stats"]["rebound"], t("col.progress", lang): r["stats"]["progress"],
                     f"{t('val', lang)} {t(m['metric'], lang)}": r["val_metric"],
                     t("diverged", lang): t("diverged_at", lang, step=d["step"], epoch=d["epoch"],
                                            reason=t(d["reason"], lang)) if d else None})
    return [(t("lr.table", lang), rows)]
