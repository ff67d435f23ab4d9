"""Lesson: what the learning rate does — too slow, good, oscillating, diverged.

A log-spaced range of learning rates (about 1e-5 to 10) is trained with everything else fixed.
Each rate is classified from its own loss curve (:func:`classify`), with these stated rules:

- **diverged**: the trainer stopped the run because the loss became non-finite or exploded to
  20x its first value (the step is recorded);
- **oscillating**: the smoothed loss (moving average over half an epoch) rose back above the lowest
  value it had reached so far by at least 5% of the first loss (smoothing removes the mini-batch
  noise, so such a rebound is the optimizer overshooting);
- **too slow**: the loss fell by less than half as much as it did at the rate with the largest fall;
- **good**: otherwise.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass
from typing import Any

from hyperlab.errors import ConfigError
from hyperlab.hparams import HParams
from hyperlab.i18n import register
from hyperlab.errors import check_int
from hyperlab.lessons.base import (Claim, LessonContext, RunOutcome, RunSpec, finite, not_measured,
                                   rounded, settings_for)

NAME = "learning-rate"
KINDS = ("too_slow", "good", "oscillating", "diverged")
OSC_MIN_RISE = 0.05  # smoothed loss rose back above its lowest value so far by >= this fraction of the first loss
SLOW_FRACTION = 0.5  # fell by less than this fraction of the largest fall: too slow
KIND_LABEL = {"kind": "lr.kind."}


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
    return [RunSpec(f"lr{lr:g}", HParams(lr=lr, batch_size=s.batch_size, epochs=s.epochs, optimizer=s.optimizer,
                                         seed=ctx.seed))
            for lr in learning_rates(s)]


# ---- classifying a curve (pure) ------------------------------------------------------------------

def curve_stats(step_loss: list[float | None], steps_per_epoch: int) -> dict[str, Any]:
    """First and final loss, total fall, and the largest rebound of the smoothed curve: how far it
    rose above the lowest value reached before (with the progress made up to that lowest value)."""
    losses = finite(step_loss)
    if not losses:
        return {"first": None, "final": None, "fall": None, "rebound": 0.0, "progress": 0.0, "window": 0}
    n = len(losses)
    window = max(1, min(steps_per_epoch // 2, n // 4))
    smooth = [statistics.fmean(losses[i:i + window]) for i in range(n - window + 1)]
    low, rebound, progress = smooth[0], 0.0, 0.0
    for value in smooth:
        low = min(low, value)
        if value - low > rebound:
            rebound, progress = value - low, losses[0] - low
    final = statistics.fmean(losses[-min(steps_per_epoch, n):])
    return {"first": losses[0], "final": final, "fall": losses[0] - final, "rebound": rebound,
            "progress": progress, "window": window, "min_smoothed": min(smooth)}


def classify(stats: dict[str, Any], diverged: dict[str, Any] | None, reference_fall: float | None) -> str:
    """'diverged', 'oscillating', 'too_slow' or 'good' by the rules in the module docstring."""
    if diverged is not None:
        return "diverged"
    if stats["first"] is None:
        return "too_slow"
    if stats["rebound"] >= OSC_MIN_RISE * stats["first"]:
        return "oscillating"
    if reference_fall is None or reference_fall <= 0 or stats["fall"] < SLOW_FRACTION * reference_fall:
        return "too_slow"
    return "good"


def classify_all(curves: list[dict[str, Any]]) -> list[str]:
    """Classify each curve ({'stats', 'diverged'}); the reference fall is the largest among non-diverged."""
    falls = [c["stats"]["fall"] for c in curves if c["diverged"] is None and c["stats"]["fall"] is not None]
    reference = max(falls) if falls else None
    return [classify(c["stats"], c["diverged"], reference) for c in curves]


# ---- measuring ---------------------------------------------------------------------------------

def measure(ctx: LessonContext, s: Settings, outcomes: dict[str, RunOutcome]) -> dict[str, Any]:
    """Every number of the lesson from its finished runs (JSON-safe)."""
    rows = []
    for spec_key, run in outcomes.items():
        h = run.history
        last = h.final() if h.status == "completed" else None
        rows.append({"lr": run.result.hparams.lr, "key": spec_key, "status": h.status,
                     "stats": {k: rounded(v) if isinstance(v, float) else v
                               for k, v in curve_stats(h.step_loss, h.steps_per_epoch).items()},
                     "diverged": h.diverged, "steps": h.steps_done, "steps_per_epoch": h.steps_per_epoch,
                     "val_metric": last.val_metric if last else None, "val_loss": last.val_loss if last else None})
    rows.sort(key=lambda r: r["lr"])
    kinds = classify_all(rows)
    for row, kind in zip(rows, kinds):
        row["kind"] = kind
    best = best_index(rows)
    falls = [r["stats"]["fall"] for r in rows if r["diverged"] is None and r["stats"]["fall"] is not None]
    return {"metric": next(iter(outcomes.values())).history.metric, "optimizer": s.optimizer,
            "batch_size": s.batch_size, "epochs": s.epochs, "rows": rows,
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
              {"slow": SLOW_FRACTION}, labels=KIND_LABEL),
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
    rule = {"rise": OSC_MIN_RISE}
    first_div = next((i for i, r in enumerate(rows) if r["kind"] == "diverged"), None)
    if first_div is None:
        return not_measured("lr.edge", "no_divergence", rule)
    if first_div == 0:
        return not_measured("lr.edge", "all_diverged", rule)
    below = rows[first_div - 1]
    stats = below["stats"]
    return Claim("lr.edge", _kind_verdict(below["kind"], "oscillating", "good"),
                 {"lr": below["lr"], "kind": below["kind"], "diverged_lr": rows[first_div]["lr"],
                  "rebound": rounded(stats["rebound"], 4), "progress": rounded(stats["progress"], 4),
                  "first": stats["first"]}, rule, labels=KIND_LABEL)


def settings_dict(s: Settings) -> dict[str, Any]:
    """The settings as plain JSON values."""
    return {**asdict(s), "lrs": list(s.lrs) if s.lrs else None}


register({
    "lr.title": {"en": "Learning rate", "ko": "학습률"},
    "lr.intro": {
        "en": "The learning rate is the step size of the update W_new = W_old - lr * update. {count} rates from "
              "{low:g} to {high:g} were trained with everything else fixed ({optimizer}, batch size {batch}, "
              "{epochs} epochs). Each curve is classified by stated rules: diverged (the trainer stopped it: loss "
              "non-finite or 20x its start); oscillating (the loss smoothed over half an epoch rose back above its "
              "lowest value so far by at least {rise:.0%} of its start); too slow (it fell less than "
              "{slow:.0%} of the largest fall among the rates); good otherwise.",
        "ko": "학습률은 갱신식 W_new = W_old - lr * update의 보폭입니다. {low:g}부터 {high:g}까지 {count}개의 학습률을 "
              "나머지는 고정한 채({optimizer}, 배치 크기 {batch}, {epochs} 에폭) 학습했습니다. 각 곡선은 정해진 규칙으로 "
              "분류합니다: 발산(손실이 유한하지 않거나 시작값의 20배가 되어 트레이너가 중단), 진동(반 에폭 이동평균 "
              "손실이 그때까지의 최저값보다 시작값의 {rise:.0%} 이상 다시 올라감), 너무 느림(가장 많이 내려간 "
              "학습률의 {slow:.0%}보다 적게 내려감), 그 밖에는 좋음."},
    "lr.kind.too_slow": {"en": "too slow", "ko": "너무 느림"},
    "lr.kind.good": {"en": "good", "ko": "좋음"},
    "lr.kind.oscillating": {"en": "oscillating", "ko": "진동"},
    "lr.kind.diverged": {"en": "diverged", "ko": "발산"},
    "lr.too_low.claim": {"en": "A too-low learning rate learns too slowly.",
                         "ko": "학습률이 너무 낮으면 학습이 너무 느리다."},
    "lr.too_low.evidence": {
        "en": "lr {lr:g} ({kind}): loss {first:.4f} -> {final:.4f} in {steps} steps, {fraction:.1%} of the "
              "largest fall",
        "ko": "학습률 {lr:g}({kind}): {steps} 스텝 동안 손실 {first:.4f} -> {final:.4f}, 가장 큰 감소의 {fraction:.1%}"},
    "lr.too_low.rule": {"en": "confirmed if the smallest rate is classified too slow (fall < {slow:.0%} of the "
                              "largest), contradicted if it is good",
                        "ko": "가장 작은 학습률이 너무 느림(가장 큰 감소의 {slow:.0%} 미만)으로 분류되면 확인, 좋음이면 반박"},
    "lr.too_high.claim": {"en": "A too-high learning rate makes training diverge.",
                          "ko": "학습률이 너무 높으면 학습이 발산한다."},
    "lr.too_high.diverged": {"en": "lr {lr:g} diverged at step {step}: the loss {reason}",
                             "ko": "학습률 {lr:g}은(는) 스텝 {step}에서 발산: 손실 {reason}"},
    "lr.too_high.evidence": {"en": "lr {lr:g} ({kind}) did not diverge: loss {first:.4f} -> {final:.4f}",
                             "ko": "학습률 {lr:g}({kind})은(는) 발산하지 않음: 손실 {first:.4f} -> {final:.4f}"},
    "lr.too_high.rule": {"en": "confirmed if the largest rate diverged, contradicted if it is classified good",
                         "ko": "가장 큰 학습률이 발산하면 확인, 좋음으로 분류되면 반박"},
    "lr.best_inside.claim": {"en": "The best learning rate lies inside the range, between too slow and too high.",
                             "ko": "가장 좋은 학습률은 너무 느린 값과 너무 큰 값 사이, 범위 안쪽에 있다."},
    "lr.best_inside.evidence": {"en": "best lr {best:g} (val {metric} {value:.4f}) in the range {low:g} .. {high:g}",
                                "ko": "최적 학습률 {best:g}(검증 {metric} {value:.4f}), 범위 {low:g} .. {high:g}"},
    "lr.best_inside.rule": {"en": "confirmed if the best rate is neither the smallest nor the largest tried, "
                                  "contradicted if it is at either end",
                            "ko": "최적 학습률이 가장 작거나 가장 큰 값이 아니면 확인, 양 끝이면 반박"},
    "lr.edge.claim": {"en": "Just below the rate where training diverges, the loss oscillates.",
                      "ko": "발산하는 학습률 바로 아래에서는 손실이 진동한다."},
    "lr.edge.evidence": {
        "en": "lr {lr:g}, the rate below the first diverging {diverged_lr:g}, is {kind}: after falling {progress:.4f} "
              "from the first loss {first:.4f}, the smoothed loss rose back by up to {rebound:.4f}",
        "ko": "처음 발산한 {diverged_lr:g} 바로 아래의 학습률 {lr:g}은(는) {kind}: 첫 손실 {first:.4f}에서 {progress:.4f} "
              "내려간 뒤 이동평균 손실이 최대 {rebound:.4f}만큼 다시 올라감"},
    "lr.edge.rule": {"en": "confirmed if that rate is oscillating (rebound >= {rise:.0%} of the first loss), "
                           "contradicted if it is good",
                     "ko": "그 학습률이 진동(반등 >= 첫 손실의 {rise:.0%})이면 확인, 좋음이면 반박"},
})


# ---- report pieces -------------------------------------------------------------------------------

def intro_values(m: dict[str, Any], lang: str) -> dict[str, Any]:
    """The numbers the lesson's introduction text is filled with."""
    rows = m["rows"]
    return {"count": len(rows), "low": rows[0]["lr"], "high": rows[-1]["lr"], "optimizer": m["optimizer"],
            "batch": m["batch_size"], "epochs": m["epochs"], "rise": OSC_MIN_RISE,
            "slow": SLOW_FRACTION}


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


register({
    "lr.table": {"en": "Each rate and its class", "ko": "학습률별 분류"},
    "col.kind": {"en": "class", "ko": "분류"},
    "col.first_loss": {"en": "first loss", "ko": "첫 손실"},
    "col.final_loss": {"en": "last-epoch loss", "ko": "마지막 에폭 손실"},
    "col.rebound": {"en": "largest rebound", "ko": "최대 반등"},
    "col.progress": {"en": "progress before it", "ko": "그 전까지의 감소"},
})
