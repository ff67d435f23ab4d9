"""An output directory that cannot be written is refused before anything trains, naming the field,
from the command line (exit 2, one line) and from Python, instead of failing when results are saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import hyperlab
from hyperlab.cli import app
from hyperlab.errors import ConfigError, check_out_dir
from hyperlab.tuners import lr_find, scale_lr

runner = CliRunner()


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("mine\n")
    return path


def test_writable_places_pass_and_leave_nothing_behind(tmp_path):
    assert check_out_dir("out", None) is None
    assert check_out_dir("out", tmp_path) == tmp_path
    assert check_out_dir("out", tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    assert list(tmp_path.iterdir()) == []  # the write check made and removed its folder; nothing created


def test_a_file_and_a_file_on_the_way_are_refused(a_file):
    with pytest.raises(ConfigError, match=r"^out='.*notes.txt' is invalid: must be a directory, and it is a file$"):
        check_out_dir("out", a_file)
    with pytest.raises(ConfigError, match=r"^out='.*notes.txt/run' is invalid: cannot be created: .*notes.txt is a file$"):
        check_out_dir("out", a_file / "run")


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux's /proc, which accepts no new folders")
def test_a_place_that_takes_no_folder_is_refused_by_trying():
    # root passes every permission check, so only making a folder tells; /proc refuses it even to root
    with pytest.raises(ConfigError, match=r"^tensorboard='/proc/hyperlab-x' is invalid: cannot be written: "
                                          r"making a folder in /proc failed \("):
        check_out_dir("tensorboard", "/proc/hyperlab-x")


@pytest.mark.parametrize("args", [
    ["train", "--epochs", "1"],
    ["train", "--lr", "0.01,0.1", "--epochs", "1"],
    ["lr-find", "--steps", "10"],
    ["lesson", "epochs"],
])
def test_commands_refuse_a_file_as_out_before_training(args, a_file):
    result = runner.invoke(app, [*args, "--out", str(a_file)])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error: out=") and result.output.count("\n") == 1, result.output
    assert "it is a file" in result.output and "Traceback" not in result.output
    assert a_file.read_text() == "mine\n"  # nothing lost


def test_train_refuses_a_tensorboard_folder_inside_a_file(a_file):
    result = runner.invoke(app, ["train", "--epochs", "1", "--tensorboard", str(a_file / "tb")])
    assert result.exit_code == 2 and result.output.startswith("error: tensorboard=") and "is a file" in result.output


def test_python_entry_points_refuse_before_training(a_file, tmp_path):
    calls = [
        lambda: hyperlab.train("mlp", "digits", epochs=1, out=a_file),
        lambda: hyperlab.train_many("mlp", "digits", {"lr": [0.01, 0.1]}, epochs=1, out=a_file / "grid"),
        lambda: lr_find("mlp", "digits", out=a_file),
        lambda: scale_lr(0.1, 32, 64, out=a_file),
    ]
    for call in calls:
        with pytest.raises(ConfigError, match=r"^out="):
            call()
    assert a_file.read_text() == "mine\n" and sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
