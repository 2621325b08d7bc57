// The job as the container runs it: `node src/job.js` in a child process, with the environment
// Cloud Run would give a task, and a real SIGTERM.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const JOB = fileURLToPath(new URL('../src/job.js', import.meta.url));

/** Runs the job with `env` added to a clean environment. */
function run(env) {
  const child = spawn(process.execPath, [JOB], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => (stdout += chunk));
  const entries = () =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line)); // every line is JSON
  const exited = once(child, 'exit').then(([code]) => ({ code, entries: entries() }));
  return { child, entries, exited };
}

test('exits 0 and says first which task it is, with index, count and attempt as numbers', async () => {
  const { code, entries } = await run({
    CLOUD_RUN_TASK_INDEX: '1',
    CLOUD_RUN_TASK_COUNT: '3',
    CLOUD_RUN_TASK_ATTEMPT: '2',
  }).exited;
  assert.equal(code, 0);
  const [first] = entries;
  assert.equal(first.severity, 'INFO');
  assert.match(first.message, /task index 1 of 3/);
  assert.equal(first.taskIndex, 1);
  assert.equal(first.taskCount, 3);
  assert.equal(first.taskAttempt, 2);
  const processed = entries.filter((entry) => entry.item).map((entry) => entry.item);
  assert.deepEqual(processed, ['item-1', 'item-4', 'item-7']);
});

test('runs with the defaults when Cloud Run variables are absent', async () => {
  const { code, entries } = await run({}).exited;
  assert.equal(code, 0);
  assert.deepEqual([entries[0].taskIndex, entries[0].taskCount, entries[0].taskAttempt], [0, 1, 0]);
});

test('FAIL_RATE=1 fails the task: an ERROR line and exit status 1', async () => {
  const { code, entries } = await run({ FAIL_RATE: '1' }).exited;
  assert.equal(code, 1);
  assert.equal(entries.at(-1).severity, 'ERROR');
});

test('invalid configuration fails the task with exit status 1', async () => {
  const { code, entries } = await run({ CLOUD_RUN_TASK_COUNT: 'many' }).exited;
  assert.equal(code, 1);
  assert.equal(entries[0].severity, 'ERROR');
});

test('SIGTERM in the middle of SLEEP_MS stops it promptly: a WARNING line and exit status 143', async () => {
  const job = run({ SLEEP_MS: '60000' });
  while (!job.entries().some((entry) => entry.items)) await sleep(20); // the work has begun
  const sent = performance.now();
  job.child.kill('SIGTERM');
  const { code, entries } = await job.exited;
  const elapsed = performance.now() - sent;
  assert.equal(code, 143);
  assert.ok(elapsed < 2000, `stopped in ${elapsed.toFixed(0)} ms`);
  assert.ok(entries.some((entry) => entry.severity === 'WARNING' && /SIGTERM/.test(entry.message)));
});

test('LOG_FORMAT=pretty prints readable lines instead of JSON (npm run dev sets it)', () => {
  const { status, stdout } = spawnSync(process.execPath, [JOB], {
    env: { PATH: process.env.PATH, LOG_FORMAT: 'pretty' },
    encoding: 'utf8',
  });
  assert.equal(status, 0);
  const [first] = stdout.split('\n');
  assert.match(
    first,
    /^\d\d:\d\d:\d\d\.\d{3} INFO {4}starting task index 0 of 1 .* {2}taskIndex=0 {2}taskCount=1 {2}taskAttempt=0/,
  );
});
