import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from '../src/app.js';
import { createHttpServer } from '../src/http-server.js';
import { createLogger } from '../src/log.js';

const TRACE_ID = '105445aa7843bc8bf206b12000100000';
const lines = [];
let http;
let base;

before(async () => {
  const log = createLogger({ write: (line) => lines.push(JSON.parse(line)) });
  const app = createApp({
    log,
    projectId: () => 'demo-project',
    runtime: { service: 'api', revision: 'api-00001-abc' },
  });
  http = createHttpServer(app);
  const { port } = await http.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
});

after(() => http.drain());

test('GET / answers 200 with JSON that names the service and revision', async () => {
  const response = await fetch(`${base}/`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^application\/json/);
  assert.equal(response.headers.get('x-powered-by'), null);
  assert.deepEqual(await response.json(), {
    message: 'Hello from Cloud Run!',
    service: 'api',
    revision: 'api-00001-abc',
  });
});

test('POST / reads a Pub/Sub push, logs it with its trace and answers 200', async () => {
  const push = {
    message: { messageId: '1234', data: Buffer.from('hi').toString('base64') },
    subscription: 'projects/p/subscriptions/s',
  };
  const response = await fetch(`${base}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-cloud-trace-context': `${TRACE_ID}/1;o=1` },
    body: JSON.stringify(push),
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { received: true, kind: 'pubsub', id: '1234' });

  const received = lines.find((entry) => entry.message === 'received pubsub event');
  assert.ok(received, 'the event is logged');
  assert.equal(received.severity, 'INFO');
  assert.deepEqual(received.body, push);
  assert.equal(received['logging.googleapis.com/trace'], `projects/demo-project/traces/${TRACE_ID}`);
  assert.equal(received['logging.googleapis.com/spanId'], '0000000000000001');
  assert.equal(received['logging.googleapis.com/trace_sampled'], true);

  const request = lines.find((entry) => entry.message === 'POST / 200');
  assert.equal(request['logging.googleapis.com/trace'], `projects/demo-project/traces/${TRACE_ID}`);
  assert.equal(request.status, 200);
  assert.equal(typeof request.latencyMs, 'number');
});

test('POST / takes CloudEvents from their ce-* headers', async () => {
  const response = await fetch(`${base}/`, {
    method: 'POST',
    headers: { 'ce-id': 'evt-1', 'ce-type': 'google.cloud.storage.object.v1.finalized', 'ce-source': '//storage' },
    body: JSON.stringify({ bucket: 'b', name: 'n' }),
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { received: true, kind: 'cloudevent', id: 'evt-1' });
});

test('POST / with a body that is not JSON answers 400 with JSON', async () => {
  const response = await fetch(`${base}/`, { method: 'POST', body: '{not json' });
  assert.equal(response.status, 400);
  assert.equal((await response.json()).error.status, 'INVALID_ARGUMENT');
});

for (const [what, body] of [
  ['empty', ''],
  ['NaN', '{"x": NaN}'],
  ['Infinity', '[Infinity]'],
  ['nested 65 deep', `${'['.repeat(65)}${']'.repeat(65)}`],
  ['not UTF-8', Buffer.from([0x22, 0xff, 0x22])],
]) {
  test(`POST / with a body that is ${what} answers 400 in the error shape`, async () => {
    const response = await fetch(`${base}/`, { method: 'POST', body });
    assert.equal(response.status, 400);
    const { error } = await response.json();
    assert.equal(error.code, 400);
    assert.equal(error.status, 'INVALID_ARGUMENT');
    assert.equal(typeof error.message, 'string');
  });
}

test('POST / refuses a body over the limit with 413 before reading it (Content-Length)', async () => {
  const small = createHttpServer(
    createApp({ log: createLogger({ write: () => {} }), projectId: () => undefined, maxBodyBytes: 100 }),
  );
  const { port } = await small.listen(0, '127.0.0.1');
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      body: JSON.stringify({ pad: 'x'.repeat(200) }),
    });
    assert.equal(response.status, 413);
    assert.deepEqual((await response.json()).error.status, 'PAYLOAD_TOO_LARGE');
    // Chunked: no Content-Length, so the bytes are counted as they arrive.
    const chunked = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      body: new Blob([JSON.stringify({ pad: 'x'.repeat(200) })]).stream(),
      duplex: 'half',
    });
    assert.equal(chunked.status, 413);
  } finally {
    await small.drain();
  }
});

test('a refused upload is read no further while the client has not read the 413 yet', async () => {
  const small = createHttpServer(
    createApp({ log: createLogger({ write: () => {} }), projectId: () => undefined, maxBodyBytes: 1024 }),
  );
  const { port } = await small.listen(0, '127.0.0.1');
  const socket = net.connect(port, '127.0.0.1').on('error', () => {});
  await once(socket, 'connect');
  socket.pause(); // a client busy sending, which reads the answer only later
  const declared = 256 * 1024 * 1024;
  socket.write(
    `POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`,
  );
  const piece = Buffer.alloc(64 * 1024, 0x20);
  let accepted = 0;
  // Send until the socket takes no more (the server stopped reading: TCP flow control) or closes.
  while (accepted < declared && !socket.destroyed) {
    if (!socket.write(piece)) {
      const stalled = once(socket, 'close').then(() => true);
      if (await Promise.race([once(socket, 'drain').then(() => false), stalled, sleep(500).then(() => true)])) break;
    }
    accepted += piece.length;
  }
  socket.destroy();
  await small.drain();
  assert.ok(accepted < 32 * 1024 * 1024, `the server read on: ${accepted} bytes of the refused body were taken`);
});

test('other methods on / answer 405 with Allow', async () => {
  const response = await fetch(`${base}/`, { method: 'DELETE' });
  assert.equal(response.status, 405);
  assert.equal(response.headers.get('allow'), 'GET, HEAD, POST');
  assert.equal((await response.json()).error.status, 'METHOD_NOT_ALLOWED');
});

test('unknown paths answer 404 with JSON; the query string is not logged', async () => {
  const response = await fetch(`${base}/nothing-here?token=secret`);
  assert.equal(response.status, 404);
  assert.deepEqual((await response.json()).error.status, 'NOT_FOUND');
  const entry = lines.find((line) => line.message === 'GET /nothing-here 404');
  assert.equal(entry.severity, 'WARNING');
  assert.ok(!JSON.stringify(lines).includes('secret'));
});
