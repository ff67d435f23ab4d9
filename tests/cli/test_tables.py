"""Tables never split a number or a single word across lines (a split "1.674" / "9" reads as
another number): boxed when they fit, compact when not, cut with an ellipsis only as a last resort."""

from __future__ import annotations

import json
import re

import pytest
from rich.console import Console
from typer.testing import CliRunner

from hyperlab.cli import app
from hyperlab.views.tables import data_table

runner = CliRunner()
HEADERS = ["run", "epochs", "status", "validation accuracy", "validation loss", "best epoch", "seconds"]
ROWS = [["sgd-b32-lr0.001", "2/2", "completed", "0.1944", "1.6749", "1", "1.65"],
        ["adam-b128-lr0.001", "2/2", "diverged (step 12)", "0.1944", "12.3456", "2", "11.69"]]


def render(table, width: int) -> str:
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(table)
    return console.export_text()


def whole_or_cut(text: str, cell: str) -> bool:
    """The cell is on one line, whole or cut with an ellipsis; never its start on one line and its end below."""
    return cell in text or any(cell.startswith(cut[:-1]) for cut in re.findall(r"\S+…", text))


@pytest.mark.parametrize("width", [120, 80, 70])
def test_numbers_and_words_are_never_split(width):
    text = render(data_table(HEADERS, ROWS, caption="seconds: shared"), width)
    for row in ROWS:
        for cell in row:
            for word in cell.split():
                assert whole_or_cut(text, word), (width, word, text)
    if width >= 80:  # boxed at 120, compact at 80: every number whole, and each header word whole
        for cell in (c for row in ROWS for c in row):
            assert cell in text or cell == "diverged (step 12)", (cell, text)
        for word in " ".join(HEADERS).split():
            assert word in text, (word, text)


def test_a_column_of_names_folds_so_the_others_stay_whole():
    rows = [[f"adam-b128-lr0.001-s{s}", "1/1", "completed", "0.8134", "1.1520", "1", "0.12"] for s in range(3)]
    cut = render(data_table(HEADERS, rows), 72)
    assert "completed" not in cut  # without folding, the narrow table cuts cells short
    text = render(data_table(HEADERS, rows, fold=[0]), 72)
    assert max(map(len, text.splitlines())) <= 72 and "…" not in text
    for row in rows:
        assert all(cell in text for cell in row[1:])  # status and numbers whole
    lines = [line.split() for line in text.splitlines() if line.strip()]
    folded = {a[0] + b[0] for a, b in zip(lines, lines[1:]) if len(b) == 1 and a[1:3] == ["1/1", "completed"]}
    assert folded == {row[0] for row in rows}  # each name complete, folded over two lines


def test_boxed_when_it_fits_compact_when_not():
    assert "┃" in render(data_table(HEADERS, ROWS), 120)
    narrow = render(data_table(HEADERS, ROWS), 80)
    assert "┃" not in narrow and "│" not in narrow and max(map(len, narrow.splitlines())) <= 80


def test_a_table_too_wide_even_compact_leaves_out_its_optional_columns_and_says_so():
    """Rich squeezed the first column of `results` (the trial numbers) to nothing at 80 columns;
    the columns marked optional now go first, named under the table."""
    heads = ["#", "status", "R²", "learning rate", "batch size", "epochs", "optimizer", "weight decay",
             "epochs run", "steps", "diverged at step", "seconds"]
    rows = [[str(n), status, "0.9776", "0.0002446", "8", "8", "rmsprop", "0.004687", "8", "240", step, "1.567"]
            for n, status, step in ((8, "complete", ""), (12, "diverged", "4"))]
    note = "not shown at this width: {columns}"
    text = render(data_table(heads, rows, optional=[11, 9, 8], left_out=note), 80)
    assert max(map(len, text.splitlines())) <= 80
    for row in rows:
        line = next(line for line in text.splitlines() if line.split() and line.split()[0] == row[0])
        assert line.split() == [cell for i, cell in enumerate(row) if i not in (8, 9, 11) and cell], line
    assert "not shown at this width: seconds, steps, epochs run" in " ".join(text.split())
    wide = render(data_table(heads, rows, optional=[11, 9, 8], left_out=note), 200)
    assert "not shown" not in wide and "1.567" in wide and "240" in wide


def test_results_at_80_columns_keep_every_trial_number(tmp_path):
    url = f"sqlite:///{tmp_path / 'n.db'}"
    sweep = runner.invoke(app, ["sweep", "--study", "n", "--storage", url, "--dataset", "moons", "--model", "logistic",
                                "--lr", "1e-4..1", "--weight-decay", "0..0.01", "--batch-size", "8,32",
                                "--optimizer", "sgd,rmsprop", "--epochs", "1..2", "--trials", "4", "--quiet"])
    assert sweep.exit_code == 0, sweep.output
    result = runner.invoke(app, ["results", "n", "--storage", url, "--no-report"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(map(len, lines)) <= 80
    firsts = [line.split()[0] for line in lines if len(line.split()) > 1 and line.split()[1] in ("complete", "pruned")]
    assert sorted(firsts, key=int) == ["0", "1", "2", "3"], result.output


def test_train_lists_at_80_columns_keep_numbers_whole_and_say_seconds_are_shared(tmp_path):
    result = runner.invoke(app, ["train", "--dataset", "wine", "--model", "logistic", "--lr", "0.001,0.01,0.1",
                                 "--optimizer", "sgd,adam", "--epochs", "2", "--threads", "1", "--json",
                                 "--out", str(tmp_path / "x")], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    table = result.stderr
    for run in json.loads(result.stdout):
        s = run["summary"]
        line = next(line for line in table.splitlines() if line.split() and line.split()[0] == run["name"])
        assert f"{s['final_val_loss']:.4f}" in line and f"{s['final_val_metric']:.4f}" in line, line
        assert "completed" in line and f"{s['seconds']:.2f}" in line, line
    assert "members trained together share one clock" in " ".join(table.split())


def test_a_comparison_too_wide_for_80_columns_leaves_out_seconds_and_its_note_not_the_names(tmp_path):
    """A diverged member's status widened the table past 80 columns, and the run names folded mid-number
    ("adam-b32-lr0.00" over "3"); the seconds column goes first now, with the note that explains it."""
    result = runner.invoke(app, ["train", "--dataset", "wine", "--lr", "0.003,30", "--epochs", "2", "--threads", "1",
                                 "--out", str(tmp_path / "w")], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    rows = [line for line in lines if line.startswith("adam-")]
    assert rows and max(map(len, rows)) <= 80
    firsts = [line.split()[0] for line in rows]
    assert firsts == ["adam-b32-lr0.003", "adam-b32-lr30"], result.output
    text = " ".join(result.output.split())
    assert "diverged (step" in text
    assert "not shown at this width: seconds (a wider terminal or --json shows them)" in text
    assert "share one clock" not in text  # the note on seconds goes with its column
    wide = runner.invoke(app, ["train", "--dataset", "wine", "--lr", "0.003,30", "--epochs", "2", "--threads", "1",
                               "--out", str(tmp_path / "w")], env={"COLUMNS": "160"})
    assert "share one clock" in wide.output and "not shown" not in wide.output


def test_results_heads_the_searched_epochs_apart_from_the_epochs_run(tmp_path):
    url = f"sqlite:///{tmp_path / 'e.db'}"
    sweep = runner.invoke(app, ["sweep", "--study", "e", "--storage", url, "--dataset", "moons", "--model", "logistic",
                                "--epochs", "1,2", "--lr", "0.05", "--strategy", "grid", "--quiet"])
    assert sweep.exit_code == 0, sweep.output
    for lang, searched, ran in (("en", "epochs", "epochs run"), ("ko", "에폭", "실행한 에폭")):
        result = runner.invoke(app, ["results", "e", "--storage", url, "--no-report", "--lang", lang],
                               env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        header = next(line for line in result.output.splitlines() if "#" in line)
        heads = [h.strip() for h in re.split(r"\s{2,}|[┃│]", header) if h.strip()]
        assert heads.count(searched) == 1 and heads.count(ran) == 1, heads


def test_the_tuners_tables_name_their_rows_in_the_language_with_the_json_key_beside(tmp_path):
    from typer.testing import CliRunner

    from hyperlab.cli import app

    args = ["batch-find", "--dataset", "wine", "--model", "logistic", "--memory-limit", "1MB", "--probe-steps", "1",
            "--out", str(tmp_path)]
    ko = CliRunner().invoke(app, [*args, "--lang", "ko"], env={"COLUMNS": "120"})
    assert ko.exit_code == 0, ko.output
    assert "임계 배치 크기 (critical_batch_size)" in ko.output and "메모리에 들어가는 가장 큰 배치" in ko.output
    assert "live tensor bytes" not in ko.output  # how memory was measured, said in Korean too
    en = CliRunner().invoke(app, args, env={"COLUMNS": "120"})
    assert "critical batch size (critical_batch_size)" in en.output


def test_a_run_of_its_own_is_labelled_in_the_language():
    from rich.console import Console

    import hyperlab
    from hyperlab.cli.progress import ProgressBar, make_progress

    progress = make_progress(Console(file=open("/dev/null", "w"), force_terminal=True))
    hyperlab.train("logistic", "wine", {"epochs": 1}, callbacks=[ProgressBar(progress, "ko")])
    assert progress.tasks[0].description == "훈련"
