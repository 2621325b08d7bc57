"""The `json_logs` fixture: what every logger writes, as production formats it."""

import io
import json
import logging

import pytest

from app import logs


@pytest.fixture
def json_logs():
    """Capture what every logger writes, formatted as in production. Returns a function that
    gives the lines written so far, each parsed from JSON."""
    root = logging.getLogger()
    saved_level, saved_handlers = root.level, root.handlers[:]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.CloudLoggingFormatter())
    root.handlers = [handler]
    root.setLevel(logging.DEBUG)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.handlers = saved_handlers
    root.setLevel(saved_level)
