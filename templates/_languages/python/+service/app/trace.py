"""Trace correlation: the log fields that make Cloud Logging show a request's lines together.

Cloud Run's front end passes each request's trace in the W3C `traceparent` header and in
Google's `X-Cloud-Trace-Context`. A log line that carries
`logging.googleapis.com/trace = projects/PROJECT/traces/TRACE_ID` is shown under that request
in the Logs Explorer and in Cloud Trace. The field needs the project id, so without one (on a
laptop, say) lines simply carry no trace.

Nothing here depends on a web framework: each template passes its request headers (a
case-insensitive mapping, as Flask's and Starlette's are) to trace_fields().
"""

from __future__ import annotations

import os
import re
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass

TRACE_FIELD = "logging.googleapis.com/trace"
SPAN_ID_FIELD = "logging.googleapis.com/spanId"
TRACE_SAMPLED_FIELD = "logging.googleapis.com/trace_sampled"

_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$")
# At most 20 digits: a span id is a 64-bit number (and a longer one would make int() fail).
_CLOUD_TRACE_CONTEXT = re.compile(r"^([0-9a-fA-F]{32})(?:/(\d{1,20})(?!\d))?(?:;o=(\d))?")

# The metadata server every Cloud Run instance can reach; GCE_METADATA_HOST overrides it, as
# in Google's client libraries.
_METADATA_HOST = "169.254.169.254"


@dataclass(frozen=True)
class Trace:
    trace_id: str  # 32 lower-case hex digits
    span_id: str | None  # 16 lower-case hex digits
    sampled: bool

    def log_fields(self, project_id: str | None) -> dict[str, object]:
        """The log fields for this trace; none without a project id."""
        if not project_id:
            return {}
        fields: dict[str, object] = {TRACE_FIELD: f"projects/{project_id}/traces/{self.trace_id}"}
        if self.span_id:
            fields[SPAN_ID_FIELD] = self.span_id
        fields[TRACE_SAMPLED_FIELD] = self.sampled
        return fields


def parse_traceparent(value: str | None) -> Trace | None:
    """Parse `00-<trace-id>-<parent-id>-<flags>` (https://www.w3.org/TR/trace-context/)."""
    match = _TRACEPARENT.match((value or "").strip())
    if not match:
        return None
    version, trace_id, span_id, flags, rest = match.groups()
    if version == "ff" or (version == "00" and rest) or _all_zero(trace_id) or _all_zero(span_id):
        return None
    return Trace(trace_id, span_id, sampled=bool(int(flags, 16) & 1))


def parse_cloud_trace_context(value: str | None) -> Trace | None:
    """Parse `TRACE_ID/SPAN_ID;o=OPTIONS`, where SPAN_ID is a decimal number
    (https://cloud.google.com/trace/docs/trace-context#legacy-http-header)."""
    match = _CLOUD_TRACE_CONTEXT.match((value or "").strip())
    if not match or _all_zero(match.group(1)):
        return None
    trace_id, span, options = match.groups()
    span_id = None
    if span and 0 < int(span) < 2**64:
        span_id = f"{int(span):016x}"  # Cloud Logging wants the span id in hex
    return Trace(trace_id.lower(), span_id, sampled=options == "1")


def trace_from_headers(headers: Mapping[str, str]) -> Trace | None:
    """The request's trace: from `traceparent`, else from `X-Cloud-Trace-Context`."""
    return parse_traceparent(headers.get("traceparent")) or parse_cloud_trace_context(
        headers.get("X-Cloud-Trace-Context")
    )


def trace_fields(headers: Mapping[str, str], project_id: str | None) -> dict[str, object]:
    """The log fields for a request's trace; none without a project id or a valid header."""
    found = trace_from_headers(headers)
    return found.log_fields(project_id) if found else {}


def project_id(environ: Mapping[str, str] | None = None, timeout: float = 2.0) -> str | None:
    """The Google Cloud project id that trace fields need: GOOGLE_CLOUD_PROJECT when set;
    otherwise, only on Cloud Run (K_SERVICE is set), the metadata server's answer; otherwise
    None. Raises OSError when the metadata server cannot be asked."""
    environ = os.environ if environ is None else environ
    if environ.get("GOOGLE_CLOUD_PROJECT"):
        return environ["GOOGLE_CLOUD_PROJECT"]
    if not environ.get("K_SERVICE"):
        return None
    host = environ.get("GCE_METADATA_HOST") or _METADATA_HOST
    request = urllib.request.Request(
        f"http://{host}/computeMetadata/v1/project/project-id",
        headers={"Metadata-Flavor": "Google"},
    )
    # No proxy: the metadata server is link-local. The timeout keeps start-up from waiting long.
    # A failure raises urllib.error.URLError, which is an OSError.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=timeout) as response:
        project = response.read(1024).decode().strip()
    if not project:
        raise OSError("the metadata server returned an empty project id")
    return project


def _all_zero(hex_digits: str) -> bool:
    return hex_digits.strip("0") == ""
