"""Lesson: what the number of epochs does — underfitting, overfitting, and early stopping.

A set-up that really overfits (a small seeded subset of the training split, a wide MLP, no
regularisation) is trained for many epochs with the training split evaluated after every epoch
(``eval_train=True``, so train and validation numbers are measured the same way). Then the same
run with early stopping (``HParams(early_stopping=True, restore_best=True)``): where it stopped,
and what restoring the best weights gave on the validation and test splits.

The best epoch is the validation-loss minimum.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from torch import nn

from hyperlab.data import Data
from hyperlab.engine import evaluate
from hyperlab.engine.trainer import loss_for
from hyperlab.hparams import HParams
from hyperlab.errors import check_int
from hyperlab.lessons.base import (Claim, LessonContext, RunOutcome, RunSpec, not_measured, rounded,
                                   settings_for, verdict)
from hyperlab.lessons import texts  # noqa: F401 - registers the lesson texts

NAME = "epochs"
UNDERFIT_MARGIN = 0.05  # best val metric at least this much above epoch 1: too few epochs underfit
OVERFIT_RISE = 0.10  # final val loss >= (1 + this) x its minimum: overfitting
NO_RISE = 0.02  # final val loss within this fraction of its minimum: no overfitting
GAP_GROWTH = 0.10  # the val-train loss gap grew by >= this fraction of the minimum val loss
RESTORE_TOLERANCE = 1.02  # restored val loss above this x the full run's final: contradicted


@dataclass(frozen=True)
class Settings:
    """What the lesson trains; every field can be overridden by name (validated)."""
    train_size: int = 150  # samples kept from the training split (small, so the model can memorise them)
    width: int = 512  # hidden units of the built-in mlp only (a --width given by the user wins)
    epochs: int = 100
    batch_size: int = 16
    lr: float = 1e-3
    optimizer: str = "adam"
    patience: int = 10

    def __post_init__(self) -> None:
        check_int("train_size", self.train_size, 2)
        check_int("width", self.width, 1)
        check_int("epochs", self.epochs, 2)
        HParams(batch_size=self.batch_size, lr=self.lr, optimizer=self.optimizer, patience=self.patience)


PRESETS: dict[str, dict[str, Any]] = {
    "tiny": {"train_size": 60, "width": 64, "epochs": 25, "patience": 3},
    "quick": {},
    "full": {"train_size": 200, "epochs": 300, "patience": 20},
}


def settings(budget: str = "quick", **overrides: Any) -> Settings:
    """The settings for a budget (tiny, quick, full) with overrides checked by name."""
    return settings_for(Settings, PRESETS, budget, NAME, overrides)


def plan(ctx: LessonContext, s: Settings) -> list[RunSpec]:
    """The runs of this lesson, in order (the progress bar counts their planned steps)."""
    n = min(s.train_size, ctx.data.n_train)
    hp = HParams(batch_size=min(s.batch_size, n), lr=s.lr, epochs=s.epochs, optimizer=s.optimizer,
                 seed=ctx.seed)
    early = hp.replace(early_stopping=True, patience=s.patience, restore_best=True)
    width = s.width if ctx.model == "mlp" else None  # "wide" is for the built-in MLP (cnn width = channels)
    return [RunSpec("long", hp, train_size=n, width=width, eval_train=True),
            RunSpec("early_stopping", early, train_size=n, width=width, eval_train=True)]


def _evaluate(model: nn.Module, data: Data, split: str) -> dict[str, float | None]:
    dataset = getattr(data, split)
    device = next(model.parameters()).device
    loss, metric = evaluate(model, dataset, data.task, loss_for(data.task), device)
    return {"loss": loss, "metric": metric}


def measure(ctx: LessonContext, s: Settings, outcomes: dict[str, RunOutcome]) -> dict[str, Any]:
    """Every number of the lesson from its finished runs (JSON-safe)."""
    long, early = outcomes["long"], outcomes["early_stopping"]
    h = long.history
    curves = {name: h.column(name) for name in ("train_loss", "val_loss", "train_metric", "val_metric")}
    m: dict[str, Any] = {"metric": h.metric, "train_size": long.spec.train_size, "epochs": s.epochs,
                         "status": h.status, "curves": curves, "diverged": h.diverged}
    m.update(curve_summary(curves))
    eh = early.history
    m["early"] = {"status": eh.status, "stopped_epoch": eh.stopped_epoch, "epochs_run": len(eh.epochs),
                  "best_epoch": eh.best_epoch, "restored_epoch": early.result.restored_epoch,
                  "patience": s.patience, "seconds": rounded(eh.seconds), "long_seconds": rounded(h.seconds),
                  "val": _evaluate(early.result.model, ctx.data, "val"),
                  "test": _evaluate(early.result.model, ctx.data, "test") if ctx.data.test is not None else None}
    m["long_final"] = {"val": _evaluate(long.result.model, ctx.data, "val"),
                       "test": _evaluate(long.result.model, ctx.data, "test") if ctx.data.test is not None else None}
    return m


def curve_summary(curves: dict[str, list[float | None]]) -> dict[str, Any]:
    """Best epoch (validation-loss minimum), losses and gaps there and at the end (pure)."""
    val_loss = curves["val_loss"]
    scored = [(i, v) for i, v in enumerate(val_loss) if v is not None]
    if not scored:
        return {"best_epoch": None}
    best_i, min_val = min(scored, key=lambda iv: iv[1])
    last = len(val_loss) - 1

    def at(name: str, i: int) -> float | None:
        return curves[name][i]

    def gap_loss(i: int) -> float | None:
        v, tr = at("val_loss", i), at("train_loss", i)
        return None if v is None or tr is None else v - tr

    def gap_metric(i: int) -> float | None:
        v, tr = at("val_metric", i), at("train_metric", i)
        return None if v is None or tr is None else tr - v

    metrics = [v for v in curves["val_metric"] if v is not None]
    return {"best_epoch": best_i + 1, "min_val_loss": min_val, "final_val_loss": at("val_loss", last),
            "train_loss_at_best": at("train_loss", best_i), "final_train_loss": at("train_loss", last),
            "val_metric_epoch1": at("val_metric", 0), "best_val_metric": max(metrics) if metrics else None,
            "val_metric_at_best": at("val_metric", best_i), "final_val_metric": at("val_metric", last),
            "gap_loss_at_best": gap_loss(best_i), "gap_loss_final": gap_loss(last),
            "gap_metric_at_best": gap_metric(best_i), "gap_metric_final": gap_metric(last),
            "final_train_metric": at("train_metric", last)}


# ---- judging (pure) ----------------------------------------------------------------------------

def judge(m: dict[str, Any]) -> list[Claim]:
    """The claims with verdicts computed from the measurements ``m`` alone (pure)."""
    return [_underfit_claim(m), _overfit_claim(m), _gap_claim(m), _early_claim(m)]


def _underfit_claim(m: dict[str, Any]) -> Claim:
    rule = {"margin": UNDERFIT_MARGIN}
    if m.get("best_val_metric") is None or m.get("val_metric_epoch1") is None:
        return not_measured("epochs.underfit", "no_validation", rule)
    diff = m["best_val_metric"] - m["val_metric_epoch1"]
    return Claim("epochs.underfit", verdict(diff, UNDERFIT_MARGIN, 0.0),
                 {"first": m["val_metric_epoch1"], "best": m["best_val_metric"], "metric": m["metric"],
                  "diff": rounded(diff, 4)}, rule)


def _overfit_claim(m: dict[str, Any]) -> Claim:
    rule = {"rise": OVERFIT_RISE, "none": NO_RISE}
    if m.get("best_epoch") is None or m.get("final_val_loss") is None:
        return not_measured("epochs.overfit", "incomplete", rule)
    if m["min_val_loss"] <= 0:  # fitted to the last digit (a tiny validation set): no rise relative to 0
        return not_measured("epochs.overfit", "zero_loss", rule)
    rise = m["final_val_loss"] / m["min_val_loss"] - 1.0
    train_fell = m["final_train_loss"] < m["train_loss_at_best"]
    result = verdict(rise, OVERFIT_RISE, NO_RISE)
    if result == "confirmed" and not train_fell:
        result = "not_observed"
    return Claim("epochs.overfit", result,
                 {"best_epoch": m["best_epoch"], "epochs": len(m["curves"]["val_loss"]), "min_val": m["min_val_loss"],
                  "final_val": m["final_val_loss"], "rise": rounded(rise, 4), "train_best": m["train_loss_at_best"],
                  "train_final": m["final_train_loss"]}, rule)


def _gap_claim(m: dict[str, Any]) -> Claim:
    rule = {"growth": GAP_GROWTH}
    if m.get("gap_loss_final") is None or m.get("gap_loss_at_best") is None:
        return not_measured("epochs.gap", "no_train_eval", rule)
    if m["min_val_loss"] <= 0:
        return not_measured("epochs.gap", "zero_loss", rule)
    growth = (m["gap_loss_final"] - m["gap_loss_at_best"]) / m["min_val_loss"]
    return Claim("epochs.gap", verdict(growth, GAP_GROWTH, 0.0),
                 {"best_epoch": m["best_epoch"], "gap_best": m["gap_loss_at_best"], "gap_final": m["gap_loss_final"],
                  "growth": rounded(growth, 4), "mgap_best": m["gap_metric_at_best"],
                  "mgap_final": m["gap_metric_final"]}, rule)


def _early_claim(m: dict[str, Any]) -> Claim:
    e, long = m["early"], m["long_final"]
    rule = {"tolerance": RESTORE_TOLERANCE}
    values = {"stopped": e["stopped_epoch"], "epochs": m["epochs"], "best": e["best_epoch"],
              "restored": e["restored_epoch"], "patience": e["patience"],
              "val_restored": e["val"]["loss"], "val_long": long["val"]["loss"],
              "metric": m["metric"], "m_restored": e["val"]["metric"], "m_long": long["val"]["metric"],
              "test_restored": e["test"]["metric"] if e["test"] else None,
              "test_long": long["test"]["metric"] if long["test"] else None}
    if e["status"] != "stopped_early":
        return Claim("epochs.early_stopping", "not_observed", {**values, "status": e["status"]}, rule,
                     evidence_key="epochs.early_stopping.ran_all", labels={"status": ""})
    if values["val_restored"] is None or values["val_long"] is None:
        return not_measured("epochs.early_stopping", "no_validation", rule)
    if values["val_long"] <= 0:
        return not_measured("epochs.early_stopping", "zero_loss", rule)
    ratio_ = values["val_restored"] / values["val_long"]
    return Claim("epochs.early_stopping", verdict(ratio_, 1.0, RESTORE_TOLERANCE),
                 {**values, "ratio": rounded(ratio_, 4), "saved": m["epochs"] - e["epochs_run"],
                  "against": metric_against_loss(values)}, rule,
                 evidence_key="epochs.early_stopping.evidence" if values["test_long"] is not None
                 else "epochs.early_stopping.no_test", labels={"against": "epochs.early_stopping.against."})


def metric_against_loss(values: dict[str, Any]) -> str:
    """Where the metric went the other way from the validation loss (restored vs all epochs):
    'none', or '<lower|higher>_<val|test|both>' (lower: the restored weights had the lower or equal
    val loss yet scored lower; higher: a higher val loss yet scored higher). Pure."""
    better_loss = values["val_restored"] <= values["val_long"]
    splits = [name for name, restored, long in (("val", values["m_restored"], values["m_long"]),
                                                ("test", values["test_restored"], values["test_long"]))
              if restored is not None and long is not None
              and (restored < long if better_loss else restored > long)]
    if not splits:
        return "none"
    return f"{'lower' if better_loss else 'higher'}_{'both' if len(splits) == 2 else splits[0]}"


def settings_dict(s: Settings) -> dict[str, Any]:
    """The settings as plain JSON values."""
    return asdict(s)


# ---- report pieces -------------------------------------------------------------------------------

def intro_values(m: dict[str, Any], lang: str) -> dict[str, Any]:
    """The numbers the lesson's introduction text is filled with."""
    s = m["settings"]
    return {"train_size": m["train_size"], "epochs": m["epochs"], "optimizer": s["optimizer"], "lr": s["lr"],
            "batch": s["batch_size"], "patience": s["patience"]}


def tables(m: dict[str, Any], lang: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """(heading, rows) tables for the report, with column names in ``lang``."""
    from hyperlab.i18n import t

    e, long = m["early"], m["long_final"]
    metric = t(m["metric"], lang)
    col_long, col_early = t("col.all_epochs", lang, epochs=m["epochs"]), t("col.early", lang)
    rows = [
        {"": t("epochs", lang), col_long: len(m["curves"]["val_loss"]), col_early: e["epochs_run"]},
        {"": t("best_epoch", lang), col_long: m.get("best_epoch"), col_early: e["best_epoch"]},
        {"": t("col.model_epoch", lang), col_long: len(m["curves"]["val_loss"]), col_early: e["restored_epoch"]},
        {"": f"{t('val', lang)} {t('loss', lang)}", col_long: long["val"]["loss"], col_early: e["val"]["loss"]},
        {"": f"{t('val', lang)} {metric}", col_long: long["val"]["metric"], col_early: e["val"]["metric"]},
        {"": f"{t('col.test', lang)} {metric}", col_long: (long["test"] or {}).get("metric"),
         col_early: (e["test"] or {}).get("metric")},
        {"": t("col.gap_loss", lang), col_long: m.get("gap_loss_final"), col_early: None},
        {"": t("seconds", lang), col_long: e["long_seconds"], col_early: e["seconds"]},
    ]
    return [(t("epochs.table", lang), rows)]
