"""The service's settings from the environment."""

import logging

import pytest

from app.config import DEFAULT_MAX_BODY_BYTES, Settings


def test_settings_from_the_environment():
    settings = Settings.from_env(
        {"K_SERVICE": "svc", "K_REVISION": "svc-1", "GOOGLE_CLOUD_PROJECT": "demo", "PORT": "1"}
    )
    assert settings == Settings("svc", "svc-1", None, "demo")
    assert settings.revision_fields() == {"service": "svc", "revision": "svc-1"}
    assert Settings.from_env({}) == Settings(max_body_bytes=DEFAULT_MAX_BODY_BYTES)


def test_max_body_bytes_from_the_environment():
    assert Settings.from_env({"MAX_BODY_BYTES": "1024"}).max_body_bytes == 1024
    for invalid in ("10mb", "0", "-1", " 5"):
        with pytest.raises(ValueError, match="MAX_BODY_BYTES"):
            Settings.from_env({"MAX_BODY_BYTES": invalid})


def test_an_unknown_project_is_a_warning_not_an_error(caplog):
    # On Cloud Run without a reachable metadata server: the service starts, without traces.
    environ = {"K_SERVICE": "svc", "GCE_METADATA_HOST": "127.0.0.1:9"}
    with caplog.at_level(logging.WARNING, logger="app.config"):
        settings = Settings.from_env(environ)
    assert settings.project_id is None
    assert "Google Cloud project unknown" in caplog.text
