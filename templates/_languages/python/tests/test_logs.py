"""The JSON log format: what Cloud Logging reads from each line."""

import json
import logging
import re

import pytest

from app import logs


@pytest.fixture
def capture(json_logs):
    return logging.getLogger("test.logs"), json_logs


def test_one_json_object_per_line_with_severity_and_message(capture):
    logger, lines = capture
    logger.info("hello %s", "world")
    logger.warning("careful\nsecond line")
    first, second = lines()
    assert first["severity"] == "INFO"
    assert first["message"] == "hello world"
    assert first["logger"] == "test.logs"
    assert first["time"].endswith("Z")
    assert second["severity"] == "WARNING"
    assert second["message"] == "careful\nsecond line"  # still a single line of JSON


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (logging.DEBUG, "DEBUG"),
        (logging.INFO, "INFO"),
        (logging.WARNING, "WARNING"),
        (logging.ERROR, "ERROR"),
        (logging.CRITICAL, "CRITICAL"),
        (25, "INFO"),
        (5, "DEBUG"),
    ],
)
def test_severity_names_are_cloud_loggings(level, expected):
    assert logs.severity(level) == expected


def test_extra_values_become_fields(capture):
    logger, lines = capture
    logger.info("processed", extra={"item": "item-01", "count": 3, "when": object()})
    (line,) = lines()
    assert line["item"] == "item-01"
    assert line["count"] == 3
    assert line["when"].startswith("<object")  # not JSON: logged as text, line kept


def test_bound_fields_are_on_every_line_until_unbound(capture):
    logger, lines = capture
    token = logs.bind(**{"logging.googleapis.com/trace": "projects/p/traces/abc"})
    logger.info("inside")
    logs.unbind(token)
    logger.info("outside")
    inside, outside = lines()
    assert inside["logging.googleapis.com/trace"] == "projects/p/traces/abc"
    assert "logging.googleapis.com/trace" not in outside


def test_exceptions_carry_their_stack_trace(capture):
    logger, lines = capture
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("failed")
    (line,) = lines()
    assert line["severity"] == "ERROR"
    assert line["message"] == "failed"
    assert "ValueError: boom" in line["stack_trace"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "INFO"),
        ("", "INFO"),
        ("debug", "DEBUG"),
        (" Warning ", "WARNING"),
        ("warn", "WARNING"),
        ("ERROR", "ERROR"),
        ("verbose", None),
    ],
)
def test_parse_level(value, expected):
    assert logs.parse_level(value) == expected


def test_setup_logging_writes_json_to_stdout(json_logs, capsys, monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "verbose")  # not a level: INFO, and a warning says so
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    logs.setup_logging()  # json_logs (above) restores the logging setup afterwards
    logging.getLogger("test.setup").debug("hidden")
    logging.getLogger("test.setup").info("shown")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(line["severity"], line["message"]) for line in lines] == [
        ("WARNING", "LOG_LEVEL='verbose' is not a level: using INFO"),
        ("INFO", "shown"),
    ]


def test_log_format_pretty_writes_one_readable_line_per_entry(json_logs, capsys, monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", " Pretty ")
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    logs.setup_logging()
    logging.getLogger("test.pretty").info("processed %s", "x", extra={"item": "x", "count": 2})
    logging.getLogger("test.pretty").warning("careful")
    first, second = capsys.readouterr().out.splitlines()
    assert first.endswith(' INFO     test.pretty: processed x  item="x" count=2')
    assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3} WARNING  test\.pretty: careful", second)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "json"), ("", "json"), ("JSON", "json"), ("pretty", "pretty"), ("text", None)],
)
def test_parse_format(value, expected):
    assert logs.parse_format(value) == expected


def test_long_fields_are_cut_and_marked_and_nan_never_reaches_a_line(capture):
    logger, lines = capture
    logger.info("request", extra={"userAgent": "u" * 5000, "ratio": float("nan")})
    logger.info("big", extra={"nested": {"text": "x" * 300 * 1024}})
    first, second = lines()
    assert first["message"] == "request" and "logError" in first  # NaN is not JSON: fields dropped
    assert second["message"] == "big" and "larger than 250 KB" in second["logError"]
    logger.info("agent", extra={"userAgent": "u" * 5000 + "\u2028"})
    third = lines()[2]
    assert len(third["userAgent"]) == logs.MAX_FIELD_CHARS and third["userAgentTruncated"] is True
