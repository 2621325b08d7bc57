import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, parseLogFormat } from '../src/log.js';

function capture(format = 'json') {
  const lines = [];
  const log = createLogger({ format, write: (line) => lines.push(line) });
  return { log, entries: () => lines.map((line) => JSON.parse(line)), lines };
}

test('each entry is one line of JSON with severity, message and time', () => {
  const { log, lines, entries } = capture();
  log.info('hello', { answer: 42 });
  log.warn('careful');
  assert.equal(lines.length, 2);
  assert.ok(lines.every((line) => !line.includes('\n')));
  const [info, warning] = entries();
  assert.equal(info.severity, 'INFO');
  assert.equal(info.message, 'hello');
  assert.equal(info.answer, 42);
  assert.ok(!Number.isNaN(Date.parse(info.time)));
  assert.equal(warning.severity, 'WARNING');
});

test('child loggers add their fields to every entry', () => {
  const { log, entries } = capture();
  log.child({ taskIndex: 2 }).child({ attempt: 1 }).error('failed');
  assert.deepEqual(
    { ...entries()[0], time: undefined },
    { severity: 'ERROR', message: 'failed', time: undefined, taskIndex: 2, attempt: 1 },
  );
});

test('fields cannot replace severity or message', () => {
  const { log, entries } = capture();
  log.child({ severity: 'DEBUG' }).info('real', { message: 'fake' });
  assert.equal(entries()[0].severity, 'INFO');
  assert.equal(entries()[0].message, 'real');
});

test('an error is logged with its stack trace for Error Reporting', () => {
  const { log, entries } = capture();
  log.error('boom', { error: new Error('disk full') });
  const [entry] = entries();
  assert.equal(entry.error, 'disk full');
  assert.match(entry.stack_trace, /^Error: disk full\n\s+at /);
});

test('a value JSON cannot hold does not lose the entry', () => {
  const { log, entries } = capture();
  const cycle = {};
  cycle.self = cycle;
  log.info('still here', { cycle });
  assert.equal(entries()[0].message, 'still here');
  assert.match(entries()[0].logError, /fields dropped/);
});

test('long fields are cut and marked truncated; line separators are escaped', () => {
  const { log, lines, entries } = capture();
  log.info('hello\u2028world', { userAgent: `a${'u'.repeat(5000)}\u0085` });
  assert.ok(!/[\u2028\u2029\u0085]/.test(lines[0]), 'no raw line separators');
  const [entry] = entries();
  assert.equal(entry.message, 'hello\u2028world');
  assert.equal(entry.userAgent.length, 1024);
  assert.equal(entry.userAgentTruncated, true);
});

test('an entry over 250 KB is replaced by a short one', () => {
  const { log, lines, entries } = capture();
  log.info('big', { nested: { text: 'x'.repeat(300 * 1024) } });
  assert.ok(lines[0].length < 2048);
  assert.equal(entries()[0].message, 'big');
  assert.match(entries()[0].logError, /larger than 250 KB/);
});

test('LOG_FORMAT=pretty: one readable line per entry with severity, message and fields', () => {
  const { log, lines } = capture('pretty');
  log.child({ taskIndex: 1 }).warn('disk almost full', { path: '/data', free: 0.05, error: new Error('x') });
  assert.equal(lines.length, 1);
  assert.match(
    lines[0],
    /^\d\d:\d\d:\d\d\.\d{3} WARNING disk almost full {2}taskIndex=1 {2}path=\/data {2}free=0\.05 {2}error=x$/,
  );
  assert.throws(() => JSON.parse(lines[0]));
});

test('LOG_FORMAT=pretty keeps client input on one line', () => {
  const { log, lines } = capture('pretty');
  log.info('GET /a\nb\u2028c', { userAgent: 'evil\r\nINFO forged\u0085' });
  assert.equal(lines.length, 1);
  assert.ok(!/[\r\n\u2028\u2029\u0085]/.test(lines[0]), lines[0]);
  assert.match(lines[0], /GET \/a\\nb\\u2028c {2}userAgent="evil\\r\\nINFO forged\\u0085"$/);
});

test('LOG_FORMAT is json unless set to pretty; other values are refused', () => {
  assert.equal(parseLogFormat(undefined), 'json');
  assert.equal(parseLogFormat(''), 'json');
  assert.equal(parseLogFormat('json'), 'json');
  assert.equal(parseLogFormat('pretty'), 'pretty');
  assert.throws(() => parseLogFormat('PRETTY'), /LOG_FORMAT must be json or pretty/);
});
