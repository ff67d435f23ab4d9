"""Several runs side by side: the table ``hyperlab train`` prints for comma lists, and
``Comparison``, the list ``train_many`` returns, which shows that table and the overlaid curves
in a notebook."""

from __future__ import annotations

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
    cohorts = sorted({r.hparams.batch_size for r in results if trained_together(r.history)})  # one per batch size
    title = (t("cmp.title_cohorts", lang, n=len(results), k=len(cohorts), sizes=", ".join(map(str, cohorts)))
             if len(cohorts) > 1 else t("cmp.title" if stacked else "cmp.title_sequential", lang, n=len(results)))
    return data_table(headers, rows, title=title,
                      justify=["left"] * 3 + ["right"] * 4,
                      row_styles=["bold" if i == best else None for i in range(len(rows))],
                      column_notes={6: t("cmp.seconds_shared", lang)} if stacked else None,
                      fold=[0],  # long run names, once seconds and best epoch are left out
                      optional=[6, 5], left_out=t("cmp.columns_left_out", lang))


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
        return table.title or "", [Section(t("view.summary", lang), paragraphs=paragraphs, table=rows),
                                   Section(t("view.curves", lang), images=[png_bytes(self.plot(lang))])], ""
