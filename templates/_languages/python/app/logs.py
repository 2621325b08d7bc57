"""JSON logs in the shape Cloud Logging reads as structured entries.

Cloud Run forwards every line a container writes to stdout or stderr to Cloud Logging, which
parses a line that is a JSON object: "severity" becomes the entry's level, "message" its text,
"time" its timestamp, and "logging.googleapis.com/trace" groups it under a request's trace
(https://cloud.google.com/logging/docs/structured-logging). So the standard logging module
and the formatter below are all this project needs: no client library, no agent.

LOG_FORMAT=pretty prints readable lines instead, for a terminal (the dev loop sets it).

Log as usual; values passed with ``extra`` become fields of the JSON object:

    log = logging.getLogger(__name__)
    log.info("processed %s", item, extra={"item": item})
"""

from __future__ import annotations

import contextvars
import json
import logging
import logging.config
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

# Fields added to every line logged in the current context, such as the trace of the request a
# thread is serving. A ContextVar, so concurrent requests (threads) never see each other's.
_context_fields: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar(
    "log_context_fields", default=MappingProxyType({})
)

# Attributes every LogRecord has; any other attribute came from `extra=` and becomes a field.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",  # uvicorn's copy of its message with terminal colours
}

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# String fields longer than this are cut, and "<field>Truncated": true says so (a request's
# path or User-Agent comes from the client).
MAX_FIELD_CHARS = 1024
MAX_MESSAGE_CHARS = 8192
# Cloud Logging takes entries up to 256 KB; a larger one is replaced by a short one.
MAX_LINE_BYTES = 250 * 1024


def bind(**fields: Any) -> contextvars.Token:
    """Add fields to every line logged in the current context, until `unbind(token)`."""
    return _context_fields.set({**_context_fields.get(), **fields})


def unbind(token: contextvars.Token) -> None:
    """Undo the `bind` that returned token."""
    _context_fields.reset(token)


def severity(levelno: int) -> str:
    """Cloud Logging's severity for a logging level: Python's level names are Cloud Logging's
    severities; a custom level takes the name of the standard level below it."""
    return next((name for name in LEVELS[::-1] if levelno >= logging.getLevelName(name)), "DEBUG")


class CloudLoggingFormatter(logging.Formatter):
    """Formats a record as one line of JSON with the fields Cloud Logging gives a meaning to."""

    def entry(self, record: logging.LogRecord) -> dict[str, Any]:
        """The record's fields: severity, message, time, logger, the stack trace if any, the
        bound fields and those passed with `extra`; client-controlled strings capped."""
        entry: dict[str, Any] = {
            "severity": severity(record.levelno),
            "message": record.getMessage(),
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "logger": record.name,
        }
        if record.exc_info:
            # Error Reporting finds the traceback in this field and groups the errors.
            entry["stack_trace"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack_trace"] = self.formatStack(record.stack_info)
        for key, value in _context_fields.get().items():
            entry.setdefault(key, value)
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                entry.setdefault(key, value)
        _cap_strings(entry)
        return entry

    def format(self, record: logging.LogRecord) -> str:
        entry = self.entry(record)
        # default=str: a value json cannot encode (a datetime, an exception) is logged as text
        # rather than losing the whole line. allow_nan=False: NaN is not JSON. ensure_ascii (the
        # default) escapes U+2028, U+2029 and U+0085, on which some log readers split lines.
        try:
            line = json.dumps(entry, default=str, allow_nan=False)
        except ValueError as error:
            return _short(entry, f"fields dropped: {error}")
        if len(line) > MAX_LINE_BYTES:
            return _short(entry, "fields dropped: the entry was larger than 250 KB")
        return line


class PrettyFormatter(CloudLoggingFormatter):
    """LOG_FORMAT=pretty, for a terminal: one readable line per entry, such as
    `12:00:01.250 INFO     app.web: GET / 200  method=GET status=200 durationMs=1.2`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = self.entry(record)
        line = f"{entry.pop('time')[11:23]} {entry.pop('severity'):<8} {entry.pop('logger')}: "
        line += entry.pop("message")
        stack_trace = entry.pop("stack_trace", None)
        if entry:
            line += "  " + " ".join(f"{k}={json.dumps(v, default=str)}" for k, v in entry.items())
        return f"{line}\n{stack_trace}" if stack_trace else line


# LOG_FORMAT's values: JSON for Cloud Logging (the default), or readable lines for a terminal.
FORMATTERS = {"json": CloudLoggingFormatter, "pretty": PrettyFormatter}


def _cap_strings(entry: dict[str, Any]) -> None:
    for key, value in list(entry.items()):
        if isinstance(value, str) and key != "stack_trace":
            limit = MAX_MESSAGE_CHARS if key == "message" else MAX_FIELD_CHARS
            if len(value) > limit:
                entry[key] = value[:limit]
                entry[f"{key}Truncated"] = True


def _short(entry: dict[str, Any], log_error: str) -> str:
    keep = {key: entry[key] for key in ("severity", "time", "logger")}
    return json.dumps({**keep, "message": str(entry["message"])[:1024], "logError": log_error})


def parse_level(value: str | None) -> str | None:
    """The level a LOG_LEVEL value names (debug, info, warning, error, critical, in any case):
    INFO when it is empty, None when it names no level."""
    value = (value or "INFO").strip().upper()
    value = "WARNING" if value == "WARN" else value
    return value if value in LEVELS else None


def parse_format(value: str | None) -> str | None:
    """The format a LOG_FORMAT value names: "json" (the default, for Cloud Logging) or "pretty"
    (for a terminal); None when it names neither."""
    value = (value or "json").strip().lower()
    return value if value in FORMATTERS else None


def logging_config(level: str = "INFO", log_format: str = "json") -> dict[str, Any]:
    """A logging.config.dictConfig() configuration: every logger writes to stdout through the
    root logger, one line per entry in log_format ("json" or "pretty")."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": {"()": FORMATTERS[log_format]}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stdout",
            }
        },
        "root": {"level": level, "handlers": ["stdout"]},
    }


def settings_from_env() -> tuple[str, str, list[str]]:
    """The level (LOG_LEVEL) and format (LOG_FORMAT) to log with, and a warning for each value
    that names neither (INFO and json are used instead)."""
    level_value, format_value = os.environ.get("LOG_LEVEL"), os.environ.get("LOG_FORMAT")
    level, log_format = parse_level(level_value), parse_format(format_value)
    warnings = [f"LOG_LEVEL={level_value!r} is not a level: using INFO"] if level is None else []
    if log_format is None:
        warnings.append(f"LOG_FORMAT={format_value!r} is neither json nor pretty: using json")
    return level or "INFO", log_format or "json", warnings


def setup_logging() -> None:
    """Send every log line to stdout at the level LOG_LEVEL names, in the format LOG_FORMAT names."""
    level, log_format, warnings = settings_from_env()
    logging.config.dictConfig(logging_config(level, log_format))
    for warning in warnings:
        logging.getLogger(__name__).warning(warning)
