"""Measured peak memory of training.

On CUDA: the allocator's ``max_memory_allocated`` over the whole run. On CPU there is no
allocator counter, so the first optimizer step (which also creates the optimizer state) runs
under ``LiveTensorBytes``, a dispatch mode that sees every tensor the step allocates and every
one it frees: the peak of live tensor bytes (parameters, the batch, activations, gradients,
optimizer state) is a measurement, not an estimate. It counts what torch's own ``MemTracker``
counts (plus the batch itself; a test checks they agree) at a third of its cost, which matters
for the short runs of lessons and sweeps. The process's resident high-water mark (VmHWM) is
recorded too, for the whole-process view.
"""

from __future__ import annotations

import contextlib
import math
import re
import weakref
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

from hyperlab.errors import ConfigError

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


class LiveTensorBytes(TorchDispatchMode):
    """Track live CPU tensor storage bytes through the dispatcher and keep their peak."""

    def __init__(self, existing: Iterable[torch.Tensor] = ()) -> None:
        super().__init__()
        self.live: dict[int, int] = {}
        self.current = self.peak = 0
        self._finalizers: list[weakref.finalize] = []
        for tensor in existing:
            self._add(tensor)

    def _add(self, tensor: torch.Tensor) -> None:
        if tensor.device.type != "cpu" or tensor.is_meta:
            return
        storage = tensor.untyped_storage()
        key = id(storage)
        if key in self.live:
            return
        self.live[key] = storage.nbytes()
        self.current += self.live[key]
        self.peak = max(self.peak, self.current)
        self._finalizers.append(weakref.finalize(storage, self._free, key))

    def _free(self, key: int) -> None:
        self.current -= self.live.pop(key, 0)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):  # noqa: ANN001, ANN204
        out = func(*args, **(kwargs or {}))
        for item in tree_flatten(out)[0]:
            if isinstance(item, torch.Tensor):
                self._add(item)
        return out

    def __exit__(self, *exc: Any) -> None:
        super().__exit__(*exc)
        for finalizer in self._finalizers:  # stop watching tensors that outlive the step
            finalizer.detach()


@contextlib.contextmanager
def track_step_memory(model: torch.nn.Module, optimizer: torch.optim.Optimizer, device: torch.device,
                      result: dict[str, Any], batch: Iterable[torch.Tensor] = ()) -> Iterator[None]:
    """Measure the peak tensor memory of the enclosed step into ``result``."""
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
        yield
        return
    state = [t for group in optimizer.state.values() for t in group.values() if isinstance(t, torch.Tensor)]
    tracker = LiveTensorBytes([*model.parameters(), *model.buffers(), *state, *batch])
    with tracker:
        yield
    result.update(step_peak_bytes=int(tracker.peak), method=DISPATCH_METHOD)


# how the peak was measured, as recorded in a history's peak_memory["method"]
DISPATCH_METHOD = "live tensor bytes in the first step (dispatch mode)"
CUDA_METHOD = "torch.cuda.max_memory_allocated"


def finish(result: dict[str, Any], device: torch.device) -> dict[str, Any]:
    """Add the run-wide figures: CUDA allocator peak, or the process high-water mark."""
    if device.type == "cuda":
        result.update(peak_bytes=int(torch.cuda.max_memory_allocated(device)),
                      method=CUDA_METHOD)
    else:
        result["peak_bytes"] = result.get("step_peak_bytes")
    result["process_peak_rss_bytes"] = process_peak_bytes()
    return result


# ---- sizes as people write them ------------------------------------------------------------

_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40, "k": 2**10, "m": 2**20, "g": 2**30}


def parse_bytes(text: str | int | float | None, field_name: str = "memory_limit") -> int | None:
    """'64MB', '512KiB', '1.5GB' or a number of bytes -> bytes (KB/MB/GB decimal, KiB/MiB/GiB binary)."""
    if text is None:
        return None
    allowed = "must be a positive size such as 64MB, 512KiB, 2GiB or a number of bytes"
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value, unit = float(text), ""
    else:
        match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-zA-Z]*)\s*", str(text))
        if not match or match.group(2).lower() not in _UNITS:
            raise ConfigError(field_name, text, allowed)
        value, unit = float(match.group(1)), match.group(2).lower()
    size = value * _UNITS[unit]
    if not math.isfinite(size) or size < 1:
        raise ConfigError(field_name, text, allowed)
    return int(size)


def human_bytes(n: float | None) -> str:
    if n is None:
        return "?"
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n:.0f} B"
