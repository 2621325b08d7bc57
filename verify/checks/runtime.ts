/**
 * Runtime checks: the container run the way Cloud Run runs it, for services (PORT, 8080, all
 * interfaces, PID 1, trace, SIGTERM idle, in flight and under load, JSON logs) and jobs (task
 * index/count, FAIL_RATE, SIGTERM, no listening socket).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Container } from '../docker.js';
import { withPort8080 } from '../limit.js';
import { freePort, HttpConnection, httpRequest, isWildcard, listeningSockets, listeningSocketsOf, portIsFree, probeAddress, sleep, startLoad, waitFor200 } from '../net.js';
import { type CheckId, type CheckResult, fail, pass, seconds } from '../report.js';

/** Bounds from the contract (CONTRIBUTING.md). */
export const LIMITS = {
  /** "ready within a few seconds": start of the container's process to the first 200. */
  readyMs: 5_000,
  /** How long to wait for a first 200 at all before calling the port check failed. */
  startTimeoutMs: 10_000,
  /**
   * The same for the 8080 check, which has no time bar of its own (the port check has): longer, so
   * that a start slowed by a busy machine is not taken for a server that ignores the default port.
   */
  defaultPortTimeoutMs: 30_000,
  /** Idle SIGTERM to exit. */
  idleExitMs: 2_000,
  /** SIGTERM to exit with a request in flight, under load, and for a job mid-sleep (Cloud Run's SIGKILL). */
  drainExitMs: 10_000,
  /** Job run to completion. */
  jobTimeoutMs: 60_000,
} as const;


// ---------------------------------------------------------------------------------------------
// Runtime: services
// ---------------------------------------------------------------------------------------------

/** Lines that are not one JSON object with string severity and message. */
export function badLogLines(lines: readonly string[]): string[] {
  return lines.filter((line) => {
    try {
      const value = JSON.parse(line) as unknown;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return true;
      const o = value as Record<string, unknown>;
      return typeof o.severity !== 'string' || typeof o.message !== 'string';
    } catch {
      return true;
    }
  });
}

function parseLogs(lines: readonly string[]): Record<string, unknown>[] {
  return lines.flatMap((l) => {
    try {
      const v = JSON.parse(l) as unknown;
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? [v as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

export function checkLogsJson(lines: readonly string[], what: string): CheckResult {
  if (lines.length === 0) return fail('runtime:logs-json', 'no log lines at all', what);
  const bad = badLogLines(lines);
  if (bad.length === 0) return pass('runtime:logs-json', `${lines.length} lines, all JSON with severity+message (${what})`);
  return fail('runtime:logs-json', `${bad.length} of ${lines.length} lines not JSON with severity+message`, bad.slice(0, 5).join('\n'));
}

async function containerNotes(container: Container): Promise<string> {
  const logs = await container.logs().catch(() => ({ stdout: [], stderr: [] }));
  const lines = [...logs.stdout, ...logs.stderr].slice(-12);
  return lines.length ? `container log (last lines):\n${lines.join('\n')}` : 'container printed nothing';
}

const procComm = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
};

export type Only = ReadonlySet<CheckId> | null;
const wants = (only: Only, ...ids: CheckId[]): boolean => only === null || ids.some((id) => only.has(id));

const PUBSUB_BODY = JSON.stringify({
  message: { data: Buffer.from('hello from the verification suite').toString('base64'), messageId: '1', attributes: { source: 'verify' } },
  subscription: 'projects/demo-project/subscriptions/verify',
  padding: 'x'.repeat(2000),
});

/**
 * Container A: PORT honoured, GET /, all interfaces, PID 1, trace, then a POST whose body is still
 * arriving when SIGTERM is delivered; then the logs of the whole life of the container.
 */
export async function runServiceMain(image: string, only: Only = null): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const port = await freePort();
  const traceId = randomBytes(16).toString('hex');
  const container = await Container.start(image, { PORT: String(port), GOOGLE_CLOUD_PROJECT: 'demo-project' });
  try {
    let exited = false;
    void container.waitExit(LIMITS.startTimeoutMs + 60_000).then((r) => (exited = r !== null));
    const first = await waitFor200('127.0.0.1', port, LIMITS.startTimeoutMs, () => exited);
    const answeredAt = Date.now();
    const sinceRunMs = performance.now() - container.startedAt;
    if (!first.ok) {
      const pids = await container.pids().catch(() => []);
      const elsewhere = listeningSocketsOf(pids).map((s) => `${s.address}:${s.port}`);
      const why = exited ? 'the container exited' : `no 200 on $PORT=${port} within ${seconds(LIMITS.startTimeoutMs)}`;
      results.push(
        fail('runtime:port', why, `${elsewhere.length ? `it listens on ${elsewhere.join(', ')} instead\n` : ''}last attempt: ${first.last?.error ?? first.last?.status ?? 'none'}\n${await containerNotes(container)}`),
      );
      return results;
    }
    // Timed from the start of the container's process, as Cloud Run's startup probe is: the engine's
    // own set-up before it is no part of the server's start.
    const readyMs = answeredAt - (await container.processStartedAt());
    const timing = `${seconds(readyMs)} from process start to first 200 (${seconds(sinceRunMs)} from docker run)`;
    results.push(
      readyMs <= LIMITS.readyMs
        ? pass('runtime:port', `${timing} on $PORT=${port}`, { readySeconds: readyMs / 1000 })
        : fail('runtime:port', `${timing} (limit ${seconds(LIMITS.readyMs)})`, undefined, { readySeconds: readyMs / 1000 }),
    );

    if (wants(only, 'runtime:get')) {
      const get = await httpRequest({ host: '127.0.0.1', port, path: '/', timeoutMs: 5000 });
      let json = false;
      try {
        json = typeof JSON.parse(get.body) === 'object';
      } catch {
        json = false;
      }
      const type = get.headers['content-type'] ?? 'no content-type';
      results.push(
        get.status === 200 && get.complete && json && type.includes('json')
          ? pass('runtime:get', `200 ${type.split(';')[0]}, ${Buffer.byteLength(get.body)} bytes`)
          : fail('runtime:get', `${get.status ?? get.error} ${type}`, get.body.slice(0, 300)),
      );
    }

    if (wants(only, 'runtime:all-interfaces')) {
      const probe = await probeAddress('127.0.0.2', port);
      const sockets = listeningSockets(port);
      const addresses = sockets.map((s) => (s.family === 6 ? `[${s.address}]:${port}` : `${s.address}:${port}`));
      const wildcard = sockets.some((s) => isWildcard(s.address));
      const figure = `${probe.answered ? 'answers' : `no answer (${probe.error})`} on 127.0.0.2; listening on ${addresses.join(', ') || 'nothing?'}`;
      results.push(probe.answered && wildcard ? pass('runtime:all-interfaces', figure) : fail('runtime:all-interfaces', figure, 'Cloud Run sends traffic to the container on its own interface: bind 0.0.0.0 (or ::), not 127.0.0.1'));
    }

    if (wants(only, 'runtime:pid1')) {
      const pids = await container.pids();
      const pid1 = pids[0];
      const holders = pids.filter((pid) => listeningSocketsOf([pid]).some((s) => s.port === port));
      const comm = pid1 ? procComm(pid1) : '?';
      if (pid1 && holders.includes(pid1)) results.push(pass('runtime:pid1', `PID 1 (${comm}) holds the listening socket; ${pids.length} process(es)`));
      else results.push(fail('runtime:pid1', `PID 1 is ${comm}; the socket is held by ${holders.map((p) => `${procComm(p)}(${p})`).join(', ') || 'no process seen'}`, 'a wrapper as PID 1 (shell, npm) may not pass SIGTERM on'));
    }

    if (wants(only, 'runtime:trace')) {
      await httpRequest({ host: '127.0.0.1', port, path: '/', headers: { 'X-Cloud-Trace-Context': `${traceId}/1;o=1` }, timeoutMs: 5000 });
    }

    if (wants(only, 'runtime:inflight-sigterm')) {
      const connection = await HttpConnection.open('127.0.0.1', port);
      const body = Buffer.from(PUBSUB_BODY);
      const half = Math.floor(body.length / 2);
      const sentAt = performance.now();
      await connection.write(
        `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n`,
      );
      await connection.write(body.subarray(0, half));
      await sleep(300);
      const killedAt = await container.signal('TERM');
      await sleep(500);
      await connection.write(body.subarray(half));
      const response = await connection.read(LIMITS.drainExitMs, sentAt);
      connection.close();
      const exit = await container.waitExit(Math.max(0, LIMITS.drainExitMs + 2000 - (performance.now() - killedAt)));
      const exitMs = exit ? exit.at - killedAt : null;
      const answered = response.status === 200 && response.complete;
      const figure = `${answered ? '200' : `no complete 200 (${response.status ?? response.error})`} for the body finished after SIGTERM; ${
        exit ? `exit ${exit.code} after ${seconds(exitMs!)}` : `still running ${seconds(LIMITS.drainExitMs + 2000)} after SIGTERM`
      }`;
      const ok = answered && exit !== null && exit.code === 0 && exitMs! < LIMITS.drainExitMs;
      results.push(ok ? pass('runtime:inflight-sigterm', figure, { drainSeconds: exitMs! / 1000 }) : fail('runtime:inflight-sigterm', figure, await containerNotes(container)));
    }

    if (wants(only, 'runtime:logs-json', 'runtime:trace')) {
      // After the drain the container has exited; if it is still running, its logs so far will do.
      const logs = await container.logs();
      const lines = [...logs.stdout, ...logs.stderr];
      if (wants(only, 'runtime:logs-json')) results.push(checkLogsJson(lines, 'start, requests, SIGTERM drain'));
      if (wants(only, 'runtime:trace')) {
        const expected = `projects/demo-project/traces/${traceId}`;
        const line = parseLogs(lines).find((o) => o['logging.googleapis.com/trace'] === expected);
        results.push(
          line
            ? pass('runtime:trace', `"${String(line.message).slice(0, 50)}" carries ${expected.slice(0, 38)}...`)
            : fail('runtime:trace', `no line with logging.googleapis.com/trace = ${expected}`, `GOOGLE_CLOUD_PROJECT=demo-project; header X-Cloud-Trace-Context: ${traceId}/1;o=1\n${lines.slice(-8).join('\n')}`),
        );
      }
    }
    return results;
  } finally {
    await container.remove();
  }
}

/** Container B: an idle server gets SIGTERM. */
export async function runServiceIdle(image: string): Promise<CheckResult> {
  const port = await freePort();
  const container = await Container.start(image, { PORT: String(port) });
  try {
    const first = await waitFor200('127.0.0.1', port, LIMITS.startTimeoutMs);
    if (!first.ok) return fail('runtime:idle-sigterm', 'server never answered', await containerNotes(container));
    await sleep(300);
    const killedAt = await container.signal('TERM');
    const exit = await container.waitExit(LIMITS.drainExitMs);
    if (!exit) return fail('runtime:idle-sigterm', `still running ${seconds(LIMITS.drainExitMs)} after SIGTERM`, await containerNotes(container));
    const ms = exit.at - killedAt;
    const figure = `exit ${exit.code} after ${seconds(ms)}`;
    return exit.code === 0 && ms <= LIMITS.idleExitMs
      ? pass('runtime:idle-sigterm', figure, { idleExitSeconds: ms / 1000 })
      : fail('runtime:idle-sigterm', `${figure} (limit: exit 0 within ${seconds(LIMITS.idleExitMs)})`, await containerNotes(container), { idleExitSeconds: ms / 1000 });
  } finally {
    await container.remove();
  }
}

/** Container C: steady keep-alive GET load, SIGTERM in the middle of it. */
export async function runServiceLoad(image: string, options: { connections?: number; loadBeforeMs?: number } = {}): Promise<CheckResult> {
  const port = await freePort();
  const container = await Container.start(image, { PORT: String(port) });
  try {
    const first = await waitFor200('127.0.0.1', port, LIMITS.startTimeoutMs);
    if (!first.ok) return fail('runtime:load-sigterm', 'server never answered', await containerNotes(container));
    const load = startLoad({ host: '127.0.0.1', port, connections: options.connections ?? 4, maxMs: 30_000, maxRequests: 200_000, requestTimeoutMs: 9_000 });
    await sleep(options.loadBeforeMs ?? 1000);
    const before = load.counts();
    const killedAt = await container.signal('TERM');
    const exit = await container.waitExit(LIMITS.drainExitMs + 2000);
    const counts = await load.stop();
    const exitMs = exit ? exit.at - killedAt : null;
    const figure =
      `${counts.ok} ok (${before.ok} before SIGTERM), ${counts.broken + counts.stalled} broken on ${counts.connections} connections; ` +
      `not accepted: ${counts.resetReused} reset on reused conn, ${counts.resetNew} reset on new conn, ${counts.refused} refused; ` +
      (exit ? `exit ${exit.code} after ${seconds(exitMs!)}` : `still running ${seconds(LIMITS.drainExitMs + 2000)} after SIGTERM`);
    const values = { ok: counts.ok, broken: counts.broken + counts.stalled, resetReused: counts.resetReused, resetNew: counts.resetNew, refused: counts.refused, ...(exitMs !== null ? { drainSeconds: exitMs / 1000 } : {}) };
    const ok = before.ok > 0 && counts.broken === 0 && counts.stalled === 0 && exit !== null && exit.code === 0 && exitMs! < LIMITS.drainExitMs;
    return ok ? pass('runtime:load-sigterm', figure, values) : fail('runtime:load-sigterm', figure, `${counts.examples.join('\n')}\n${await containerNotes(container)}`, values);
  } finally {
    await container.remove();
  }
}

/** Container D: PORT unset -> 8080. Holds the machine-wide 8080 lock; a busy 8080 is a failure, never a silent skip. */
export async function runServiceDefaultPort(image: string): Promise<CheckResult> {
  return withPort8080(async () => {
    if (!(await portIsFree(8080))) {
      const holders = listeningSockets(8080).map((s) => `${s.address}:8080`);
      return fail('runtime:default-8080', 'NOT CHECKED: port 8080 is taken on this host', `something else listens on ${holders.join(', ') || '8080'}; free it and run again`);
    }
    const container = await Container.start(image, {});
    try {
      const first = await waitFor200('127.0.0.1', 8080, LIMITS.defaultPortTimeoutMs);
      const ms = performance.now() - container.startedAt;
      if (!first.ok) return fail('runtime:default-8080', `no 200 on 8080 within ${seconds(LIMITS.defaultPortTimeoutMs)}`, await containerNotes(container));
      const pids = await container.pids();
      const own = listeningSocketsOf(pids).some((s) => s.port === 8080);
      return own ? pass('runtime:default-8080', `200 on 8080 after ${seconds(ms)}`) : fail('runtime:default-8080', '8080 answered, but not from this container');
    } finally {
      await container.remove();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Runtime: jobs
// ---------------------------------------------------------------------------------------------

async function runJobToEnd(image: string, env: Record<string, string>): Promise<{ code: number | null; ms: number; lines: string[]; timedOut: boolean }> {
  const container = await Container.start(image, env);
  try {
    const exit = await container.waitExit(LIMITS.jobTimeoutMs);
    const logs = await container.logs();
    return { code: exit?.code ?? null, ms: exit ? exit.at - container.startedAt : LIMITS.jobTimeoutMs, lines: [...logs.stdout, ...logs.stderr], timedOut: exit === null };
  } finally {
    await container.remove();
  }
}

export async function runJobChecks(image: string, only: Only = null): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const allLines: string[] = [];
  if (wants(only, 'runtime:job-task', 'runtime:logs-json')) {
    const task = await runJobToEnd(image, { CLOUD_RUN_TASK_INDEX: '1', CLOUD_RUN_TASK_COUNT: '3', CLOUD_RUN_TASK_ATTEMPT: '0' });
    allLines.push(...task.lines);
    const line = parseLogs(task.lines).find((o) => o.taskIndex === 1 && o.taskCount === 3);
    const figure = `${task.timedOut ? `still running after ${seconds(LIMITS.jobTimeoutMs)}` : `exit ${task.code} after ${seconds(task.ms)}`}; ${line ? `"${String(line.message).slice(0, 60)}"` : 'no line with taskIndex=1, taskCount=3 (numbers)'}`;
    results.push(task.code === 0 && line ? pass('runtime:job-task', figure, { runSeconds: task.ms / 1000 }) : fail('runtime:job-task', figure, task.lines.slice(-10).join('\n')));
  }
  if (wants(only, 'runtime:job-fail', 'runtime:logs-json')) {
    const failed = await runJobToEnd(image, { FAIL_RATE: '1' });
    allLines.push(...failed.lines);
    const error = parseLogs(failed.lines).find((o) => o.severity === 'ERROR');
    const figure = `${failed.timedOut ? 'still running' : `exit ${failed.code}`}; ${error ? `ERROR "${String(error.message).slice(0, 60)}"` : 'no ERROR line'}`;
    results.push(failed.code !== null && failed.code !== 0 && error ? pass('runtime:job-fail', figure) : fail('runtime:job-fail', figure, failed.lines.slice(-10).join('\n')));
  }
  if (wants(only, 'runtime:job-sigterm', 'runtime:job-no-listen', 'runtime:logs-json')) {
    const container = await Container.start(image, { SLEEP_MS: '60000' });
    try {
      // Wait for the first log line (the task has started), at most 5 s.
      const started = performance.now();
      while (performance.now() - started < 5000) {
        const logs = await container.logs();
        if (logs.stdout.length + logs.stderr.length > 0) break;
        await sleep(100);
      }
      await sleep(300);
      const pids = await container.pids();
      const listening = listeningSocketsOf(pids);
      if (wants(only, 'runtime:job-no-listen')) {
        results.push(
          pids.length === 0
            ? fail('runtime:job-no-listen', 'the job was not running mid-SLEEP_MS')
            : listening.length === 0
              ? pass('runtime:job-no-listen', `0 listening sockets in ${pids.length} process(es)`)
              : fail('runtime:job-no-listen', `listens on ${listening.map((s) => `${s.address}:${s.port}`).join(', ')}`),
        );
      }
      const killedAt = await container.signal('TERM');
      const exit = await container.waitExit(LIMITS.drainExitMs + 2000);
      const ms = exit ? exit.at - killedAt : null;
      const logs = await container.logs();
      allLines.push(...logs.stdout, ...logs.stderr);
      const warning = parseLogs([...logs.stdout, ...logs.stderr]).find((o) => o.severity === 'WARNING');
      const figure = exit ? `exit ${exit.code} after ${seconds(ms!)}${warning ? `; WARNING "${String(warning.message).slice(0, 50)}"` : ''}` : `still running ${seconds(LIMITS.drainExitMs + 2000)} after SIGTERM`;
      if (wants(only, 'runtime:job-sigterm')) {
        results.push(
          exit && exit.code !== 0 && ms! < LIMITS.drainExitMs ? pass('runtime:job-sigterm', figure, { sigtermExitSeconds: ms! / 1000 }) : fail('runtime:job-sigterm', figure, (await containerNotes(container)).slice(0, 2000)),
        );
      }
    } finally {
      await container.remove();
    }
  }
  if (wants(only, 'runtime:logs-json')) results.push(checkLogsJson(allLines, 'task, FAIL_RATE=1 and SIGTERM runs'));
  return results;
}
