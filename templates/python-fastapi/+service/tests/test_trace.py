"""Reading the trace headers Cloud Run passes, and the project id the trace field needs."""

import http.server
import threading

import pytest

from app import trace

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACE = f"projects/demo/traces/{TRACE_ID}"


def fields(**headers: str) -> dict:
    return trace.trace_fields({k.replace("_", "-"): v for k, v in headers.items()}, "demo")


def test_traceparent_and_x_cloud_trace_context():
    assert fields(traceparent=f"00-{TRACE_ID}-00f067aa0ba902b7-01") == {
        trace.TRACE_FIELD: TRACE,
        "logging.googleapis.com/spanId": "00f067aa0ba902b7",
        "logging.googleapis.com/trace_sampled": True,
    }
    assert fields(x_cloud_trace_context=f"{TRACE_ID.upper()}/255;o=0") == {
        trace.TRACE_FIELD: TRACE,
        "logging.googleapis.com/spanId": "00000000000000ff",
        "logging.googleapis.com/trace_sampled": False,
    }
    assert trace.trace_fields({"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"}, None) == {}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"traceparent": "garbage"},
        {"traceparent": f"00-{'0' * 32}-00f067aa0ba902b7-01"},
        {"x-cloud-trace-context": "////;o=;o=\u00ff" * 50},
        {"x-cloud-trace-context": f"{TRACE_ID}/{'9' * 5000};o=1"},  # no span, never a crash
    ],
)
def test_invalid_headers_give_no_span_or_no_trace(headers):
    assert "logging.googleapis.com/spanId" not in trace.trace_fields(headers, "demo")


def test_project_id_from_the_environment_or_the_metadata_server():
    assert trace.project_id({"GOOGLE_CLOUD_PROJECT": "p"}) == "p"
    assert trace.project_id({}) is None  # not on Cloud Run: no metadata server to ask

    class Metadata(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            ok = self.headers["Metadata-Flavor"] == "Google"
            self.send_response(200 if ok else 403)
            self.end_headers()
            self.wfile.write(b"from-metadata")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Metadata)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        host = f"127.0.0.1:{server.server_port}"
        assert trace.project_id({"K_SERVICE": "s", "GCE_METADATA_HOST": host}) == "from-metadata"
    finally:
        server.shutdown()
