"""The `hyperlab` command. Bad input prints one line and exits 2, with no traceback.

Each command module under ``hyperlab.cli`` exposes ``register(command)``; ``_register`` loads the
modules named in ``COMMAND_MODULES`` so adding a command never edits a shared list elsewhere.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import re
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

try:  # typer >= 0.22 carries its own copy of click
    from typer._click.exceptions import BadParameter, NoSuchOption, UsageError
except ImportError:  # pragma: no cover - an older typer on the real click
    from click.exceptions import BadParameter, NoSuchOption, UsageError  # type: ignore[assignment]

from hyperlab.engine.trainer import TrainingInterrupted
from hyperlab.errors import HyperlabError, check_out_dir


class _Help:
    """What every hyperlab command and group shares: flags (``--json``, ``--resume``, ``--help``) show
    no metavar in the help (typer's rich help gives each a ``<bool>`` although a flag takes no value)."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)  # type: ignore[misc]
        for param in params:
            if getattr(param, "is_flag", False):
                param.metavar = ""
        return params


class Command(_Help, TyperCommand):
    """A hyperlab command (see ``_Help``)."""


class Group(_Help, TyperGroup):
    """A group of commands (``hyperlab``, ``hyperlab lesson``); at the top, a usage error anywhere below
    (an unknown option or command, a value of the wrong type) prints one ``error:`` line and exits 2,
    as every other error of the command line does, instead of typer's boxed message."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _one_line_usage_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _one_line_usage_errors(ctx.parent is None):
            return super().invoke(ctx)


@contextlib.contextmanager
def _one_line_usage_errors(top: bool = True) -> Iterator[None]:
    try:
        yield
    except UsageError as exc:
        if not top or type(exc).__name__ == "NoArgsIsHelpError":  # the help typer prints for a bare group
            raise
        typer.echo(f"error: {usage_message(exc)}", err=True)
        raise typer.Exit(exc.exit_code) from None


def usage_message(exc: UsageError) -> str:
    """Click's message on one line, its suggestion as ours: "No such option: --lrr (did you mean --lr?)"."""
    if isinstance(exc, NoSuchOption) and exc.possibilities:
        return f"{exc.message} (did you mean {' or '.join(sorted(exc.possibilities))}?)"
    ours = re.fullmatch(r"(?:Value error, )?(\w+=.+ is invalid: .+)", exc.message, re.DOTALL)
    if isinstance(exc, BadParameter) and ours:  # an option read by ``options.read_as``: our line as it is
        return ours.group(1)
    message = exc.format_message()
    # typer's "No such command 'trian'. Did you mean 'train'?"
    head, sep, suggestion = message.partition(". Did you mean ")
    if sep:
        return f"{head} (did you mean {suggestion.rstrip('?')}?)"
    return " ".join(message.split())


app = typer.Typer(cls=Group, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
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


# the options of a command that name a directory it writes into
OUTPUT_DIRS = ("out", "tensorboard")


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command so user errors print one line and exit 2 (Ctrl-C exits 130), and our
    warnings print as one ``note:`` line, not a source location."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            for name in OUTPUT_DIRS:  # refused before anything trains, not when the results are saved
                check_out_dir(name, kwargs.get(name))
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
    """Register ``func`` as a subcommand (of ``target``, default the top level), guarded. Its
    docstring's paragraphs become one line each, so the help rewraps them to the terminal instead
    of breaking where the source breaks (typer's rich help keeps single line breaks)."""
    (target or app).command(name, cls=Command, help=one_line_paragraphs(func.__doc__))(guarded(func))


def one_line_paragraphs(text: str | None) -> str | None:
    """``text`` with each paragraph's lines joined by spaces (paragraphs stay apart)."""
    if text is None:
        return None
    return "\n\n".join(" ".join(p.split()) for p in inspect.cleandoc(text).split("\n\n"))


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
