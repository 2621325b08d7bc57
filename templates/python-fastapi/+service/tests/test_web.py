"""The application in-process: routes, the one error shape, health, request log and trace."""

import json

import pytest

from app.config import Settings
from app.web import create_app
from tests.conftest import call

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


@pytest.fixture
def app():
    return create_app(Settings(project_id="demo-project"))


def assert_error(status: int, body: dict, code: int, name: str) -> None:
    assert status == code
    assert body["error"]["code"] == code and body["error"]["status"] == name
    assert body["error"]["message"]


def test_get_answers_json_with_the_revision(app):
    app = create_app(Settings(service="svc", revision="svc-00001"))
    status, headers, body = call(app, "GET", "/")
    assert status == 200 and headers["content-type"] == "application/json"
    assert body == {"message": "Hello from Cloud Run!", "service": "svc", "revision": "svc-00001"}


def test_post_acknowledges_and_logs_an_event(app, json_logs):
    status, _, body = call(app, "POST", "/", b'{"hello": "world"}', {"Ce-Type": "demo.event"})
    assert (status, body) == (200, {"received": True, "bytes": 18})
    line = next(line for line in json_logs() if line["message"] == "event received")
    assert line["event"] == {"hello": "world"} and line["ceType"] == "demo.event"


NOT_JSON = [b"", b'{"a": ', b'{"x": NaN}', b"[Infinity]", b"\xff\xfe", b"[" * 100_000]


@pytest.mark.parametrize(
    "body", NOT_JSON, ids=["empty", "malformed", "NaN", "Inf", "bytes", "deep"]
)
def test_a_body_that_is_not_json_is_400(app, body):
    status, _, answer = call(app, "POST", "/", body)
    assert_error(status, answer, 400, "INVALID_ARGUMENT")


def test_a_body_over_the_limit_is_413_whatever_its_framing():
    app = create_app(Settings(max_body_bytes=1000))
    status, _, body = call(app, "POST", "/", b"[]", {"Content-Length": "1001"})
    assert_error(status, body, 413, "PAYLOAD_TOO_LARGE")  # refused before reading a byte
    status, _, body = call(app, "POST", "/", b"[" + b"1," * 600 + b"1]")  # no Content-Length
    assert_error(status, body, 413, "PAYLOAD_TOO_LARGE")


def test_unknown_paths_and_methods_get_the_error_shape(app):
    assert_error(*call(app, "GET", "/no-such-path")[::2], 404, "NOT_FOUND")
    status, headers, body = call(app, "DELETE", "/")
    assert_error(status, body, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in headers["allow"]


def test_health_endpoints_and_the_drain():
    draining = False
    app = create_app(Settings(), is_draining=lambda: draining)
    assert call(app, "GET", "/health/ready")[::2] == (200, {"status": "ok"})
    draining = True
    assert_error(*call(app, "GET", "/health/ready")[::2], 503, "UNAVAILABLE")
    assert call(app, "GET", "/health/live")[::2] == (200, {"status": "ok"})


def test_each_request_is_logged_once_with_its_trace(app, json_logs):
    headers = {"X-Cloud-Trace-Context": f"{TRACE_ID}/1;o=1", "User-Agent": "u" * 5000}
    call(app, "POST", "/", b"{}", headers)
    lines = json_logs()
    request = [line for line in lines if line.get("status") == 200]
    assert len(request) == 1 and request[0]["message"] == "POST / 200"
    assert request[0]["userAgentTruncated"] is True and len(request[0]["userAgent"]) == 1024
    for line in lines[-2:]:  # the event and the request line
        assert line["logging.googleapis.com/trace"] == f"projects/demo-project/traces/{TRACE_ID}"
    assert all(len(json.dumps(line)) < 256 * 1024 for line in lines)


def test_probes_are_logged_at_debug_and_a_bug_is_a_500(app, json_logs):
    call(app, "GET", "/health/live")
    assert json_logs()[-1]["severity"] == "DEBUG"

    @app.get("/broken")
    async def broken():
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):  # answered 500 JSON, then re-raised for uvicorn to log
        call(app, "GET", "/broken")
    assert json_logs()[-1]["severity"] == "ERROR"
