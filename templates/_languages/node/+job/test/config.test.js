import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readConfig } from '../src/config.js';

test('defaults: task 0 of 1, first attempt, no sleep, never fails', () => {
  assert.deepEqual(readConfig({}), {
    taskIndex: 0,
    taskCount: 1,
    taskAttempt: 0,
    sleepMs: 0,
    failRate: 0,
    logFormat: 'json',
  });
});

test('reads the values Cloud Run sets and the simulation knobs', () => {
  assert.deepEqual(
    readConfig({
      CLOUD_RUN_TASK_INDEX: '2',
      CLOUD_RUN_TASK_COUNT: '3',
      CLOUD_RUN_TASK_ATTEMPT: '1',
      SLEEP_MS: '250',
      FAIL_RATE: '0.5',
    }),
    { taskIndex: 2, taskCount: 3, taskAttempt: 1, sleepMs: 250, failRate: 0.5, logFormat: 'json' },
  );
});

test('refuses values that make no sense', () => {
  const bad = [
    [{ CLOUD_RUN_TASK_INDEX: '-1' }, /CLOUD_RUN_TASK_INDEX/],
    [{ CLOUD_RUN_TASK_COUNT: '0' }, /CLOUD_RUN_TASK_COUNT/],
    [{ CLOUD_RUN_TASK_INDEX: '3', CLOUD_RUN_TASK_COUNT: '3' }, /must be below/],
    [{ SLEEP_MS: '1.5' }, /SLEEP_MS/],
    [{ FAIL_RATE: '2' }, /FAIL_RATE/],
    [{ FAIL_RATE: 'often' }, /FAIL_RATE/],
    [{ LOG_FORMAT: 'text' }, /LOG_FORMAT must be json or pretty/],
  ];
  for (const [env, message] of bad) assert.throws(() => readConfig(env), message, JSON.stringify(env));
});
