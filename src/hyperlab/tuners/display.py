"""How tuner results show themselves in a notebook: their explanation (the rules and the
suggestion, in the display's language), their plot, and a short plain-text repr.

Each result class inherits ``TunerDisplay``; the sections are the ones the advice report uses.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

from hyperlab.errors import check_choice
from hyperlab.i18n import t
from hyperlab.tuners import texts  # noqa: F401 - registers the tuner texts
from hyperlab.views import texts as view_texts  # noqa: F401 - registers the view texts
from hyperlab.views.display import Displayable
from hyperlab.views.report import Section

if TYPE_CHECKING:
    from matplotlib.figure import Figure, SubFigure


MODULES = {"LRFindResult": "lr_find", "LRSweepResult": "lr_sweep", "BatchFindResult": "batch_find", "NoiseScaleResult": "noise_scale",
           "OptimizerCheckResult": "optimizer_check", "EpochAdvice": "epochs"}
FIGURES = {"LRFindResult": "lr_find_figure", "LRSweepResult": "lr_sweep_figure", "BatchFindResult": "batch_find_figure",
           "NoiseScaleResult": "noise_scale_figure", "OptimizerCheckResult": "optimizers_figure",
           "EpochAdvice": "epochs_figure"}
REPR_FIELDS = {"LRFindResult": ("suggested_lr", "recommended_rule"), "LRSweepResult": ("suggested_lr", "criterion"), "BatchFindResult": ("suggested_batch_size", "binding"),
               "NoiseScaleResult": ("b_simple",), "OptimizerCheckResult": ("suggested_optimizer", "suggested_lr"),
               "EpochAdvice": ("suggested_epochs", "verdict")}


def _kind(result: Any) -> str:
    return type(result).__name__


def _module(result: Any) -> ModuleType:
    """The tuner module of a result (``hyperlab.tuners.lr_find`` and so on; the package's names are functions)."""
    return importlib.import_module(f"hyperlab.tuners.{MODULES[_kind(result)]}")


def figure(result: Any, lang: str, into: SubFigure | None = None) -> Figure:
    """The result's plot as a Figure (the one its ``out=`` file holds); ``into``: a part of a
    combined figure to draw into (the learning-rate and epoch builders take one)."""
    builder = getattr(_module(result), FIGURES[_kind(result)])
    return builder(result, lang=lang) if into is None else builder(result, lang=lang, into=into)


ADVICE_FIGURES = ("stages", "batch_size", "lr", "optimizer", "epochs")


def advice_figure(advice: Any, which: str, lang: str) -> Figure:
    """An advice's figure: ``stages`` stacks the evidence of its chosen learning rate (the sweep's
    or range test's curve for the winning optimizer) above its epoch curve; a stage's name gives
    that stage's own figure (the one its report shows)."""
    from hyperlab.views.plots import stacked

    check_choice("which", which, ADVICE_FIGURES)
    chosen_lr = advice.lr_search
    parts = {"batch_size": advice.batch, "lr": chosen_lr, "optimizer": advice.optimizers, "epochs": advice.epochs}
    if which != "stages":
        return figure(parts[which], lang)
    return stacked([lambda part: figure(chosen_lr, lang, into=part),
                    lambda part: figure(advice.epochs, lang, into=part)], title=t("adv.title", lang))


def explanation(result: Any, lang: str) -> list[str]:
    """The result's sentences in ``lang`` (computed again from the numbers when ``lang`` differs)."""
    if lang == result.lang and result.explanation:
        return list(result.explanation)
    if _kind(result) == "BatchFindResult":
        return _module(result).explain(result, result.plateau_tolerance, lang)
    return _module(result).explain(result, lang)


def suggestion(result: Any, lang: str) -> dict[str, Any]:
    """The one-line answer: {knob: value}."""
    kind = _kind(result)
    if kind == "LRFindResult":
        return {t("lr", lang): f"{result.suggested_lr:.3g}", t("lrf.recommended", lang): t(f"lrf.{result.recommended_rule}", lang)}
    if kind == "LRSweepResult":
        return {t("lr", lang): f"{result.suggested_lr:.3g}"}
    if kind == "BatchFindResult":
        reach = result.reach
        if reach is None:
            return {t("batch_size", lang): result.suggested_batch_size}
        return {t("batch_size", lang): result.suggested_batch_size, t("bf.target", lang): reach.target,
                "--batch-size x --accumulate": f"{reach.micro_batch} x {reach.accumulate}",
                t("lr", lang): f"{reach.lr:.3g}"}
    if kind == "NoiseScaleResult":
        b = result.b_simple
        return {"B_simple": "–" if b is None else f"{b:.3g}"}
    if kind == "OptimizerCheckResult":
        return {t("optimizer", lang): result.suggested_optimizer, t("lr", lang): f"{result.suggested_lr:.3g}"}
    return {t("epochs", lang): result.suggested_epochs}


TITLES = {"LRFindResult": "lrf.title", "LRSweepResult": "lsw.title", "BatchFindResult": "bf.title", "NoiseScaleResult": "ns.title",
          "OptimizerCheckResult": "oc.title", "EpochAdvice": "ep.title"}


def sections(result: Any, lang: str) -> list[Section]:
    """One section: the suggestion, the explanation and the plot (a batch finder adds its noise scale)."""
    from hyperlab.views.plots import png_bytes

    out = [Section(t(TITLES[_kind(result)], lang), paragraphs=explanation(result, lang),
                   table=[suggestion(result, lang)], images=[png_bytes(figure(result, lang))])]
    if _kind(result) == "BatchFindResult" and result.noise is not None:
        out += sections(result.noise, lang)
    return out


def advice_sections(advice: Any, lang: str) -> list[Section]:
    """The table of four values with their evidence, then each stage's own sections, then the cost."""
    from hyperlab.tuners.advise import compute_rows, summary_rows

    rows = [{k: v for k, v in row.items() if k != t("adv.plot", lang)} for row in summary_rows(advice, lang)]
    out = [Section(t("adv.title", lang), table=rows, paragraphs=advice.notes_in(lang))]
    for part in (advice.batch, advice.lr, advice.optimizers, advice.epochs):
        out += sections(part, lang)
    out.append(Section(t("adv.section.scaling", lang), paragraphs=[line for s in advice.scaling for line in s.explanation]))
    out.append(Section(t("adv.section.compute", lang), paragraphs=[t("adv.compute_note", lang)],
                       table=compute_rows(advice, lang)))
    return out


class TunerDisplay(Displayable):
    """Mixin of the tuner results: short repr, ``figure()``, notebook display."""

    explanation: list[str]

    def __repr__(self) -> str:
        values = {name: getattr(self, name) for name in REPR_FIELDS[_kind(self)]}
        shown = (f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in values.items())
        return f"{_kind(self)}({', '.join(shown)})"

    def figure(self, lang: str | None = None) -> Figure:
        """The result's plot as a matplotlib Figure (``plot`` is the PNG file written with ``out=``)."""
        return figure(self, lang or self.lang)

    def display_sections(self, lang: str) -> tuple[str, list[Section], str]:
        return t(TITLES[_kind(self)], lang), sections(self, lang), ""
