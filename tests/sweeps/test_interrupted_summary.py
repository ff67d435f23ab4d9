"""Ctrl-C that leaves this process unable to read its study (seen: Ctrl-C while sqlalchemy was being
imported, after which reading the study raised AttributeError) still ends as an interruption:
exit 130, one line, no traceback."""

from __future__ import annotations

from typer.testing import CliRunner

from hyperlab.cli import app
from hyperlab.sweeps import workers


def test_ctrl_c_before_the_study_can_be_read_is_one_line_and_exit_130(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    def half_imported(*args, **kwargs):  # what reading the study raised after the interrupted import
        raise AttributeError("module 'sqlalchemy.orm.loading' has no attribute '_setup_entity_query'")

    monkeypatch.setattr(workers, "prepare", interrupted)
    monkeypatch.setattr(workers, "_summary", half_imported)
    url = f"sqlite:///{tmp_path / 'study.db'}"
    result = CliRunner().invoke(app, ["sweep", "--study", "s", "--storage", url, "--dataset", "wine",
                                      "--trials", "2", "--epochs", "1"])
    assert result.exit_code == 130, result.output
    assert "interrupted before the study could be read" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)


def test_the_interrupted_count_reads_as_words():
    from hyperlab.i18n import t
    from hyperlab.sweeps import texts  # noqa: F401 - registers the sweep texts

    assert t("sweep_interrupted", finished=1, storage="x.db").startswith("interrupted; 1 finished trial is kept")
    assert "3 finished trials are kept" in t("sweep_interrupted", finished=3, storage="x.db")
