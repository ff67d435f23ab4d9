"""Several runs side by side: the table ``hyperlab train`` prints for comma lists, and
``Comparison``, the list ``train_many`` returns, which shows that table and the overlaid curves
in a notebook."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from hyperlab.i18n import t
from hyperlab.views import texts  # noqa: F401 - registers the comparison texts
from hyperlab.views.display import Displayable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from hyperlab.engine.trainer import RunResult
    from hyperlab.views.tables import DataTable


def best_member(results: list[RunResult]) -> int | None:
    """The member with the highest final validation metric (ties: lower validation loss)."""
    scored = [(i, r.summary()) for i, r in enumerate(results) if r.summary()["final_val_metric"] is not None]
    if not scored:
        return None
    return max(scored, key=lambda item: (item[1]["final_val_metric"], -(item[1]["final_val_loss"] or 0.0)))[0]


def comparison_table(results: list[RunResult], names: list[str], lang: str) -> DataTable:
    """One row per member (named by its settings) and what it measured; the best one in bold. Members
    trained together share one wall clock, so their seconds are the cohort's, as the caption says."""
    from hyperlab.members import trained_together
    from hyperlab.views.tables import data_table

    metric = t(results[0].history.metric, lang)
    stacked = any(trained_together(r.history) for r in results)
    headers = [t("cmp.run", lang), t("epochs", lang), t("status", lang), f"{t('val', lang)} {metric}",
               f"{t('val', lang)} {t('loss', lang)}", t("best_epoch", lang), t("seconds", lang)]
    best = best_member(results)
    rows = []
    for name, r in zip(names, results, strict=True):
        s = r.summary()
        status = t(s["status"], lang)
        if s["diverged"]:
            status += f" ({t('step', lang)} {s['diverged']['step']})"
        rows.append([name, f"{s['epochs_run']}/{r.hparams.epochs}", status,
                     "–" if s["final_val_metric"] is None else f"{s['final_val_metric']:.4f}",
                     "–" if s["final_val_loss"] is None else f"{s['final_val_loss']:.4f}",
                     str(s["best_epoch"] or "–"), f"{s['seconds']:.2f}"])
    together = [r for r in results if trained_together(r.history)]
    cohorts = sorted({r.hparams.batch_size for r in together})  # one per batch size
    chunks = [r.history.peak_memory["memory_limit_chunk"] for r in results
              if "memory_limit_chunk" in r.history.peak_memory]
    if chunks:  # a memory limit split a cohort
        title = t("cmp.title_chunks", lang, n=len(results), k=max(chunks))
    elif len(cohorts) > 1:
        title = t("cmp.title_cohorts", lang, n=len(results), k=len(cohorts), sizes=", ".join(map(str, cohorts)))
    else:
        title = t("cmp.title" if stacked else "cmp.title_sequential", lang, n=len(results))
    return data_table(headers, rows, title=title,
                      justify=["left"] * 3 + ["right"] * 4,
                      row_styles=["bold" if i == best else None for i in range(len(rows))],
                      column_notes={6: t("cmp.seconds_shared", lang)} if stacked else None,
                      fold=[0],  # long run names, once seconds and best epoch are left out
                      optional=[6, 5], left_out=t("cmp.columns_left_out", lang))


def settings_over_seeds(results: list[RunResult], groups: list[str]) -> list[dict[str, Any]]:
    """One row per setting trained on several seeds (``groups``: each member's setting, as
    ``seed_groups`` names it), best first: the seeds, how many ended without a validation score
    (diverged), and the mean, lowest and highest final validation metric and the mean loss of the
    others. A setting with a seed that failed ranks below those whose every seed finished."""
    rows: dict[str, dict[str, Any]] = {}
    for group, r in zip(groups, results, strict=True):
        row = rows.setdefault(group, {"setting": group, "seeds": 0, "failed": 0, "metrics": [], "losses": []})
        summary = r.summary()
        row["seeds"] += 1
        if summary["final_val_metric"] is None:
            row["failed"] += 1
        else:
            row["metrics"].append(summary["final_val_metric"])
            row["losses"].append(summary["final_val_loss"])
    out = []
    for row in rows.values():
        metrics, losses = row.pop("metrics"), [x for x in row.pop("losses") if x is not None]
        row.update(mean=sum(metrics) / len(metrics) if metrics else None, lowest=min(metrics, default=None),
                   highest=max(metrics, default=None), mean_loss=sum(losses) / len(losses) if losses else None)
        out.append(row)
    return sorted(out, key=lambda r: (r["failed"] > 0, -(r["mean"] if r["mean"] is not None else -math.inf),
                                      r["mean_loss"] if r["mean_loss"] is not None else math.inf))


def settings_table(rows: list[dict[str, Any]], metric: str, lang: str) -> DataTable:
    """``settings_over_seeds`` as a table, the best setting in bold."""
    from hyperlab.views.tables import data_table

    name = t(metric, lang)
    headers = [t("cmp.setting", lang), t("cmp.seeds", lang), f"{t('cmp.mean', lang)} {t('val', lang)} {name}",
               t("cmp.seed_range", lang), f"{t('cmp.mean', lang)} {t('val', lang)} {t('loss', lang)}",
               t("diverged", lang)]
    cells = [[r["setting"], str(r["seeds"]), _number(r["mean"]),
              "–" if r["lowest"] is None else f"{r['lowest']:.4f} – {r['highest']:.4f}", _number(r["mean_loss"]),
              str(r["failed"]) if r["failed"] else ""] for r in rows]
    return data_table(headers, cells, title=t("cmp.settings_title", lang, n=len(rows)),
                      justify=["left"] + ["right"] * 5, row_styles=["bold"] + [None] * (len(rows) - 1), fold=[0])


def best_setting_line(rows: list[dict[str, Any]], metric: str, lang: str) -> str | None:
    """"best setting on mean over its seeds: adam-b32-lr0.01 (validation accuracy 0.9722, 0.9583 to
    0.9861)", or None when no setting has a validation score."""
    best = rows[0] if rows and rows[0]["mean"] is not None else None
    if best is None:
        return None
    return t("cmp.best_setting", lang, name=best["setting"], seeds=best["seeds"], metric=t(metric, lang),
             value=best["mean"], lo=best["lowest"], hi=best["highest"])


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.4f}"


def best_line(results: list[RunResult], names: list[str], lang: str) -> str | None:
    """"best: adam-b32-lr0.01 (validation accuracy 0.9722)", or None when no member was validated."""
    best = best_member(results)
    if best is None:
        return None
    return t("cmp.best", lang, name=names[best], metric=t(results[best].history.metric, lang),
             value=results[best].summary()["final_val_metric"])


class Comparison(list, Displayable):
    """The runs of ``train_many``, one ``RunResult`` per member in order (an ordinary list), that
    shows itself in a notebook as ``hyperlab train`` shows comma lists: the comparison table, the
    best member and every member's validation curves on one pair of axes."""

    def __init__(self, results: Iterable[RunResult] = (), *, lang: str = "en") -> None:
        super().__init__(results)
        self.lang = lang

    @property
    def names(self) -> list[str]:
        """Each member's name from its settings, as its run directory is named (``adam-b32-lr0.01``)."""
        from hyperlab.records.members import member_names

        return member_names([r.hparams for r in self])

    def best(self) -> RunResult | None:
        """The member with the highest final validation metric (ties: lower loss); None without validation."""
        index = best_member(list(self))
        return None if index is None else self[index]

    def plot(self, lang: str | None = None) -> Figure:
        """Every member's validation loss and metric per epoch on one pair of axes, as a matplotlib Figure."""
        from hyperlab.records.members import seed_groups
        from hyperlab.views.plots import overlaid_curves_figure

        return overlaid_curves_figure({name: r.history for name, r in zip(self.names, self)}, lang=lang or self.lang,
                                      groups=seed_groups([r.hparams for r in self]))

    def display_sections(self, lang: str) -> tuple[str, list[Any], str]:
        from hyperlab.views.plots import png_bytes
        from hyperlab.views.report import Section

        results, names = list(self), self.names
        table = comparison_table(results, names, lang)
        rows = [dict(zip(table.headers, row, strict=True)) for row in table.rows]
        paragraphs = [line for line in (best_line(results, names, lang), table.caption, *table.column_notes.values())
                      if line]
        sections = [Section(t("view.summary", lang), paragraphs=paragraphs, table=rows)]
        over_seeds = self.over_seeds()
        if over_seeds is not None:
            metric = results[0].history.metric
            settings = settings_table(over_seeds, metric, lang)
            best = best_setting_line(over_seeds, metric, lang)
            sections.append(Section(settings.title or "", paragraphs=[best] if best else [],
                                    table=[dict(zip(settings.headers, row, strict=True)) for row in settings.rows]))
        sections.append(Section(t("view.curves", lang), images=[png_bytes(self.plot(lang))]))
        return table.title or "", sections, ""

    def over_seeds(self) -> list[dict[str, Any]] | None:
        """With settings trained on several seeds: one row per setting, best first (``settings_over_seeds``:
        seeds, diverged, mean / lowest / highest final validation metric, mean loss); else None."""
        from hyperlab.records.members import seed_groups

        groups = seed_groups([r.hparams for r in self])
        return None if groups is None else settings_over_seeds(list(self), groups)
