"""Health endpoints for Cloud Run's probes (service.yaml): the startup probe asks /health/ready
before any request is routed to the instance, the liveness probe asks /health/live. (Cloud Run
reserves paths that end in "z", such as /healthz.)"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Blueprint

READY_PATH = "/health/ready"
LIVE_PATH = "/health/live"

# Set once SIGTERM has started the drain (gunicorn.conf.py, post_worker_init).
draining = threading.Event()


def blueprint(is_draining: Callable[[], bool] = draining.is_set) -> Blueprint:
    """The two routes; `is_draining` says whether the drain has begun (tests pass their own)."""
    # Imported here: gunicorn's master imports this module for `draining` and needs no Flask.
    from flask import Blueprint

    health = Blueprint("health", __name__)

    @health.get(READY_PATH)
    def ready() -> tuple[dict[str, object], int]:
        # Not ready while draining: the instance is on its way out and takes no new work.
        if is_draining():
            return {"error": {"code": 503, "status": "UNAVAILABLE", "message": "draining"}}, 503
        return {"status": "ok"}, 200

    @health.get(LIVE_PATH)
    def live() -> dict[str, str]:
        # Alive as long as the process answers at all, draining or not.
        return {"status": "ok"}

    return health
