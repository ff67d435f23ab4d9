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


@pytest.mark.parametrize("args, line", [
    (["train", "--width", "abc"], "error: width='abc' is invalid: must be an integer >= 1"),
    (["train", "--depth", "-1"], "error: depth='-1' is invalid: must be an integer >= 0"),
    (["lesson", "epochs", "--threads", "x"], "error: threads='x' is invalid: must be an integer >= 1"),
    (["train", "--nproc", "two"], "error: nproc='two' is invalid: must be an integer >= 1"),
    (["train", "--dist-timeout", "0"], "error: dist_timeout='0' is invalid: must be a finite number > 0"),
    (["lab", "--port", "http"], "error: port='http' is invalid: must be an integer from 0 to 65535"),
    (["lab", "--workers", "1.5"], "error: workers='1.5' is invalid: must be an integer from 1 to 64"),
    (["lab", "--upload-limit", "-1"], "error: upload_limit='-1' is invalid: must be a finite number > 0"),
])
def test_typed_number_options_get_the_same_line_as_every_other_value(args, line):
    # typer's own wording ("Invalid value for '--width': Input should be a valid integer...") named
    # neither the value nor what is allowed
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and result.output == line + "\n"
