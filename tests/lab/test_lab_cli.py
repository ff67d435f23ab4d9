"""`hyperlab lab` as a user starts it: a real process, its address printed, Ctrl-C ending it
cleanly with nothing half-written, and bad settings answered in one line."""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from labtools import LONG
from typer.testing import CliRunner

from hyperlab.cli import app
from hyperlab.cli.lab import host_warning
from hyperlab.lab.config import LabConfig


def start_lab(out: Path, *args: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "hyperlab", "lab", "--port", "0", "--out", str(out), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if selector.select(timeout=1):
            line = process.stdout.readline()
            match = re.search(r"open (http://127\.0\.0\.1:\d+/)", line)
            if match:
                return process, match.group(1)
        assert process.poll() is None, process.stderr.read()
    process.kill()
    raise AssertionError("the lab did not print its address")


@pytest.mark.slow
def test_ctrl_c_stops_training_and_leaves_nothing_half_written(tmp_path):
    out = tmp_path / "out"
    process, url = start_lab(out, "--workers", "1")
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            assert "hyperlab lab" in client.get("/").text
            run = client.post("/api/runs", json={"form": LONG}).json()
            lesson = client.post("/api/lessons", json={"form": {"dataset": "digits", "model": "logistic"},
                                                       "lesson": "epochs", "budget": "tiny"}).json()
            deadline = time.monotonic() + 60
            while client.get(f"/api/jobs/{run['id']}").json()["events"] < 10:  # the run is training
                assert time.monotonic() < deadline
                time.sleep(0.1)
            assert client.get(f"/api/jobs/{lesson['id']}").json()["state"] == "queued"
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "hyperlab lab: stopped" in stdout
    assert "Traceback" not in stderr
    assert not out.exists() or [p.name for p in out.iterdir()] == []  # no partial or unfinished report


def test_bad_settings_get_one_line_and_exit_2():
    runner = CliRunner()
    bad_port = runner.invoke(app, ["lab", "--port", "70000"])
    assert bad_port.exit_code == 2
    assert bad_port.stderr.strip() == "error: port='70000' is invalid: must be an integer from 0 to 65535"
    # an address that is not this machine's: the warning, then why it cannot listen (no traffic is sent)
    foreign = runner.invoke(app, ["lab", "--host", "192.0.2.1", "--port", "0"])
    assert foreign.exit_code == 2
    assert "warning: the lab listens on 192.0.2.1, not only on this machine, and it has no login" in foreign.stderr
    assert "error: host='192.0.2.1:0' is invalid: cannot be listened on" in foreign.stderr
    assert foreign.exception is None or isinstance(foreign.exception, SystemExit)


def test_only_a_non_loopback_host_is_warned_about():
    assert host_warning(LabConfig()) is None
    assert host_warning(LabConfig(host="localhost")) is None
    assert host_warning(LabConfig(host="::1")) is None
    assert "no login" in host_warning(LabConfig(host="0.0.0.0"))
