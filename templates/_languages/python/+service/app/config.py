"""The service's settings, read once from the environment at start-up."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

from app import trace

log = logging.getLogger(__name__)

# Request bodies over this many bytes are refused with 413 unless MAX_BODY_BYTES says otherwise;
# Pub/Sub push messages are at most 10 MB.
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    # Cloud Run sets K_SERVICE, K_REVISION and K_CONFIGURATION; elsewhere they are None.
    service: str | None = None
    revision: str | None = None
    configuration: str | None = None
    # The Google Cloud project, for the trace field of log lines; None when unknown.
    project_id: str | None = None
    # Larger request bodies are refused with 413 (MAX_BODY_BYTES).
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        try:
            project_id = trace.project_id(environ)
        except OSError as error:
            log.warning(
                "Google Cloud project unknown: request logs carry no trace",
                extra={"error": str(error)},
            )
            project_id = None
        return cls(
            service=environ.get("K_SERVICE") or None,
            revision=environ.get("K_REVISION") or None,
            configuration=environ.get("K_CONFIGURATION") or None,
            project_id=project_id,
            max_body_bytes=parse_max_body_bytes(environ.get("MAX_BODY_BYTES")),
        )

    def revision_fields(self) -> dict[str, str]:
        """The revision's names that are known, for responses and log lines."""
        fields = {
            "service": self.service,
            "revision": self.revision,
            "configuration": self.configuration,
        }
        return {key: value for key, value in fields.items() if value}


def parse_max_body_bytes(value: str | None) -> int:
    """A MAX_BODY_BYTES value: DEFAULT_MAX_BODY_BYTES when empty; ValueError when not a size."""
    if not value:
        return DEFAULT_MAX_BODY_BYTES
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"MAX_BODY_BYTES must be a positive number of bytes, got {value!r}")
    return int(value)
