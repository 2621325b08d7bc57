// The drain, in-process: the server factory takes any handler, so these tests put slow requests
// in flight and check what happens to them when the server drains (as it does on SIGTERM).

import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createHttpServer } from '../src/http-server.js';

/** A handler that signals when a request arrived and answers only when told to. */
function gatedHandler() {
  let arrived;
  const arrival = new Promise((resolve) => (arrived = resolve));
  let open;
  const gate = new Promise((resolve) => (open = resolve));
  const handler = async (req, res) => {
    let bytes = 0;
    for await (const chunk of req) bytes += chunk.length; // the whole body, however slowly it comes
    arrived();
    await gate;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ bytes }));
  };
  return { handler, arrival, open };
}

/** GET/POST with node:http so the test sees the Connection header and socket reuse. */
function request(port, { method = 'GET', body, agent } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: '/', agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function connectRefused(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (error) => resolve(error.code === 'ECONNREFUSED'));
  });
}

test('listens on the host and port it is given', async () => {
  const server = createHttpServer((_req, res) => res.end('ok'));
  const address = await server.listen(0, '0.0.0.0');
  assert.equal(address.address, '0.0.0.0');
  assert.ok(address.port > 0);
  assert.equal((await request(address.port)).status, 200);
  await server.drain();
});

test('a slow request in flight survives the drain and completes; new connections are refused', async () => {
  const { handler, arrival, open } = gatedHandler();
  const server = createHttpServer(handler);
  const { port } = await server.listen(0, '127.0.0.1');

  const pending = request(port);
  await arrival;
  let drained = false;
  const drain = server.drain().then(() => (drained = true));

  assert.equal(server.inFlight, 1);
  assert.ok(await connectRefused(port), 'no new connections once draining');
  await sleep(200);
  assert.equal(drained, false, 'the drain waits for the request in flight');

  open();
  const response = await pending;
  assert.equal(response.status, 200);
  assert.equal(response.headers.connection, 'close', 'its keep-alive client is told to go');
  await drain;
  assert.equal(server.inFlight, 0);
});

test('a request still sending its body when the drain starts is read to the end and answered', async () => {
  const { handler, open } = gatedHandler();
  open();
  const server = createHttpServer(handler);
  const { port } = await server.listen(0, '127.0.0.1');

  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let answer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => (answer += chunk));
  const closed = new Promise((resolve) => socket.once('close', resolve));

  const [first, second] = ['{"part":', '"two"}'];
  socket.write(`POST / HTTP/1.1\r\nHost: test\r\nContent-Length: ${first.length + second.length}\r\n\r\n${first}`);
  await sleep(100);
  const drain = server.drain();
  await sleep(300);
  socket.write(second);
  await drain;
  await closed;

  assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(answer, /\r\nConnection: close\r\n/i);
  assert.match(answer, /\{"bytes":14\}$/);
});

test('idle keep-alive connections do not hold the drain up', async () => {
  const server = createHttpServer((_req, res) => res.end('ok'));
  const { port } = await server.listen(0, '127.0.0.1');
  const agent = new http.Agent({ keepAlive: true });
  assert.equal((await request(port, { agent })).status, 200);
  assert.equal(Object.values(agent.freeSockets).flat().length, 1, 'an idle keep-alive connection is open');

  const started = performance.now();
  await server.drain();
  const elapsed = performance.now() - started;
  agent.destroy();
  assert.ok(elapsed < 500, `drained in ${elapsed.toFixed(0)} ms, not after the 5 s keep-alive timeout`);
});

test('a keep-alive connection busy with a streamed response is closed once it is done', async () => {
  let release;
  const released = new Promise((resolve) => (release = resolve));
  const server = createHttpServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }); // headers are out before the drain
    res.write('first ');
    await released;
    res.end('last');
  });
  const { port } = await server.listen(0, '127.0.0.1');
  const agent = new http.Agent({ keepAlive: true });
  const pending = request(port, { agent });
  await sleep(100);

  const started = performance.now();
  const drain = server.drain();
  release();
  const response = await pending;
  await drain;
  agent.destroy();
  assert.equal(response.text, 'first last');
  assert.ok(performance.now() - started < 500, 'the connection did not wait for its keep-alive timeout');
});

test('draining twice, or a server that never listened, is harmless', async () => {
  const server = createHttpServer((_req, res) => res.end());
  await server.drain();
  await server.drain();
});

test('requests the HTTP parser refuses get the JSON error shape', async () => {
  const server = createHttpServer((_req, res) => res.end('ok'));
  const { port } = await server.listen(0, '127.0.0.1');
  const answer = await new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () =>
      socket.write('GET / HTTP/1.1\r\nHost: x\r\nnot a header\r\n\r\n'),
    );
    let text = '';
    socket.on('data', (chunk) => (text += chunk));
    socket.on('close', () => resolve(text));
  });
  assert.match(answer, /^HTTP\/1\.1 400 /);
  assert.match(answer, /\r\nContent-Type: application\/json/i);
  assert.deepEqual(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)).error.status, 'INVALID_ARGUMENT');
  await server.drain();
});
