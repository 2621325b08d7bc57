"""The task's settings, read from the environment Cloud Run sets for each task."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class JobConfig:
    # Which task this is: CLOUD_RUN_TASK_INDEX (0-based) of CLOUD_RUN_TASK_COUNT, and
    # CLOUD_RUN_TASK_ATTEMPT (0 on the first try, 1 on the first retry...).
    task_index: int = 0
    task_count: int = 1
    task_attempt: int = 0
    # The knobs of Google's Cloud Run job samples, to try retries and timeouts without writing
    # a failing job: SLEEP_MS of simulated work, and FAIL_RATE, the probability (0 to 1) that
    # the task fails.
    sleep_ms: int = 0
    fail_rate: float = 0.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> JobConfig:
        """Read the configuration, with Cloud Run's defaults for unset variables. Raises
        ValueError naming every invalid value at once."""
        environ = os.environ if environ is None else environ
        problems: list[str] = []

        def integer(name: str, default: int, minimum: int) -> int:
            text = environ.get(name, "").strip()
            if not text:
                return default
            try:
                value = int(text)
            except ValueError:
                value = minimum - 1
            if value < minimum:
                problems.append(f"{name}={text!r}: want a whole number of at least {minimum}")
                return default
            return value

        task_index = integer("CLOUD_RUN_TASK_INDEX", 0, 0)
        task_count = integer("CLOUD_RUN_TASK_COUNT", 1, 1)
        task_attempt = integer("CLOUD_RUN_TASK_ATTEMPT", 0, 0)
        sleep_ms = integer("SLEEP_MS", 0, 0)
        if task_index >= task_count:
            problems.append(
                f"CLOUD_RUN_TASK_INDEX={task_index}: "
                f"must be below CLOUD_RUN_TASK_COUNT={task_count}"
            )
        fail_rate = 0.0
        text = environ.get("FAIL_RATE", "").strip()
        if text:
            try:
                fail_rate = float(text)
            except ValueError:
                fail_rate = math.nan
            if not 0 <= fail_rate <= 1:  # also rejects NaN
                problems.append(f"FAIL_RATE={text!r}: want a number from 0 to 1")
                fail_rate = 0.0
        if problems:
            raise ValueError("; ".join(problems))
        return cls(task_index, task_count, task_attempt, sleep_ms, fail_rate)
