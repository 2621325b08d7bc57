/**
 * Loopback networking for the container tier: free ports, a small HTTP/1.1 client that can hold a
 * request half-sent or reuse a keep-alive connection and tell exactly how a response ended, a
 * bounded keep-alive load generator, and readers for the kernel's socket tables.
 *
 * Everything here talks to 127.0.0.0/8 only, and every wait is bounded in time.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nothing listens on, found by binding port 0 on 127.0.0.1 (and then releasing it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Is a TCP port free for listening on every interface (nothing bound to it, in any family)? */
export function portIsFree(port: number): Promise<boolean> {
  if (listeningSockets(port).length > 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

// ---------------------------------------------------------------------------------------------
// Kernel socket tables
// ---------------------------------------------------------------------------------------------

export interface ListeningSocket {
  readonly family: 4 | 6;
  /** `0.0.0.0`, `127.0.0.1`, `::`, `::1`, `::ffff:127.0.0.1` ... */
  readonly address: string;
  readonly port: number;
  readonly inode: number;
}

function hexToIPv4(hex: string): string {
  // /proc/net/tcp prints the address as a host-endian (little-endian here) 32-bit word.
  const bytes = [6, 4, 2, 0].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return bytes.join('.');
}

function hexToIPv6(hex: string): string {
  const words: number[] = [];
  for (let w = 0; w < 4; w++) {
    const part = hex.slice(w * 8, w * 8 + 8);
    const bytes = [6, 4, 2, 0].map((i) => Number.parseInt(part.slice(i, i + 2), 16));
    words.push((bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!);
  }
  if (words.slice(0, 5).every((x) => x === 0) && words[5] === 0xffff) {
    return `::ffff:${words[6]! >> 8}.${words[6]! & 255}.${words[7]! >> 8}.${words[7]! & 255}`;
  }
  // Compress the longest run of zero words.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hexWords = words.map((x) => x.toString(16));
  if (bestLen < 2) return hexWords.join(':');
  return `${hexWords.slice(0, best).join(':')}::${hexWords.slice(best + bestLen).join(':')}`;
}

/** The kernel's TCP socket table rows (/proc/net/tcp and tcp6, header left out), split into columns. */
export function procTcpRows(): { family: 4 | 6; cols: string[] }[] {
  const rows: { family: 4 | 6; cols: string[] }[] = [];
  for (const [file, family] of [['/proc/net/tcp', 4], ['/proc/net/tcp6', 6]] as const) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const row of text.split('\n').slice(1)) rows.push({ family, cols: row.trim().split(/\s+/) });
  }
  return rows;
}

/** Every LISTEN socket in this network namespace (the host's: containers run with --network host). */
function allListeningSockets(): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const { family, cols } of procTcpRows()) {
    if (cols.length < 10 || cols[3] !== '0A') continue; // 0A = TCP_LISTEN
    const [addrHex = '', portHex = ''] = (cols[1] ?? '').split(':');
    out.push({ family, address: family === 4 ? hexToIPv4(addrHex) : hexToIPv6(addrHex), port: Number.parseInt(portHex, 16), inode: Number(cols[9]) });
  }
  return out;
}

/** LISTEN sockets on `port`, whoever holds them. */
export function listeningSockets(port: number): ListeningSocket[] {
  return allListeningSockets().filter((socket) => socket.port === port);
}

/** Does a listening address accept connections to every local address (0.0.0.0 or ::)? */
export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** Socket inodes a process holds open (needs permission to read /proc/<pid>/fd: root). */
export function socketInodes(pid: number): Set<number> {
  const inodes = new Set<number>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (target.startsWith('socket:[')) inodes.add(Number(target.slice(8, -1)));
    } catch {
      /* closed meanwhile */
    }
  }
  return inodes;
}

/** Every LISTEN socket (any port) held by one of `pids`. */
export function listeningSocketsOf(pids: readonly number[]): ListeningSocket[] {
  const inodes = new Set(pids.flatMap((pid) => [...socketInodes(pid)]));
  return allListeningSockets().filter((socket) => inodes.has(socket.inode));
}

// ---------------------------------------------------------------------------------------------
// HTTP/1.1 over one TCP connection
// ---------------------------------------------------------------------------------------------

export interface HttpResponse {
  /** null when no status line arrived. */
  readonly status: number | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The whole response arrived (status line, headers, and the body its framing announced). */
  readonly complete: boolean;
  /** Response bytes received (0: the connection ended or failed before any byte). */
  readonly bytes: number;
  /** Why it ended early: 'ECONNRESET', 'closed', 'timeout', 'ECONNREFUSED', ... */
  readonly error?: string;
  /** Milliseconds from sending the request to the end of the response. */
  readonly ms: number;
}

interface Parsed {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  consumed: number;
}

/** Parses one response from the front of `buf`; null if more bytes are needed. `eof`: the peer closed. */
function parseResponse(buf: Buffer, eof: boolean): Parsed | null {
  let offset = 0;
  for (;;) {
    const headerEnd = buf.indexOf('\r\n\r\n', offset);
    if (headerEnd === -1) return null;
    const lines = buf.subarray(offset, headerEnd).toString('latin1').split('\r\n');
    const status = Number((lines[0] ?? '').split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const colon = l.indexOf(':');
      if (colon > 0) headers[l.slice(0, colon).trim().toLowerCase()] = l.slice(colon + 1).trim();
    }
    let pos = headerEnd + 4;
    if (status >= 100 && status < 200) {
      offset = pos; // 100 Continue: the real response follows
      continue;
    }
    if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = buf.indexOf('\r\n', pos);
        if (lineEnd === -1) return null;
        const size = Number.parseInt(buf.subarray(pos, lineEnd).toString('latin1').split(';')[0]!, 16);
        if (Number.isNaN(size)) return null;
        if (size === 0) {
          const trailerEnd = buf.indexOf('\r\n\r\n', lineEnd);
          const end = buf.subarray(lineEnd, lineEnd + 4).toString('latin1') === '\r\n\r\n' ? lineEnd + 4 : trailerEnd === -1 ? -1 : trailerEnd + 4;
          if (end === -1) return null;
          return { status, headers, body: Buffer.concat(parts), consumed: end };
        }
        if (buf.length < lineEnd + 2 + size + 2) return null;
        parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        pos = lineEnd + 2 + size + 2;
      }
    }
    if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (buf.length < pos + length) return null;
      return { status, headers, body: buf.subarray(pos, pos + length), consumed: pos + length };
    }
    if (status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0), consumed: pos };
    // No framing: the body runs until the server closes.
    if (!eof) return null;
    return { status, headers, body: buf.subarray(pos), consumed: buf.length };
  }
}

function partialStatus(buf: Buffer): number | null {
  const firstLine = buf.subarray(0, Math.min(buf.length, 64)).toString('latin1').split('\r\n')[0] ?? '';
  const status = Number(firstLine.split(' ')[1]);
  return firstLine.startsWith('HTTP/') && Number.isFinite(status) ? status : null;
}

export class HttpConnection {
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;
  private endError: string | undefined;
  private waiter: (() => void) | null = null;
  /** Responses read on this connection so far. */
  responses = 0;

  private constructor(
    readonly socket: net.Socket,
    readonly host: string,
    readonly port: number,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      this.waiter?.();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.endError ??= err.code ?? err.message;
      this.ended = true;
      this.waiter?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.waiter?.();
    });
    socket.on('end', () => {
      this.ended = true;
      this.waiter?.();
    });
  }

  /** Connects; rejects with the error code ('ECONNREFUSED', 'timeout', ...). */
  static open(host: string, port: number, timeoutMs = 3000): Promise<HttpConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error('connect timeout'), { code: 'timeout' }));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new HttpConnection(socket, host, port));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  get closed(): boolean {
    return this.ended;
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.ended || this.socket.destroyed) return resolve();
      this.socket.write(data, () => resolve());
    });
  }

  /** Reads the next response, waiting at most `timeoutMs`. Never rejects. */
  async read(timeoutMs = 5000, startedAt = Date.now()): Promise<HttpResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = parseResponse(this.buf, this.ended);
      if (parsed) {
        this.buf = this.buf.subarray(parsed.consumed);
        this.responses++;
        return { status: parsed.status, headers: parsed.headers, body: parsed.body.toString('utf8'), complete: true, bytes: parsed.consumed, ms: Date.now() - startedAt };
      }
      if (this.ended || Date.now() >= deadline) {
        const bytes = this.buf.length;
        return {
          status: partialStatus(this.buf),
          headers: {},
          body: '',
          complete: false,
          bytes,
          error: this.ended ? (this.endError ?? 'closed') : 'timeout',
          ms: Date.now() - startedAt,
        };
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
  }

  async request(options: RequestOptions, timeoutMs = 5000): Promise<HttpResponse> {
    const startedAt = Date.now();
    await this.write(formatRequest({ host: this.host, port: this.port, ...options }));
    return this.read(timeoutMs, startedAt);
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface RequestOptions {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly keepAlive?: boolean;
}

export function formatRequest(options: RequestOptions & { host: string; port: number }): string {
  const headers: Record<string, string> = {
    Host: `${options.host}:${options.port}`,
    Connection: options.keepAlive ? 'keep-alive' : 'close',
    ...options.headers,
  };
  if (options.body !== undefined) headers['Content-Length'] ??= String(Buffer.byteLength(options.body));
  const head = `${options.method ?? 'GET'} ${options.path ?? '/'} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return head + (options.body ?? '');
}

/** One request on a fresh connection (`Connection: close`). Never rejects: failures are in `error`. */
export async function httpRequest(options: RequestOptions & { host: string; port: number; timeoutMs?: number }): Promise<HttpResponse> {
  const startedAt = Date.now();
  let connection: HttpConnection;
  try {
    connection = await HttpConnection.open(options.host, options.port, options.timeoutMs ?? 3000);
  } catch (err) {
    return { status: null, headers: {}, body: '', complete: false, bytes: 0, error: (err as NodeJS.ErrnoException).code ?? String(err), ms: Date.now() - startedAt };
  }
  try {
    return await connection.request({ ...options, keepAlive: false }, options.timeoutMs ?? 5000);
  } finally {
    connection.close();
  }
}

/** Polls GET / until a 200 (every `intervalMs`, bounded by `timeoutMs` or `stop()` returning true). */
export async function waitFor200(
  host: string,
  port: number,
  timeoutMs: number,
  stop: () => boolean = () => false,
  intervalMs = 25,
): Promise<{ ok: boolean; ms: number; last?: HttpResponse }> {
  const started = Date.now();
  let last: HttpResponse | undefined;
  while (Date.now() - started < timeoutMs && !stop()) {
    last = await httpRequest({ host, port, path: '/', timeoutMs: 2000 });
    if (last.status === 200 && last.complete) return { ok: true, ms: Date.now() - started, last };
    await sleep(intervalMs);
  }
  return { ok: false, ms: Date.now() - started, ...(last ? { last } : {}) };
}

/** Does `host:port` answer HTTP at all? (Used with 127.0.0.2 to prove a wildcard bind.) */
export async function probeAddress(host: string, port: number): Promise<{ answered: boolean; status: number | null; error?: string }> {
  const response = await httpRequest({ host, port, path: '/', timeoutMs: 2000 });
  return { answered: response.status !== null, status: response.status, ...(response.error ? { error: response.error } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Keep-alive load
// ---------------------------------------------------------------------------------------------

export interface LoadCounts {
  /** Complete 200 responses. */
  ok: number;
  /** Responses that started (any byte) but were cut off or were not 200: broken accepted requests. */
  broken: number;
  /** Connection closed or reset before any response byte, on a connection that had served requests. */
  resetReused: number;
  /** The same on a new connection (the server closed its listener with the connection in the backlog). */
  resetNew: number;
  /** New connections refused (the listener is closed). */
  refused: number;
  /** Requests with no response byte within the per-request timeout while the connection stayed open. */
  stalled: number;
  /** Connections opened. */
  connections: number;
  /** Examples of broken/stalled requests, for the report. */
  examples: string[];
}

export interface LoadRun {
  /** A snapshot of the counts so far. */
  counts(): LoadCounts;
  /** Stops the workers and resolves with the final counts. */
  stop(): Promise<LoadCounts>;
}

/**
 * Steady keep-alive GET load: `connections` workers, each sending one request at a time on its
 * own keep-alive connection and opening a new one when the server closes it. Bounded by
 * `maxMs` and `maxRequests`; classify every request by how it ended.
 */
export function startLoad(options: { host: string; port: number; connections: number; maxMs: number; maxRequests: number; path?: string; requestTimeoutMs?: number }): LoadRun {
  const counts: LoadCounts = { ok: 0, broken: 0, resetReused: 0, resetNew: 0, refused: 0, stalled: 0, connections: 0, examples: [] };
  const started = Date.now();
  let stopped = false;
  const done = (): boolean => stopped || Date.now() - started > options.maxMs || counts.ok + counts.broken + counts.stalled >= options.maxRequests;
  const note = (text: string): void => {
    if (counts.examples.length < 5) counts.examples.push(text);
  };
  const worker = async (): Promise<void> => {
    while (!done()) {
      let connection: HttpConnection;
      try {
        connection = await HttpConnection.open(options.host, options.port, 2000);
        counts.connections++;
      } catch {
        counts.refused++;
        await sleep(20);
        continue;
      }
      try {
        while (!done() && !connection.closed) {
          const reused = connection.responses > 0;
          const response = await connection.request({ path: options.path ?? '/', keepAlive: true }, options.requestTimeoutMs ?? 8000);
          if (response.complete && response.status === 200) {
            counts.ok++;
            if (response.headers.connection?.toLowerCase() === 'close') break;
          } else if (response.bytes > 0) {
            counts.broken++;
            note(`status ${response.status ?? '-'}, ${response.bytes} bytes, ${response.complete ? 'complete' : `cut off (${response.error})`}`);
            break;
          } else if (response.error === 'timeout') {
            counts.stalled++;
            note(`no response within ${options.requestTimeoutMs ?? 8000} ms on an open connection`);
            break;
          } else {
            if (reused) counts.resetReused++;
            else counts.resetNew++;
            break;
          }
        }
      } finally {
        connection.close();
      }
    }
  };
  const workers = Array.from({ length: options.connections }, () => worker());
  return {
    counts: () => ({ ...counts, examples: [...counts.examples] }),
    stop: async () => {
      stopped = true;
      await Promise.all(workers);
      return { ...counts, examples: [...counts.examples] };
    },
  };
}
