"""A lesson's files: ``lesson.json`` (every measured number), PNG plots and one self-contained
``report.html`` (built with ``hyperlab.views.report``); the tour's combined ``tour.html``/``tour.json``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from hyperlab.i18n import t
from hyperlab.lessons import texts  # noqa: F401 - registers the lesson texts
from hyperlab.lessons.base import LessonResult
from hyperlab.records import write_json
from hyperlab.views.report import Section, write_report

if TYPE_CHECKING:
    from hyperlab.lessons.runner import TourResult


def title_of(name: str, lang: str) -> str:
    """The lesson's title in ``lang``."""
    from hyperlab.lessons.runner import PREFIX

    return t(f"{PREFIX[name]}.title", lang)


def lesson_sections(result: LessonResult, lang: str, *, link: str | None = None) -> list[Section]:
    """The findings (claims with verdicts and evidence), the tables and the plots of one lesson."""
    from hyperlab.lessons.runner import PREFIX, lesson_module

    lesson = lesson_module(result.name)
    m = {**result.measurements, "settings": result.settings}
    setup = result.setup
    title = title_of(result.name, lang)
    paragraphs = [t(f"{PREFIX[result.name]}.intro", lang, **lesson.intro_values(m, lang)),
                  t("lesson.setup_text", lang, dataset=setup["dataset"], task=t(f"task.{setup['task']}", lang),
                    n_train=setup["n_train"], n_val=setup["n_val"], model=setup["model"], seed=setup["seed"],
                    budget=result.budget, runs=len(result.runs), seconds=result.seconds),
                  t("lesson.claims_intro", lang)]
    if link:
        paragraphs.append(t("lesson.own_report", lang, path=link))
    sections = [Section(f"{title}: {t('lesson.findings', lang)}", paragraphs=paragraphs,
                        findings=[c.finding(lang) for c in result.claims])]
    sections += [Section(f"{title}: {heading}", table=rows) for heading, rows in lesson.tables(m, lang)]
    if result.plots:
        sections.append(Section(f"{title}: {t('lesson.plots', lang)}", images=list(result.plots.values())))
    return sections


def write_lesson(result: LessonResult, out: Path, lang: str) -> dict[str, Path]:
    """Plots, ``lesson.json`` and ``report.html`` of one lesson in ``out``."""
    from hyperlab.views.lesson_plots import write_plots

    out.mkdir(parents=True, exist_ok=True)
    result.plots = write_plots(result, out, lang)
    result.files = {"json": out / "lesson.json", "report": out / "report.html"}
    write_json(result.files["json"], {**result.to_dict(), "lang": lang})
    write_report(result.files["report"], t("lesson.report_title", lang, title=title_of(result.name, lang)),
                 lesson_sections(result, lang), lang=lang)
    return result.files


def count_verdicts(results: list[LessonResult]) -> dict[str, int]:
    """How many claims got each verdict."""
    counts = {"confirmed": 0, "not_observed": 0, "contradicted": 0}
    for r in results:
        for c in r.claims:
            counts[c.verdict] += 1
    return counts


def summary_rows(results: list[LessonResult], lang: str) -> list[dict[str, Any]]:
    """One row per claim of every lesson: lesson, claim, verdict."""
    return [{t("lesson.lesson", lang): title_of(r.name, lang), t("lesson.claim", lang): c.text("claim", lang),
             t("lesson.verdict", lang): c.text("verdict", lang)} for r in results for c in r.claims]


def write_tour(tour: TourResult, out: Path, lang: str) -> dict[str, Path]:
    """The combined ``tour.html`` (every lesson's sections) and ``tour.json``."""
    out.mkdir(parents=True, exist_ok=True)
    first = tour.lessons[0].setup
    intro = t("lesson.tour_intro", lang, dataset=first["dataset"], model=first["model"], seed=first["seed"],
              budget=tour.lessons[0].budget, seconds=tour.seconds, **count_verdicts(tour.lessons))
    sections = [Section(t("lesson.summary", lang), table=summary_rows(tour.lessons, lang))]
    for r in tour.lessons:
        link = str(r.files["report"].relative_to(out)) if "report" in r.files else None
        sections += lesson_sections(r, lang, link=link)
    tour.files = {"json": out / "tour.json", "report": out / "tour.html"}
    write_json(tour.files["json"], {**tour.to_dict(), "lang": lang})
    write_report(tour.files["report"], t("lesson.tour_title", lang), sections, lang=lang, intro=intro)
    return tour.files


def lesson_display(result: LessonResult, lang: str) -> tuple[str, list[Section], str]:
    """What report.html holds (claims, verdicts, evidence, tables, plots), with the plots drawn in
    ``lang`` into a scratch folder and inlined; the result's own files are left as they were."""
    from hyperlab.views.display import inline_images, scratch_dir
    from hyperlab.views.lesson_plots import write_plots

    kept = result.plots
    with scratch_dir() as tmp:
        try:
            result.plots = write_plots(result, tmp, lang)
            sections = inline_images(lesson_sections(result, lang))
        finally:
            result.plots = kept
    return t("lesson.report_title", lang, title=title_of(result.name, lang)), sections, ""


def tour_display(tour: TourResult, lang: str) -> tuple[str, list[Section], str]:
    """What tour.html holds: the table of every claim's verdict, then each lesson's display."""
    first = tour.lessons[0].setup
    intro = t("lesson.tour_intro", lang, dataset=first["dataset"], model=first["model"], seed=first["seed"],
              budget=tour.lessons[0].budget, seconds=tour.seconds, **count_verdicts(tour.lessons))
    sections = [Section(t("lesson.summary", lang), table=summary_rows(tour.lessons, lang))]
    for r in tour.lessons:
        sections += lesson_display(r, lang)[1]
    return t("lesson.tour_title", lang), sections, intro
