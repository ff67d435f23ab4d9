"""Safe by default, against a real server: foreign Host and Origin refused, no client path reaches
the filesystem (static files, reports, uploads), bad and oversize input answered with a message,
and 20 clients at once kept within the limits until every accepted run has ended."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
from labtools import LONG, SMALL, read_events, running_lab, start

from hyperlab.lab.app import STATIC_DIR
from hyperlab.lab.config import LabConfig

# ---- DNS rebinding and cross-site requests ---------------------------------------------------------

@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1:1", "127.0.0.1", "localhost.evil.example:{port}", ""])
def test_a_foreign_host_is_refused(lab_server, host):
    port = lab_server.url.rsplit(":", 1)[1]
    with httpx.Client(timeout=10) as raw:
        for method in ("GET", "POST"):
            response = raw.request(method, f"{lab_server.url}/api/status", headers={"host": host.format(port=port)})
            assert response.status_code == 403
            assert "host=" in response.json()["error"]
    with httpx.Client(timeout=10) as raw:  # the lab's own names are answered
        for name in ("127.0.0.1", "localhost"):
            assert raw.get(f"{lab_server.url}/api/status", headers={"host": f"{name}:{port}"}).status_code == 200


def test_a_change_from_another_origin_is_refused(client, lab_server):
    form = {"dataset": "moons"}
    for origin in ("http://evil.example", "null", lab_server.url.replace("127.0.0.1", "127.0.0.2")):
        response = client.post("/api/validate", json=form, headers={"origin": origin})
        assert response.status_code == 403 and "origin=" in response.json()["error"]
    refused = client.post("/api/runs", json={"form": SMALL}, headers={"sec-fetch-site": "cross-site"})
    assert refused.status_code == 403
    assert client.post("/api/validate", json=form, headers={"origin": lab_server.url}).status_code == 200
    page = client.get("/", headers={"origin": "http://evil.example"})  # reading is fine, but no CORS grant
    assert page.status_code == 200 and "access-control-allow-origin" not in page.headers
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


# ---- no client path reaches the filesystem ------------------------------------------------------------

@pytest.mark.parametrize("path", ["/static/../app.py", "/static/..%2Fapp.py", "/static/%2e%2e%2fapp.py",
                                  "/static/..%2F..%2F..%2Fetc%2Fpasswd", "/static/static/lab.js",
                                  "/static/%2Fetc%2Fpasswd", "/reports/..%2F..%2Fetc/", "/reports/0123456789abcdef/",
                                  "/reports/../../etc/passwd", "/api/jobs/..%2F..%2Fetc%2Fpasswd",
                                  "/reports/0123456789abcdef/..%2F..%2Fapp.py/report.html"])
def test_paths_from_a_client_never_reach_the_filesystem(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "def create_app" not in response.text and "root:" not in response.text


def test_static_files_come_only_from_the_package(client):
    for name in (p.name for p in STATIC_DIR.iterdir()):
        assert client.get(f"/static/{name}").status_code == 200
    font = client.get("/static/NanumGothic.ttf")
    assert font.status_code == 200 and font.headers["content-type"] == "font/ttf" and b"TSI3" not in font.content[:2000]


def test_an_upload_is_parsed_by_the_csv_loader_under_a_generated_name(client, lab_server):
    rows = "\n".join(f"{i % 7},{(i * 3) % 5},{i % 2}" for i in range(200))
    response = client.post("/api/upload", params={"filename": "../../../tmp/evil name?.csv", "label": "y"},
                           content=f"a,b,y\n{rows}\n")
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["dataset"].startswith("upload-") and answer["name"] == "evil name_.csv"
    assert answer["text"]["en"] == f"uploaded: evil name_.csv ({answer['n_train']} training samples, classification)"
    upload_dir = lab_server.lab.datasets.upload_dir
    assert [p.name for p in upload_dir.iterdir()] == [f"{answer['dataset']}.csv"]
    assert not Path("/tmp/evil name?.csv").exists()
    job = start(client, form={**SMALL, "dataset": answer["dataset"], "batch_size": 16, "epochs": 1})
    assert read_events(client, job["id"])[-1]["state"] == "done"
    lab_server.lab.datasets.uploads.pop(answer["dataset"]).path.unlink()  # leave the module's server as it was


def test_an_upload_with_a_text_column_is_one_hot_encoded_and_says_so(client, lab_server):
    rows = "\n".join(f"{i % 7},{('red', 'green', 'blue')[i % 3]},{i % 2}" for i in range(90))
    answer = client.post("/api/upload", params={"filename": "colours.csv"}, content=f"a,colour,y\n{rows}\n").json()
    assert answer["text"]["en"].endswith("classification); text columns one-hot encoded (one 0/1 feature per "
                                         "value): 'colour', 3 values (blue, green, red); 4 features in all")
    assert answer["text"]["ko"].endswith("'colour', 값 3개 (blue, green, red); 특성 모두 4개")
    assert lab_server.lab.datasets.get(answer["dataset"], 2).n_features == 4  # another seed reads it the same way
    job = start(client, form={**SMALL, "dataset": answer["dataset"], "batch_size": 16, "epochs": 1})
    assert read_events(client, job["id"])[-1]["state"] == "done"
    lab_server.lab.datasets.uploads.pop(answer["dataset"]).path.unlink()


def test_an_upload_in_korean_cp949_is_read_and_says_so(client, lab_server):
    rows = "\n".join(f"{i % 7},{('빨강', '파랑')[i % 2]},{i % 2}" for i in range(60))
    content = f"크기,색,y\n{rows}\n".encode("cp949")  # what Excel on Korean Windows saves as "CSV"
    answer = client.post("/api/upload", params={"filename": "색.csv"}, content=content).json()
    assert "read as cp949" in answer["text"]["en"] and "cp949(EUC-KR" in answer["text"]["ko"], answer
    assert answer["text"]["ko"].endswith("'색', 값 2개 (빨강, 파랑); 특성 모두 3개")
    lab_server.lab.datasets.uploads.pop(answer["dataset"]).path.unlink()


def test_an_upload_read_as_given_keeps_its_scale_for_every_seed_and_ids_are_refused(client, lab_server):
    content = "a,b,y\n" + "\n".join(f"{1000 + i},{i % 5},{i % 2}" for i in range(60)) + "\n"
    answer = client.post("/api/upload", params={"filename": "big.csv", "features": "raw"}, content=content).json()
    assert answer["text"]["en"].endswith("; features used as given: not standardised, so their scale reaches the "
                                         "learning rate")
    for seed in (0, 4):  # a run with another seed reads the file again, as given
        X = lab_server.lab.datasets.get(answer["dataset"], seed).train.tensors[0]
        assert X[:, 0].min() >= 1000 and X[:, 1].max() == 4
    job = start(client, form={**SMALL, "dataset": answer["dataset"], "batch_size": 16, "epochs": 1})
    assert read_events(client, job["id"])[-1]["state"] == "done"
    lab_server.lab.datasets.uploads.pop(answer["dataset"]).path.unlink()
    bad = client.post("/api/upload", params={"filename": "big.csv", "features": "ids"}, content=content)
    assert bad.status_code == 400
    assert bad.json()["errors"]["features"] == "features='ids' is invalid: must be one of standardise, raw"
    assert list(lab_server.lab.datasets.upload_dir.glob("*")) == []


def test_an_upload_is_read_as_the_task_chosen_and_a_bad_label_or_task_names_its_field(client, lab_server):
    rows = "\n".join(f"{i % 7},{(i * 3) % 5},{i % 4}" for i in range(200))  # integer targets 0..3
    content = f"a,b,y\n{rows}\n"
    read = client.post("/api/upload", params={"filename": "counts.csv"}, content=content).json()
    chosen = client.post("/api/upload", params={"filename": "counts.csv", "task": "regression"}, content=content).json()
    assert (read["task"], chosen["task"]) == ("classification", "regression")
    assert chosen["text"]["en"].endswith("training samples, regression)") and chosen["text"]["ko"].endswith("회귀)")
    for seed in (0, 3):  # a run with another seed reads the file again, as the task chosen
        assert lab_server.lab.datasets.get(chosen["dataset"], seed).task == "regression"
    job = start(client, form={**SMALL, "dataset": chosen["dataset"], "batch_size": 16, "epochs": 1})
    assert read_events(client, job["id"])[-1]["state"] == "done"
    for params, field, says in (({"task": "ranking"}, "task", "task='ranking' is invalid: must be one of "
                                                              "classification, regression"),
                                ({"label": "zz"}, "label", "label='zz' is invalid: must be a column of counts.csv")):
        bad = client.post("/api/upload", params={"filename": "counts.csv", **params}, content=content)
        assert bad.status_code == 400 and bad.json()["errors"][field].startswith(says)
    for answer in (read, chosen):
        lab_server.lab.datasets.uploads.pop(answer["dataset"]).path.unlink()
    assert list(lab_server.lab.datasets.upload_dir.glob("*")) == []  # the refused ones were not kept


@pytest.mark.parametrize("content, says", [
    (b"", "evil.csv: is empty; a CSV needs rows of numbers"),
    (b"\x00\x01\x02\xff\xfe binary \x00", "evil.csv: is not UTF-8 text (byte 0xff on line 1)"),
    (b"a,b,y\n" + b"1,x,0\n2,3,1\n3,4,0\n" * 20, "evil.csv: feature column 'b' is not numeric: 'x' on line 2"),
    (b"a,y\n1,0\n", "evil.csv: "),
])
def test_a_malformed_upload_gets_the_loaders_message_and_leaves_nothing(client, lab_server, content, says):
    response = client.post("/api/upload", params={"filename": "evil.csv"}, content=content)
    assert response.status_code == 400
    message = response.json()["errors"]["dataset"]
    assert message.startswith(says)
    assert str(lab_server.lab.datasets.upload_dir) not in message  # the lab's own paths are never shown
    assert list(lab_server.lab.datasets.upload_dir.glob("*")) == []


def test_an_oversize_upload_is_refused_while_it_streams(tmp_path):
    with running_lab(tmp_path / "out", upload_limit=1024) as lab, lab.client() as client:
        declared = client.post("/api/upload", content=b"a,y\n" + b"1,0\n" * 1000)
        assert declared.status_code == 413
        assert declared.json()["errors"]["upload"].endswith("is invalid: must be at most 0.000976562 MiB")

        def chunks():  # no content-length: the limit is counted as the body arrives
            for _ in range(100):
                yield b"1,0\n" * 64

        streamed = client.post("/api/upload", content=chunks())
        assert streamed.status_code == 413
        assert list(lab.lab.datasets.upload_dir.glob("*")) == []


def test_malformed_json_and_oversize_bodies(client):
    bad = client.post("/api/runs", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 400 and "must be JSON" in bad.json()["errors"]["body"]
    huge = client.post("/api/validate", content=b"[" + b"1," * 200_000 + b"1]")
    assert huge.status_code == 400 and "must be at most 256 KiB" in huge.json()["errors"]["body"]
    listed = client.post("/api/validate", json=[1, 2])
    assert listed.status_code == 400 and "must be a JSON object" in listed.json()["errors"]["form"]
    assert client.get("/api/jobs/0123456789abcdef").status_code == 404


def test_the_host_list_follows_the_bind_address():
    assert LabConfig(port=1).host_names(8000) >= {"127.0.0.1:8000", "localhost:8000", "[::1]:8000"}
    assert LabConfig(host="192.0.2.7", port=1).host_names(8080) == {"192.0.2.7:8080"}
    assert LabConfig(host="192.0.2.7", port=1, allowed_hosts=("lab.lan",)).host_names(8080) == {"192.0.2.7:8080",
                                                                                                "lab.lan:8080"}
    assert LabConfig(host="192.0.2.7", port=1).host_names(80) == {"192.0.2.7:80", "192.0.2.7"}  # default port


# ---- many clients at once ------------------------------------------------------------------------------

def test_twenty_clients_at_once_stay_within_the_limits(tmp_path):
    """While both workers are busy, 20 clients start runs together: 6 wait in the queue, 14 are told
    it is full; then every accepted run finishes or is stopped (every other client stops its own
    once it runs), the limits hold throughout, and nothing crashes."""
    with running_lab(tmp_path / "out", max_running=2, max_queued=6) as lab:
        form = {**SMALL, "batch_size": 16, "epochs": 2}
        with lab.client() as c:
            blockers = [start(c, form=LONG) for _ in range(2)]
            for job in blockers:
                read_events(c, job["id"], until="step")
        posted = threading.Barrier(21)  # the 20 clients and this test
        together = threading.Barrier(20)
        outcomes: list[tuple[int, str | None]] = []
        peak = {"running": 0, "queued": 0}
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                counts = lab.lab.jobs.counts()
                peak["running"] = max(peak["running"], counts["running"])
                peak["queued"] = max(peak["queued"], counts["queued"])
                time.sleep(0.005)

        def client_(k: int) -> None:
            with lab.client() as c:
                together.wait(60)
                response = c.post("/api/runs", json={"form": form})
                posted.wait(60)
                if response.status_code != 202:
                    outcomes.append((response.status_code, response.json().get("error")))
                    return
                job = response.json()
                if k % 2:
                    read_events(c, job["id"], until="step", timeout=300)
                    c.post(f"/api/jobs/{job['id']}/stop")
                events = read_events(c, job["id"], timeout=300)
                outcomes.append((202, events[-1]["state"]))

        watcher = threading.Thread(target=watch)
        watcher.start()
        threads = [threading.Thread(target=client_, args=(k,)) for k in range(20)]
        for thread in threads:
            thread.start()
        posted.wait(120)
        with lab.client() as c:
            assert c.get("/api/status").json()["queued"] == 6
            for job in blockers:
                c.post(f"/api/jobs/{job['id']}/stop")
        for thread in threads:
            thread.join(600)
        done.set()
        watcher.join()
        assert not any(thread.is_alive() for thread in threads)
        assert len(outcomes) == 20
        accepted = [state for code, state in outcomes if code == 202]
        refused = [message for code, message in outcomes if code == 429]
        assert len(accepted) == 6 and len(refused) == 14
        assert all("queue is full (6 waiting)" in m for m in refused)
        assert set(accepted) <= {"done", "stopped"} and "done" in accepted
        assert peak["running"] <= 2 and peak["queued"] <= 6
        assert lab.lab.jobs.counts() == {"running": 0, "queued": 0, "max_running": 2, "max_queued": 6}
        with lab.client() as c:
            assert c.get("/api/status").status_code == 200
