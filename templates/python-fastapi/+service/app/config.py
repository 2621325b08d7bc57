"""The service's settings, read once from the environment at start-up."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass

from app import trace


@dataclass(frozen=True)
class Settings:
    # Set by Cloud Run (K_SERVICE, K_REVISION, K_CONFIGURATION); None elsewhere.
    service: str | None = None
    revision: str | None = None
    configuration: str | None = None
    project_id: str | None = None  # for the trace field of log lines; None when unknown
    # Larger request bodies are refused with 413 (MAX_BODY_BYTES; Pub/Sub pushes up to 10 MB).
    max_body_bytes: int = 10 * 1024 * 1024

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        try:
            project_id = trace.project_id(environ)
        except OSError as error:
            logging.getLogger(__name__).warning("project unknown: logs carry no trace: %s", error)
            project_id = None
        max_body = environ.get("MAX_BODY_BYTES") or str(cls.max_body_bytes)
        if not max_body.isdigit() or int(max_body) < 1:
            raise ValueError(f"MAX_BODY_BYTES must be a positive number of bytes, not {max_body!r}")
        names = (
            environ.get(f"K_{name}") or None for name in ("SERVICE", "REVISION", "CONFIGURATION")
        )
        return cls(*names, project_id=project_id, max_body_bytes=int(max_body))

    def revision_fields(self) -> dict[str, str]:
        """The revision's names that are known, for responses and log lines."""
        fields = {
            "service": self.service,
            "revision": self.revision,
            "configuration": self.configuration,
        }
        return {key: value for key, value in fields.items() if value}
