"""Lesson: what the batch size does — steps per epoch, loss noise, speed, memory, generalization.

Several batch sizes, from tiny to the whole training set, are trained three ways through the one
trainer: for an equal number of epochs at one learning rate, for an equal number of optimizer
steps, and (optionally) with the learning rate scaled by the linear scaling rule
``lr * B / base_batch``. Every number in the claims comes from those runs.

Per-step loss noise is measured as the standard deviation of the per-step training loss around
its centred 5-step moving average, over the last epoch (at least the last 20 steps), absolute
and divided by the mean of that moving average (relative to the loss level). The small batch has
usually trained to a lower loss by then, which shrinks its absolute noise and inflates its relative
noise, so the claim is judged by the smaller of the two ratios.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass
from typing import Any

from hyperlab.errors import ConfigError, DataError, check_int
from hyperlab.hparams import HParams, samples_seen
from hyperlab.lessons import texts  # noqa: F401 - registers the lesson texts
from hyperlab.lessons.base import (Claim, LessonContext, RunOutcome, RunSpec, check_positive_ints,
                                   finite, median, not_measured, ratio, rounded, settings_for, verdict)

NAME = "batch-size"
NOISE_WINDOW = 5  # steps in the centred moving average
NOISE_MIN_STEPS = 20  # the noise window covers the last epoch, and at least this many steps
METRIC_MARGIN = 0.02  # a metric difference smaller than this is "no difference"
NOISE_RATIO = 2.0  # smallest batch at least this many times noisier than the largest: confirmed
SPEED_RATIO = 1.5  # samples/s of the largest batch over the smallest
MEMORY_RATIO = 1.2  # peak memory of the largest batch over the smallest
COMPARABLE_FIT = 0.05  # a train/val gap is compared only when both runs fit the training set this closely


@dataclass(frozen=True)
class Settings:
    """What the batch-size lesson trains. The full training set (N) is always added as the largest batch."""

    sizes: tuple[int, ...] = (8, 32, 128, 512)
    epochs: int = 10
    equal_steps: int = 100
    lr: float = 0.01
    optimizer: str = "momentum"
    base_batch: int = 32  # the linear scaling rule scales lr by B / base_batch
    linear_scaling: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "sizes", check_positive_ints("sizes", self.sizes))
        check_int("epochs", self.epochs, 1)
        check_int("equal_steps", self.equal_steps, 1)
        check_int("base_batch", self.base_batch, 1)
        HParams(lr=self.lr, optimizer=self.optimizer)  # validates both


PRESETS: dict[str, dict[str, Any]] = {
    "tiny": {"sizes": (16, 64), "epochs": 3, "equal_steps": 20},
    "quick": {},
    "full": {"sizes": (4, 8, 16, 32, 64, 128, 256, 512), "epochs": 30, "equal_steps": 300},
}


def settings(budget: str = "quick", **overrides: Any) -> Settings:
    """The settings for a budget (tiny, quick, full) with overrides checked by name."""
    return settings_for(Settings, PRESETS, budget, NAME, overrides)


def batch_sizes(s: Settings, n_train: int) -> list[int]:
    """The sizes below N, plus N itself (one step per epoch: full-batch gradient descent). When
    fewer than two of the sizes are below N (a small training set), the two largest powers of two
    below N join them, so small batches are still compared with the full one."""
    below = {b for b in s.sizes if b < n_train}
    if len(below) < 2:
        below |= set([2 ** k for k in range(n_train.bit_length()) if 2 ** k < n_train][-2:])
    if len(below) < 2:
        raise DataError(f"the training set has {n_train} sample{'s' if n_train != 1 else ''}: the batch-size lesson "
                        "compares at least two batch sizes below it with the whole set, so it needs at least 3")
    return sorted(below | {n_train})


def scaled_lr(s: Settings, batch: int) -> float:
    """The linear scaling rule: lr grows in proportion to the batch size."""
    return s.lr * batch / s.base_batch


def plan(ctx: LessonContext, s: Settings) -> list[RunSpec]:
    """The runs of this lesson, in order (the progress bar counts their planned steps)."""
    n = ctx.data.n_train
    specs = []
    for b in batch_sizes(s, n):
        hp = HParams(batch_size=b, lr=s.lr, epochs=s.epochs, optimizer=s.optimizer, seed=ctx.seed)
        specs.append(RunSpec(f"epochs/b{b}", hp, eval_train=True))
        steps_epochs = math.ceil(s.equal_steps / hp.steps_per_epoch(n))
        specs.append(RunSpec(f"steps/b{b}", hp.replace(epochs=steps_epochs), stop_at_step=s.equal_steps))
        if s.linear_scaling and b != s.base_batch:
            specs.append(RunSpec(f"scaled/b{b}", hp.replace(lr=scaled_lr(s, b)), eval_train=True))
    return specs


# ---- measuring -------------------------------------------------------------------------------

def loss_noise(step_loss: list[float | None], steps_per_epoch: int) -> dict[str, float | int] | None:
    """Noise of the per-step loss over the last epoch (>= NOISE_MIN_STEPS steps): the std of the
    loss around its centred moving average, absolute and relative to the average's mean."""
    window_steps = finite(step_loss[-max(steps_per_epoch, NOISE_MIN_STEPS):])
    n = len(window_steps)
    if n < 3:
        return None
    w = min(NOISE_WINDOW, n if n % 2 else n - 1)
    half = w // 2
    averages = [statistics.fmean(window_steps[i - half:i + half + 1]) for i in range(half, n - half)]
    residuals = [window_steps[i] - a for i, a in zip(range(half, n - half), averages)]
    if len(residuals) < 2:
        return None
    absolute = statistics.pstdev(residuals)
    level = statistics.fmean(averages)
    return {"absolute": absolute, "relative": absolute / level if level > 0 else None, "mean_loss": level,
            "steps": n, "window": w}


def _final(outcome: RunOutcome | None) -> dict[str, Any]:
    if outcome is None:
        return {}
    h = outcome.history
    last = h.final()
    ok = h.status == "completed" and last is not None
    gap = (last.train_metric - last.val_metric
           if ok and last.train_metric is not None and last.val_metric is not None else None)
    return {"status": h.status, "lr": outcome.result.hparams.lr,
            "val_metric": last.val_metric if ok else None, "val_loss": last.val_loss if ok else None,
            "train_metric": last.train_metric if ok else None, "train_loss": last.train_loss if ok else None,
            "gap": gap, "diverged_step": h.diverged["step"] if h.diverged else None}


def measure(ctx: LessonContext, s: Settings, outcomes: dict[str, RunOutcome]) -> dict[str, Any]:
    """Every number of the lesson, per batch size, from the finished runs."""
    n = ctx.data.n_train
    rows = []
    for b in batch_sizes(s, n):
        run = outcomes[f"epochs/b{b}"]
        h = run.history
        noise = loss_noise(h.step_loss, h.steps_per_epoch)
        probe = outcomes[f"steps/b{b}"].probe
        scaled = outcomes.get(f"scaled/b{b}") or (run if s.linear_scaling else None)
        rows.append({
            "batch_size": b, "n_train": n, "steps_per_epoch": h.steps_per_epoch,
            "expected_steps_per_epoch": math.ceil(n / b), "steps_recorded": h.steps_done,
            "epochs_run": len(h.epochs),
            "noise_relative": rounded(noise["relative"]) if noise else None,
            "noise_absolute": rounded(noise["absolute"]) if noise else None,
            "noise_mean_loss": rounded(noise["mean_loss"]) if noise else None,
            "noise_steps": noise["steps"] if noise else None,
            "seconds_per_epoch": rounded(median(h.column("seconds"))),
            "samples_per_second": rounded(median(h.column("samples_per_second"))),
            "peak_memory_bytes": h.peak_memory.get("peak_bytes"),
            "process_peak_rss_bytes": h.peak_memory.get("process_peak_rss_bytes"),
            "equal_epochs": _final(run),
            "equal_steps": {"steps": s.equal_steps, "samples_seen": samples_seen(n, b, s.equal_steps),
                            "val_metric": probe.val_metric if probe else None,
                            "val_loss": probe.val_loss if probe else None,
                            "status": outcomes[f"steps/b{b}"].history.status},
            "scaled": _final(scaled) if scaled is not None else None,
        })
    return {"metric": outcomes[f"epochs/b{n}"].history.metric, "n_train": n,
            "epochs": s.epochs, "equal_steps": s.equal_steps, "lr": s.lr, "optimizer": s.optimizer,
            "base_batch": s.base_batch, "linear_scaling": s.linear_scaling, "rows": rows}


# ---- judging (pure: numbers in, claims out) --------------------------------------------------

def judge(m: dict[str, Any]) -> list[Claim]:
    """The claims of this lesson with verdicts computed from the measurements ``m``."""
    rows = sorted(m["rows"], key=lambda r: r["batch_size"])
    if len(rows) < 2:
        raise ConfigError("sizes", [r["batch_size"] for r in rows], "must give at least two batch sizes below N")
    small, large = rows[0], rows[-1]
    claims = [_steps_claim(rows), _noise_claim(small, large), _speed_claim(small, large),
              _memory_claim(small, large), _equal_epochs_claim(m, small, large),
              _equal_steps_claim(m, small, large), _gap_claim("batch.gap", small["equal_epochs"],
                                                              large["equal_epochs"], small, large)]
    if m.get("linear_scaling") and large.get("scaled"):
        claims.append(_scaling_claim(small, large))
        claims.append(_gap_claim("batch.gap_scaled", small["scaled"], large["scaled"], small, large))
    return claims


def _steps_claim(rows: list[dict[str, Any]]) -> Claim:
    mismatches = sum(1 for r in rows if r["steps_per_epoch"] != r["expected_steps_per_epoch"]
                     or (r["equal_epochs"].get("status") == "completed"
                         and r["steps_recorded"] != r["epochs_run"] * r["expected_steps_per_epoch"]))
    items = [{"n": r["n_train"], "b": r["batch_size"], "s": r["expected_steps_per_epoch"],
              "measured": r["steps_per_epoch"]} for r in rows]
    return Claim("batch.steps", verdict(mismatches, 0, 1), {"items": items, "mismatches": mismatches}, {})


def _noise_claim(small: dict[str, Any], large: dict[str, Any]) -> Claim:
    rule = {"confirm": NOISE_RATIO, "contradict": 1.0}
    if small["noise_relative"] is None or large["noise_relative"] is None:
        return not_measured("batch.noise", "few_steps", rule)
    relative = ratio(small["noise_relative"], max(large["noise_relative"], 1e-9))
    absolute = ratio(small["noise_absolute"], max(large["noise_absolute"], 1e-9))
    value = min(relative, absolute)  # the levels differ: neither ratio alone is the batch's doing
    return Claim("batch.noise", verdict(value, NOISE_RATIO, 1.0),
                 {"small": small["batch_size"], "large": large["batch_size"], "ratio": rounded(value, 4),
                  "ratio_relative": rounded(relative, 4), "ratio_absolute": rounded(absolute, 4),
                  "noise_small": small["noise_relative"], "noise_large": large["noise_relative"],
                  "abs_small": small["noise_absolute"], "abs_large": large["noise_absolute"],
                  "loss_small": small["noise_mean_loss"], "loss_large": large["noise_mean_loss"]}, rule)


def _speed_claim(small: dict[str, Any], large: dict[str, Any]) -> Claim:
    rule = {"confirm": SPEED_RATIO, "contradict": 1.0}
    value = ratio(large["samples_per_second"], small["samples_per_second"])
    if value is None:
        return not_measured("batch.speed", "no_epoch", rule)
    return Claim("batch.speed", verdict(value, SPEED_RATIO, 1.0),
                 {"small": small["batch_size"], "large": large["batch_size"], "ratio": rounded(value, 4),
                  "sps_small": small["samples_per_second"], "sps_large": large["samples_per_second"],
                  "sec_small": small["seconds_per_epoch"], "sec_large": large["seconds_per_epoch"]}, rule)


def _memory_claim(small: dict[str, Any], large: dict[str, Any]) -> Claim:
    rule = {"confirm": MEMORY_RATIO, "contradict": 1.0}
    value = ratio(large["peak_memory_bytes"], small["peak_memory_bytes"])
    if value is None:
        return not_measured("batch.memory", "no_memory", rule)
    return Claim("batch.memory", verdict(value, MEMORY_RATIO, 1.0),
                 {"small": small["batch_size"], "large": large["batch_size"], "ratio": rounded(value, 4),
                  "kib_small": round(small["peak_memory_bytes"] / 1024, 1),
                  "kib_large": round(large["peak_memory_bytes"] / 1024, 1)}, rule)


def _difference_claim(key: str, better: float | None, worse: float | None, values: dict[str, Any],
                      reason: str) -> Claim:
    rule = {"margin": METRIC_MARGIN}
    if better is None or worse is None:
        return not_measured(key, reason, rule)
    diff = better - worse
    return Claim(key, verdict(diff, METRIC_MARGIN, -METRIC_MARGIN), {**values, "diff": rounded(diff, 4)}, rule)


def _equal_epochs_claim(m: dict[str, Any], small: dict[str, Any], large: dict[str, Any]) -> Claim:
    a, b = small["equal_epochs"].get("val_metric"), large["equal_epochs"].get("val_metric")
    return _difference_claim("batch.equal_epochs", a, b,
                             {"small": small["batch_size"], "large": large["batch_size"], "epochs": m["epochs"],
                              "metric": m["metric"], "m_small": a, "m_large": b,
                              "steps_small": small["expected_steps_per_epoch"] * m["epochs"],
                              "steps_large": large["expected_steps_per_epoch"] * m["epochs"]},
                             "incomplete")


def _equal_steps_claim(m: dict[str, Any], small: dict[str, Any], large: dict[str, Any]) -> Claim:
    a, b = large["equal_steps"]["val_metric"], small["equal_steps"]["val_metric"]
    return _difference_claim("batch.equal_steps", a, b,
                             {"small": small["batch_size"], "large": large["batch_size"], "steps": m["equal_steps"],
                              "metric": m["metric"], "m_small": b, "m_large": a,
                              "seen_small": small["equal_steps"]["samples_seen"],
                              "seen_large": large["equal_steps"]["samples_seen"]},
                             "before_budget")


def _gap_claim(key: str, run_small: dict[str, Any], run_large: dict[str, Any], small: dict[str, Any],
               large: dict[str, Any]) -> Claim:
    rule = {"margin": METRIC_MARGIN, "fit": COMPARABLE_FIT}
    if run_small.get("gap") is None or run_large.get("gap") is None:
        return not_measured(key, "incomplete", rule)
    values = {"small": small["batch_size"], "large": large["batch_size"],
              "gap_small": rounded(run_small["gap"], 4), "gap_large": rounded(run_large["gap"], 4),
              "train_small": run_small["train_metric"], "train_large": run_large["train_metric"],
              "lr_small": run_small["lr"], "lr_large": run_large["lr"]}
    fit_diff = abs(run_small["train_metric"] - run_large["train_metric"])
    if fit_diff > COMPARABLE_FIT:
        return Claim(key, "not_observed", {**values, "fit_diff": rounded(fit_diff, 4)}, rule,
                     evidence_key="batch.gap.unfit")
    diff = run_large["gap"] - run_small["gap"]
    return Claim(key, verdict(diff, METRIC_MARGIN, -METRIC_MARGIN), {**values, "diff": rounded(diff, 4)}, rule)


def _scaling_claim(small: dict[str, Any], large: dict[str, Any]) -> Claim:
    base, scaled = large["equal_epochs"], large["scaled"]
    rule = {"margin": METRIC_MARGIN}
    values = {"large": large["batch_size"], "lr_base": base["lr"], "lr_scaled": rounded(scaled["lr"], 4),
              "m_base": base.get("val_metric"), "m_scaled": scaled.get("val_metric")}
    if scaled.get("diverged_step") is not None:
        return Claim("batch.scaling", "contradicted", {**values, "step": scaled["diverged_step"]}, rule,
                     evidence_key="batch.scaling.diverged")
    return _difference_claim("batch.scaling", scaled.get("val_metric"), base.get("val_metric"), values,
                             "incomplete")


def settings_dict(s: Settings) -> dict[str, Any]:
    """The settings as plain JSON values."""
    return {**asdict(s), "sizes": list(s.sizes)}


# ---- report pieces -------------------------------------------------------------------------------

def intro_values(m: dict[str, Any], lang: str) -> dict[str, Any]:
    """The numbers the lesson's introduction text is filled with."""
    from hyperlab.i18n import t

    scaling = (t("batch.scaling_note", lang, epochs=m["epochs"], base=m["base_batch"]) if m["linear_scaling"]
               else "")
    return {"epochs": m["epochs"], "lr": m["lr"], "optimizer": m["optimizer"], "steps": m["equal_steps"],
            "scaling": scaling}


def tables(m: dict[str, Any], lang: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """(heading, rows) tables for the report, with column names in ``lang``."""
    from hyperlab.i18n import t

    metric = t(m["metric"], lang)
    rows = []
    for r in m["rows"]:
        e, st, sc = r["equal_epochs"], r["equal_steps"], r["scaled"] or {}
        row = {t("batch_size", lang): r["batch_size"],
               t("steps_per_epoch", lang): t("steps_arith", lang, n=r["n_train"], b=r["batch_size"],
                                             s=r["steps_per_epoch"]),
               t("col.noise", lang): r["noise_relative"], t("col.sec_epoch", lang): r["seconds_per_epoch"],
               t("col.samples_s", lang): r["samples_per_second"],
               t("col.memory_kib", lang): None if r["peak_memory_bytes"] is None
               else round(r["peak_memory_bytes"] / 1024, 1),
               t("col.val_epochs", lang, epochs=m["epochs"], metric=metric): e.get("val_metric"),
               t("col.val_steps", lang, steps=m["equal_steps"], metric=metric): st["val_metric"],
               t("col.gap", lang): e.get("gap"), t("status", lang): t(e.get("status", "failed"), lang)}
        if m["linear_scaling"]:
            row[t("col.scaled_lr", lang)] = sc.get("lr")
            row[t("col.val_scaled", lang, metric=metric)] = sc.get("val_metric")
            row[t("col.gap_scaled", lang)] = sc.get("gap")
        rows.append(row)
    return [(t("batch.table", lang), rows)]

