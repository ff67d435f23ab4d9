"""TensorBoard for sweeps: each trial is written as its own run, ``<log_dir>/trial-<number>``, by
whichever process trains it (one worker, ``--workers N``, or workers on other machines sharing a
PostgreSQL study), so TensorBoard's HParams view compares a study's trials side by side. A folder
holds one study (``.hyperlab-study`` names it); another study's sweep is refused there.

Each run holds the trial's steps and epochs (the ``TensorBoard`` callback's scalars) and, in the
HParams view, the trial's searched parameters with its final metrics. The callback is built from
the plan's ``tensorboard`` folder (plain data every worker receives), never passed as an object;
``trial_callbacks`` is the one hook every way of training a trial calls.

    hyperlab sweep --dataset moons --model logistic --lr 1e-3..1e-1:log --trials 8 --tensorboard tb
    tensorboard --logdir tb
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hyperlab.engine.callbacks import Callback
from hyperlab.engine.tensorboard import OneRunTensorBoard
from hyperlab.errors import ConfigError


STUDY_MARKER = ".hyperlab-study"  # names the study whose runs a folder holds


def check_folder(log_dir: str | Path | None, study: str) -> None:
    """Refuse a folder that holds another study's runs: the two studies' trial numbers would share
    its ``trial-<n>`` folders and mix their curves."""
    if log_dir is None or not (marker := Path(log_dir) / STUDY_MARKER).exists():
        return
    other = marker.read_text(encoding="utf-8").strip()
    if other != study:
        raise ConfigError("tensorboard", str(log_dir), f"already holds the trials of study {other!r}; another study's "
                          f"trial-<n> folders would mix with them: use a folder of its own, e.g. "
                          f"{Path(log_dir) / study}")


def claim_folder(log_dir: str | Path | None, study: str) -> None:
    """Mark ``log_dir`` as holding ``study``'s runs (after ``check_folder``; the same study may
    write there again: resumed, extended, or from workers on other machines)."""
    if log_dir is not None:
        check_folder(log_dir, study)
        Path(log_dir).mkdir(parents=True, exist_ok=True)
        (Path(log_dir) / STUDY_MARKER).write_text(study + "\n", encoding="utf-8")


def trial_folder(log_dir: str | Path, number: int) -> Path:
    """Where trial ``number`` writes its run."""
    return Path(log_dir) / f"trial-{number}"


def trial_callbacks(log_dir: str | None, trial: Any) -> list[Callback]:
    """The callbacks that write ``trial`` (an Optuna trial with its parameters suggested) to
    TensorBoard: none without a folder, else one run at ``<log_dir>/trial-<number>`` whose
    HParams entry is the trial's parameters (and, as metrics, its final numbers)."""
    if log_dir is None:
        return []
    return [OneRunTensorBoard(trial_folder(log_dir, trial.number), hparams=dict(trial.params))]
