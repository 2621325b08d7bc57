"""The task's work, sharding and configuration, in-process."""

import pytest

from app import job
from app.config import JobConfig


@pytest.mark.parametrize("count", [1, 2, 3, 4, 10, 11])
def test_every_item_belongs_to_exactly_one_task(count):
    items = job.work_items()
    shares = [job.shard(items, index, count) for index in range(count)]
    assert sorted(item for share in shares for item in share) == sorted(items)
    assert max(map(len, shares)) - min(map(len, shares)) <= 1
    for index, share in enumerate(shares):  # item i goes to task i % count
        assert all(items.index(item) % count == index for item in share)


def test_shard_of_the_second_of_three_tasks():
    assert job.shard(list(range(10)), 1, 3) == [1, 4, 7]


def test_run_processes_its_share_and_logs_which_task_it_is(json_logs):
    config = JobConfig(task_index=1, task_count=3, task_attempt=2)
    assert job.run(config, chance=lambda: 0.5) == 3
    lines = [line for line in json_logs() if line["logger"] == "app.job"]
    first = lines[0]
    assert first["message"] == "Starting task #1 of 3, attempt #2"
    assert (first["taskIndex"], first["taskCount"], first["taskAttempt"]) == (1, 3, 2)
    assert [line["item"] for line in lines if "item" in line] == ["item-01", "item-04", "item-07"]
    assert lines[-1]["message"] == "Completed task #1 of 3"


@pytest.mark.parametrize(
    ("fail_rate", "chance", "fails"),
    [(0, 0.0, False), (1, 0.999, True), (0.5, 0.49, True), (0.5, 0.5, False)],
)
def test_fail_rate(fail_rate, chance, fails):
    config = JobConfig(fail_rate=fail_rate)
    if fails:
        with pytest.raises(job.SimulatedFailure):
            job.run(config, chance=lambda: chance)
    else:
        job.run(config, chance=lambda: chance)


def test_config_defaults_are_cloud_runs():
    assert JobConfig.from_env({}) == JobConfig(0, 1, 0, 0, 0.0)


def test_config_from_the_environment():
    environ = {
        "CLOUD_RUN_TASK_INDEX": "2",
        "CLOUD_RUN_TASK_COUNT": "5",
        "CLOUD_RUN_TASK_ATTEMPT": "1",
        "SLEEP_MS": "250",
        "FAIL_RATE": "0.25",
    }
    assert JobConfig.from_env(environ) == JobConfig(2, 5, 1, 250, 0.25)


def test_config_reports_every_invalid_value():
    environ = {
        "CLOUD_RUN_TASK_INDEX": "3",
        "CLOUD_RUN_TASK_COUNT": "3",
        "SLEEP_MS": "-1",
        "FAIL_RATE": "nan",
        "CLOUD_RUN_TASK_ATTEMPT": "x",
    }
    with pytest.raises(ValueError) as raised:
        JobConfig.from_env(environ)
    message = str(raised.value)
    for name in (
        "CLOUD_RUN_TASK_INDEX=3",
        "SLEEP_MS='-1'",
        "FAIL_RATE='nan'",
        "CLOUD_RUN_TASK_ATTEMPT='x'",
    ):
        assert name in message
