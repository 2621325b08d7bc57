"""Log lines as Cloud Logging reads them: one JSON object per line on stdout, whose "severity",
"message" and "logging.googleapis.com/trace" fields it understands
(https://cloud.google.com/logging/docs/structured-logging). LOG_FORMAT=pretty prints readable
lines instead. Log as usual; `extra` values become fields:

    logging.getLogger(__name__).info("processed %s", item, extra={"item": item})
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

# Fields for every line logged in this context (the trace of the request an asyncio task
# serves): a ContextVar, so concurrent requests never see each other's.
_context: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar(
    "log_fields", default=MappingProxyType({})
)
# Attributes every LogRecord has, and uvicorn's colored message; others came from `extra`.
_SKIPPED = set(vars(logging.makeLogRecord({}))) | {"message", "taskName", "color_message"}
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")  # also Cloud Logging's severities
# Client-controlled strings (path, User-Agent) are cut and marked "<field>Truncated": true; an
# entry must stay under Cloud Logging's 256 KB.
MAX_FIELD_CHARS, MAX_MESSAGE_CHARS, MAX_LINE_BYTES = 1024, 8192, 250 * 1024


def bind(**fields: Any) -> contextvars.Token:
    """Add fields to every line logged in the current context, until `unbind(token)`."""
    return _context.set({**_context.get(), **fields})


def unbind(token: contextvars.Token) -> None:
    _context.reset(token)


def entry(record: logging.LogRecord, formatter: logging.Formatter) -> dict[str, Any]:
    created = datetime.fromtimestamp(record.created, UTC)
    fields: dict[str, Any] = {
        "severity": next(
            (n for n in reversed(LEVELS) if record.levelno >= logging.getLevelName(n)), "DEBUG"
        ),
        "message": record.getMessage(),
        "time": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "logger": record.name,
    }
    if record.exc_info:  # Error Reporting groups errors by this field
        fields["stack_trace"] = formatter.formatException(record.exc_info)
    extra = {k: v for k, v in vars(record).items() if k not in _SKIPPED and k[0] != "_"}
    for key, value in {**_context.get(), **extra}.items():
        fields.setdefault(key, value)
    for key, value in list(fields.items()):
        limit = MAX_MESSAGE_CHARS if key == "message" else MAX_FIELD_CHARS
        if isinstance(value, str) and key != "stack_trace" and len(value) > limit:
            fields[key], fields[f"{key}Truncated"] = value[:limit], True
    return fields


class CloudLoggingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = entry(record, self)
        # allow_nan=False: NaN is not JSON. ensure_ascii (the default) escapes U+2028 and U+0085,
        # on which some log readers split lines. default=str: a datetime is logged as text.
        try:
            line = json.dumps(fields, default=str, allow_nan=False)
        except (ValueError, RecursionError) as error:
            line, fields["logError"] = "", f"fields dropped: {type(error).__name__}"
        if not line or len(line) > MAX_LINE_BYTES:
            keep = ("severity", "message", "time", "logger")
            line = json.dumps(
                {k: fields[k] for k in keep}
                | {"logError": fields.get("logError", "fields dropped: over 250 KB")}
            )
        return line


class PrettyFormatter(logging.Formatter):
    """time, severity, message, then the other fields: one readable line per entry."""

    def format(self, record: logging.LogRecord) -> str:
        fields = entry(record, self)
        head = f"{fields.pop('time')[11:23]} {fields.pop('severity'):<8} {fields.pop('message')}"
        stack, _ = fields.pop("stack_trace", ""), fields.pop("logger")
        rest = " ".join(f"{key}={value}" for key, value in fields.items())
        return f"{head}  {rest}".rstrip() + (f"\n{stack}" if stack else "")


def logging_config(level: str = "INFO", log_format: str | None = None) -> dict[str, Any]:
    """A logging.config.dictConfig() configuration: every logger, uvicorn's too, writes through
    the root logger to stdout, as JSON (LOG_FORMAT unset or "json") or as pretty lines."""
    formatter = PrettyFormatter if log_format == "pretty" else CloudLoggingFormatter
    stdout = {
        "class": "logging.StreamHandler",
        "formatter": "default",
        "stream": "ext://sys.stdout",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": {"()": formatter}},
        "handlers": {"stdout": stdout},
        "root": {"level": level, "handlers": ["stdout"]},
        # The application logs each request itself, with its trace: no uvicorn access lines.
        "loggers": {"uvicorn.access": {"level": "WARNING"}},
    }
