"""The lab's settings and limits, validated once at start-up."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

from hyperlab.errors import ConfigError, Interval, check_int

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]", "::1")
DEFAULT_PORT = 8765
MiB = 1024 * 1024


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and the name localhost."""
    name = host.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


# what the lab's limits may be (read by LabConfig, and by `hyperlab lab`'s options as typed)
PORTS = Interval(int, 0, 65535)
WORKERS = Interval(int, 1, 64)
QUEUE = Interval(int, 0, 10_000)
POSITIVE = Interval(float, 0, closed="right")


@dataclass
class LabConfig:
    """Where the lab listens, how much it may train at once, and its limits on input.

    ``max_running`` trainings run at once (default: one per core), ``max_queued`` more wait;
    a run with no page watching it for ``orphan_seconds`` is stopped."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    max_running: int = field(default_factory=lambda: os.cpu_count() or 1)
    max_queued: int = 32
    upload_limit: int = 5 * MiB
    max_uploads: int = 20
    max_steps: int = 200_000  # optimizer steps of one run
    max_width: int = 1024
    max_depth: int = 8
    max_budget_seconds: float = 900.0
    orphan_seconds: float = 20.0
    out: Path = Path("runs") / "lab"
    allowed_hosts: tuple[str, ...] = ()  # extra Host names accepted (for a non-loopback bind)

    def __post_init__(self) -> None:
        self.port = int(PORTS.check("port", self.port))
        self.max_running = int(WORKERS.check("workers", self.max_running))
        self.max_queued = int(QUEUE.check("queue", self.max_queued))
        self.upload_limit = check_int("upload_limit", self.upload_limit, 1)
        self.orphan_seconds = float(POSITIVE.check("orphan_seconds", self.orphan_seconds))
        if not self.host or any(c in self.host for c in "/ @"):
            raise ConfigError("host", self.host, "must be a host name or IP address, e.g. 127.0.0.1")
        self.out = Path(self.out)

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    def host_names(self, port: int) -> set[str]:
        """Every ``Host`` header value the lab answers to (DNS-rebinding defence): its own
        address with the port it listens on, loopback names when bound to loopback, and any
        names allowed on purpose."""
        names = {self.host, *self.allowed_hosts}
        if self.loopback or self.host in ("0.0.0.0", "::"):
            names |= set(LOOPBACK_NAMES)
        out = set()
        for name in names:
            bare = name.strip("[]")
            shown = f"[{bare}]" if ":" in bare else bare
            out.add(f"{shown}:{port}".lower())
            if port == 80:  # a browser leaves the default port out of Host
                out.add(shown.lower())
        return out
