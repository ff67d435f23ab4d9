"""The `hyperlab` command. Bad input prints one line and exits 2, with no traceback."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import typer

from hyperlab.engine.trainer import TrainingInterrupted
from hyperlab.errors import HyperlabError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="See and choose batch size, learning rate, epochs and optimizer with real training runs.")


def command(func: Callable[..., Any], name: str | None = None) -> None:
    """Register ``func`` as a subcommand whose user errors exit 2 with one line."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except HyperlabError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        except TrainingInterrupted as stop:
            typer.echo(f"interrupted; results so far are saved{f' in {stop.result.run_dir}' if stop.result.run_dir else ''}",
                       err=True)
            raise typer.Exit(130) from None
    app.command(name)(wrapper)


def _register() -> None:
    from hyperlab.cli import catalog, train
    command(train.train)
    command(catalog.datasets)
    command(catalog.models)
    command(catalog.optimizers)


_register()


def main() -> None:
    app()


if __name__ == "__main__":
    sys.exit(main())
