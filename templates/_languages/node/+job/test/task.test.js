import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../src/log.js';
import { runTask, TaskFailure, WORK_ITEMS } from '../src/task.js';

const config = { taskIndex: 1, taskCount: 3, taskAttempt: 0, sleepMs: 0, failRate: 0 };
const quiet = createLogger({ write: () => {} });
const signal = new AbortController().signal;

test('processes only its own share of the items', async () => {
  const processed = [];
  const log = createLogger({ write: (line) => processed.push(JSON.parse(line).item) });
  assert.deepEqual(await runTask(config, { log, signal }), { processed: 3 });
  assert.deepEqual(processed.filter(Boolean), [WORK_ITEMS[1], WORK_ITEMS[4], WORK_ITEMS[7]]);
});

test('FAIL_RATE decides with the random draw: 0 never fails, 1 always does', async () => {
  await runTask({ ...config, failRate: 0 }, { log: quiet, signal, random: () => 0 });
  await assert.rejects(runTask({ ...config, failRate: 1 }, { log: quiet, signal, random: () => 0.999 }), TaskFailure);
  await assert.rejects(runTask({ ...config, failRate: 0.5 }, { log: quiet, signal, random: () => 0.4 }), TaskFailure);
  await runTask({ ...config, failRate: 0.5 }, { log: quiet, signal, random: () => 0.6 });
});

test('an abort stops the simulated work at once', async () => {
  const stop = new AbortController();
  const started = performance.now();
  const running = runTask({ ...config, sleepMs: 60_000 }, { log: quiet, signal: stop.signal });
  setTimeout(() => stop.abort(), 50);
  await assert.rejects(running, { name: 'AbortError' });
  assert.ok(performance.now() - started < 1000);
});
