"""Reading a JSON request body without letting a client exhaust memory."""

from __future__ import annotations

import json

from fastapi import HTTPException, Request


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


async def read_json(request: Request, limit: int) -> tuple[int, object]:
    """The body's size and JSON value. 413 over `limit` bytes: unread if Content-Length says so,
    else as soon as the stream passes it. 400 if not JSON (NaN and Infinity included)."""
    declared = request.headers.get("content-length", "")
    too_large = HTTPException(413, f"request body larger than {limit} bytes")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    try:
        return len(body), json.loads(body, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        raise HTTPException(400, "the request body must be JSON") from None
