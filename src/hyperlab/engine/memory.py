"""Measured peak memory of training.

On CUDA: the allocator's ``max_memory_allocated`` over the whole run. On CPU there is no
allocator counter, so the first optimizer step (which also creates the optimizer state)
runs under torch's ``MemTracker``, which sees every tensor allocation and free through the
dispatcher: the peak of live tensor bytes (parameters, gradients, optimizer state,
activations) is a measurement, not an estimate. The process's resident high-water mark
(VmHWM) is recorded too, for the whole-process view.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch

_STATUS = Path("/proc/self/status")


def reset_process_peak() -> None:
    """Reset the kernel's resident-set high-water mark for this process (Linux), if allowed."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def process_peak_bytes() -> int | None:
    """The process's peak resident set (VmHWM) in bytes, or None off Linux."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


@contextlib.contextmanager
def track_step_memory(model: torch.nn.Module, optimizer: torch.optim.Optimizer,
                      device: torch.device, result: dict[str, Any]) -> Iterator[None]:
    """Measure peak tensor memory of the enclosed step into ``result``."""
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
        yield
        return
    try:
        from torch.distributed._tools.mem_tracker import MemTracker
    except ImportError:  # a torch without the tracker: say so rather than guess
        result.update(step_peak_bytes=None, method="unavailable")
        yield
        return
    tracker = MemTracker()
    tracker.track_external(model, optimizer)
    with tracker:
        yield
    peak = tracker.get_tracker_snapshot("peak")
    total = sum(v.get("Total", 0) for k, v in peak.items() if str(k).startswith("cpu"))
    result.update(step_peak_bytes=int(total), method="torch MemTracker (live tensor bytes, first step)")


def finish(result: dict[str, Any], device: torch.device) -> dict[str, Any]:
    """Add the run-wide figures: CUDA allocator peak, or the process high-water mark."""
    if device.type == "cuda":
        result.update(peak_bytes=int(torch.cuda.max_memory_allocated(device)),
                      method="torch.cuda.max_memory_allocated")
    else:
        result["peak_bytes"] = result.get("step_peak_bytes")
    result["process_peak_rss_bytes"] = process_peak_bytes()
    return result
