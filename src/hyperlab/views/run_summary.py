"""One run's headline numbers as (label, value) rows: the CLI's closing table and a run's notebook display."""

from __future__ import annotations

from typing import Any

from hyperlab.engine.history import History
from hyperlab.hparams import HParams
from hyperlab.i18n import steps_arithmetic, t
from hyperlab.views import texts  # noqa: F401 - registers the row texts


def summary_rows(s: dict[str, Any], history: History, hp: HParams, lang: str) -> list[tuple[str, str]]:
    """The four knobs and what the run measured (``s``: ``RunResult.summary()``)."""
    rows = [
        (t("batch_size", lang), str(hp.batch_size)), (t("lr", lang), f"{hp.lr:g}"),
        (t("epochs", lang), f"{s['epochs_run']}/{hp.epochs}"), (t("optimizer", lang), hp.optimizer),
        *scale_rows(hp, lang),
        (t("steps_per_epoch", lang), steps_arithmetic(s["n_train"], hp.batch_size, s["steps_per_epoch"], lang,
                                                      accumulate=hp.accumulate, world_size=history.world_size)),
        (t("status", lang), t(s["status"], lang)),
    ]
    metric = t(history.metric, lang)
    if s["final_val_metric"] is not None:
        rows.append((f"{t('val', lang)} {metric}", f"{s['final_val_metric']:.4f}"))
        rows.append((f"{t('val', lang)} {t('loss', lang)}", f"{s['final_val_loss']:.4f}"))
    if s["best_epoch"]:
        rows.append((t("best_epoch", lang), str(s["best_epoch"])))
    if s["diverged"]:
        d = s["diverged"]
        rows.append((t("diverged", lang), t("diverged_at", lang, step=d["step"], epoch=d["epoch"],
                                               reason=t(d["reason"], lang))))
    if s["restored_epoch"]:
        rows.append(("", t("restored", lang, epoch=s["restored_epoch"])))
    if s["peak_memory_bytes"]:
        rows.append((t("peak_memory", lang), f"{s['peak_memory_bytes'] / 1024:.0f} KiB"))
    rows.append((t("seconds", lang), f"{s['seconds']:.2f}"))
    return rows


def scale_rows(hp: HParams, lang: str) -> list[tuple[str, str]]:
    """Precision, gradient clipping, accumulation and compiling, each only when it is not the
    default (so a bf16 run with clipping never looks like a plain fp32 one)."""
    rows = []
    if hp.precision != "fp32":
        rows.append((t("sum.precision", lang), hp.precision))
    if hp.clip_grad_norm is not None:
        rows.append((t("sum.clip", lang), t("sum.clip_value", lang, value=f"{hp.clip_grad_norm:g}")))
    if hp.accumulate != 1:
        rows.append((t("sum.accumulate", lang), t("sum.accumulate_value", lang, n=hp.accumulate)))
    if hp.compile:
        rows.append(("torch.compile", t("sum.on", lang)))
    return rows
