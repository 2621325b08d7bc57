"""Reading the trace headers Cloud Run passes, and the project id the trace field needs."""

import http.server
import threading

import pytest

from app import trace
from app.trace import Trace

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def test_traceparent():
    assert trace.parse_traceparent(f"00-{TRACE_ID}-00f067aa0ba902b7-01") == Trace(
        TRACE_ID, "00f067aa0ba902b7", sampled=True
    )
    assert trace.parse_traceparent(f"00-{TRACE_ID}-00f067aa0ba902b7-00").sampled is False
    # A later version may add fields; version 00 may not.
    assert trace.parse_traceparent(f"01-{TRACE_ID}-00f067aa0ba902b7-01-extra") is not None


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "garbage",
        f"00-{TRACE_ID}-00f067aa0ba902b7",
        f"00-{TRACE_ID.upper()}-00f067aa0ba902b7-01",
        f"ff-{TRACE_ID}-00f067aa0ba902b7-01",
        f"00-{'0' * 32}-00f067aa0ba902b7-01",
        f"00-{TRACE_ID}-{'0' * 16}-01",
        f"00-{TRACE_ID}-00f067aa0ba902b7-01-extra",
    ],
)
def test_invalid_traceparent(value):
    assert trace.parse_traceparent(value) is None


def test_cloud_trace_context():
    # The span id is decimal in this header and hexadecimal in Cloud Logging.
    assert trace.parse_cloud_trace_context(f"{TRACE_ID.upper()}/1;o=1") == Trace(
        TRACE_ID, "0000000000000001", sampled=True
    )
    assert trace.parse_cloud_trace_context(TRACE_ID) == Trace(TRACE_ID, None, sampled=False)
    assert trace.parse_cloud_trace_context(f"{TRACE_ID}/0;o=0") == Trace(TRACE_ID, None, False)
    assert trace.parse_cloud_trace_context("not-a-trace/1;o=1") is None
    assert trace.parse_cloud_trace_context(f"{'0' * 32}/1") is None


def test_traceparent_is_preferred():
    headers = {
        "traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01",
        "X-Cloud-Trace-Context": f"{'a' * 32}/1;o=1",
    }
    assert trace.trace_from_headers(headers).trace_id == TRACE_ID
    assert trace.trace_from_headers({"X-Cloud-Trace-Context": f"{'a' * 32}/1"}).trace_id == "a" * 32
    assert trace.trace_from_headers({}) is None


def test_log_fields_need_the_project():
    found = Trace(TRACE_ID, "00f067aa0ba902b7", sampled=True)
    assert found.log_fields("demo-project") == {
        "logging.googleapis.com/trace": f"projects/demo-project/traces/{TRACE_ID}",
        "logging.googleapis.com/spanId": "00f067aa0ba902b7",
        "logging.googleapis.com/trace_sampled": True,
    }
    assert found.log_fields(None) == {}


def test_trace_fields_of_a_request():
    headers = {"X-Cloud-Trace-Context": f"{TRACE_ID.upper()}/255;o=0"}
    assert trace.trace_fields(headers, "demo") == {
        trace.TRACE_FIELD: f"projects/demo/traces/{TRACE_ID}",
        trace.SPAN_ID_FIELD: "00000000000000ff",
        trace.TRACE_SAMPLED_FIELD: False,
    }
    assert trace.trace_fields(headers, None) == {}
    assert trace.trace_fields({}, "demo") == {}


@pytest.mark.parametrize(
    "headers",
    [
        {"traceparent": "garbage"},
        {"traceparent": f"00-{'0' * 32}-00f067aa0ba902b7-01"},
        {"X-Cloud-Trace-Context": "////;o=;o=\u00ff" * 50},
        {"X-Cloud-Trace-Context": f"{TRACE_ID}/{'9' * 5000};o=1"},  # no span, never a crash
        {"X-Cloud-Trace-Context": f"{TRACE_ID}/{2**64}"},  # over 64 bits: no span
    ],
)
def test_hostile_headers_give_no_span(headers):
    assert trace.SPAN_ID_FIELD not in trace.trace_fields(headers, "demo")


def test_project_id_from_the_environment():
    assert trace.project_id({"GOOGLE_CLOUD_PROJECT": "demo", "K_SERVICE": "svc"}) == "demo"
    # Not on Cloud Run and not configured: no project, and no network call.
    assert trace.project_id({}) is None


@pytest.fixture
def metadata_server():
    """A stand-in for the metadata server on a free loopback port; yields its host:port."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            ok = (
                self.path == "/computeMetadata/v1/project/project-id"
                and self.headers.get("Metadata-Flavor") == "Google"
            )
            self.send_response(200 if ok else 403)
            self.end_headers()
            self.wfile.write(b"metadata-project" if ok else b"")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_project_id_from_the_metadata_server_on_cloud_run(metadata_server):
    environ = {"K_SERVICE": "svc", "GCE_METADATA_HOST": metadata_server}
    assert trace.project_id(environ) == "metadata-project"


def test_project_id_lookup_failure_is_an_oserror():
    with pytest.raises(OSError):
        trace.project_id({"K_SERVICE": "svc", "GCE_METADATA_HOST": "127.0.0.1:9"}, timeout=1)
