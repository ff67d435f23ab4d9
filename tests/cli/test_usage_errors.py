"""Unknown options and commands, like every other bad input, print one `error:` line and exit 2
(not typer's boxed message), with click's suggestion when it has one."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from hyperlab.cli import app

runner = CliRunner()


@pytest.mark.parametrize("args, line", [
    (["train", "--nosuchflag"], "error: No such option: --nosuchflag"),
    (["train", "--lrr", "0.1"], "error: No such option: --lrr (did you mean --lr?)"),
    (["lesson", "nosuch"], "error: No such command 'nosuch'."),
    (["trian"], "error: No such command 'trian' (did you mean 'train'?)"),
    (["--nosuch"], "error: No such option: --nosuch"),
    (["lesson", "epochs", "--bogus"], "error: No such option: --bogus (did you mean --out?)"),
    (["train", "--json", "true"], "error: Got unexpected extra argument(s) (true)"),
    (["results"], "error: Missing argument 'study'."),
])
def test_usage_errors_are_one_line_exit_2(args, line):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.output == line + "\n"


def test_the_installed_command_prints_the_same_line():
    proc = subprocess.run([sys.executable, "-m", "hyperlab", "train", "--nosuchflag"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr == "error: No such option: --nosuchflag\n" and proc.stdout == ""


def test_a_bare_group_still_shows_its_help():
    result = runner.invoke(app, ["lesson"])
    assert "lesson [OPTIONS] COMMAND" in result.output and "error:" not in result.output
