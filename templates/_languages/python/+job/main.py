"""The Cloud Run job task: `python main.py` (see the Dockerfile).

It does its share of the work (by CLOUD_RUN_TASK_INDEX and CLOUD_RUN_TASK_COUNT), logs JSON
lines for Cloud Logging and exits 0 on success, 1 on failure, and 143 when SIGTERM stops it
(130 for SIGINT, Ctrl-C).
"""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType

from app import job
from app.config import JobConfig
from app.logs import setup_logging

log = logging.getLogger("main")


class Stopped(BaseException):
    """Raised by the signal handler wherever the task happens to be, like KeyboardInterrupt.
    A BaseException, so that an `except Exception` in the work does not swallow it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def stop(signum: int, _frame: FrameType | None) -> None:
    raise Stopped(signum)


def main() -> int:
    setup_logging()
    try:
        config = JobConfig.from_env()
    except ValueError as error:
        log.error("invalid configuration: %s", error)
        return 1

    # Cloud Run sends SIGTERM when the task times out or the execution is cancelled, and
    # SIGKILL 10 s later; Ctrl-C sends SIGINT. Either stops the task at once, even mid-sleep.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    fields = {
        "taskIndex": config.task_index,
        "taskCount": config.task_count,
        "taskAttempt": config.task_attempt,
    }
    try:
        job.run(config)
    except Stopped as stopped:
        log.warning(
            "Task #%d, attempt #%d stopped by %s before it finished",
            config.task_index,
            config.task_attempt,
            stopped,
            extra={**fields, "signal": str(stopped)},
        )
        return 128 + stopped.signum  # as a shell reports it: 143 for SIGTERM, 130 for SIGINT
    except Exception as error:
        log.error(
            "Task #%d, attempt #%d failed: %s",
            config.task_index,
            config.task_attempt,
            error,
            exc_info=not isinstance(error, job.SimulatedFailure),
            extra=fields,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
