"""The service as Cloud Run runs it: `python main.py`, a child process, with signals."""

import json
import time

from tests.conftest import Service

EVENT = json.dumps({"message": {"data": "aGVsbG8=", "messageId": "1"}}).encode()


def request(sock, method: str = "GET", body: bytes = b"", close: bool = False) -> bytes:
    head = f"{method} / HTTP/1.1\r\nHost: test\r\nContent-Length: {len(body)}\r\n"
    sock.sendall(f"{head}{'Connection: close' if close else ''}\r\n\r\n".encode() + body)
    return sock.recv(65536)


def test_every_line_is_json_and_the_trace_is_logged(service):
    with service.connect() as sock:
        sock.sendall(
            b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
            b"X-Cloud-Trace-Context: 0af7651916cd43dd8448eb211c80319c/1;o=1\r\n\r\n"
        )
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
    assert service.stop() == 0
    lines = [json.loads(line) for line in service.lines]
    assert all(line["severity"] and line["message"] for line in lines)
    traced = [line for line in lines if "logging.googleapis.com/trace" in line]
    assert traced[0]["logging.googleapis.com/trace"].startswith("projects/demo-project/traces/")


def test_an_idle_server_exits_0_at_once_even_with_a_keep_alive_connection(service):
    with service.connect() as sock:
        assert request(sock).startswith(b"HTTP/1.1 200 ")
        started = time.monotonic()
        assert service.stop() == 0
        assert time.monotonic() - started < 1.5


def test_a_request_in_flight_at_sigterm_completes_then_new_connections_are_refused(service):
    with service.connect() as sock:
        sock.sendall(f"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: {len(EVENT)}\r\n\r\n".encode())
        sock.sendall(EVENT[:10])
        time.sleep(0.3)
        service.process.terminate()
        time.sleep(0.5)
        try:
            service.connect().close()
            raise AssertionError("a new connection was accepted during the drain")
        except ConnectionRefusedError:
            pass
        sock.sendall(EVENT[10:])
        answer = b""
        while chunk := sock.recv(65536):  # to the end: uvicorn closes the connection after it
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 ") and answer.endswith(b'"bytes":%d}' % len(EVENT))
    assert service.process.wait(10) == 0


def test_port_is_honoured_and_the_service_listens_on_every_interface():
    service = Service()
    try:
        with service.connect() as sock:
            assert sock.getpeername()[1] == service.port
        assert any("http://0.0.0.0:" in line for line in service.lines)
    finally:
        assert service.stop() == 0
