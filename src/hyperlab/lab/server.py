"""Running the lab: bind the socket first (so ``--port 0`` knows its port before the app is made),
serve with uvicorn, and on Ctrl-C stop every job, wait for the workers and remove what was
half-written before the process ends."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn

from hyperlab.lab.app import Lab, create_app
from hyperlab.lab.config import LabConfig

GRACEFUL_SECONDS = 5  # open streams get this long to end after Ctrl-C


class LabServer(uvicorn.Server):
    """uvicorn's server, telling the lab to stop its jobs as soon as Ctrl-C arrives, so the
    event streams end and the graceful shutdown does not wait on them."""

    def __init__(self, config: uvicorn.Config, on_exit: Callable[[], None]) -> None:
        super().__init__(config)
        self.on_exit = on_exit

    def handle_exit(self, sig: int, frame: object) -> None:
        self.on_exit()
        super().handle_exit(sig, frame)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host.strip("[]"), port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(host: str, port: int) -> str:
    shown = f"[{host.strip('[]')}]" if ":" in host.strip("[]") else host
    return f"http://{shown}:{port}/"


def make_server(config: LabConfig) -> tuple[LabServer, socket.socket, str]:
    """The server, its bound socket and its address."""
    sock = bind(config.host, config.port)
    port = sock.getsockname()[1]
    app = create_app(config, port=port)
    uv = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=GRACEFUL_SECONDS, lifespan="on",
                        access_log=False)
    server = LabServer(uv, app.state.lab.begin_close)
    return server, sock, url_of(config.host, port)


def serve(config: LabConfig, announce: Callable[[str], None] = print) -> None:
    """Serve until Ctrl-C; ``announce`` gets the address once the lab listens."""
    server, sock, url = make_server(config)
    announce(url)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        server.config.app.state.lab.close()  # type: ignore[attr-defined]


@contextmanager
def in_background(config: LabConfig, start_timeout: float = 30.0) -> Iterator[tuple[str, Lab]]:
    """The lab served from a thread of this process (tests, benchmarks, notebooks): yields its
    address and the ``Lab``; on exit it shuts down as on Ctrl-C (jobs stopped, workers joined)."""
    server, sock, url = make_server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="lab-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the lab did not start")
        time.sleep(0.02)
    lab = server.config.app.state.lab  # type: ignore[attr-defined]
    try:
        yield url.rstrip("/"), lab
    finally:
        lab.begin_close()
        server.should_exit = True
        thread.join(start_timeout)
        sock.close()
        lab.close()
