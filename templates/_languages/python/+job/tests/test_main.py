"""The program as Cloud Run runs it (`python main.py`), in a child process: exit statuses,
log lines and signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start(**env: str) -> subprocess.Popen:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CLOUD_RUN_") and key not in ("SLEEP_MS", "FAIL_RATE", "LOG_LEVEL")
    }
    return subprocess.Popen(
        [sys.executable, "main.py"],
        cwd=ROOT,
        env={**environment, "PYTHONUNBUFFERED": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(**env: str) -> tuple[int, list[dict]]:
    process = start(**env)
    out, err = process.communicate(timeout=20)
    assert err == ""
    return process.returncode, [json.loads(line) for line in out.splitlines()]


def test_success_exits_0_and_the_first_line_says_which_task_it_is():
    status, lines = run(
        CLOUD_RUN_TASK_INDEX="1", CLOUD_RUN_TASK_COUNT="3", CLOUD_RUN_TASK_ATTEMPT="2"
    )
    assert status == 0
    first = lines[0]
    assert first["severity"] == "INFO"
    assert first["message"] == "Starting task #1 of 3, attempt #2"
    assert (first["taskIndex"], first["taskCount"], first["taskAttempt"]) == (1, 3, 2)
    assert [line["item"] for line in lines if "item" in line] == ["item-01", "item-04", "item-07"]
    assert all({"severity", "message"} <= line.keys() for line in lines)


def test_defaults_to_task_0_of_1():
    status, lines = run()
    assert status == 0
    assert lines[0]["message"] == "Starting task #0 of 1, attempt #0"
    assert len([line for line in lines if "item" in line]) == 10


def test_fail_rate_1_exits_1_with_an_error_line():
    status, lines = run(FAIL_RATE="1")
    assert status == 1
    assert lines[-1]["severity"] == "ERROR"
    assert lines[-1]["message"].startswith("Task #0, attempt #0 failed: simulated failure")


def test_invalid_configuration_exits_1():
    status, lines = run(CLOUD_RUN_TASK_INDEX="5", CLOUD_RUN_TASK_COUNT="2")
    assert status == 1
    assert [line["severity"] for line in lines] == ["ERROR"]
    assert "CLOUD_RUN_TASK_INDEX=5" in lines[0]["message"]


def test_sigterm_mid_sleep_exits_143_at_once_with_a_warning():
    process = start(SLEEP_MS="60000")
    first = json.loads(process.stdout.readline())  # logged once the signal handlers are in place
    assert first["message"].startswith("Starting task #0 of 1")
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=10)
    assert process.returncode == 143
    assert time.monotonic() - began < 1
    last = json.loads(out.splitlines()[-1])
    assert last["severity"] == "WARNING"
    assert last["message"] == "Task #0, attempt #0 stopped by SIGTERM before it finished"
    assert last["signal"] == "SIGTERM"


def test_sigint_exits_130():
    process = start(SLEEP_MS="60000")
    process.stdout.readline()
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=10)
    assert process.returncode == 130
