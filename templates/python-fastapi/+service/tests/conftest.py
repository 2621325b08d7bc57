"""Fixtures shared by the tests: the application called in-process (ASGI), and the service
started as the container starts it (`python main.py`, a child process on a free port)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest_plugins = ["tests.log_capture"]

ROOT = Path(__file__).resolve().parent.parent


def call(app, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None):
    """Send one request to the ASGI application in-process: (status, headers, JSON body)."""
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode()}
    scope |= {"query_string": b"", "headers": raw_headers, "http_version": "1.1"}
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict] = []

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    response_headers = {k.decode(): v.decode() for k, v in start["headers"]}
    payload = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], response_headers, json.loads(payload)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Service:
    """`python main.py` on a free port, as in the container; its log lines collected."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        environ = {**os.environ, "PORT": str(self.port), "PYTHONUNBUFFERED": "1", **(env or {})}
        environ.pop("K_SERVICE", None)  # never ask a metadata server
        self.process = subprocess.Popen(
            [sys.executable, "main.py"],
            cwd=ROOT,
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 15
        while not any("Uvicorn running" in line for line in self.lines):
            assert self.process.poll() is None and time.monotonic() < deadline, self.lines
            time.sleep(0.05)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)

    def stop(self) -> int:
        """SIGTERM, then the exit status (SIGKILL after 10 s, as Cloud Run would)."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            return self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


@pytest.fixture
def service():
    started = Service(env={"GOOGLE_CLOUD_PROJECT": "demo-project"})
    yield started
    started.stop()
