"""The work one Cloud Run job task does.

Every task of an execution runs this same program. Each takes its own share of the work by
its index, so tasks run in parallel without coordinating, and a retried task redoes only its
own share.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from app.config import JobConfig

log = logging.getLogger(__name__)

T = TypeVar("T")


class SimulatedFailure(Exception):
    """FAIL_RATE decided that this task fails."""


def work_items() -> list[str]:
    """The whole execution's work list. Every task builds the same list and processes its own
    shard. Replace it with your real work: object names, row ranges, customer ids..."""
    return [f"item-{number:02d}" for number in range(10)]


def shard(items: Sequence[T], index: int, count: int) -> list[T]:
    """The items that belong to task `index` of `count`: item i goes to task i % count. Shares
    differ by at most one item, and together the tasks cover every item exactly once."""
    return list(items[index::count])


def run(config: JobConfig, chance: Callable[[], float] = random.random) -> int:
    """Do this task's share of the work; return how many items it processed. Raises
    SimulatedFailure when chance() falls below FAIL_RATE."""
    log.info(
        "Starting task #%d of %d, attempt #%d",
        config.task_index,
        config.task_count,
        config.task_attempt,
        extra={
            "taskIndex": config.task_index,
            "taskCount": config.task_count,
            "taskAttempt": config.task_attempt,
        },
    )
    mine = shard(work_items(), config.task_index, config.task_count)
    time.sleep(config.sleep_ms / 1000)  # simulated work; SIGTERM interrupts it (see main.py)
    for item in mine:
        log.info("processed %s", item, extra={"item": item, "taskIndex": config.task_index})

    if chance() < config.fail_rate:  # chance() is in [0, 1): FAIL_RATE=1 always fails, 0 never
        raise SimulatedFailure(f"simulated failure (FAIL_RATE={config.fail_rate})")
    log.info(
        "Completed task #%d of %d",
        config.task_index,
        config.task_count,
        extra={
            "taskIndex": config.task_index,
            "taskCount": config.task_count,
            "taskAttempt": config.task_attempt,
            "items": len(mine),
        },
    )
    return len(mine)
