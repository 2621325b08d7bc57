/**
 * Cloud Run's probes, as the generated service.yaml declares them, checked against the running
 * container: the startup probe's path and port refuse before the server listens and answer 200
 * once it serves; the liveness probe's answers 200. The paths and ports are read from the YAML,
 * never assumed, so a misspelt path in the YAML or a missing route in the code fails here.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Container } from '../docker.js';
import { freePort, httpRequest, sleep, type HttpResponse } from '../net.js';
import type { Project } from '../project.js';
import { type CheckResult, fail, pass, seconds } from '../report.js';

export interface Probe {
  readonly path: string;
  readonly port: number | null;
  /** Seconds, as Cloud Run reads them (its defaults when the YAML leaves them out). */
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
}

export interface ProbeConfig {
  readonly containerPort: number | null;
  /** Requests Cloud Run sends one instance at a time; null when the YAML leaves it to Cloud Run (80). */
  readonly containerConcurrency: number | null;
  readonly startup: Probe | null;
  readonly liveness: Probe | null;
}

/**
 * A deliberately narrow reader for the probe blocks of a Knative Service YAML: the block under
 * `startupProbe:`/`livenessProbe:` is every following line indented deeper; inside it, the
 * scalar fields this check needs. Comments are skipped. (The real gcloud parses the whole file
 * in the deploy tier.)
 */
export function readProbeConfig(yaml: string): ProbeConfig {
  const lines = yaml.split('\n').filter((l) => !/^\s*(#|$)/.test(l));
  const indent = (l: string) => l.length - l.trimStart().length;
  const field = (block: string[], name: string): string | undefined => {
    for (const l of block) {
      const m = new RegExp(`^\\s*(?:- )?${name}:\\s*['"]?([^'"#\\s]+)`).exec(l);
      if (m) return m[1];
    }
    return undefined;
  };
  const block = (key: string): string[] | null => {
    const start = lines.findIndex((l) => l.trim() === `${key}:`);
    if (start === -1) return null;
    const out: string[] = [];
    for (const l of lines.slice(start + 1)) {
      if (indent(l) <= indent(lines[start]!)) break;
      out.push(l);
    }
    return out;
  };
  const probe = (key: string, defaults: Omit<Probe, 'path' | 'port'>): Probe | null => {
    const b = block(key);
    if (!b) return null;
    const num = (name: keyof typeof defaults) => Number(field(b, name) ?? defaults[name]);
    const port = field(b, 'port');
    return {
      path: field(b, 'path') ?? '',
      port: port === undefined ? null : Number(port),
      periodSeconds: num('periodSeconds'),
      timeoutSeconds: num('timeoutSeconds'),
      failureThreshold: num('failureThreshold'),
    };
  };
  const containerPort = field(lines, 'containerPort');
  const containerConcurrency = field(lines, 'containerConcurrency');
  return {
    containerPort: containerPort === undefined ? null : Number(containerPort),
    containerConcurrency: containerConcurrency === undefined ? null : Number(containerConcurrency),
    startup: probe('startupProbe', { periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 }),
    liveness: probe('livenessProbe', { periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 }),
  };
}

export async function readProjectProbes(project: Project): Promise<ProbeConfig | null> {
  try {
    return readProbeConfig(await readFile(path.join(project.dir, 'service.yaml'), 'utf8'));
  } catch {
    return null;
  }
}

const isOk = (r: HttpResponse): boolean => {
  if (r.status !== 200 || !r.complete) return false;
  try {
    return (JSON.parse(r.body) as { status?: unknown }).status === 'ok';
  } catch {
    return false;
  }
};
const outcome = (r: HttpResponse): string => (r.status === null ? (r.error ?? 'no answer') : String(r.status));

/** Problems with where a probe points: a path Cloud Run accepts, on the port it sends traffic to. */
function whereProblems(name: string, probe: Probe | null, containerPort: number | null): string[] {
  if (!probe) return [`service.yaml has no ${name}`];
  const problems: string[] = [];
  if (!probe.path.startsWith('/')) problems.push(`${name} has no httpGet path`);
  if (probe.path.endsWith('z')) problems.push(`${name} path ${probe.path} ends in "z" (reserved by Cloud Run)`);
  if (probe.port !== null && probe.port !== (containerPort ?? 8080)) problems.push(`${name} asks port ${probe.port}, the container port is ${containerPort ?? 8080}`);
  return problems;
}

/**
 * Starts probing the startup path BEFORE `docker run`, so the attempts made before the server
 * listens are seen (they must fail: refused, reset or not 200), then requires a 200
 * `{"status":"ok"}` within the probe's own budget (failureThreshold × periodSeconds) and no
 * failure after it; then the liveness path must answer 200 too. The container's PORT is a free
 * port standing in for the YAML's containerPort, as Cloud Run sets PORT to it.
 */
export async function runServiceProbes(image: string, config: ProbeConfig | null): Promise<CheckResult[]> {
  if (!config) return [fail('runtime:probe-startup', 'no service.yaml'), fail('runtime:probe-liveness', 'no service.yaml')];
  const startupWhere = whereProblems('startupProbe', config.startup, config.containerPort);
  const livenessWhere = whereProblems('livenessProbe', config.liveness, config.containerPort);
  const port = await freePort();
  const attempts: { at: number; r: HttpResponse }[] = [];
  let stop = false;
  const startup = config.startup;
  const budgetMs = startup ? Math.min(startup.failureThreshold * startup.periodSeconds * 1000, 30_000) : 10_000;
  const poller = (async () => {
    while (!stop) {
      const r = await httpRequest({ host: '127.0.0.1', port, path: startup?.path || '/', timeoutMs: (startup?.timeoutSeconds ?? 1) * 1000 });
      attempts.push({ at: performance.now(), r });
      if (attempts.filter((a) => isOk(a.r)).length >= 5) return;
      await sleep(20);
    }
  })();
  const before = performance.now();
  await sleep(60); // a few attempts against nothing at all
  const container = await Container.start(image, { PORT: String(port) });
  try {
    const deadline = performance.now() + budgetMs;
    while (performance.now() < deadline && attempts.filter((a) => isOk(a.r)).length < 5) await sleep(50);
    stop = true;
    await poller;
    const firstOk = attempts.findIndex((a) => isOk(a.r));
    const failedBefore = firstOk === -1 ? attempts.length : firstOk;
    const failedAfter = firstOk === -1 ? [] : attempts.slice(firstOk).filter((a) => !isOk(a.r));
    const refused = attempts.slice(0, failedBefore).filter((a) => a.r.status === null).length;
    const results: CheckResult[] = [];
    const last = attempts.at(-1)?.r;
    if (startupWhere.length) results.push(fail('runtime:probe-startup', startupWhere.join('; ')));
    else if (firstOk === -1) {
      results.push(fail('runtime:probe-startup', `GET ${startup!.path}: no 200 {"status":"ok"} within ${seconds(budgetMs)} (last: ${last ? outcome(last) : 'none'})`, last?.body.slice(0, 300)));
    } else if (failedBefore === 0 || failedAfter.length) {
      results.push(fail('runtime:probe-startup', `GET ${startup!.path}: ${failedBefore} failed attempt(s) before the first 200, ${failedAfter.length} after it`, 'the probe must fail until the server listens, then keep answering 200'));
    } else {
      const ms = attempts[firstOk]!.at - before;
      results.push(pass('runtime:probe-startup', `GET ${startup!.path} on port ${startup!.port ?? 'containerPort'}: ${failedBefore} attempt(s) failed before listen (${refused} refused), then 200 {"status":"ok"} ${seconds(ms)} after start`, { probeReadySeconds: ms / 1000 }));
    }
    const liveness = config.liveness;
    if (livenessWhere.length) results.push(fail('runtime:probe-liveness', livenessWhere.join('; ')));
    else {
      const r = await httpRequest({ host: '127.0.0.1', port, path: liveness!.path, timeoutMs: liveness!.timeoutSeconds * 1000 });
      results.push(isOk(r) ? pass('runtime:probe-liveness', `GET ${liveness!.path}: 200 {"status":"ok"}`) : fail('runtime:probe-liveness', `GET ${liveness!.path}: ${outcome(r)}`, r.body.slice(0, 300)));
    }
    return results;
  } finally {
    stop = true;
    await container.remove();
  }
}
