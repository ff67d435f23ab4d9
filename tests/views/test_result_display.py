"""Results in a notebook: short text repr, HTML with the summary and inline plots, Figures, en/ko."""

from __future__ import annotations

import base64
import re

import pytest
from matplotlib.figure import Figure

import hyperlab
from hyperlab.errors import ConfigError
from hyperlab.i18n import t
from hyperlab.tuners import lr_find
from hyperlab.tuners.lr_find import explain
from hyperlab.views.report import Section, html_report, notebook_html


def pngs(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([^"]+)"', html)]


@pytest.fixture(scope="module")
def run(small_digits):
    return hyperlab.train("mlp", small_digits, {"epochs": 3, "batch_size": 32, "lr": 0.01}, width=16)


def test_run_repr_is_one_short_line(run):
    text = repr(run)
    final = run.history.final().val_metric
    assert text == f"RunResult(completed, 3/3 epochs, val accuracy {final:.4f})"


def test_run_html_has_the_summary_table_and_the_curves(run):
    page = run._repr_html_()
    assert "<body" not in page and "<html" not in page  # a fragment the notebook embeds
    assert "<td>batch size</td><td>32</td>" in page and "300 samples / batch size 32 = 10 steps per epoch" in page
    assert f"{run.history.final().val_metric:.4f}" in page
    images = pngs(page)
    assert len(images) == 1 and images[0].startswith(b"\x89PNG")


def test_run_displays_in_korean(small_digits):
    result = hyperlab.train("mlp", small_digits, {"epochs": 1}, width=16, lang="ko")
    page = result._repr_html_()  # the language of the call that made it
    assert 'lang="ko"' in page and "학습 곡선" in page and "배치 크기" in page
    assert "Learning curves" in result.display("en").html
    with pytest.raises(ConfigError, match="lang='fr' is invalid"):
        result.display("fr")


def test_run_plot_is_a_figure_of_the_history(run):
    fig = run.plot()
    assert isinstance(fig, Figure)
    ax_loss, ax_metric = fig.axes
    lines = {line.get_label(): list(line.get_ydata()) for line in ax_loss.get_lines()}
    assert lines[t("train", "en")] == pytest.approx(run.history.column("train_loss"))
    assert lines[t("val", "en")] == pytest.approx(run.history.column("val_loss"))
    assert ax_metric.get_ylabel() == t("accuracy", "en")


def test_notebook_html_scopes_the_page_css():
    page = notebook_html(html_report("T", [Section("S", paragraphs=["p"])], lang="ko"))
    css = re.search(r"<style>(.*?)</style>", page, re.DOTALL).group(1)
    selectors = [sel.strip() for rule in re.findall(r"([^{}]+)\{", css) for sel in rule.split(",")]
    assert selectors and all(sel.startswith(".hyperlab-report") for sel in selectors)
    assert page.startswith('<div class="hyperlab-report" lang="ko">') and "<p>p</p>" in page
    assert ".hyperlab-report:lang(ko){word-break:keep-all" in css  # Korean wraps between words there too


def test_lr_find_shows_its_rules_suggestion_and_plot():
    result = lr_find("logistic", "wine", {"optimizer": "sgd", "batch_size": 8}, steps=24, lang="ko")
    assert re.fullmatch(r"LRFindResult\(suggested_lr=[0-9.e+-]+, recommended_rule='\w+'\)", repr(result))
    page = result._repr_html_()
    assert all(line in page for line in result.explanation)  # Korean, as made
    english = result.display("en").html
    assert all(line.replace("'", "&#x27;") in english for line in explain(result, "en"))
    assert f"{result.suggested_lr:.3g}" in english and len(pngs(english)) == 1
    assert isinstance(result.figure(), Figure) and result.plot is None  # no out=: no file


def test_figures_show_themselves_without_pyplot(run):
    png = run.plot()._repr_png_()  # what a notebook shows for a returned Figure
    assert png.startswith(b"\x89PNG")


def test_the_curves_of_a_run_diverged_in_its_first_epoch_draw_without_a_warning():
    import warnings

    import hyperlab
    from hyperlab.views.plots import learning_curves_figure

    run = hyperlab.train("logistic", "wine", {"lr": 1e4, "optimizer": "sgd", "epochs": 2})
    assert run.status == "diverged" and not run.history.epochs
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warned "No artists with labels found to put in legend"
        learning_curves_figure(run.history)


def test_train_many_returns_a_list_that_shows_the_comparison(small_digits):
    grid = {"lr": [0.01, 100.0], "optimizer": ["sgd", "adam"]}
    runs = hyperlab.train_many("mlp", small_digits, grid, epochs=2, width=16)
    assert isinstance(runs, list) and len(runs) == 4  # still the list of RunResults it always was
    assert runs.names == ["sgd-b32-lr0.01", "adam-b32-lr0.01", "sgd-b32-lr100", "adam-b32-lr100"]
    validated = [r for r in runs if r.summary()["final_val_metric"] is not None]
    best = max(validated, key=lambda r: r.summary()["final_val_metric"])
    assert runs.best() is best
    page = runs._repr_html_()
    name = runs.names[runs.index(best)]
    assert f"best: {name} (validation accuracy {best.summary()['final_val_metric']:.4f})" in page
    for name, r in zip(runs.names, runs):  # a row per member with what it measured
        cell = "–" if r.summary()["final_val_loss"] is None else f"{r.summary()['final_val_loss']:.4f}"
        assert re.search(rf"<td>{re.escape(name)}</td>.*?<td>{re.escape(cell)}</td>", page)
    assert "diverged (step" in page and len(pngs(page)) == 1
    korean = runs.display("ko").html
    assert "학습 곡선" in korean and "발산" in korean and "함께 학습한" in korean
    fig = runs.plot()
    assert isinstance(fig, Figure)
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert all(name in labels for name in runs.names)
