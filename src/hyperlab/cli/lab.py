"""`hyperlab lab`: start the local web lab (FastAPI on uvicorn), loopback only unless told otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hyperlab.cli.options import INT, NAME, NUMBER, read_as
from hyperlab.errors import ConfigError
from hyperlab.lab.config import DEFAULT_PORT, PORTS, QUEUE, POSITIVE, WORKERS, LabConfig, MiB


def lab(
    host: Annotated[str, typer.Option(help="Address to listen on. Anything but loopback lets other machines in: "
                                           "the lab has no login.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).", metavar=INT,
                                      parser=read_as("port", PORTS))] = DEFAULT_PORT,
    workers: Annotated[int | None, typer.Option(help="Trainings at once (default: one per core); "
                                                     "more wait in the queue.", metavar=INT,
                                                parser=read_as("workers", WORKERS))] = None,
    queue: Annotated[int, typer.Option(help="Jobs that may wait for a free worker.", metavar=INT,
                                       parser=read_as("queue", QUEUE))] = 32,
    upload_limit: Annotated[float, typer.Option("--upload-limit", help="Largest CSV upload, in MiB.", metavar=NUMBER,
                                                parser=read_as("upload_limit", POSITIVE))
                            ] = 5.0,
    out: Annotated[Path, typer.Option(help="Where lesson reports are kept (one folder per job id).")] = Path("runs/lab"),
    orphan_seconds: Annotated[float, typer.Option("--orphan-seconds", help="Stop a training no page has watched "
                                                                           "for this long.", metavar=NUMBER,
                                                  parser=read_as("orphan_seconds", POSITIVE))] = 20.0,
    allow_host: Annotated[list[str] | None, typer.Option("--allow-host", metavar=NAME,
                                                         help="Another Host name the lab answers to (with a "
                                                              "non-loopback --host).")] = None,
) -> None:
    """Start the web lab: turn the four knobs and watch real training live in the browser."""
    from hyperlab.lab.server import serve

    settings = {"host": host, "port": port, "max_queued": queue, "upload_limit": int(upload_limit * MiB), "out": out,
                "allowed_hosts": tuple(allow_host or ()), "orphan_seconds": orphan_seconds}
    if workers is not None:
        settings["max_running"] = workers
    config = LabConfig(**settings)
    warning = host_warning(config)
    if warning:
        typer.echo(warning, err=True)

    def announce(url: str) -> None:
        plural = "s" if config.max_running != 1 else ""
        typer.echo(f"hyperlab lab: open {url}  ({config.max_running} training{plural} at once; Ctrl-C stops)", err=False)

    try:
        serve(config, announce)
    except KeyboardInterrupt:
        pass
    except OSError as exc:  # the address is taken or not this machine's
        raise ConfigError("host", f"{host}:{port}", f"cannot be listened on ({exc.strerror or exc})") from None
    typer.echo("hyperlab lab: stopped")


def host_warning(config: LabConfig) -> str | None:
    """The warning printed when the lab listens beyond this machine (it has no login)."""
    if config.loopback:
        return None
    return (f"warning: the lab listens on {config.host}, not only on this machine, and it has no login: anyone who "
            "can reach this address can start trainings and read their results. It answers only to the Host "
            "names it was given (add the one others use with --allow-host NAME).")


def register(command) -> None:
    command(lab)
