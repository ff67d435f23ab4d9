"""The `hyperlab` command. Bad input prints one line and exits 2, with no traceback.

Each command module under ``hyperlab.cli`` exposes ``register(command)``; ``_register`` loads the
modules named in ``COMMAND_MODULES`` so adding a command never edits a shared list elsewhere.
"""

from __future__ import annotations

import functools
import importlib
import sys
import warnings
from collections.abc import Callable
from typing import Any

import typer

from hyperlab.engine.trainer import TrainingInterrupted
from hyperlab.errors import HyperlabError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="See and choose batch size, learning rate, epochs and optimizer with real training runs.")

COMMAND_MODULES = ("train", "catalog", "lessons", "tuners", "sweeps", "lab")


def _note(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None,
          line: str | None = None, *, shown: Callable[..., None] = warnings.showwarning) -> None:
    """hyperlab's own warnings (e.g. a population trained one member after another) as one
    ``note:`` line; anyone else's as Python shows them."""
    if category.__module__.split(".")[0] == "hyperlab":
        typer.echo(f"note: {message}", err=True)
    else:
        shown(message, category, filename, lineno, file, line)


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command so user errors print one line and exit 2 (Ctrl-C exits 130), and our
    warnings print as one ``note:`` line, not a source location."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _note
                return func(*args, **kwargs)
        except HyperlabError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        except TrainingInterrupted as stop:
            where = getattr(stop, "saved_to", None) or stop.result.run_dir
            typer.echo(f"interrupted; results so far are saved in {where}" if where else "interrupted", err=True)
            raise typer.Exit(130) from None
    return wrapper


def command(func: Callable[..., Any], name: str | None = None, target: typer.Typer | None = None) -> None:
    """Register ``func`` as a subcommand (of ``target``, default the top level), guarded."""
    (target or app).command(name)(guarded(func))


def _register() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"hyperlab.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"hyperlab.cli.{name}":
                continue  # that command is not built yet
            raise
        module.register(command)


_register()


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
