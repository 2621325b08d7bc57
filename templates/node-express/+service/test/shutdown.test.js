import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../src/log.js';
import { exitOnSignal, SHUTDOWN_DEADLINE_MS } from '../src/shutdown.js';

function setup({ drain, deadlineMs }) {
  const signals = new EventEmitter();
  const exits = [];
  const lines = [];
  const log = createLogger({ write: (line) => lines.push(JSON.parse(line)) });
  const remove = exitOnSignal(drain, { log, signals, deadlineMs, exit: (code) => exits.push(code) });
  return { signals, exits, lines, remove };
}

test("the deadline stays inside Cloud Run's 10 s", () => {
  assert.ok(SHUTDOWN_DEADLINE_MS < 10_000);
});

test('SIGTERM drains, then exits 0', async () => {
  let finish;
  const { signals, exits, lines, remove } = setup({ drain: () => new Promise((resolve) => (finish = resolve)) });
  signals.emit('SIGTERM', 'SIGTERM');
  await sleep(10);
  assert.deepEqual(exits, [], 'no exit while requests are in flight');
  finish();
  await sleep(10);
  assert.deepEqual(exits, [0]);
  assert.equal(lines[0].severity, 'INFO');
  assert.match(lines[0].message, /received SIGTERM/);
  remove();
});

test('a second signal exits 1 at once', async () => {
  const { signals, exits, lines, remove } = setup({ drain: () => new Promise(() => {}) });
  signals.emit('SIGTERM', 'SIGTERM');
  signals.emit('SIGINT', 'SIGINT');
  assert.deepEqual(exits, [1]);
  assert.equal(lines.at(-1).severity, 'ERROR');
  remove();
});

test('the deadline exits 1 when requests are still in flight', async () => {
  const { signals, exits, lines, remove } = setup({ drain: () => new Promise(() => {}), deadlineMs: 50 });
  signals.emit('SIGTERM', 'SIGTERM');
  await sleep(100);
  assert.deepEqual(exits, [1]);
  assert.match(lines.at(-1).message, /after 50 ms/);
  remove();
});
