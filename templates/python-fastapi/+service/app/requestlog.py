"""One log line per request, and its trace on every line logged while it runs (Cloud Logging
shows them together). No query strings: they may carry tokens."""

from __future__ import annotations

import logging
import time

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import health, logs
from app.trace import trace_fields

log = logging.getLogger(__name__)


class RequestLog:
    """ASGI middleware (https://www.starlette.io/middleware/#pure-asgi-middleware)."""

    def __init__(self, app: ASGIApp, project_id: str | None) -> None:
        self.app = app
        self.project_id = project_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = Headers(scope=scope)
        token = logs.bind(**trace_fields(headers, self.project_id))
        status = 500  # unless a response starts: an exception escaped

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            level = (
                logging.ERROR
                if status >= 500
                else logging.WARNING
                if status >= 400
                else logging.INFO
            )
            if scope["path"] in (health.READY_PATH, health.LIVE_PATH) and status < 500:
                level = logging.DEBUG  # a line per probe would drown the request log
            fields = {
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "durationMs": round((time.perf_counter() - started) * 1000, 3),
                "userAgent": headers.get("user-agent", ""),
            }
            log.log(level, "%s %s %d", scope["method"], scope["path"], status, extra=fields)
            logs.unbind(token)
