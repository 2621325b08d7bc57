"""Trace correlation. Cloud Run passes each request's trace in the W3C `traceparent` header and
in Google's `X-Cloud-Trace-Context`; a log line with `logging.googleapis.com/trace` set to
`projects/PROJECT/traces/TRACE_ID` is shown under its request in Cloud Logging and Cloud Trace.
The field needs the project id: without one (on a laptop, say) lines carry no trace."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Mapping

TRACE_FIELD = "logging.googleapis.com/trace"
_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")
# At most 20 digits: a span id is a 64-bit number (and a longer one would make int() fail).
_CLOUD_TRACE_CONTEXT = re.compile(r"([0-9a-fA-F]{32})(?:/(\d{1,20})(?!\d))?(?:;o=(\d))?")


def trace_fields(headers: Mapping[str, str], project_id: str | None) -> dict[str, object]:
    """The log fields for the request's trace; none without a project id or a valid header."""
    if match := _TRACEPARENT.fullmatch(headers.get("traceparent", "").strip()):
        trace_id, span_id, sampled = match[1], match[2], int(match[3], 16) & 1 == 1
    elif match := _CLOUD_TRACE_CONTEXT.match(headers.get("x-cloud-trace-context", "").strip()):
        span = int(match[2] or 0)  # decimal; Cloud Logging wants it in hex
        trace_id, span_id, sampled = match[1].lower(), f"{span:016x}", match[3] == "1"
    else:
        return {}
    if not project_id or not trace_id.strip("0"):
        return {}
    fields = {TRACE_FIELD: f"projects/{project_id}/traces/{trace_id}"}
    if span_id.strip("0") and len(span_id) == 16:
        fields["logging.googleapis.com/spanId"] = span_id
    return fields | {"logging.googleapis.com/trace_sampled": sampled}


def project_id(environ: Mapping[str, str]) -> str | None:
    """GOOGLE_CLOUD_PROJECT when set; on Cloud Run (K_SERVICE is set) the metadata server's
    answer; otherwise None. Raises OSError when the metadata server cannot be asked."""
    if environ.get("GOOGLE_CLOUD_PROJECT") or not environ.get("K_SERVICE"):
        return environ.get("GOOGLE_CLOUD_PROJECT") or None
    host = environ.get("GCE_METADATA_HOST") or "169.254.169.254"  # as Google's libraries do
    request = urllib.request.Request(
        f"http://{host}/computeMetadata/v1/project/project-id",
        headers={"Metadata-Flavor": "Google"},
    )
    # No proxy: the server is link-local. A short timeout: start-up should not wait long.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=2) as response:
        project = response.read(1024).decode().strip()
    if not project:
        raise OSError("the metadata server returned an empty project id")
    return project
