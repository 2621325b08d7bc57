"""The server as Cloud Run runs it: gunicorn with gunicorn.conf.py, in a child process, with
signals. The application is tests/slow_app.py: the real routes plus a slow one."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import runpy
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app import logs

ROOT = Path(__file__).resolve().parent.parent
EVENT = json.dumps(
    {"message": {"data": "aGVsbG8=", "messageId": "1"}, "subscription": "s"}
).encode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving tests/slow_app.py on a free port, its JSON log lines collected."""

    def __init__(self, *options: str) -> None:
        self.port = free_port()
        env = {**os.environ, "PORT": str(self.port), "PYTHONUNBUFFERED": "1"}
        env.pop("K_SERVICE", None)  # never ask a metadata server
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "gunicorn.conf.py",
                *options,
                "tests.slow_app:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group, as in a terminal of its own
        )
        self.lines: list[dict] = []  # every line, parsed from JSON
        self.not_json: list[str] = []
        self._changed = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read, args=(stream,), daemon=True)
            for stream in (self.process.stdout, self.process.stderr)
        ]
        for reader in self._readers:
            reader.start()
        self.wait_for_log("application ready")

    def _read(self, stream) -> None:
        for text in stream:
            with self._changed:
                try:
                    self.lines.append(json.loads(text))
                except ValueError:
                    self.not_json.append(text)
                self._changed.notify_all()

    def wait_for_log(self, message: str, timeout: float = 10) -> dict:
        """The first line whose message starts with message, waiting for it if need be."""
        with self._changed:
            found = self._changed.wait_for(
                lambda: next(
                    (line for line in self.lines if line.get("message", "").startswith(message)),
                    None,
                ),
                timeout,
            )
        assert found, (
            f"no log line {message!r} within {timeout}s; lines: {self.lines} {self.not_json}"
        )
        return found

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def signal(self, signum: int = signal.SIGTERM) -> float:
        self.process.send_signal(signum)
        return time.monotonic()

    def wait(self, timeout: float) -> int:
        status = self.process.wait(timeout)
        for reader in self._readers:
            reader.join(2)
        return status

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def start():
    servers: list[Server] = []

    def start(*options: str) -> Server:
        servers.append(Server(*options))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def settings(monkeypatch, **env: str) -> dict:
    """The settings gunicorn.conf.py gives with this environment."""
    for name in ("PORT", "WEB_CONCURRENCY", "LOG_LEVEL", "LOG_FORMAT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_listens_on_all_interfaces_on_port_8080_by_default(monkeypatch):
    assert settings(monkeypatch)["bind"] == "0.0.0.0:8080"
    assert settings(monkeypatch, PORT="3000")["bind"] == "0.0.0.0:3000"


def test_settings_suit_cloud_run(monkeypatch):
    conf = settings(monkeypatch)
    assert conf["graceful_timeout"] < 10  # Cloud Run kills the container 10 s after SIGTERM
    assert conf["timeout"] == 0  # Cloud Run enforces request timeouts
    assert (conf["workers"], conf["worker_class"]) == (1, "gthread")
    assert settings(monkeypatch, WEB_CONCURRENCY="4")["workers"] == 4
    assert settings(monkeypatch, LOG_LEVEL="debug")["loglevel"] == "debug"


def test_log_format_pretty_applies_to_gunicorns_lines_too(monkeypatch):
    assert settings(monkeypatch)["logconfig_dict"]["formatters"]["default"]["()"] is (
        logs.CloudLoggingFormatter
    )
    pretty = settings(monkeypatch, LOG_FORMAT="pretty")["logconfig_dict"]
    assert pretty["formatters"]["default"]["()"] is logs.PrettyFormatter


def test_serves_on_port_from_the_environment(start):
    server = start()
    assert server.wait_for_log("Listening at")["message"].startswith(
        f"Listening at: http://0.0.0.0:{server.port} "
    )
    connection = server.connection()
    connection.request("GET", "/")
    response = connection.getresponse()
    assert response.status == 200
    assert json.loads(response.read()) == {"message": "Hello from Cloud Run!"}
    connection.request("POST", "/", body=EVENT, headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    assert (response.status, json.loads(response.read())) == (
        200,
        {"received": True, "bytes": len(EVENT)},
    )


def test_every_line_is_json_with_severity_and_message(start):
    server = start()
    connection = server.connection()
    connection.request("GET", "/", headers={"X-Cloud-Trace-Context": f"{'ab' * 16}/7;o=1"})
    connection.getresponse().read()
    connection.close()
    server.signal()
    assert server.wait(5) == 0
    assert server.not_json == []
    assert all(
        isinstance(line["severity"], str) and isinstance(line["message"], str)
        for line in server.lines
    )
    loggers = {line["logger"] for line in server.lines}
    assert {"gunicorn.error", "app.web"} <= loggers  # gunicorn's own lines and the app's
    (request_line,) = [line for line in server.lines if line["message"] == "GET / 200"]
    assert (
        request_line["logging.googleapis.com/trace"] == f"projects/demo-project/traces/{'ab' * 16}"
    )
    assert not [
        line for line in server.lines if line["logger"] == "gunicorn.access"
    ]  # no duplicate


def test_idle_shutdown_is_fast(start):
    server = start()
    _get(server, "/")
    began = server.signal()
    assert server.wait(5) == 0
    elapsed = time.monotonic() - began
    # Well under a second on an idle machine; 2 s (the verification suite's bound) on a busy one.
    assert elapsed < 2, f"idle shutdown took {elapsed:.2f}s"
    server.wait_for_log("Shutting down: Master")


def test_a_request_in_flight_finishes_after_sigterm(start):
    server = start()
    result: dict = {}

    def slow_request():
        connection = server.connection()
        connection.request("GET", "/slow?seconds=1.5")
        response = connection.getresponse()
        result.update(status=response.status, body=json.loads(response.read()))

    client = threading.Thread(target=slow_request)
    client.start()
    server.wait_for_log("request started")
    server.signal()
    time.sleep(0.5)
    assert server.process.poll() is None  # the request in flight carries on
    client.join(10)
    assert result == {"status": 200, "body": {"slept": 1.5}}
    assert server.wait(5) == 0


def test_a_request_still_sending_its_body_finishes_after_sigterm(start):
    server = start()
    half = len(EVENT) // 2
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
        client.sendall(
            b"POST / HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(EVENT)}\r\n\r\n".encode()
            + EVENT[:half]
        )
        server.wait_for_log("request started")
        server.signal()
        time.sleep(1)  # the client takes its time with the rest of the body
        assert server.process.poll() is None
        client.sendall(EVENT[half:])
        response = http.client.HTTPResponse(client)
        response.begin()
        assert response.status == 200
        assert json.loads(response.read()) == {"received": True, "bytes": len(EVENT)}
    assert server.wait(5) == 0


def test_keep_alive_load_through_sigterm_breaks_no_request(start):
    server = start()
    answered_before: list[int] = []
    answered = [0]
    errors: list[str] = []
    stop_sending = threading.Event()

    def client():
        # Requests back to back over keep-alive connections, reconnecting whenever the server
        # closes one, until a new connection is refused. A request the server closes the
        # connection on without answering a byte was not accepted (gunicorn closes a keep-alive
        # connection once draining, and a connection opened meanwhile waits unread in the
        # kernel's backlog until the worker exits): a client may send it again. A wrong status
        # or a response cut off is a broken request.
        while not stop_sending.is_set():
            connection = server.connection()
            try:
                connection.connect()
            except ConnectionRefusedError:
                return
            try:
                while not stop_sending.is_set():
                    try:
                        connection.request("GET", "/")
                        response = connection.getresponse()
                    except (ConnectionError, http.client.RemoteDisconnected):
                        break  # not accepted
                    response.read()
                    if response.status != 200:
                        errors.append(f"status {response.status}")
                    answered[0] += 1
                    if response.will_close:
                        break
            except Exception as error:  # noqa: BLE001 (any failure is what this test looks for)
                errors.append(repr(error))
                return
            finally:
                connection.close()

    clients = [threading.Thread(target=client) for _ in range(8)]
    for thread in clients:
        thread.start()
    time.sleep(0.5)
    answered_before.append(answered[0])
    server.signal()
    assert server.wait(8) == 0
    stop_sending.set()
    for thread in clients:
        thread.join(5)
    assert errors == []
    assert answered_before[0] > 0


def test_sigint_during_the_drain_stops_quickly(start):
    server = start()
    client = threading.Thread(
        target=lambda: _ignore_errors(lambda: _get(server, "/slow?seconds=30"))
    )
    client.start()
    server.wait_for_log("request started")
    server.signal()
    time.sleep(0.3)
    assert server.process.poll() is None  # draining: waiting for the slow request
    began = server.signal(signal.SIGINT)  # gunicorn's quick shutdown: 2 s for the worker
    assert server.wait(5) == 0
    assert time.monotonic() - began < 4
    client.join(5)


def test_the_drain_deadline_cuts_off_stuck_requests(start):
    # --graceful-timeout on the command line overrides gunicorn.conf.py (8 s) for this test.
    server = start("--graceful-timeout", "2")
    result: list[object] = []
    client = threading.Thread(
        target=lambda: result.append(_ignore_errors(lambda: _get(server, "/slow?seconds=30")))
    )
    client.start()
    server.wait_for_log("request started")
    began = server.signal()
    assert server.wait(5) == 0
    elapsed = time.monotonic() - began
    assert 1.5 < elapsed < 4, f"stopped after {elapsed:.2f}s, want the deadline (2 s)"
    client.join(5)
    assert result == [None]  # cut off: no response


def _get(server: Server, path: str) -> int:
    connection = server.connection()
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status


def _ignore_errors(call) -> object:
    with contextlib.suppress(OSError, http.client.HTTPException):
        return call()
    return None  # the server cut the request off, as the test intends
