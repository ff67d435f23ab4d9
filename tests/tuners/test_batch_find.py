"""Batch-size finder: probes through fit, doubling then binary search at a memory budget, the
throughput plateau, the combined recommendation, and clear errors."""

from __future__ import annotations

import math
import re

import pytest
import torch

from hyperlab.errors import ConfigError
from hyperlab.tuners import batch_find, parse_bytes
from hyperlab.tuners.batch_find import is_out_of_memory


@pytest.fixture(scope="module")
def unlimited(small_digits):
    """Every batch size from 4 to the training set, no memory budget (measured once)."""
    return batch_find("mlp", small_digits, {"batch_size": 16}, probe_steps=2, noise=False)


def test_doubles_up_to_the_training_set_and_measures_each_probe(unlimited, small_digits):
    sizes = [p.batch_size for p in unlimited.probes]
    assert sizes == [4, 8, 16, 32, 64, 128, 256, 300]
    assert all(p.fits and p.samples_per_second > 0 and p.timed_steps == 2 for p in unlimited.probes)
    peaks = [p.peak_bytes for p in unlimited.probes]
    assert all(a <= b for a, b in zip(peaks, peaks[1:], strict=False))  # more samples, more activations
    assert unlimited.largest_fitting == 300 and unlimited.memory_limit is None


def test_binary_search_finds_the_largest_batch_within_the_budget(unlimited, small_digits, tmp_path):
    peak = {p.batch_size: p.peak_bytes for p in unlimited.probes}
    usable = (peak[64] + peak[128]) // 2  # a budget between two measured batch sizes
    limit = math.ceil(usable / 0.9)
    result = batch_find("mlp", small_digits, {"batch_size": 16}, probe_steps=2, noise=False,
                        memory_limit=limit, out=tmp_path)
    assert 64 <= result.largest_fitting < 128
    fitting = [p for p in result.probes if p.fits]
    failing = [p for p in result.probes if not p.fits]
    assert all(p.peak_bytes <= limit * 0.9 for p in fitting)
    assert all(p.peak_bytes > limit * 0.9 for p in failing)
    assert min(p.batch_size for p in failing) - result.largest_fitting <= max(1, result.largest_fitting // 8)
    assert any(p.batch_size not in (4, 8, 16, 32, 64, 128) for p in result.probes)  # the binary search ran
    limits = [result.largest_fitting, result.throughput_plateau]
    assert result.suggested_batch_size == 2 ** int(math.log2(min(limits)))
    assert (tmp_path / "batch_find.png").exists()
    assert any(str(result.largest_fitting) in line for line in result.explanation)


def test_throughput_plateau_is_the_smallest_batch_near_the_best(unlimited):
    best = max(p.samples_per_second for p in unlimited.probes)
    plateau = next(p for p in unlimited.probes if p.batch_size == unlimited.throughput_plateau)
    assert plateau.samples_per_second >= 0.9 * best
    assert all(p.samples_per_second < 0.9 * best for p in unlimited.probes if p.batch_size < plateau.batch_size)


def test_the_noise_scale_stays_inside_the_memory_limit(unlimited, small_digits):
    """Its gradients are summed over chunks no larger than the largest batch that fitted (it summed
    chunks of 512 whatever the limit)."""
    peak = {p.batch_size: p.peak_bytes for p in unlimited.probes}
    limit = math.ceil((peak[32] + peak[64]) // 2 / 0.9)
    result = batch_find("mlp", small_digits, {"batch_size": 16}, probe_steps=2, memory_limit=limit,
                        noise_options={"pairs": 4})
    assert 32 <= result.largest_fitting < 64
    assert result.noise is not None and result.noise.chunk == result.largest_fitting < result.noise.big_batch


def test_recommendation_includes_the_critical_batch_size(wine):
    result = batch_find("logistic", wine, {"batch_size": 8, "optimizer": "sgd", "lr": 0.1}, probe_steps=1,
                        noise_options={"pairs": 8})
    assert result.noise is not None and result.critical_batch_size == result.noise.b_simple
    limits = [v for v in (result.largest_fitting, result.throughput_plateau, result.critical_batch_size)
              if v is not None]
    assert result.suggested_batch_size == max(1, 2 ** int(math.floor(math.log2(max(min(limits), 1)))))
    assert result.to_dict()["critical_batch_size"] == result.critical_batch_size
    # the verdict shows the binding limit so that rounding it down to a power of two gives the value
    verdict = next(line for line in result.explanation if line.startswith("Recommended batch size"))
    shown = float(re.search(r"= (\d+(?:\.\d+)?)\)", verdict).group(1))
    assert result.suggested_batch_size == max(1, 2 ** int(math.floor(math.log2(max(shown, 1)))))


def test_a_budget_too_small_for_the_smallest_batch_is_a_clear_error(wine):
    with pytest.raises(ConfigError, match=r"memory_limit='1KB' is invalid: is too small to measure anything"):
        batch_find("logistic", wine, memory_limit="1KB", noise=False, probe_steps=1)


@pytest.mark.parametrize("text, expected", [("64MB", 64 * 10**6), ("512KiB", 512 * 1024), ("1.5GiB", 3 * 2**29),
                                            ("2048", 2048), (4096, 4096), ("2 mib", 2 * 2**20)])
def test_parse_bytes(text, expected):
    assert parse_bytes(text) == expected


@pytest.mark.parametrize("text", ["lots", "-5MB", "0", "12 parsecs", "nan"])
def test_parse_bytes_rejects(text):
    with pytest.raises(ConfigError, match="memory_limit"):
        parse_bytes(text)


@pytest.mark.parametrize("kwargs, field", [({"start": 0}, "start"), ({"max_batch": 10**6}, "max_batch"),
                                           ({"probe_steps": 0}, "probe_steps"),
                                           ({"safety_margin": 1.5}, "safety_margin")])
def test_bad_arguments_name_the_field(wine, kwargs, field):
    with pytest.raises(ConfigError) as err:
        batch_find("logistic", wine, noise=False, **kwargs)
    assert err.value.field == field


def test_out_of_memory_is_recognised_through_the_error_chain():
    try:
        try:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        except RuntimeError as inner:
            raise ValueError("the first training step failed") from inner
    except ValueError as outer:
        assert is_out_of_memory(outer)
    assert not is_out_of_memory(ValueError("shapes do not match"))
