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
from app.trace import trace_from_headers

log = logging.getLogger(__name__)

# Pub/Sub push messages are at most 10 MB; a larger body is refused with 413.
MAX_EVENT_BYTES = 10 * 1024 * 1024
# A larger event is logged by its size only: a Cloud Logging entry is limited to 256 KB, and
# huge lines are hard to read anyway.
MAX_LOGGED_EVENT_BYTES = 16 * 1024


def create_app(
    settings: Settings | None = None, is_draining: Callable[[], bool] | None = None
) -> Flask:
    """Build the Flask application (an application factory: the tests build their own, with
    their own settings). gunicorn serves the one main.py builds. `is_draining` tells
    /health/ready that the drain has begun (default: the flag gunicorn's worker sets)."""
    settings = Settings.from_env() if settings is None else settings
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_EVENT_BYTES
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
        body = request.get_data(cache=False)  # waits for all of it, however slowly it arrives
        try:
            event = json.loads(body)
        except ValueError:  # also a body that is not UTF-8
            return {"error": "the request body must be JSON"}, 400
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
        response = error.get_response()
        response.data = json.dumps({"error": error.description})
        response.content_type = "application/json"
        return response

    log.info(
        "application ready",
        extra={**settings.revision_fields(), "traceCorrelation": bool(settings.project_id)},
    )
    return app


def log_requests(app: Flask, project_id: str | None) -> None:
    """Log one line per request when it completes, and put the request's trace on every line
    logged while it runs, so Cloud Logging shows them all under that trace. Query strings are
    not logged: they may carry tokens."""

    @app.before_request
    def start() -> None:
        g.request_started = time.perf_counter()
        found = trace_from_headers(request.headers)
        if found:
            g.log_fields_token = logs.bind(**found.log_fields(project_id))

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
