// The service as the container runs it: `node src/server.js` in a child process, stopped with
// a real SIGTERM.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../src/server.js', import.meta.url));

/** A port nobody listens on right now. */
async function freePort() {
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  probe.close();
  await once(probe, 'close');
  return port;
}

/** Starts the server with `env` added to a clean environment; resolves once it listens. */
async function start(env) {
  const child = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const entries = [];
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal, at: performance.now() }));
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) entries.push(JSON.parse(line)); // every line must be JSON
  });
  const deadline = performance.now() + 5000;
  while (!entries.some((entry) => entry.message.startsWith('listening on'))) {
    if (child.exitCode !== null || performance.now() > deadline) {
      throw new Error(`server did not start: ${JSON.stringify(entries)}`);
    }
    await sleep(20);
  }
  return { child, entries, exited };
}

test('honours PORT, listens on 0.0.0.0 and answers GET / with 200', async (t) => {
  const port = await freePort();
  const { child, entries, exited } = await start({ PORT: String(port) });
  t.after(() => child.kill('SIGKILL'));

  assert.equal(entries[0].severity, 'INFO');
  assert.equal(entries[0].message, `listening on http://0.0.0.0:${port}`);
  const response = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(response.status, 200);

  child.kill('SIGTERM');
  const sent = performance.now();
  const { code, at } = await exited;
  assert.equal(code, 0);
  assert.ok(at - sent < 1000, `an idle server exits fast (${(at - sent).toFixed(0)} ms)`);
});

test('request logs carry the trace from X-Cloud-Trace-Context when the project is known', async (t) => {
  const port = await freePort();
  const { child, entries, exited } = await start({
    PORT: String(port),
    GOOGLE_CLOUD_PROJECT: 'demo-project',
    K_SERVICE: 'api',
  });
  t.after(() => child.kill('SIGKILL'));

  const traceId = '105445aa7843bc8bf206b12000100000';
  const response = await fetch(`http://127.0.0.1:${port}/`, {
    headers: { 'X-Cloud-Trace-Context': `${traceId}/1;o=1` },
  });
  assert.equal(response.status, 200);
  assert.equal((await response.json()).service, 'api');
  child.kill('SIGTERM');
  assert.equal((await exited).code, 0);

  const request = entries.find((entry) => entry.message === 'GET / 200');
  assert.equal(request.severity, 'INFO');
  assert.equal(request['logging.googleapis.com/trace'], `projects/demo-project/traces/${traceId}`);
});

test('a POST whose body is still arriving at SIGTERM is answered 200, then the server exits 0', async (t) => {
  const port = await freePort();
  const { child, exited } = await start({ PORT: String(port) });
  t.after(() => child.kill('SIGKILL'));

  const body = JSON.stringify({ message: { messageId: '7', data: 'aGVsbG8=' } });
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let answer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk) => (answer += chunk));
  socket.write(
    `POST / HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
  );
  socket.write(body.slice(0, 10));
  await sleep(100);

  child.kill('SIGTERM');
  await sleep(500);
  assert.equal(child.exitCode, null, 'still running while the request is in flight');
  socket.end(body.slice(10));
  await once(socket, 'close');

  assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(answer, /"received":true/);
  assert.equal((await exited).code, 0);
});
