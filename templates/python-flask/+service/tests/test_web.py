"""The routes and the request log, through Flask's test client (no server, no network)."""

import io
import json

import pytest

from app.config import DEFAULT_MAX_BODY_BYTES, Settings
from app.web import create_app

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PUBSUB_PUSH = {
    "message": {"data": "aGVsbG8=", "messageId": "1", "attributes": {"kind": "test"}},
    "subscription": "projects/demo-project/subscriptions/demo",
}


@pytest.fixture
def client():
    return create_app(Settings(project_id="demo-project")).test_client()


def request_lines(lines):
    return [line for line in lines if line["logger"] == "app.web" and "status" in line]


def test_get_root_answers_json(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.json == {"message": "Hello from Cloud Run!"}


def test_get_root_names_the_revision_on_cloud_run():
    settings = Settings(service="hello", revision="hello-00001-abc", configuration="hello")
    response = create_app(settings).test_client().get("/")
    assert response.json == {
        "message": "Hello from Cloud Run!",
        "service": "hello",
        "revision": "hello-00001-abc",
        "configuration": "hello",
    }


def test_post_root_reads_logs_and_acknowledges_an_event(client, json_logs):
    response = client.post("/", json=PUBSUB_PUSH)
    assert response.status_code == 200
    body = json.dumps(PUBSUB_PUSH).encode()
    assert response.json == {"received": True, "bytes": len(body)}
    (event_line,) = [line for line in json_logs() if line["message"] == "event received"]
    assert event_line["event"] == PUBSUB_PUSH
    assert event_line["bytes"] == len(body)


def test_post_root_logs_cloudevents_attributes(client, json_logs):
    headers = {
        "Ce-Type": "google.cloud.storage.object.v1.finalized",
        "Ce-Source": "//storage",
        "Ce-Id": "42",
        "Ce-Specversion": "1.0",
    }
    assert client.post("/", json={"bucket": "b"}, headers=headers).status_code == 200
    (line,) = [line for line in json_logs() if line["message"] == "event received"]
    assert (line["ceType"], line["ceSource"], line["ceId"]) == (
        headers["Ce-Type"],
        "//storage",
        "42",
    )


@pytest.mark.parametrize("body", [b"", b"not json", b"\xff\xfe"])
def test_post_root_refuses_what_is_not_json(client, body):
    response = client.post("/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["message"] == "the request body must be JSON"


def test_post_root_refuses_an_event_over_10_mb(client):
    response = client.post(
        "/", data=b"0" * (DEFAULT_MAX_BODY_BYTES + 1), content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json["error"]["status"] == "PAYLOAD_TOO_LARGE"


def test_post_root_refuses_a_chunked_event_over_the_limit_instead_of_cutting_it():
    client = create_app(Settings(max_body_bytes=100)).test_client()
    body = json.dumps({"pad": "x" * 200}).encode()
    response = client.post(
        "/",
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    "body", [b"", b'{"x": NaN}', b"[Infinity]", b"[-Infinity]", b"[" * 100_000 + b"]" * 100_000]
)
def test_post_root_refuses_non_finite_empty_and_too_deep_json(client, body):
    response = client.post("/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"] == {
        "code": 400,
        "status": "INVALID_ARGUMENT",
        "message": "the request body must be JSON",
    }


def test_errors_are_json_and_keep_their_headers(client, json_logs):
    missing = client.get("/missing")
    assert missing.status_code == 404
    assert missing.is_json and missing.json["error"]["status"] == "NOT_FOUND"
    not_allowed = client.delete("/")
    assert not_allowed.status_code == 405
    assert not_allowed.json["error"]["code"] == 405
    assert set(not_allowed.headers["Allow"].split(", ")) >= {"GET", "POST"}
    severities = [line["severity"] for line in request_lines(json_logs())]
    assert severities == ["WARNING", "WARNING"]


def test_each_request_is_logged_once_with_its_outcome(client, json_logs):
    client.get("/?token=secret", headers={"User-Agent": "pytest"})
    (line,) = request_lines(json_logs())
    assert line["severity"] == "INFO"
    assert line["message"] == "GET / 200"
    assert (line["method"], line["path"], line["status"], line["userAgent"]) == (
        "GET",
        "/",
        200,
        "pytest",
    )
    assert line["durationMs"] >= 0
    assert "secret" not in json.dumps(line)  # query strings are not logged


def test_request_lines_carry_the_trace_from_x_cloud_trace_context(client, json_logs):
    client.post("/", json=PUBSUB_PUSH, headers={"X-Cloud-Trace-Context": f"{TRACE_ID}/1;o=1"})
    lines = [line for line in json_logs() if line["logger"] == "app.web"]
    assert [line["message"] for line in lines] == ["event received", "POST / 200"]
    for line in lines:  # every line logged while the request runs, not only the request log
        assert line["logging.googleapis.com/trace"] == f"projects/demo-project/traces/{TRACE_ID}"
        assert line["logging.googleapis.com/spanId"] == "0000000000000001"
        assert line["logging.googleapis.com/trace_sampled"] is True


def test_request_lines_carry_the_trace_from_traceparent(client, json_logs):
    client.get("/", headers={"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"})
    (line,) = request_lines(json_logs())
    assert line["logging.googleapis.com/trace"] == f"projects/demo-project/traces/{TRACE_ID}"
    assert line["logging.googleapis.com/spanId"] == "00f067aa0ba902b7"


def test_the_trace_does_not_leak_into_the_next_request(client, json_logs):
    client.get("/", headers={"X-Cloud-Trace-Context": f"{TRACE_ID}/1;o=1"})
    client.get("/")
    first, second = request_lines(json_logs())
    assert "logging.googleapis.com/trace" in first
    assert "logging.googleapis.com/trace" not in second


def test_no_trace_field_without_a_project(json_logs):
    create_app(Settings()).test_client().get(
        "/", headers={"X-Cloud-Trace-Context": f"{TRACE_ID}/1"}
    )
    (line,) = request_lines(json_logs())
    assert "logging.googleapis.com/trace" not in line


def test_no_route_ends_in_z():
    # Cloud Run reserves paths ending in "z" (/healthz and the like).
    app = create_app(Settings())
    assert not [
        rule.rule for rule in app.url_map.iter_rules() if rule.rule.rstrip("/").endswith("z")
    ]
