"""The web application: its routes and the request log. Add your own routes here.

Cloud Run reserves paths that end in "z" (such as /healthz); the probes' health endpoints are
in app/health.py.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from app import health, logs
from app.config import Settings
from app.trace import trace_fields

log = logging.getLogger(__name__)

# A larger event is logged by its size only: a Cloud Logging entry is limited to 256 KB, and
# huge lines are hard to read anyway.
MAX_LOGGED_EVENT_BYTES = 16 * 1024

# Canonical names of the statuses, for the one error shape:
# {"error": {"code": 404, "status": "NOT_FOUND", "message": "..."}}
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    408: "REQUEST_TIMEOUT",
    413: "PAYLOAD_TOO_LARGE",
    431: "REQUEST_HEADER_FIELDS_TOO_LARGE",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


def error_response(code: int, message: str) -> Response:
    """An error response in the service's one JSON shape."""
    status = STATUS_NAMES.get(code, "INTERNAL" if code >= 500 else "INVALID_ARGUMENT")
    return Response(
        json.dumps({"error": {"code": code, "status": status, "message": message}}),
        status=code,
        content_type="application/json",
    )


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def create_app(
    settings: Settings | None = None, is_draining: Callable[[], bool] | None = None
) -> Flask:
    """Build the Flask application (an application factory: the tests build their own, with
    their own settings). gunicorn serves the one main.py builds. `is_draining` tells
    /health/ready that the drain has begun (default: the flag gunicorn's worker sets)."""
    settings = Settings.from_env() if settings is None else settings
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    log_requests(app, settings.project_id)
    app.register_blueprint(health.blueprint(is_draining or health.draining.is_set))

    @app.get("/")
    def hello() -> dict[str, object]:
        return {"message": "Hello from Cloud Run!", **settings.revision_fields()}

    @app.post("/")
    def receive_event() -> tuple[dict[str, object], int]:
        """Accept a JSON event, such as a Pub/Sub push message or an Eventarc delivery: read
        the whole body, log it and acknowledge it with 200 (any other status makes Pub/Sub and
        Eventarc deliver it again)."""
        limit = settings.max_body_bytes
        if request.content_length is not None and request.content_length > limit:
            return too_large(limit)  # refused before any of the body is read
        # One byte more than the limit, from the body as the server decodes it (chunked or
        # not): a chunked body over the limit is refused, never cut off at the limit.
        body = request.environ["wsgi.input"].read(limit + 1)
        if len(body) > limit:
            return too_large(limit)
        try:
            # NaN and Infinity are not JSON; too deep a nesting exhausts the recursion limit.
            event = json.loads(body, parse_constant=_no_constants)
        except (ValueError, RecursionError):  # also a body that is empty or not UTF-8
            return error_response(400, "the request body must be JSON")
        fields: dict[str, object] = {"bytes": len(body)}
        if request.headers.get("Ce-Type"):  # an Eventarc delivery (CloudEvents binary mode)
            fields["ceType"] = request.headers["Ce-Type"]
            fields["ceSource"] = request.headers.get("Ce-Source")
            fields["ceId"] = request.headers.get("Ce-Id")
        if len(body) <= MAX_LOGGED_EVENT_BYTES:
            fields["event"] = event
        log.info("event received", extra=fields)
        return {"received": True, "bytes": len(body)}, 200

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        """JSON instead of Flask's HTML error pages, keeping the status and headers (such as
        the Allow header of a 405)."""
        response = error_response(error.code or 500, error.description or error.name)
        for name, value in error.get_response().headers.items():
            if name.lower() not in ("content-type", "content-length"):
                response.headers[name] = value
        return response

    log.info(
        "application ready",
        extra={**settings.revision_fields(), "traceCorrelation": bool(settings.project_id)},
    )
    return app


def too_large(limit: int) -> Response:
    # gunicorn then reads off at most a little of the rest (bounded in bytes and time) and
    # closes the connection: the body is never buffered.
    return error_response(413, f"request body larger than {limit} bytes")


def log_requests(app: Flask, project_id: str | None) -> None:
    """Log one line per request when it completes, and put the request's trace on every line
    logged while it runs, so Cloud Logging shows them all under that trace. Query strings are
    not logged: they may carry tokens. The formatter caps the fields a client controls (path,
    User-Agent) and marks them as truncated."""

    @app.before_request
    def start() -> None:
        g.request_started = time.perf_counter()
        g.log_fields_token = logs.bind(**trace_fields(request.headers, project_id))

    @app.after_request
    def log_request(response: Response) -> Response:
        status = response.status_code
        level = (
            logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
        )
        if request.path in (health.READY_PATH, health.LIVE_PATH) and status < 500:
            level = logging.DEBUG  # a line per probe would drown the request log
        started = g.get("request_started", time.perf_counter())
        log.log(
            level,
            "%s %s %d",
            request.method,
            request.path,
            status,
            extra={
                "method": request.method,
                "path": request.path,
                "status": status,
                "durationMs": round((time.perf_counter() - started) * 1000, 3),
                "userAgent": request.user_agent.string,
            },
        )
        return response

    @app.teardown_request
    def end(_error: BaseException | None) -> None:
        token = g.pop("log_fields_token", None)
        if token is not None:
            logs.unbind(token)
