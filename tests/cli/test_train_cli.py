"""`hyperlab train` and the catalog commands, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hyperlab.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_train_writes_run_directory_and_prints_summary(tmp_path):
    out = tmp_path / "run"
    result = run("train", "--dataset", "wine", "--model", "mlp", "--batch-size", "16", "--lr", "0.01",
                 "--epochs", "3", "--optimizer", "adam", "--threads", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "106 samples / batch size 16 = 7 steps per epoch" in result.output
    assert str(out) in result.output
    assert {p.name for p in out.iterdir()} >= {"config.yaml", "history.json", "summary.json", "curves.png",
                                               "checkpoint.pt"}


def test_json_output_is_parseable_and_complete(tmp_path):
    result = runner.invoke(app, ["train", "--dataset", "wine", "--epochs", "2", "--json", "--quiet",
                                 "--out", str(tmp_path / "r")])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["summary"]["status"] == "completed" and data["hparams"]["epochs"] == 2
    assert len(data["history"]["epochs"]) == 2


def test_yaml_config_with_flags_overriding(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("dataset: wine\nmodel: logistic\nbatch-size: 8\nlr: 0.5\nepochs: 2\noptimizer: sgd\n")
    result = run("train", "--config", str(cfg), "--lr", "0.05", "--json", "--quiet", "--out", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    hp = json.loads(result.stdout)["hparams"]
    assert (hp["batch_size"], hp["lr"], hp["optimizer"]) == (8, 0.05, "sgd")


def test_korean_text(tmp_path):
    result = run("train", "--dataset", "wine", "--epochs", "1", "--lang", "ko", "--out", str(tmp_path / "r"))
    assert result.exit_code == 0
    assert "배치 크기" in result.output and "학습률" in result.output and "에폭당" in result.output


@pytest.mark.parametrize("args, message", [
    (["--lr", "-1"], "lr='-1' is invalid: must be a finite number > 0"),
    (["--lr", "nan"], "lr='nan' is invalid"),
    (["--batch-size", "0"], "batch_size='0' is invalid: must be an integer >= 1"),
    (["--batch-size", "100000"], "batch_size=100000 is invalid: must be at most the training set size"),
    (["--epochs", "0"], "epochs='0' is invalid"),
    (["--optimizer", "adamm"], "did you mean 'adam'?"),
    (["--set", "momentum=0.9"], "momentum=0.9 is invalid: does not apply to optimizer 'adam'"),
    (["--set", "bogus=1"], "bogus='1' is invalid: is not a known setting"),
    (["--dataset", "digts"], "did you mean 'digits'?"),
    (["--model", "resnet"], "model='resnet' is invalid"),
    (["--lang", "fr"], "lang='fr' is invalid: must be one of en, ko"),
    (["--threads", "0"], "threads='0' is invalid: must be an integer >= 1"),
])
def test_bad_input_exits_2_with_one_line(args, message, tmp_path):
    result = runner.invoke(app, ["train", "--epochs", "1", "--out", str(tmp_path / "r"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r" / "history.json").exists()


def test_real_process_bad_value_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "hyperlab", "train", "--lr", "0", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: lr='0' is invalid: must be a finite number > 0"


@pytest.mark.parametrize("command, expected", [("datasets", "digits"), ("models", "cnn"), ("optimizers", "nesterov")])
def test_catalog_commands(command, expected):
    result = run(command, "--json")
    assert result.exit_code == 0
    assert expected in [row["name"] for row in json.loads(result.stdout)]


def test_user_csv_and_module_function_model_from_the_working_directory(tmp_path, monkeypatch):
    """As a user runs it: their CSV and their model factory, in their own folder."""
    (tmp_path / "mynet.py").write_text(
        "from torch import nn\n"
        "def make(n_features, n_outputs):\n"
        "    return nn.Sequential(nn.Linear(n_features, 8), nn.Tanh(), nn.Linear(8, n_outputs))\n")
    rows = "\n".join(f"{i % 7},{(i * 3) % 5},{int(i % 7 > 3)}" for i in range(120))
    (tmp_path / "points.csv").write_text("x1,x2,label\n" + rows)
    monkeypatch.chdir(tmp_path)
    script = Path(sys.executable).parent / "hyperlab"  # the installed console script, not `python -m`
    proc = subprocess.run([str(script), "train", "--dataset", "points.csv", "--label", "label",
                           "--model", "mynet:make", "--epochs", "3", "--batch-size", "8", "--quiet", "--json",
                           "--out", "run"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)["summary"]
    assert summary["status"] == "completed" and summary["n_train"] == 72


# ---- lists: every combination trained together ------------------------------------------------

def test_lists_train_every_combination_as_one_population(tmp_path):
    out = tmp_path / "cmp"
    result = run("train", "--dataset", "wine", "--model", "logistic", "--lr", "0.01,0.1", "--optimizer", "sgd,adam",
                 "--batch-size", "16,32", "--epochs", "2", "--threads", "1", "--json", "--out", str(out))
    assert result.exit_code == 0, result.output
    runs = json.loads(result.stdout)
    assert isinstance(runs, list) and len(runs) == 8
    names = [r["name"] for r in runs]
    assert names[0] == "sgd-b16-lr0.01" and "adam-b32-lr0.1" in names and len(set(names)) == 8
    for r in runs:
        assert r["summary"]["status"] == "completed" and len(r["history"]["epochs"]) == 2
        assert r["history"]["peak_memory"]["population_members"] == 4  # two batch sizes: two cohorts of 4
        member = out / r["name"]
        assert {p.name for p in member.iterdir()} >= {"config.yaml", "history.json", "summary.json", "curves.png"}
        assert json.loads((member / "summary.json").read_text())["final_val_loss"] == r["summary"]["final_val_loss"]
    assert (out / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [c["name"] for c in json.loads((out / "comparison.json").read_text())] == names
    title = " ".join(result.stderr.split())  # two batch sizes are two cohorts, and the title says so
    assert "8 runs trained as one population, in 2 cohorts by batch size (16, 32)" in title and "best:" in title


def test_a_list_member_equals_its_single_run(tmp_path):
    listed = run("train", "--dataset", "wine", "--lr", "0.003,0.03", "--optimizer", "momentum", "--epochs", "3",
                 "--threads", "1", "--json", "--quiet", "--out", str(tmp_path / "l"))
    single = run("train", "--dataset", "wine", "--lr", "0.03", "--optimizer", "momentum", "--epochs", "3",
                 "--threads", "1", "--json", "--quiet", "--out", str(tmp_path / "s"))
    assert listed.exit_code == 0 and single.exit_code == 0, listed.output + single.output
    member = next(r for r in json.loads(listed.stdout) if r["hparams"]["lr"] == 0.03)
    alone = json.loads(single.stdout)
    assert member["history"]["step_loss"] == pytest.approx(alone["history"]["step_loss"], rel=1e-5)
    assert member["summary"]["final_val_loss"] == pytest.approx(alone["summary"]["final_val_loss"], rel=1e-5)


def test_lists_in_korean_and_seeds(tmp_path):
    result = run("train", "--dataset", "wine", "--seed", "0,1", "--lr", "0.01,0.02", "--epochs", "1", "--lang", "ko",
                 "--threads", "1", "--out", str(tmp_path / "k"))
    assert result.exit_code == 0, result.output
    assert "한 번에" in result.output and "adam-b32-lr0.01-s1" in result.output
    assert (tmp_path / "k" / "adam-b32-lr0.02-s0" / "history.json").is_file()


@pytest.mark.parametrize("args, message", [
    (["--lr", "0.01,abc"], "lr='abc' is invalid: must be a finite number > 0"),
    (["--lr", "0.01,"], "lr='0.01,' is invalid: has an empty value"),
    (["--optimizer", "sgd,adamm"], "did you mean 'adam'?"),
    (["--batch-size", "16,0"], "batch_size='0' is invalid: must be an integer >= 1"),
    (["--batch-size", "16,100000"], "batch_size=100000 is invalid: must be at most the training set size"),
    (["--seed", "0,-1"], "seed='-1' is invalid"),
    (["--lr", "0.1,0.2", "--resume"], "resume=True is invalid: works with one run, not with lists"),
])
def test_a_bad_list_item_exits_2_with_one_line(args, message, tmp_path):
    result = runner.invoke(app, ["train", "--dataset", "wine", "--epochs", "1", "--out", str(tmp_path / "r"), *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()


# ---- writing over earlier results ----------------------------------------------------------------

def _notes(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("note:")]


def test_a_run_into_an_earlier_runs_directory_says_it_replaced_it(tmp_path):
    out = tmp_path / "run"
    args = ("train", "--dataset", "wine", "--model", "logistic", "--epochs", "1", "--threads", "1", "--out", str(out))
    first = run(*args, "--lang", "ko")
    assert first.exit_code == 0, first.output
    assert _notes(first) == []  # nothing was there
    again = run(*args, "--lr", "0.01")
    assert again.exit_code == 0, again.output
    assert _notes(again) == [f"note: replaced the earlier run in {out}"]
    korean = run(*args, "--lang", "ko")
    assert _notes(korean) == [f"note: {out}에 있던 이전 실행을 이번 실행으로 바꿨습니다"]
    resumed = run(*args, "--lang", "ko", "--resume")  # the same run continued: nothing replaced
    assert resumed.exit_code == 0, resumed.output
    assert _notes(resumed) == []


def test_a_smaller_comparison_in_the_same_folder_says_which_members_it_removed(tmp_path):
    out = tmp_path / "compare"
    args = ("train", "--dataset", "wine", "--model", "logistic", "--epochs", "1", "--threads", "1", "--out", str(out))
    first = run(*args, "--lr", "0.01,0.1", "--optimizer", "sgd,adam")
    assert first.exit_code == 0, first.output
    assert _notes(first) == []
    second = run(*args, "--lr", "0.01", "--optimizer", "sgd,adam")
    assert second.exit_code == 0, second.output
    expected = (f"note: replaced the earlier comparison in {out}; removed its members not in this one: "
                "sgd-b32-lr0.1, adam-b32-lr0.1")
    assert _notes(second) == [expected]
    listed = [c["name"] for c in json.loads((out / "comparison.json").read_text())]
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == sorted(listed) == ["adam-b32-lr0.01",
                                                                                    "sgd-b32-lr0.01"]


def test_the_summary_shows_precision_clipping_and_accumulation_when_not_the_defaults(tmp_path):
    plain = run("train", "--dataset", "wine", "--epochs", "1", "--threads", "1", "--out", str(tmp_path / "a"))
    assert plain.exit_code == 0, plain.output
    assert "precision" not in plain.output and "clipping" not in plain.output
    scaled = run("train", "--dataset", "wine", "--epochs", "1", "--threads", "1", "--precision", "bf16",
                 "--clip-grad-norm", "1.0", "--accumulate", "2", "--batch-size", "16", "--out", str(tmp_path / "b"))
    assert scaled.exit_code == 0, scaled.output
    for row in ("precision", "bf16", "gradient clipping", "total norm <= 1", "gradient accumulation",
                "2 micro-batches per step"):
        assert row in scaled.output
    korean = run("train", "--dataset", "wine", "--epochs", "1", "--threads", "1", "--precision", "bf16",
                 "--clip-grad-norm", "0.5", "--lang", "ko", "--out", str(tmp_path / "c"))
    assert "정밀도" in korean.output and "전체 노름 <= 0.5" in korean.output


RECURRENT = '''
from torch import nn


class Rows(nn.Module):  # an 8x8 digit read row by row: torch.vmap cannot stack a GRU
    def __init__(self, n_outputs):
        super().__init__()
        self.rnn, self.head = nn.GRU(8, 8, batch_first=True), nn.Linear(8, n_outputs)

    def forward(self, x):
        return self.head(self.rnn(x.view(-1, 8, 8))[0][:, -1])


def make(n_outputs):
    return Rows(n_outputs)
'''


def test_a_list_that_falls_back_says_so_and_never_claims_a_population(tmp_path, monkeypatch):
    (tmp_path / "recurrent_models.py").write_text(RECURRENT)
    monkeypatch.chdir(tmp_path)
    result = run("train", "--dataset", "digits", "--model", "recurrent_models:make", "--lr", "0.01,0.1",
                 "--epochs", "1", "--batch-size", "256", "--threads", "1", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "2 runs trained one after another" in result.output
    assert "Batching rule not implemented for aten::gru" in result.output  # the reason, once
    assert "trained together as one population" not in result.output


def test_lists_under_a_memory_limit_train_in_chunks_and_say_so(tmp_path):
    """The engine's chunking, from the command line: a population whose step would not fit the limit
    trains in chunks (same results), and the title says why."""
    args = ["train", "--dataset", "wine", "--model", "logistic", "--lr", "0.01,0.03,0.1", "--epochs", "2",
            "--threads", "1", "--json"]
    whole = run(*args, "--out", str(tmp_path / "a"))
    assert whole.exit_code == 0, whole.output
    step = json.loads(whole.stdout)[0]["history"]["peak_memory"]
    limit = (step["population_step_peak_bytes"] + step["step_peak_bytes"]) // 2  # room for fewer than three
    limited = run(*args, "--memory-limit", f"{limit}B", "--out", str(tmp_path / "b"))
    assert limited.exit_code == 0, limited.output
    runs = json.loads(limited.stdout)
    assert max(r["history"]["peak_memory"]["population_members"] for r in runs) < 3
    for a, b in zip(json.loads(whole.stdout), runs, strict=True):
        assert b["summary"]["final_val_loss"] == pytest.approx(a["summary"]["final_val_loss"], rel=1e-5)
    assert "3 runs trained as populations of at most" in " ".join(limited.stderr.split())
    single = run("train", "--dataset", "wine", "--memory-limit", "1MB", "--out", str(tmp_path / "c"))
    assert single.exit_code == 2 and "memory_limit='1MB' is invalid: applies to comma lists" in single.output
    bad = run(*args, "--memory-limit", "lots", "--out", str(tmp_path / "d"))
    assert bad.exit_code == 2 and "memory_limit='lots' is invalid: must be a positive size" in bad.output
    assert not (tmp_path / "d").exists()
