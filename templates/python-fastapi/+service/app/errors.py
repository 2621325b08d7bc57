"""The one error shape, for every error the application answers:
{"error": {"code": 404, "status": "NOT_FOUND", "message": "..."}}"""

from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

# Google's canonical names (https://google.aip.dev/193) where they differ from HTTP's.
CANONICAL = {status.value: status.name for status in HTTPStatus} | {
    400: "INVALID_ARGUMENT",
    413: "PAYLOAD_TOO_LARGE",
    499: "CANCELLED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


def error_response(code: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    status = CANONICAL.get(code, "UNKNOWN")
    body = {"error": {"code": code, "status": status, "message": message}}
    return JSONResponse(body, status_code=code, headers=headers)


def install_handlers(app: FastAPI) -> None:
    """JSON instead of Starlette's plain-text errors and FastAPI's validation details."""

    @app.exception_handler(HTTPException)  # 404, 405, and every HTTPException a route raises
    async def http_error(request: Request, error: HTTPException) -> JSONResponse:
        return error_response(error.status_code, str(error.detail), error.headers)

    @app.exception_handler(RequestValidationError)  # a parameter that does not fit its type
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        where = ", ".join(".".join(map(str, e["loc"])) for e in error.errors())
        return error_response(400, f"invalid request: {where}")

    @app.exception_handler(ClientDisconnect)  # the client left while its body was being read
    async def gone(request: Request, error: ClientDisconnect) -> JSONResponse:
        return error_response(499, "the client closed the connection")

    @app.exception_handler(Exception)  # a bug: uvicorn logs the stack trace at ERROR
    async def crash(request: Request, error: Exception) -> JSONResponse:
        return error_response(500, "internal error")
