"""How many intra-op threads torch uses while training."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from hyperlab.errors import check_int


@contextlib.contextmanager
def torch_threads(threads: int | None) -> Iterator[None]:
    """Run with ``threads`` intra-op threads (None: leave torch's setting), restoring it afterwards.

    Small models gain nothing from intra-op threads, and on cores shared with other processes
    (sweep workers, other jobs) torch's default of one thread per core can make them many times
    slower; lessons use 1, `hyperlab train --threads N` sets it."""
    if threads is None:
        yield
        return
    check_int("threads", threads, 1)
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)
