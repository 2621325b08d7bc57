"""The service's routes. Add your own here (or in more routers that app/web.py includes).

Cloud Run reserves paths that end in "z" (such as /healthz); the probes' endpoints are in
app/health.py."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request

from app.body import read_json

log = logging.getLogger(__name__)
router = APIRouter()

# A larger event is logged by its size only: a Cloud Logging entry is limited to 256 KB.
MAX_LOGGED_EVENT_BYTES = 16 * 1024


@router.get("/")
async def hello(request: Request) -> dict[str, object]:
    return {"message": "Hello from Cloud Run!", **request.app.state.settings.revision_fields()}


@router.post("/")
async def receive_event(request: Request) -> dict[str, object]:
    """Accept a JSON event, such as a Pub/Sub push message or an Eventarc delivery: read the
    whole body, log it and acknowledge it with 200 (any other status makes Pub/Sub and Eventarc
    deliver it again)."""
    size, event = await read_json(request, request.app.state.settings.max_body_bytes)
    fields: dict[str, object] = {"bytes": size}
    if request.headers.get("ce-type"):  # an Eventarc delivery (CloudEvents binary mode)
        fields.update(
            {f"ce{k.title()}": request.headers.get(f"ce-{k}") for k in ("type", "source", "id")}
        )
    if size <= MAX_LOGGED_EVENT_BYTES:
        fields["event"] = event
    log.info("event received", extra=fields)
    return {"received": True, "bytes": size}
