import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApp } from '../src/app.js';
import { createHttpServer } from '../src/http-server.js';
import { createLogger } from '../src/log.js';

const lines = [];
let draining = false;
let http;
let base;

before(async () => {
  const log = createLogger({ write: (line) => lines.push(JSON.parse(line)) });
  const app = createApp({ log, projectId: () => undefined, isDraining: () => draining });
  http = createHttpServer(app);
  const { port } = await http.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
});

after(() => http.drain());

test('GET /health/ready and /health/live answer 200 {"status":"ok"} while serving', async () => {
  for (const path of ['/health/ready', '/health/live']) {
    const response = await fetch(`${base}${path}`);
    assert.equal(response.status, 200, path);
    assert.deepEqual(await response.json(), { status: 'ok' });
  }
});

test('while draining, /health/ready answers 503 in the JSON error shape and /health/live still 200', async () => {
  draining = true;
  try {
    const ready = await fetch(`${base}/health/ready`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { error: { code: 503, status: 'UNAVAILABLE', message: 'draining' } });
    assert.equal((await fetch(`${base}/health/live`)).status, 200);
  } finally {
    draining = false;
  }
});

test('other methods on the health paths answer 405 with Allow', async () => {
  const response = await fetch(`${base}/health/live`, { method: 'POST' });
  assert.equal(response.status, 405);
  assert.equal(response.headers.get('allow'), 'GET, HEAD');
  assert.equal((await response.json()).error.status, 'METHOD_NOT_ALLOWED');
});

test('probes are not logged', async () => {
  lines.length = 0;
  await fetch(`${base}/health/ready`);
  await fetch(`${base}/health/live`);
  await fetch(`${base}/`);
  assert.deepEqual(lines.map((line) => line.path).filter(Boolean), ['/']);
});
