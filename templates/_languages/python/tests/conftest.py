"""Fixtures shared by the tests."""

pytest_plugins = ["tests.log_capture"]
