/**
 * The hostile-traffic tier: what a service does with traffic an attacker (or a broken client)
 * sends, measured against the container run as Cloud Run runs it, with Cloud Run's default memory
 * limit (512 MiB; /tmp is in memory, as on Cloud Run). One container per variant; every check
 * below is one row of the behaviour table in the README ("Under hostile traffic").
 *
 * Everything targets 127.0.0.1 and every loop is bounded in count and time.
 */
import { readFileSync } from 'node:fs';
import { Container, docker } from '../docker.js';
import { freePort, HttpConnection, httpRequest, type HttpResponse, procTcpRows, sleep, waitFor200 } from '../net.js';
import { type CheckId, type CheckResult, fail, pass, seconds } from '../report.js';

const MiB = 1024 * 1024;

export const HOSTILE = {
  /** The documented default request body limit (MAX_BODY_BYTES). */
  bodyLimit: 10 * MiB,
  /** Cloud Run's default memory limit for an instance. */
  memory: '512m',
  /** Oversize uploads sent at once: half with Content-Length, half chunked. */
  uploads: 8,
  /** What an oversize upload declares (Content-Length) or streams (chunked) at most. */
  uploadBytes: 48 * MiB,
  /**
   * An upload counts as refused early when the 413 arrives before the client has sent this much:
   * well short of the whole upload (a server that reads a body before refusing it sees all of it),
   * with room for a busy machine's scheduling; the memory peak below is the sharper measure.
   */
  earlyBytes: 32 * MiB,
  /** Memory the instance may use above its idle level while the oversize uploads run (tmpfs: see the check). */
  peakMemoryBytes: 128 * MiB,
  /**
   * Slow clients: 2 × the service's containerConcurrency (service.yaml), or 2 × Cloud Run's
   * default of 80 requests per instance when it sets none.
   */
  slowClientsPerRequest: 2,
  defaultConcurrency: 80,
  /** How long a normal client measures its success rate while the slow clients hold on. */
  normalMs: 5_000,
  /** The share of normal requests that must be answered 200 meanwhile. */
  minSuccessRate: 0.95,
  /** Cloud Logging's limit for one entry. */
  maxLogLineBytes: 256 * 1024,
} as const;

/** Google's canonical status names, as the one error shape uses them. */
export const CANONICAL: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  431: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** Why a response is not `{"error":{"code":N,"status":"NAME","message":"..."}}` with a JSON content type; null when it is. */
export function errorShapeProblem(response: Pick<HttpResponse, 'status' | 'headers' | 'body'>): string | null {
  const type = response.headers['content-type'] ?? '';
  if (!type.includes('application/json')) return `content-type "${type || 'none'}"`;
  let value: unknown;
  try {
    value = JSON.parse(response.body);
  } catch {
    return `body is not JSON: ${JSON.stringify(response.body.slice(0, 80))}`;
  }
  const error = (value as { error?: unknown } | null)?.error as Record<string, unknown> | undefined;
  if (typeof value !== 'object' || value === null || Object.keys(value).length !== 1 || typeof error !== 'object' || error === null) {
    return `not {"error":{...}}: ${response.body.slice(0, 80)}`;
  }
  const expected = CANONICAL[response.status ?? 0];
  if (error.code !== response.status) return `error.code ${JSON.stringify(error.code)} is not the HTTP status ${response.status}`;
  if (expected ? error.status !== expected : typeof error.status !== 'string') return `error.status ${JSON.stringify(error.status)}, expected ${expected ?? 'a name'}`;
  if (typeof error.message !== 'string' || error.message === '') return 'error.message missing';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Measuring the container: memory (tmpfs pages count as memory, as on Cloud Run)
// ---------------------------------------------------------------------------------------------

/** The container's memory cgroup folder (cgroup v1 with cgroupfs, or v2 with either driver); null when not found. */
function cgroupDir(id: string): { dir: string; v2: boolean } | null {
  const candidates = [
    { dir: `/sys/fs/cgroup/memory/docker/${id}`, v2: false },
    { dir: `/sys/fs/cgroup/system.slice/docker-${id}.scope`, v2: true },
    { dir: `/sys/fs/cgroup/docker/${id}`, v2: true },
  ];
  return candidates.find((c) => readNumber(`${c.dir}/${c.v2 ? 'memory.current' : 'memory.usage_in_bytes'}`) !== null) ?? null;
}

function readNumber(file: string): number | null {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

function shmemBytes(dir: string): number {
  try {
    const line = readFileSync(`${dir}/memory.stat`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('shmem '));
    return line ? Number(line.split(' ')[1]) : 0;
  } catch {
    return 0;
  }
}

/** Samples memory in use and tmpfs (shmem) every 20 ms until stopped; reports the peaks. */
function watchMemory(id: string): { stop(): { memoryPeak: number; tmpfsPeak: number; baseline: number } | null } {
  const cgroup = cgroupDir(id);
  if (!cgroup) return { stop: () => null };
  const current = (): number => readNumber(`${cgroup.dir}/${cgroup.v2 ? 'memory.current' : 'memory.usage_in_bytes'}`) ?? 0;
  const baseline = current();
  let memoryPeak = baseline;
  let tmpfsPeak = shmemBytes(cgroup.dir);
  const timer = setInterval(() => {
    memoryPeak = Math.max(memoryPeak, current());
    tmpfsPeak = Math.max(tmpfsPeak, shmemBytes(cgroup.dir));
  }, 20);
  return {
    stop: () => {
      clearInterval(timer);
      memoryPeak = Math.max(memoryPeak, current());
      return { memoryPeak, tmpfsPeak, baseline };
    },
  };
}

const mb = (bytes: number): string => `${(bytes / MiB).toFixed(1)} MiB`;

/** Has the kernel received the server's FIN on the client socket 127.0.0.1:localPort -> :serverPort (state CLOSE_WAIT)? */
function finReceived(localPort: number | undefined, serverPort: number): boolean {
  if (localPort === undefined) return false;
  const hex = (n: number): string => n.toString(16).toUpperCase().padStart(4, '0');
  return procTcpRows().some(
    ({ cols: [, local, remote, state] }) => local?.endsWith(`:${hex(localPort)}`) && remote?.endsWith(`:${hex(serverPort)}`) && state === '08',
  );
}

// ---------------------------------------------------------------------------------------------
// Clients
// ---------------------------------------------------------------------------------------------

interface Upload {
  readonly chunked: boolean;
  readonly response: HttpResponse;
  /** Body bytes the client had handed to the kernel when the response (or the close) arrived. */
  readonly sentAtResponse: number;
}

/**
 * An oversize POST /: Content-Length (declared up front) or chunked (a valid JSON array, so a
 * server that cuts it at the limit sees broken JSON and a server that reads it all sees valid
 * JSON: only a 413 is right). Stops sending as soon as the response arrives or the connection ends.
 */
async function oversizeUpload(port: number, chunked: boolean): Promise<Upload> {
  let connection: HttpConnection;
  try {
    connection = await HttpConnection.open('127.0.0.1', port, 3000);
  } catch (err) {
    return { chunked, sentAtResponse: 0, response: { status: null, headers: {}, body: '', complete: false, bytes: 0, error: (err as NodeJS.ErrnoException).code ?? String(err), ms: 0 } };
  }
  const element = `"${'a'.repeat(64 * 1024 - 4)}",`;
  const framing = chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${HOSTILE.uploadBytes}`;
  let sent = 0;
  let answeredAt: number | null = null;
  const started = Date.now();
  const responded = connection.read(30_000, started).then((r) => {
    answeredAt = sent;
    return r;
  });
  try {
    await connection.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`);
    const piece = (text: string): string => (chunked ? `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n` : text);
    const body: string[] = ['['];
    while (sent < HOSTILE.uploadBytes - element.length - 8 && answeredAt === null && !connection.closed && Date.now() - started < 20_000) {
      const text = body.length ? `${body.pop()!}${element}` : element;
      await Promise.race([connection.write(piece(text)), responded, sleep(5000)]);
      sent += Buffer.byteLength(text);
    }
    if (answeredAt === null && !connection.closed) {
      const last = '0]';
      await Promise.race([connection.write(chunked ? `${piece(last)}0\r\n\r\n` : last.padEnd(HOSTILE.uploadBytes - sent, ' ')), responded, sleep(5000)]);
      sent = HOSTILE.uploadBytes;
    }
    const response = await responded;
    return { chunked, response, sentAtResponse: answeredAt ?? sent };
  } finally {
    connection.close();
  }
}

/** Opens `count` connections that send part of a request and then one byte a second (headers, or a body). */
async function holdSlowClients(port: number, count: number): Promise<{ opened: number; release(): void }> {
  const connections: HttpConnection[] = [];
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      try {
        const connection = await HttpConnection.open('127.0.0.1', port, 3000);
        connections.push(connection);
        const slowBody = i % 2 === 1;
        await connection.write(
          slowBody
            ? `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"a":"`
            : `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `,
        );
      } catch {
        // a refused connection is simply not held open
      }
    }),
  );
  const trickle = setInterval(() => {
    for (const c of connections) void c.write('x');
  }, 1000);
  return {
    opened: connections.length,
    release: () => {
      clearInterval(trickle);
      for (const c of connections) c.close();
    },
  };
}

const post = (port: number, body: string | Buffer, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<HttpResponse> =>
  sendRaw(port, Buffer.concat([Buffer.from(`POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${formatHeaders(headers)}Connection: close\r\n\r\n`, 'latin1'), Buffer.from(body)]), timeoutMs);

const formatHeaders = (headers: Record<string, string>): string =>
  Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');

/** Sends raw bytes on a new connection and reads one response (header values may carry raw UTF-8 bytes). */
async function sendRaw(port: number, bytes: Buffer, timeoutMs = 10_000): Promise<HttpResponse> {
  let connection: HttpConnection;
  try {
    connection = await HttpConnection.open('127.0.0.1', port, 3000);
  } catch (err) {
    return { status: null, headers: {}, body: '', complete: false, bytes: 0, error: (err as NodeJS.ErrnoException).code ?? String(err), ms: 0 };
  }
  try {
    const started = Date.now();
    await Promise.race([connection.write(bytes), sleep(timeoutMs)]);
    return await connection.read(timeoutMs, started);
  } finally {
    connection.close();
  }
}

const describe = (r: HttpResponse): string => (r.status !== null ? String(r.status) : (r.error ?? 'no answer'));

/** JSON nested `depth` deep: [[[...]]]. */
const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

// ---------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------

export const HOSTILE_CHECKS: readonly CheckId[] = [
  'hostile:body-limit',
  'hostile:slow-clients',
  'hostile:json',
  'hostile:headers',
  'hostile:routing',
  'hostile:error-shape',
  'hostile:logs',
  'hostile:keepalive-sigterm',
];

/** Marker strings the log check looks for. */
const FORGED = 'forged-entry-from-a-client';
const LONG_AGENT_MARK = 'long-user-agent-';

/** Runs the whole tier against one container; one result per check (only those in `only`, when given). */
export async function runServiceHostile(image: string, only: ReadonlySet<CheckId> | null = null, containerConcurrency: number | null = null): Promise<CheckResult[]> {
  const wanted = (id: CheckId): boolean => only === null || only.has(id);
  const results: CheckResult[] = [];
  const errors: { what: string; response: HttpResponse }[] = [];
  const expectError = (what: string, response: HttpResponse): HttpResponse => {
    if (response.status !== null && response.status >= 400) errors.push({ what, response });
    return response;
  };
  const port = await freePort();
  const started = performance.now();
  const container = await Container.start(image, { PORT: String(port), GOOGLE_CLOUD_PROJECT: 'demo-project' }, ['--memory', HOSTILE.memory]);
  try {
    // Start-up time is runtime:port's business; here a slow machine only delays the tier.
    const first = await waitFor200('127.0.0.1', port, 30_000);
    if (!first.ok) return HOSTILE_CHECKS.filter(wanted).map((id) => fail(id, 'server never answered GET / with 200', `last: ${first.last?.error ?? first.last?.status}`));
    const alive = async (): Promise<string | null> => {
      const get = await httpRequest({ host: '127.0.0.1', port, path: '/', timeoutMs: 5000 });
      if (get.status === 200 && get.complete) return null;
      const running = await container.running();
      const state = (await docker(['inspect', '-f', '{{.State.OOMKilled}}, {{.State.ExitCode}}', container.id], 30_000)).stdout.trim();
      return running ? `GET / afterwards: ${describe(get)}` : `the container stopped (OOMKilled, exit code: ${state})`;
    };

    if (wanted('hostile:body-limit')) {
      const memory = watchMemory(container.id);
      const uploads = await Promise.all(Array.from({ length: HOSTILE.uploads }, (_, i) => oversizeUpload(port, i % 2 === 1)));
      await sleep(200);
      const peaks = memory.stop();
      const dead = await alive();
      // Refused early: a 413 before the client had sent earlyBytes, or the server ended the
      // connection by then with nothing answered. The second is what a client sees when the server
      // closes after its 413 while the client is still sending: the kernel resets the connection and
      // can discard the 413 unread. How long a server lingers decides how often (Node here 1 s,
      // net/http 0.5 s, gunicorn 64 KiB or 2 s, Puma not at all); at least one 413 must be seen.
      const early = (u: Upload): boolean =>
        u.sentAtResponse <= HOSTILE.earlyBytes && ((u.response.status === 413 && u.response.complete) || (u.response.status === null && u.response.bytes === 0 && u.response.error !== 'timeout'));
      const late = uploads.filter((u) => !early(u));
      const resets = uploads.filter((u) => early(u) && u.response.status === null).length;
      const answered413 = uploads.length - late.length - resets;
      for (const u of uploads) expectError(`oversize ${u.chunked ? 'chunked' : 'Content-Length'} upload`, u.response);
      const maxSent = Math.max(...uploads.map((u) => u.sentAtResponse));
      const memoryNote = peaks ? `memory peak +${mb(peaks.memoryPeak - peaks.baseline)} above idle (${mb(peaks.memoryPeak)}), tmpfs peak ${mb(peaks.tmpfsPeak)}` : 'memory not measured (no memory cgroup found)';
      const figure =
        `${uploads.length - late.length}/${uploads.length} refused before ${mb(HOSTILE.earlyBytes)} were sent (${answered413} with the 413, ${resets} saw a reset first; latest at ${mb(maxSent)}); ` +
        `${memoryNote}${dead ? `; ${dead}` : ''}`;
      const values = { refused: uploads.length - late.length, answered413, resets, maxSentBytes: maxSent, ...(peaks ? { memoryPeakAboveIdleBytes: peaks.memoryPeak - peaks.baseline, tmpfsPeakBytes: peaks.tmpfsPeak } : {}) };
      // A chunked body may be spooled up to the limit before it is refused (Puma writes bodies to
      // /tmp), never beyond: at most one limit's worth per chunked upload in /tmp.
      const tooMuchMemory = peaks !== null && (peaks.memoryPeak - peaks.baseline > HOSTILE.peakMemoryBytes || peaks.tmpfsPeak > (HOSTILE.uploads / 2) * HOSTILE.bodyLimit);
      results.push(
        late.length === 0 && answered413 > 0 && !dead && !tooMuchMemory
          ? pass('hostile:body-limit', figure, values)
          : fail('hostile:body-limit', figure, late.map((u) => `${u.chunked ? 'chunked' : 'Content-Length'}: ${describe(u.response)} after ${mb(u.sentAtResponse)} sent ${u.response.body.slice(0, 100)}`).join('\n'), values),
      );
    }

    if (wanted('hostile:slow-clients')) {
      const slow = await holdSlowClients(port, HOSTILE.slowClientsPerRequest * (containerConcurrency ?? HOSTILE.defaultConcurrency));
      await sleep(500);
      let ok = 0;
      let total = 0;
      const examples: string[] = [];
      const until = Date.now() + HOSTILE.normalMs;
      while (Date.now() < until && total < 1000) {
        const r = await httpRequest({ host: '127.0.0.1', port, path: '/', timeoutMs: 2000 });
        total++;
        if (r.status === 200 && r.complete) ok++;
        else if (examples.length < 3) examples.push(describe(r));
      }
      slow.release();
      const dead = await alive();
      const rate = total ? ok / total : 0;
      const figure = `${ok}/${total} normal requests answered (${(rate * 100).toFixed(0)} %) while ${slow.opened} slow clients (half headers, half bodies; containerConcurrency ${containerConcurrency ?? `${HOSTILE.defaultConcurrency} (default)`}) trickled${dead ? `; ${dead}` : ''}`;
      results.push(
        rate >= HOSTILE.minSuccessRate && !dead
          ? pass('hostile:slow-clients', figure, { successRate: rate, slowClients: slow.opened })
          : fail('hostile:slow-clients', figure, `need ${HOSTILE.minSuccessRate * 100} %; failures: ${examples.join(', ')}`, { successRate: rate, slowClients: slow.opened }),
      );
    }

    if (wanted('hostile:json') || wanted('hostile:error-shape')) {
      const cases: [string, string | Buffer][] = [
        ['NaN', '{"x": NaN}'],
        ['Infinity', '{"x": Infinity}'],
        ['-Infinity', '[-Infinity]'],
        ['malformed', '{"a": '],
        ['empty body', ''],
        ['not UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])],
        ['nested 100000 deep', nested(100_000)],
      ];
      const bad: string[] = [];
      const seen: string[] = [];
      for (const [what, body] of cases) {
        const r = expectError(`JSON ${what}`, await post(port, body));
        seen.push(`${what} ${describe(r)}`);
        if (r.status !== 400) bad.push(`${what}: ${describe(r)} ${r.body.slice(0, 100)}`);
      }
      // Deep but within every parser's reach: any answer but a 5xx.
      const deep = expectError('JSON nested 1000 deep', await post(port, nested(1000)));
      seen.push(`nested 1000 deep ${describe(deep)}`);
      if (deep.status === null || deep.status >= 500) bad.push(`nested 1000 deep: ${describe(deep)}`);
      const dead = await alive();
      if (wanted('hostile:json')) {
        results.push(bad.length === 0 && !dead ? pass('hostile:json', seen.join(', ')) : fail('hostile:json', `${bad.length} wrong: ${bad.map((b) => b.split(':')[0]).join(', ')}${dead ? `; ${dead}` : ''}`, bad.join('\n')));
      }
    }

    if (wanted('hostile:headers') || wanted('hostile:logs')) {
      const huge = (name: string, value: string): Promise<HttpResponse> =>
        sendRaw(port, Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${name}: ${value}\r\nConnection: close\r\n\r\n`, 'latin1'));
      // [what, send, may the server cut the connection instead of answering (a request far over
      // any header limit, which it stops reading)]
      const cases: [string, () => Promise<HttpResponse>, boolean][] = [
        ['X-Cloud-Trace-Context span of 5000 digits', () => huge('X-Cloud-Trace-Context', `${'a'.repeat(32)}/${'9'.repeat(5000)};o=1`), false],
        ['traceparent of 4 KB', () => huge('traceparent', `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01-${'c'.repeat(4096)}`), false],
        ['X-Cloud-Trace-Context garbage', () => huge('X-Cloud-Trace-Context', '////;o=;o=\u00ff'.repeat(50)), false],
        ['path of 6 KB', () => httpRequest({ host: '127.0.0.1', port, path: `/${'p'.repeat(6000)}`, timeoutMs: 10_000 }), false],
        ['User-Agent of 64 KB', () => huge('User-Agent', `${LONG_AGENT_MARK}${'u'.repeat(64 * 1024)}`), true],
        ['User-Agent of 1 MB', () => huge('User-Agent', `${LONG_AGENT_MARK}${'u'.repeat(1024 * 1024)}`), true],
      ];
      const bad: string[] = [];
      const seen: string[] = [];
      for (const [what, send, mayCut] of cases) {
        const r = await send();
        seen.push(`${what}: ${describe(r)}`);
        if ((r.status === null && !mayCut) || (r.status !== null && r.status >= 500)) bad.push(`${what}: ${describe(r)} ${r.body.slice(0, 100)}`);
      }
      const dead = await alive();
      if (wanted('hostile:headers')) {
        results.push(bad.length === 0 && !dead ? pass('hostile:headers', `no 5xx: ${seen.join('; ')}`) : fail('hostile:headers', `${bad.length} of ${cases.length} got a 5xx or no answer${dead ? `; ${dead}` : ''}`, bad.join('\n')));
      }
    }

    if (wanted('hostile:routing') || wanted('hostile:error-shape')) {
      const cases: [string, number, { method: string; path: string }][] = [
        ['PUT /', 405, { method: 'PUT', path: '/' }],
        ['DELETE /', 405, { method: 'DELETE', path: '/' }],
        ['PATCH /', 405, { method: 'PATCH', path: '/' }],
        ['GET /no-such-path', 404, { method: 'GET', path: '/no-such-path' }],
        ['POST /no/such/path', 404, { method: 'POST', path: '/no/such/path' }],
      ];
      const bad: string[] = [];
      const seen: string[] = [];
      for (const [what, status, { method, path }] of cases) {
        const r = expectError(what, await httpRequest({ host: '127.0.0.1', port, method, path, ...(method === 'GET' ? {} : { body: '{}' }), timeoutMs: 5000 }));
        seen.push(`${what} ${describe(r)}`);
        if (r.status !== status) bad.push(`${what}: ${describe(r)}, expected ${status}`);
      }
      if (wanted('hostile:routing')) results.push(bad.length === 0 ? pass('hostile:routing', seen.join(', ')) : fail('hostile:routing', bad.join('; ')));
    }

    if (wanted('hostile:error-shape')) {
      const wrong = errors.map((e) => ({ ...e, problem: errorShapeProblem(e.response) })).filter((e) => e.problem !== null);
      // The server's own answer to a request it cannot parse: reported, and in the shape where
      // the server lets the application write it (see the README's behaviour table).
      const parserError = await sendRaw(port, Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nNot a header line\r\n\r\n`, 'latin1'));
      const unknownMethod = await sendRaw(port, Buffer.from(`FOO / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 'latin1'));
      const parserNote =
        `server's own ${describe(parserError)} for a malformed request: ${errorShapeProblem(parserError) ?? 'JSON shape'}; ` +
        `method FOO: ${describe(unknownMethod)} ${unknownMethod.status !== null && unknownMethod.status >= 400 ? (errorShapeProblem(unknownMethod) ?? 'JSON shape') : ''}`;
      const figure = `${errors.length - wrong.length}/${errors.length} error responses in the one JSON shape; ${parserNote}`;
      results.push(
        wrong.length === 0 && errors.length > 0
          ? pass('hostile:error-shape', figure)
          : fail('hostile:error-shape', figure, wrong.slice(0, 8).map((e) => `${e.what}: ${e.response.status} ${e.problem}`).join('\n') || 'no error responses were seen'),
      );
    }

    if (wanted('hostile:logs')) {
      // Client input that tries to forge entries or break lines: a JSON body with severity and
      // message, a path with an encoded newline and line separators, a User-Agent with raw ones.
      await post(port, JSON.stringify({ severity: 'CRITICAL', message: FORGED, 'logging.googleapis.com/trace': 'forged' }));
      await httpRequest({ host: '127.0.0.1', port, path: `/x%0A%7B%22severity%22:%22CRITICAL%22,%22message%22:%22${FORGED}%22%7D%E2%80%A8%E2%80%A9%C2%85`, timeoutMs: 5000 });
      await sendRaw(port, Buffer.concat([Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUser-Agent: a`, 'latin1'), Buffer.from('\u2028\u2029\u0085', 'utf8'), Buffer.from(`b\r\nConnection: close\r\n\r\n`, 'latin1')]));
    }

    if (wanted('hostile:keepalive-sigterm') || wanted('hostile:logs')) {
      // Keep-alive connections that have just served a request; SIGTERM; 20 ms after the listener
      // closed, each one that is still open sends another request. A connection the server closed before that
      // (its FIN has arrived) refused the request before reading it, which is allowed; a
      // request that was sent must be answered (with Connection: close), never dropped.
      const connections: HttpConnection[] = [];
      for (let i = 0; i < 3; i++) {
        const c = await HttpConnection.open('127.0.0.1', port, 3000).catch(() => null);
        if (c && (await c.request({ path: '/', keepAlive: true }, 5000)).status === 200) connections.push(c);
      }
      const killedAt = await container.signal('TERM');
      // The drain has begun once the listener refuses new connections (at most 3 s of polling);
      // then, 20 ms later, the requests go out on the connections that are still open.
      let refusedAfterMs: number | null = null;
      while (refusedAfterMs === null && performance.now() - killedAt < 3000) {
        const probe = await HttpConnection.open('127.0.0.1', port, 1000).catch((err: NodeJS.ErrnoException) => err);
        if (probe instanceof HttpConnection) {
          probe.close();
          await sleep(10);
        } else if (probe.code === 'ECONNREFUSED') refusedAfterMs = performance.now() - killedAt;
      }
      await sleep(20);
      // "Closed before": the client has seen the server's FIN, or its kernel has (the socket is in
      // CLOSE_WAIT), which a busy client event loop may not have processed yet.
      const outcomes = await Promise.all(
        connections.map(async (c) => (c.closed || finReceived(c.socket.localPort, port) ? 'closed before the request' : c.request({ path: '/', keepAlive: true }, 9000))),
      );
      for (const c of connections) c.close();
      const exit = await container.waitExit(12_000);
      const sent = outcomes.filter((o): o is HttpResponse => typeof o !== 'string');
      const dropped = sent.filter((r) => !(r.complete && r.status !== null));
      const closing = sent.filter((r) => r.complete && r.headers.connection?.toLowerCase() === 'close');
      const figure =
        `${sent.length - dropped.length}/${sent.length} requests sent on open keep-alive connections 20 ms after the listener closed answered (${closing.length} with Connection: close), ` +
        `${outcomes.length - sent.length} connection(s) closed by the server before; listener closed ${refusedAfterMs === null ? 'not within 3 s' : `${seconds(refusedAfterMs)}`} after SIGTERM; ` +
        `${exit ? `exit ${exit.code} after ${seconds(exit.at - killedAt)}` : 'still running 12 s after SIGTERM'}`;
      if (wanted('hostile:keepalive-sigterm')) {
        results.push(
          connections.length === 3 && dropped.length === 0 && exit?.code === 0
            ? pass('hostile:keepalive-sigterm', figure, { answered: sent.length - dropped.length, closedBefore: outcomes.length - sent.length })
            : fail('hostile:keepalive-sigterm', figure, `dropped: ${dropped.map(describe).join(', ') || 'none'}; a request sent on an open connection during the drain must be answered (with Connection: close), never dropped`),
        );
      }
    }

    if (wanted('hostile:logs')) {
      const logs = await container.logs();
      const lines = [...logs.stdout, ...logs.stderr];
      const problems: string[] = [];
      let longest = 0;
      for (const line of lines) {
        const bytes = Buffer.byteLength(line);
        longest = Math.max(longest, bytes);
        let entry: Record<string, unknown> | null = null;
        try {
          const value = JSON.parse(line) as unknown;
          if (typeof value === 'object' && value !== null && !Array.isArray(value)) entry = value as Record<string, unknown>;
        } catch {
          // reported below
        }
        const head = JSON.stringify(line.slice(0, 120));
        if (!entry || typeof entry.severity !== 'string' || typeof entry.message !== 'string') problems.push(`not a JSON entry with severity and message: ${head}`);
        else if (['CRITICAL', 'ALERT', 'EMERGENCY'].includes(entry.severity) || entry.message === FORGED) problems.push(`forged or unexpected ${entry.severity} entry: ${head}`);
        if (bytes >= HOSTILE.maxLogLineBytes) problems.push(`${bytes} bytes (limit ${HOSTILE.maxLogLineBytes}): ${head}`);
        if (/[\u2028\u2029\u0085]/.test(line)) problems.push(`raw U+2028/U+2029/U+0085 in: ${head}`);
        if (line.includes(LONG_AGENT_MARK) && !/Truncated"\s*:\s*true/.test(line)) problems.push(`a 64 KB+ User-Agent logged without a ...Truncated: true marker: ${head}`);
      }
      const figure = `${lines.length} lines, longest ${(longest / 1024).toFixed(1)} KiB; ${problems.length} problem(s)`;
      results.push(problems.length === 0 && lines.length > 0 ? pass('hostile:logs', figure, { lines: lines.length, longestBytes: longest }) : fail('hostile:logs', figure, problems.slice(0, 8).join('\n') || 'no log lines'));
    }
    const tierSeconds = (performance.now() - started) / 1000;
    return results.map((r) => ({ ...r, values: { ...r.values, tierSeconds } }));
  } finally {
    await container.remove();
  }
}
