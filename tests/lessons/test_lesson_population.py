"""Lessons train their comparisons as populations: the same measured numbers and verdicts as the
sequential path (one fit after another), to float tolerance."""

from __future__ import annotations

import math

import pytest

from hyperlab.data import load_data
from hyperlab.lessons import LESSONS, run_lesson


@pytest.fixture(scope="module")
def small():
    return load_data("digits", seed=0).subsample_train(300, seed=0)


def _close(a, b, path=""):
    """Measurements equal to float tolerance (timings and memory excepted: those are measured anew)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            if key in ("seconds", "seconds_per_epoch", "samples_per_second", "peak_memory_bytes", "sps_small",
                       "sps_large", "process_peak_rss_bytes", "long_seconds", "kib_small", "kib_large"):
                continue
            _close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float) and math.isfinite(a):
        assert a == pytest.approx(b, rel=1e-4, abs=1e-6), path
    else:
        assert a == b, path


@pytest.mark.parametrize("name", list(LESSONS))
def test_population_path_measures_what_the_sequential_path_measures(small, name):
    stacked = run_lesson(name, small, budget="tiny")
    alone = run_lesson(name, small, budget="tiny", population=False)
    assert stacked.verdicts() == alone.verdicts()
    _close(stacked.measurements, alone.measurements)
    for a, b in zip(stacked.runs, alone.runs, strict=True):
        assert a.spec.key == b.spec.key
        assert a.history.step_loss == pytest.approx(b.history.step_loss, rel=1e-4, abs=1e-6)
    # the comparisons really were stacked: members report the population they trained in
    members = [r.history.peak_memory.get("population_members") for r in stacked.runs]
    assert max(m or 0 for m in members) >= 2
    assert not any(r.history.peak_memory.get("population_members") for r in alone.runs)


def test_step_probes_train_alone_with_fit(small):
    result = run_lesson("batch-size", small, budget="tiny")
    for run in result.runs:
        stacked = run.history.peak_memory.get("population_members")
        if run.spec.stop_at_step:  # evaluated after an exact step: fit's on_step_end
            assert stacked is None and run.history.status == "step_budget"
        else:
            assert stacked is not None
