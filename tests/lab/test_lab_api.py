"""The lab's API against a real server: forms validated with the CLI's own messages, runs trained
through ``hyperlab.train`` and streamed step by step, Stop, divergence, "try several", the tools,
lessons and reports by id."""

from __future__ import annotations

import math
import re
import time

import pytest
from labtools import LONG, SMALL, of_type, read_events, running_lab, start
from typer.testing import CliRunner

import hyperlab
from hyperlab.cli import app as cli_app
from hyperlab.hparams import HParams
from hyperlab.i18n import TEXT
from hyperlab.lab.texts import TEXTS


def test_the_page_and_its_words_in_both_languages(client):
    page = client.get("/")
    assert page.status_code == 200 and "/static/lab.js" in page.text
    meta = client.get("/api/meta").json()
    assert {"moons", "spirals", "digits"} <= {d["id"] for d in meta["datasets"]}
    assert meta["models"] == ["logistic", "mlp", "cnn"]
    assert len(meta["optimizers"]) == 7
    assert meta["options"]["adam"] == ["betas", "eps", "weight_decay"]
    assert meta["options"]["momentum"] == ["momentum", "weight_decay"]
    for key in TEXTS:  # every word of the page in English and Korean, Korean really translated
        assert meta["texts"][key]["en"] and meta["texts"][key]["ko"]
    assert meta["texts"]["batch_size"]["ko"] == TEXT["batch_size"]["ko"] == "배치 크기"  # the CLI's words


def test_every_word_the_page_uses_is_in_both_languages(client):
    """Every text key named in the page's HTML and script, and the ones it builds from the menus."""
    import re

    from hyperlab.lab.app import STATIC_DIR

    texts = client.get("/api/meta").json()["texts"]
    meta = client.get("/api/meta").json()
    html = (STATIC_DIR / "index.html").read_text()
    script = (STATIC_DIR / "lab.js").read_text()
    keys = set(re.findall(r'data-t(?:-placeholder)?="([^"]+)"', html)) | set(re.findall(r'tr\("([^"]+)"', script))
    keys = {k for k in keys if not k.endswith(".")}  # prefixes completed from the menus, below
    keys |= {f"lab.model.{m}" for m in meta["models"]} | {f"lab.surface.{s}" for s in meta["surfaces"]}
    keys |= {f"lab.lesson_title.{n}" for n in meta["lessons"] if n != "tour"} | {f"lab.budget.{b}" for b in meta["budgets"]}
    keys |= {f"lab.state.{s}" for s in ("queued", "running", "done", "stopped", "failed")}
    keys |= {"batch_size", "lr", "optimizer", "epochs", "accuracy", "r2"}  # advise's stages, the metrics
    assert len(keys) > 60
    missing = sorted(k for k in keys if k not in texts or not texts[k]["ko"] or texts[k]["ko"] == texts[k]["en"] == k)
    assert missing == []


def test_validate_gives_the_seeds_arithmetic_in_both_languages(client):
    answer = client.post("/api/validate", json={"dataset": "moons", "batch_size": "100", "epochs": "3"}).json()
    assert answer["ok"] and answer["n_train"] == 600 and answer["steps_per_epoch"] == 6
    assert answer["arith"]["en"] == "600 samples / batch size 100 = 6 steps per epoch"
    assert answer["arith"]["ko"] == "샘플 600개 / 배치 크기 100 = 에폭당 6 스텝"
    assert answer["total_steps"] == 18 and answer["two_d"] is True


def test_bad_values_get_the_clis_one_line_messages_next_to_their_fields(client):
    response = client.post("/api/validate", json={"dataset": "moons", "lr": "abc", "batch_size": "0",
                                                  "momentum": "0.9", "optimizer": "adam"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"lr", "batch_size", "momentum"}
    assert errors["lr"] == "lr='abc' is invalid: must be a finite number > 0"
    assert errors["momentum"].startswith("momentum=0.9 is invalid: does not apply to optimizer 'adam'")
    cli = CliRunner().invoke(cli_app, ["train", "--dataset", "moons", "--lr", "abc"])
    assert cli.exit_code == 2
    assert cli.output.strip().splitlines()[-1] == f"error: {errors['lr']}"  # the very same line


@pytest.mark.parametrize("form, field, says", [
    ({"batch_size": "5000"}, "batch_size", "must be at most the training set size (600)"),
    ({"model": "os:system"}, "model", "must be one of logistic, mlp, cnn"),
    ({"model": "cnn"}, "model", "needs image data"),
    ({"dataset": "../../etc/passwd.csv"}, "dataset", "must be one of digits"),
    ({"width": "100000"}, "width", "must be an integer from 1 to 1024"),
    ({"epochs": "100000", "batch_size": "1"}, "epochs", "the lab trains at most"),
    ({"optimzer": "sgd"}, "optimzer", "did you mean 'optimizer'"),
])
def test_a_bad_form_names_the_field(client, form, field, says):
    response = client.post("/api/validate", json={"dataset": "moons", **form})
    assert response.status_code == 400
    assert says in response.json()["errors"][field]


def test_a_run_streams_every_step_and_epoch_of_hyperlab_train(client):
    job = start(client, form=SMALL)
    events = read_events(client, job["id"])
    steps, epochs = of_type(events, "step"), of_type(events, "epoch")
    assert [e["step"] for e in steps] == list(range(1, 21))  # 600 / 64 -> 10 steps per epoch, 2 epochs
    assert steps[-1]["samples"] == 1200
    assert [e["epoch"] for e in epochs] == [1, 2]
    assert len(epochs[0]["boundary"]) == 40 * 40 and all(0 <= v <= 1 for v in epochs[0]["boundary"])
    member = of_type(events, "member")[0]
    assert len(member["boundary"]["points"]) == 300
    end = of_type(events, "member_end")[0]
    assert end["status"] == "completed" and end["summary"]["steps"] == 20
    assert events[-1] == {**events[-1], "t": "end", "state": "done"}
    # the same numbers as hyperlab.train with the same settings: the lab trains through it
    hp = HParams(**{k: SMALL[k] for k in ("batch_size", "epochs", "lr", "optimizer")})
    direct = hyperlab.train("mlp", "moons", hp, width=8, depth=1)
    assert [e["loss"] for e in steps] == pytest.approx(direct.history.step_loss, rel=1e-5)
    assert epochs[-1]["val_metric"] == pytest.approx(direct.history.epochs[-1].val_metric)


def test_stop_ends_a_running_training_cleanly(client):
    job = start(client, form=LONG)
    seen = read_events(client, job["id"], until="step")
    assert seen[-1]["step"] >= 1
    assert client.post(f"/api/jobs/{job['id']}/stop").status_code == 200
    events = read_events(client, job["id"])  # from the start again: nothing is lost for a late page
    end = of_type(events, "member_end")[0]
    assert end["status"] == "stopped"
    assert 0 < end["summary"]["steps"] < 30_000
    assert events[-1]["state"] == "stopped"
    assert client.get(f"/api/jobs/{job['id']}").json()["state"] == "stopped"


def test_divergence_is_shown_where_it_happened_in_words(client):
    job = start(client, form={**SMALL, "optimizer": "sgd", "lr": "1000", "epochs": 3})
    events = read_events(client, job["id"])
    end = of_type(events, "member_end")[0]
    assert end["status"] == "diverged"
    step = end["diverged"]["step"]
    assert end["diverged_text"]["en"].startswith(f"diverged at step {step} (epoch ")
    assert end["diverged_text"]["ko"].startswith(f"스텝 {step}(에폭 ")


def test_try_several_learning_rates_and_the_seeds_optimizers(client):
    job = start(client, form=SMALL | {"epochs": 1}, vary="lr")
    events = read_events(client, job["id"])
    runs = of_type(events, "members")[0]["runs"]
    assert [r["setup"]["hparams"]["lr"] for r in runs] == [0.0001, 0.001, 0.01, 0.1, 1.0]
    assert len(of_type(events, "member_end")) == 5
    job = start(client, form=SMALL | {"epochs": 1, "optimizer": "rmsprop", "alpha": "0.9"}, vary="optimizer")
    events = read_events(client, job["id"])
    runs = of_type(events, "members")[0]["runs"]
    assert [r["setup"]["hparams"]["optimizer"] for r in runs] == ["sgd", "momentum", "adam"]
    assert {e["run"] for e in of_type(events, "steps")} == {0, 1, 2}
    assert [e["status"] for e in of_type(events, "member_end")] == ["completed"] * 3


def test_try_several_trains_one_population_with_fit_populations_numbers(client):
    """Five rates trained as one ``fit_population`` call: every member's epoch 1 arrives before any
    member's epoch 2, each epoch's step losses come in one event per member, and the numbers are
    those of ``fit_population`` with the same settings."""
    job = start(client, form=SMALL, vary="lr")
    events = read_events(client, job["id"])
    assert events[-1]["state"] == "done" and events[-1]["result"]["population"] == 5
    assert [e["population"] for e in of_type(events, "member_start")] == [True] * 5
    epochs = of_type(events, "epoch")
    assert [(e["run"], e["epoch"]) for e in epochs] == [(m, 1) for m in range(5)] + [(m, 2) for m in range(5)]
    assert all(len(e["boundary"]) == 40 * 40 for e in epochs)
    batches = of_type(events, "steps")
    assert of_type(events, "step") == []
    assert [(e["run"], e["first"], len(e["losses"])) for e in batches] == \
        [(m, 1, 10) for m in range(5)] + [(m, 11, 10) for m in range(5)]  # 600 / 64: 10 steps per epoch
    assert batches[-1]["samples"] == 1200
    ends = of_type(events, "member_end")
    assert [e["status"] for e in ends] == ["completed"] * 5
    lrs = [r["setup"]["hparams"]["lr"] for r in of_type(events, "members")[0]["runs"]]
    data = hyperlab.as_data("moons", seed=0)
    hps = [HParams(batch_size=64, epochs=2, lr=lr, optimizer="adam") for lr in lrs]
    direct = hyperlab.fit_population("mlp", data, hps, width=8, depth=1)
    for end, result in zip(ends, direct, strict=True):
        losses = [x for e in batches if e["run"] == end["run"] for x in e["losses"]]
        assert losses == pytest.approx(result.history.step_loss, rel=1e-5)
        assert end["summary"]["final_val_loss"] == pytest.approx(result.summary()["final_val_loss"], rel=1e-5)
        assert end["summary"]["final_val_metric"] == pytest.approx(result.summary()["final_val_metric"])
        assert end["summary"]["steps"] == 20


def test_a_diverging_member_of_a_population_ends_when_it_diverges(client):
    """Plain SGD at 0.1 ... 1000: the members that diverge end (in words, their steps up to the
    diverged one) while the others go on training, which end after them."""
    job = start(client, form={**SMALL, "optimizer": "sgd", "lr": "10", "epochs": 3}, vary="lr")
    events = read_events(client, job["id"])
    ends = {e["run"]: (i, e) for i, e in enumerate(events) if e["t"] == "member_end"}
    diverged = [run for run, (_, e) in ends.items() if e["status"] == "diverged"]
    assert diverged and 0 not in diverged and ends[0][1]["status"] == "completed"
    for run in diverged:
        at, end = ends[run]
        step = end["diverged"]["step"]
        assert end["diverged_text"]["en"].startswith(f"diverged at step {step} (epoch ")
        assert end["diverged_text"]["ko"].startswith(f"스텝 {step}(에폭 ")
        batches = [e for e in of_type(events, "steps") if e["run"] == run]
        assert batches[-1]["first"] + len(batches[-1]["losses"]) - 1 == step
        assert at < ends[0][0]  # said when it happened, not when the set ended


def test_stop_during_a_population_ends_every_member_stopped(client):
    job = start(client, form={**LONG, "lr": "0.0001"}, vary="lr")  # 5 x 30,000 steps at safe rates
    seen = read_events(client, job["id"], until="epoch")
    assert seen[-1]["epoch"] == 1
    assert client.post(f"/api/jobs/{job['id']}/stop").status_code == 200
    events = read_events(client, job["id"])
    ends = of_type(events, "member_end")
    assert [e["status"] for e in ends] == ["stopped"] * 5
    steps = {e["summary"]["steps"] for e in ends}
    assert len(steps) == 1 and 600 <= min(steps) < 30_000  # they step together and stop at the same step
    stopped_at = steps.pop()
    for run in range(5):  # each member's steps are streamed up to where it stopped (a part of an epoch too)
        last = [e for e in of_type(events, "steps") if e["run"] == run][-1]
        assert last["first"] + len(last["losses"]) - 1 == stopped_at
    assert events[-1]["state"] == "stopped" and events[-1]["result"]["population"] == 5


def test_a_waiting_job_is_shown_as_queued(tmp_path):
    with running_lab(tmp_path / "out", max_running=1, max_queued=2) as lab, lab.client() as client:
        first = start(client, form=LONG)
        read_events(client, first["id"], until="step")
        second = start(client, form=SMALL)
        assert second["state"] == "queued" and second["position"] == 0
        assert client.get("/api/status").json() == {"running": 1, "queued": 1, "max_running": 1, "max_queued": 2}
        third = start(client, form=SMALL)
        refused = client.post("/api/runs", json={"form": SMALL})
        assert refused.status_code == 429 and "queue is full" in refused.json()["error"]
        client.post(f"/api/jobs/{first['id']}/stop")
        for job in (second, third):
            assert read_events(client, job["id"])[-1]["state"] == "done"


def test_a_training_nobody_watches_is_stopped(tmp_path):
    with running_lab(tmp_path / "out", max_running=1, orphan_seconds=1.0) as lab, lab.client() as client:
        job = start(client, form=LONG)
        read_events(client, job["id"], until="step")  # a page watched, then went away
        deadline = time.monotonic() + 30
        while lab.lab.jobs.get(job["id"]).state == "running":
            assert time.monotonic() < deadline, "an abandoned training kept running"
            time.sleep(0.2)
        state = lab.lab.jobs.get(job["id"])
        assert state.state == "stopped" and state.stop_reason == "abandoned"


def test_the_range_test_gives_its_curve_and_suggestion(client):
    job = start(client, "/api/lr-find", form={**SMALL, "batch_size": 16})
    events = read_events(client, job["id"])
    assert events[-1]["state"] == "done"
    result = events[-1]["result"]
    assert len(result["lrs"]) == len(result["smoothed"]) >= 3
    assert result["lrs"] == sorted(result["lrs"])
    assert result["suggested_lr"] > 0 and result["suggested_lr"] == result["suggestions"][result["rule"]]
    assert result["explanation"]["en"][-1].startswith("Recommended:")
    assert result["explanation"]["ko"][-1].startswith("추천:")
    # small data is not refused (the test runs its steps over as many passes as needed); a batch
    # larger than the training set is
    refused = client.post("/api/lr-find", json={"form": {**SMALL, "batch_size": 100_000}})
    assert refused.status_code == 400 and "at most the training set size" in refused.json()["errors"]["batch_size"]


def test_optimizer_paths_on_a_surface(client):
    answer = client.post("/api/paths", json={"surface": "valley", "steps": 50,
                                             "runs": [{"optimizer": "sgd", "lr": 0.3}, {"optimizer": "adam", "lr": 0.1},
                                                      {"optimizer": "momentum", "lr": 5}]}).json()
    assert answer["n"] == 80 and len(answer["z"]) == 80 * 80 and min(answer["z"]) == 0 and max(answer["z"]) == 1
    sgd, adam, wild = answer["paths"]
    assert len(sgd["points"]) == 51 and sgd["points"][0] == [-9.0, 2.0]
    assert adam["text"]["en"].startswith("adam (lr 0.1): value")
    assert wild["diverged_step"] is not None and "diverged at step" in wild["text"]["en"]
    bad = client.post("/api/paths", json={"surface": "valley", "steps": 50, "runs": [{"optimizer": "adm", "lr": 1}]})
    assert bad.status_code == 400 and "did you mean 'adam'" in bad.json()["errors"]["optimizer"]
    bad = client.post("/api/paths", json={"surface": "cliff", "runs": [{"optimizer": "adam", "lr": 1}]})
    assert bad.status_code == 400 and "surface" in bad.json()["errors"]


def test_a_lesson_runs_with_progress_and_its_report_opens_by_id(client, lab_server):
    job = start(client, "/api/lessons", form={"dataset": "digits", "model": "logistic"}, lesson="batch-size",
                budget="tiny", lang="ko")
    events = read_events(client, job["id"], timeout=300)
    assert events[-1]["state"] == "done", events[-1]
    assert of_type(events, "lesson")[0]["total"] > 0
    progress = of_type(events, "progress")
    assert progress and progress[-1]["done"] <= progress[-1]["total"]
    report = client.get(events[-1]["result"]["report"])
    assert report.status_code == 200 and "<html" in report.text and 'lang="ko"' in report.text
    assert report.headers["content-security-policy"].startswith("default-src 'none'")
    assert (lab_server.config.out / job["id"] / "report.html").is_file()
    assert not list(lab_server.config.out.glob(".*.partial"))


def test_advice_on_a_regression_set_in_both_languages(client):
    """The Korean evidence names the metric 결정계수 R² before a particle; that once failed the whole job."""
    job = start(client, "/api/advise", form={"dataset": "diabetes", "model": "logistic", "batch_size": 16},
                budget_seconds=8, lang="en")
    events = read_events(client, job["id"], timeout=300)
    assert events[-1]["state"] == "done", events[-1]
    evidence = events[-1]["result"]["evidence"]
    assert "R²" in evidence["en"]["epochs"] and "결정계수 R²" in evidence["ko"]["epochs"]


def test_advice_with_a_time_budget(client):
    job = start(client, "/api/advise", form={"dataset": "wine", "model": "logistic", "batch_size": 8},
                budget_seconds=20, lang="en")
    events = read_events(client, job["id"], timeout=300)
    assert events[-1]["state"] == "done", events[-1]
    result = events[-1]["result"]
    assert set(result["values"]) == {"batch_size", "lr", "optimizer", "epochs"}
    assert [e["stage"] for e in of_type(events, "stage")] == ["batch_size", "lr", "optimizer", "epochs"]
    assert result["hparams"]["lr"] == result["values"]["lr"] and math.isfinite(result["values"]["lr"])
    # the evidence and notes come in every language (the page switches without asking again), in
    # Korean for Korean although advice ran in English, with the same measured numbers
    evidence, notes = result["evidence"], result["notes"]
    assert set(evidence["en"]) == set(evidence["ko"]) == set(result["values"])
    assert evidence["en"]["optimizer"].startswith("best validation accuracy after 5 epochs at each one's own lr: ")
    assert evidence["ko"]["optimizer"].startswith("각자의 학습률로 5 에폭 후 검증 ")
    scores = [re.findall(r"\b(?:sgd|momentum|adam)\b|\d[\d.]*",
                         evidence[lang]["optimizer"].split("; ")[0].split(": ")[-1]) for lang in ("en", "ko")]
    assert scores[0] == scores[1] and scores[0]  # the same names and numbers in both
    assert evidence["ko"]["batch_size"].startswith("다음 중 가장 작은 값: ")
    assert len(notes["en"]) == len(notes["ko"])
    bad = client.post("/api/advise", json={"form": SMALL, "budget_seconds": "-1"})
    assert bad.status_code == 400 and bad.json()["errors"]["budget_seconds"].startswith("budget_seconds='-1'")
