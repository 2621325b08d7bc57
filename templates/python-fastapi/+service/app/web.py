"""The FastAPI application: the routes (app/routes.py), health endpoints, error shape and
request log put together."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI

from app import errors, health, routes
from app.config import Settings
from app.requestlog import RequestLog

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None, is_draining: Callable[[], bool] = lambda: False
) -> FastAPI:
    """Build the application (a factory: the tests build their own, with their own settings).
    `is_draining` tells /health/ready that the shutdown has begun (main.py passes uvicorn's)."""
    settings = Settings.from_env() if settings is None else settings
    app = FastAPI(title="Cloud Run service")
    app.state.settings = settings
    errors.install_handlers(app)
    app.add_middleware(RequestLog, project_id=settings.project_id)
    app.include_router(health.router(is_draining))
    app.include_router(routes.router)
    log.info(
        "application ready",
        extra={**settings.revision_fields(), "traceCorrelation": bool(settings.project_id)},
    )
    return app
