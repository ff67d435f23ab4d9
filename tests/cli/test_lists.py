"""Comma lists read by one function (``hyperlab.hparams.parse_list``): `train` and `sweep` give a bad
item the same one-line error, naming the field, the item and what is allowed."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hyperlab.cli import app

runner = CliRunner()


@pytest.mark.parametrize("flag, value, message", [
    ("--lr", "0.01,abc", "error: lr='abc' is invalid: must be a finite number > 0\n"),
    ("--batch-size", "16,32.5", "error: batch_size='32.5' is invalid: must be an integer >= 1\n"),
    ("--epochs", "2,0", "error: epochs='0' is invalid: must be an integer >= 1\n"),
    ("--batch-size", "16,,32", "error: batch_size='16,,32' is invalid: has an empty value; "
                               "write values separated by commas, e.g. 16,32\n"),
    ("--lr", "0.1,0.01,1e-1", "error: lr='0.1,0.01,1e-1' is invalid: lists the same value twice (0.1 and 1e-1): "
                              "give each value once\n"),
    ("--optimizer", "adam,Adam", "error: optimizer='adam,Adam' is invalid: lists the same value twice (adam and Adam): "
                                 "give each value once\n"),
    ("--batch-size", "16,32,16", "error: batch_size='16,32,16' is invalid: lists 16 twice: give each value once\n"),
])
def test_train_and_sweep_give_a_bad_list_item_the_same_line(tmp_path, flag, value, message):
    train = runner.invoke(app, ["train", flag, value, "--out", str(tmp_path / "run")])
    sweep = runner.invoke(app, ["sweep", "--storage", str(tmp_path / "s.db"), flag, value])
    for result in (train, sweep):
        assert result.exit_code == 2 and result.output == message
    assert not (tmp_path / "s.db").exists() and not (tmp_path / "run").exists()


def test_parse_list_converts_each_item_as_a_single_value_would_be():
    from hyperlab.hparams import parse_list

    assert parse_list("lr", " 0.001, 1e-2 ") == [0.001, 0.01]
    assert parse_list("optimizer", "SGD,adam") == ["sgd", "adam"]
    assert parse_list("momentum", "0.5,0.9") == [0.5, 0.9]  # an option only some optimizers have


def test_members_with_equal_names_are_all_numbered():
    from hyperlab import HParams
    from hyperlab.records.members import member_names

    # members that differ only in a setting the names leave out (the schedule): each gets a number
    names = member_names([HParams(schedule="constant"), HParams(schedule="cosine"), HParams(lr=0.1)])
    assert names == ["adam-b32-lr0.001-1", "adam-b32-lr0.001-2", "adam-b32-lr0.1"]
