"""`hyperlab datasets`, `models`, `optimizers`: what is built in."""

from __future__ import annotations

from rich.table import Table

from hyperlab.cli import options as o
from hyperlab.data import describe_builtin
from hyperlab.models import MODELS
from hyperlab.optim import DESCRIPTIONS


def _show(rows: list[dict[str, str]], json_out: bool) -> None:
    if json_out:
        o.print_json(rows)
        return
    table = Table(*rows[0].keys())
    for row in rows:
        table.add_row(*row.values())
    o.console().print(table)


def datasets(json_out: o.JsonOpt = False) -> None:
    """Built-in data sets (all offline)."""
    _show(describe_builtin(), json_out)


def models(json_out: o.JsonOpt = False) -> None:
    """Built-in models (any nn.Module factory works too, as module:function)."""
    _show([{"name": k, "description": v} for k, v in MODELS.items()], json_out)


def optimizers(json_out: o.JsonOpt = False) -> None:
    """Optimizers by name (all torch.optim)."""
    _show([{"name": k, "description": v} for k, v in DESCRIPTIONS.items()], json_out)


def register(command) -> None:  # noqa: ANN001 - see hyperlab.cli.command
    command(datasets)
    command(models)
    command(optimizers)
