"""Health endpoints for Cloud Run's probes (service.yaml): the startup probe asks /health/ready
before any request is routed to the instance, the liveness probe asks /health/live. (Cloud Run
reserves paths that end in "z", such as /healthz.)"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.errors import error_response

READY_PATH = "/health/ready"
LIVE_PATH = "/health/live"


def router(is_draining: Callable[[], bool]) -> APIRouter:
    """The two routes; `is_draining` says whether the shutdown has begun."""
    health = APIRouter()

    @health.get(READY_PATH)
    async def ready() -> JSONResponse:
        # Not ready while draining: the instance is on its way out and takes no new work.
        if is_draining():
            return error_response(503, "draining")
        return JSONResponse({"status": "ok"})

    @health.get(LIVE_PATH)
    async def live() -> dict[str, str]:
        # Alive as long as the process answers at all, draining or not.
        return {"status": "ok"}

    return health
