"""The help reads right: flags show no metavar, options say what they take (`<numbers>` where a comma
list is taken), `train` shows the knobs' defaults and names every knob that takes a list."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from hyperlab.cli import app
from test_options import commands  # every command's name, sub-commands included
from hyperlab.hparams import HParams

runner = CliRunner()




def help_of(*args: str) -> str:
    result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "240"})
    assert result.exit_code == 0, result.output
    return result.output


def option_line(text: str, flag: str) -> str:
    return next(line for line in text.splitlines() if re.search(rf"│\s+{re.escape(flag)}\s", line))


@pytest.mark.parametrize("name", ["", "lesson", *(name for name, _ in commands())])
def test_no_flag_shows_a_bool_metavar(name):
    text = help_of(*name.split())
    assert "<bool>" not in text
    assert re.search(r"--help\s+Show this message", text)


def test_train_options_say_what_they_take_and_their_defaults():
    text = help_of("train")
    defaults = HParams()
    for flag, metavar, default in (("--batch-size", "<ints>", defaults.batch_size),
                                   ("--lr", "<numbers>", defaults.lr), ("--epochs", "<ints>", defaults.epochs),
                                   ("--optimizer", "<names>", defaults.optimizer), ("--seed", "<ints>", defaults.seed)):
        line = option_line(text, flag)
        assert metavar in line and f"(default {default})" in line, line
    # README's defaults
    assert (32, 0.001, 10, "adam") == (defaults.batch_size, defaults.lr, defaults.epochs, defaults.optimizer)
    for flag in ("--patience", "--accumulate", "--threads"):
        assert "<int>" in option_line(text, flag)
    for flag in ("--json", "--resume", "--quiet"):
        assert re.search(rf"{flag}\s+[A-Z]", option_line(text, flag))  # straight to the help: no metavar


def test_single_value_commands_show_a_singular_metavar():
    line = option_line(help_of("lr-find"), "--batch-size")
    assert "<int>" in line and "<ints>" not in line
    assert "<int>" in option_line(help_of("sweep"), "--trials")


def test_top_level_help_names_every_knob_that_takes_a_list():
    text = " ".join(help_of().split())
    for flag in ("--lr", "--optimizer", "--batch-size", "--epochs", "--seed"):
        assert re.search(rf"{flag} \S+,\S+", text), flag


def test_command_descriptions_are_rewrapped_to_the_terminal_not_broken_where_the_source_breaks():
    """On a wide terminal each command's description is one line ("train every" was cut at the
    docstring's own line break before), and markdown kept every word (``DIR/trial-N``)."""
    listing = runner.invoke(app, ["--help"], env={"COLUMNS": "300"}).output
    train = next(line for line in listing.splitlines() if re.search(r"│ train\s", line))
    assert "save the run directory" in train and "together as one population." in train
    check = next(line for line in listing.splitlines() if re.search(r"│ optimizer-check\s", line))
    assert "--lr-method sweep), trained side by side as one population." in check
    assert "DIR/trial-N (N: the trial number" in help_of("sweep")
