"""Run directories on disk: a rerun replaces the earlier run only once it is saved (a failing one
leaves it whole), config.yaml records the model size used, and a comparison written where an
earlier one was holds exactly the members its comparison.json lists."""

from __future__ import annotations

import json

import pytest
import yaml

import hyperlab
from hyperlab.engine import Callback
from hyperlab.records import RUN_FILES, comparison_members


class FailAt(Callback):
    """A run that fails (not Ctrl-C) at the end of an epoch, after the checkpoint of the one before."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_epoch_end(self, run) -> None:
        if run.epoch == self.epoch:
            raise RuntimeError("failed on purpose")


def _files(run_dir):
    return {p.name: p.read_bytes() for p in run_dir.iterdir()}


def test_a_failing_rerun_leaves_the_earlier_run_whole_and_a_finished_one_replaces_it(tmp_path):
    run_dir = tmp_path / "run"
    hyperlab.train("logistic", "wine", epochs=2, out=run_dir)
    before = _files(run_dir)
    assert set(before) == set(RUN_FILES)
    with pytest.raises(RuntimeError, match="failed on purpose"):  # it checkpointed epoch 1, then failed
        hyperlab.train("logistic", "wine", epochs=3, lr=0.1, out=run_dir, callbacks=[FailAt(2)])
    assert _files(run_dir) == before  # checkpoint included: nothing of the failed run got in
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # its staging folder is gone
    result = hyperlab.train("logistic", "wine", epochs=3, lr=0.1, out=run_dir)
    assert result.run_dir == run_dir and sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    assert yaml.safe_load((run_dir / "config.yaml").read_text())["epochs"] == 3
    assert len(json.loads((run_dir / "history.json").read_text())["epochs"]) == 3
    resumed = hyperlab.train("logistic", "wine", epochs=3, lr=0.1, out=run_dir, resume=True)  # in place
    assert resumed.run_dir == run_dir and resumed.history.step_loss == result.history.step_loss
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_config_yaml_records_the_width_and_depth_the_model_was_built_with(tmp_path):
    hyperlab.train("mlp", "wine", epochs=1, depth=1, out=tmp_path / "mlp")
    config = yaml.safe_load((tmp_path / "mlp" / "config.yaml").read_text())
    assert (config["model"], config["width"], config["depth"]) == ("mlp", 128, 1)
    hyperlab.train("logistic", "wine", epochs=1, out=tmp_path / "logistic")
    config = yaml.safe_load((tmp_path / "logistic" / "config.yaml").read_text())
    assert "width" not in config and "depth" not in config  # they do not apply to it
    hyperlab.train_many("mlp", "wine", {"lr": [0.01, 0.1]}, epochs=1, width=8, out=tmp_path / "cmp")
    config = yaml.safe_load((tmp_path / "cmp" / "adam-b32-lr0.01" / "config.yaml").read_text())
    assert (config["width"], config["depth"]) == (8, 2)


def test_a_smaller_comparison_removes_the_earlier_members_it_does_not_list(tmp_path):
    out = tmp_path / "compare"
    hyperlab.train_many("logistic", "wine", {"lr": [0.01, 0.1], "optimizer": ["sgd", "adam"]}, epochs=1, out=out)
    (out / "notes").mkdir()  # the user's own things are never touched
    (out / "notes" / "a.txt").write_text("mine")
    (out / "sgd-b32-lr0.1" / "mine.txt").write_text("mine too")
    runs = hyperlab.train_many("logistic", "wine", {"lr": [0.01], "optimizer": ["sgd", "adam"]}, epochs=1, out=out)
    assert comparison_members(out) == ["sgd-b32-lr0.01", "adam-b32-lr0.01"]
    assert sorted(p.name for p in out.iterdir()) == ["adam-b32-lr0.01", "comparison.json", "curves.png", "notes",
                                                     "sgd-b32-lr0.01", "sgd-b32-lr0.1"]
    assert [p.name for p in (out / "sgd-b32-lr0.1").iterdir()] == ["mine.txt"]  # its run files went
    assert (out / "notes" / "a.txt").read_text() == "mine"
    assert [r.run_dir for r in runs] == [out / "sgd-b32-lr0.01", out / "adam-b32-lr0.01"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["compare"]  # no staging folder left


def test_a_comparison_never_removes_what_its_listing_names_outside_the_folder(tmp_path):
    outside = tmp_path / "precious"
    hyperlab.train("logistic", "wine", epochs=1, out=outside)
    out = tmp_path / "compare"
    out.mkdir()
    (out / "comparison.json").write_text(json.dumps([{"name": "../precious"}, {"name": ".."}, {"name": 3}]))
    assert comparison_members(out) == []
    hyperlab.train_many("logistic", "wine", {"lr": [0.01, 0.1]}, epochs=1, out=out)
    assert set(_files(outside)) == set(RUN_FILES)
    (out / "comparison.json").write_text("not json")
    assert comparison_members(out) == []


def test_files_written_atomically_get_the_usual_permissions(tmp_path):
    import os
    import stat

    from hyperlab.engine.checkpoint import atomic_write_bytes

    atomic_write_bytes(tmp_path / "a.bin", lambda f: f.write(b"x"))
    (tmp_path / "b.bin").write_bytes(b"x")  # as open() makes it
    mode = lambda p: stat.S_IMODE(os.stat(p).st_mode)  # noqa: E731
    assert mode(tmp_path / "a.bin") == mode(tmp_path / "b.bin")
