"""`hyperlab datasets`, `models`, `optimizers` take --lang like every other command and describe each
entry in Korean with --lang ko."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hyperlab.cli import app
from hyperlab.data import describe_builtin
from hyperlab.models import MODELS
from hyperlab.optim import DESCRIPTIONS

runner = CliRunner()
NAMES = {"datasets": [row["name"] for row in describe_builtin()], "models": list(MODELS),
         "optimizers": list(DESCRIPTIONS)}


@pytest.mark.parametrize("command", sorted(NAMES))
def test_lang_ko_describes_every_entry_in_korean(command):
    english = json.loads(runner.invoke(app, [command, "--json"]).stdout)
    result = runner.invoke(app, [command, "--lang", "ko", "--json"])
    assert result.exit_code == 0, result.output
    korean = json.loads(result.stdout)
    assert [row["name"] for row in korean] == NAMES[command] == [row["name"] for row in english]
    for ko, en in zip(korean, english):
        assert any("\uac00" <= ch <= "\ud7a3" for ch in ko["description"]), ko  # Hangul
        assert ko["description"] != en["description"]
    table = runner.invoke(app, [command, "--lang", "ko"], env={"COLUMNS": "120"})
    assert table.exit_code == 0 and "설명" in table.output and "이름" in table.output


def test_a_bad_lang_is_one_line_exit_2():
    result = runner.invoke(app, ["models", "--lang", "fr"])
    assert result.exit_code == 2 and result.output == "error: lang='fr' is invalid: must be one of en, ko\n"
