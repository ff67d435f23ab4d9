"""Ctrl-C in a sweep at awkward moments: while this process cannot read its study any more (seen:
Ctrl-C while sqlalchemy was being imported, after which reading the study raised AttributeError),
and in the middle of a trial's epoch report. Each ends as an interruption: exit 130, one line, no
traceback, the database whole."""

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


def test_ctrl_c_during_an_epoch_report_waits_for_its_write(monkeypatch):
    """A Ctrl-C while a trial's epoch report is being written lands after the write (a half-written
    database transaction could leave the connection stuck), then stops as any Ctrl-C does."""
    import signal

    import optuna
    import pytest

    from hyperlab.engine.history import EpochRecord
    from hyperlab.sweeps.objective import PruningReporter
    from hyperlab.sweeps.signals import SIGNALS

    study = optuna.create_study(direction="maximize")
    trial = study.ask()
    storage = study._storage
    write = storage.set_trial_intermediate_value

    def ctrl_c_in_the_write(*args):
        signal.raise_signal(signal.SIGINT)  # the handler runs here, inside the write
        return write(*args)

    monkeypatch.setattr(storage, "set_trial_intermediate_value", ctrl_c_in_the_write)

    class Run:  # what the reporter reads of fit's run
        class hparams:
            epochs = 3

        class history:
            epochs = [EpochRecord(epoch=1, step=10, train_loss=1.0, train_metric=None, val_loss=1.0, val_metric=0.5,
                                  lr=0.1, seconds=0.1, samples_per_second=100.0)]

    with SIGNALS, pytest.raises(KeyboardInterrupt):
        PruningReporter(trial).should_prune(Run())
    assert storage.get_trial(trial._trial_id).intermediate_values == {1: 0.5}  # the write was whole
