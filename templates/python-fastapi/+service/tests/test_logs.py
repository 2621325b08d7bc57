"""Log lines: valid Cloud Logging JSON whatever the fields hold; pretty lines for a terminal."""

import json
import logging
import logging.config

import pytest

from app import logs


def record(message: str = "hello", **extra) -> logging.LogRecord:
    line = logging.LogRecord("test", logging.WARNING, __file__, 1, message, None, None)
    line.__dict__.update(extra)
    return line


def test_a_line_is_one_json_object_with_severity_message_and_fields():
    line = logs.CloudLoggingFormatter().format(record(item=3))
    assert "\n" not in line
    entry = json.loads(line)
    assert (entry["severity"], entry["message"], entry["item"]) == ("WARNING", "hello", 3)
    assert entry["time"].endswith("Z")


def test_nan_line_separators_and_huge_fields_never_break_a_line():
    formatter = logs.CloudLoggingFormatter()
    assert json.loads(formatter.format(record(value=float("nan"))))["logError"]
    assert "\u2028" not in formatter.format(record("a\u2028b\u0085c"))
    huge = json.loads(formatter.format(record("m" * 100_000, agent="u" * 100_000)))
    assert len(huge["agent"]) == logs.MAX_FIELD_CHARS and huge["agentTruncated"] is True
    assert len(huge["message"]) == logs.MAX_MESSAGE_CHARS and huge["messageTruncated"] is True
    many = json.loads(formatter.format(record(**{f"f{i}": "x" * 1000 for i in range(300)})))
    assert many["message"] == "hello" and "f1" not in many


def test_pretty_lines_are_readable():
    line = logs.PrettyFormatter().format(record("GET / 200", status=200))
    assert "WARNING  GET / 200  status=200" in line


def test_log_levels():
    logging.config.dictConfig(logs.logging_config("WARN"))
    assert logging.getLogger().level == logging.WARNING
    with pytest.raises(ValueError):
        logging.config.dictConfig(logs.logging_config("LOUD"))
    logging.config.dictConfig(logs.logging_config("INFO"))
