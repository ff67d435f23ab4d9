"""`hyperlab datasets`, `models`, `optimizers`: what is built in (descriptions in English or Korean)."""

from __future__ import annotations

from hyperlab.cli import options as o
from hyperlab.cli import texts  # noqa: F401 - registers the catalog texts
from hyperlab.data import describe_builtin
from hyperlab.i18n import t
from hyperlab.lessons import texts as lesson_texts  # noqa: F401 - registers task.classification, task.regression
from hyperlab.models import MODELS
from hyperlab.optim import DESCRIPTIONS
from hyperlab.views.tables import data_table


def _show(kind: str, rows: list[dict[str, str]], lang: str, json_out: bool) -> None:
    """The rows with each description in ``lang`` (and, in the table, the task)."""
    lang = o.lang_of(lang)
    rows = [{**row, "description": t(f"catalog.{kind}.{row['name']}", lang)} for row in rows]
    if json_out:
        o.print_json(rows)
        return
    cells = [[t(f"task.{v}", lang) if k == "task" else v for k, v in row.items()] for row in rows]
    o.console().print(data_table([t(f"catalog.{key}", lang) for key in rows[0]], cells))


def datasets(lang: o.LangOpt = "en", json_out: o.JsonOpt = False) -> None:
    """Built-in data sets (all offline)."""
    _show("dataset", describe_builtin(), lang, json_out)


def models(lang: o.LangOpt = "en", json_out: o.JsonOpt = False) -> None:
    """Built-in models (any nn.Module factory works too, as module:function)."""
    _show("model", [{"name": k, "description": v} for k, v in MODELS.items()], lang, json_out)


def optimizers(lang: o.LangOpt = "en", json_out: o.JsonOpt = False) -> None:
    """Optimizers by name (all torch.optim)."""
    _show("optimizer", [{"name": k, "description": v} for k, v in DESCRIPTIONS.items()], lang, json_out)


def register(command) -> None:  # noqa: ANN001 - see hyperlab.cli.command
    command(datasets)
    command(models)
    command(optimizers)
