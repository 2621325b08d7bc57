/**
 * Results of the container tier, read like a contract: one line per check per variant, PASS or
 * FAIL, with the measured figure. Printed at the end of the run and written as JSON to
 * `.bench/verification.json`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';

export type CheckId =
  | 'static:call-check'
  | 'static:rules'
  | 'static:dockerignore'
  | 'static:shellcheck'
  | 'image:build'
  | 'image:platform'
  | 'image:user'
  | 'image:no-secrets'
  | 'image:no-build-tools'
  | 'image:no-tests'
  | 'image:no-dev-deps'
  | 'image:rebuild-cache'
  | 'image:test-target'
  | 'image:classic-build'
  | 'runtime:port'
  | 'runtime:get'
  | 'runtime:all-interfaces'
  | 'runtime:pid1'
  | 'runtime:default-8080'
  | 'runtime:trace'
  | 'runtime:inflight-sigterm'
  | 'runtime:idle-sigterm'
  | 'runtime:load-sigterm'
  | 'runtime:logs-json'
  | 'runtime:job-task'
  | 'runtime:job-fail'
  | 'runtime:job-sigterm'
  | 'runtime:job-no-listen'
  | 'runtime:probe-startup'
  | 'runtime:probe-liveness'
  | 'runtime:classic-image'
  | 'hostile:body-limit'
  | 'hostile:slow-clients'
  | 'hostile:json'
  | 'hostile:headers'
  | 'hostile:routing'
  | 'hostile:error-shape'
  | 'hostile:logs'
  | 'hostile:keepalive-sigterm';

type Types = readonly ('service' | 'job')[];
const BOTH: Types = ['service', 'job'];

/** Every check, in report order, with the sentence it proves and the workload types it applies to. */
export const CHECKS: readonly { readonly id: CheckId; readonly title: string; readonly types: Types }[] = [
  { id: 'static:call-check', title: 'docker buildx build --call=check: no warnings', types: BOTH },
  { id: 'static:rules', title: 'Dockerfile rules (hadolint set + contract): no findings', types: BOTH },
  { id: 'static:dockerignore', title: '.dockerignore keeps out secrets and dependency folders', types: BOTH },
  { id: 'static:shellcheck', title: 'deploy.sh executable and shellcheck-clean', types: BOTH },
  { id: 'image:build', title: 'image builds unchanged', types: BOTH },
  { id: 'image:platform', title: 'image is linux/amd64', types: BOTH },
  { id: 'image:user', title: 'image user is numeric and not root', types: BOTH },
  { id: 'image:no-secrets', title: 'planted secrets are not in the image', types: BOTH },
  { id: 'image:no-build-tools', title: 'no compilers or build tools in the image', types: BOTH },
  { id: 'image:no-tests', title: 'no test files in the image', types: BOTH },
  { id: 'image:no-dev-deps', title: 'no dev dependencies in the image', types: BOTH },
  { id: 'image:rebuild-cache', title: 'source-only edit -> dependency layer CACHED', types: BOTH },
  { id: 'image:test-target', title: 'docker build --target test (project tests) passes', types: BOTH },
  { id: 'image:classic-build', title: 'classic builder (DOCKER_BUILDKIT=0, as gcloud run deploy --source .) builds it: linux/amd64, same user', types: BOTH },
  { id: 'runtime:port', title: 'PORT honoured: start -> first 200', types: ['service'] },
  { id: 'runtime:get', title: 'GET / -> 200 JSON', types: ['service'] },
  { id: 'runtime:all-interfaces', title: 'listens on all interfaces', types: ['service'] },
  { id: 'runtime:pid1', title: 'PID 1 is the server (holds the listening socket)', types: ['service'] },
  { id: 'runtime:default-8080', title: 'PORT unset -> 200 on 8080', types: ['service'] },
  { id: 'runtime:trace', title: 'X-Cloud-Trace-Context -> logging.googleapis.com/trace', types: ['service'] },
  { id: 'runtime:inflight-sigterm', title: 'POST in flight at SIGTERM -> 200, then exit 0', types: ['service'] },
  { id: 'runtime:idle-sigterm', title: 'idle SIGTERM -> exit 0', types: ['service'] },
  { id: 'runtime:load-sigterm', title: 'keep-alive load through SIGTERM -> no accepted request broken', types: ['service'] },
  { id: 'runtime:probe-startup', title: 'startup probe of service.yaml: fails before the server listens, then 200', types: ['service'] },
  { id: 'runtime:probe-liveness', title: 'liveness probe of service.yaml -> 200', types: ['service'] },
  { id: 'runtime:job-task', title: 'task 1 of 3 -> exit 0, logs taskIndex/taskCount', types: ['job'] },
  { id: 'runtime:job-fail', title: 'FAIL_RATE=1 -> non-zero exit, ERROR line', types: ['job'] },
  { id: 'runtime:job-sigterm', title: 'SIGTERM during SLEEP_MS=60000 -> non-zero exit', types: ['job'] },
  { id: 'runtime:job-no-listen', title: 'job opens no listening socket', types: ['job'] },
  { id: 'runtime:logs-json', title: 'logs: one JSON object per line with severity and message', types: BOTH },
  { id: 'runtime:classic-image', title: 'the classic-builder image passes the runtime checks too', types: BOTH },
  { id: 'hostile:body-limit', title: 'hostile: parallel oversize uploads (Content-Length, chunked) -> early 413, instance survives', types: ['service'] },
  { id: 'hostile:slow-clients', title: 'hostile: slow-header and slow-body clients never stop normal requests', types: ['service'] },
  { id: 'hostile:json', title: 'hostile: malformed, too deep, NaN/Infinity, empty JSON -> 400', types: ['service'] },
  { id: 'hostile:headers', title: 'hostile: huge trace headers, User-Agent, path -> never a 5xx', types: ['service'] },
  { id: 'hostile:routing', title: 'hostile: wrong method -> 405, unknown path -> 404', types: ['service'] },
  { id: 'hostile:error-shape', title: 'hostile: every error response in the one JSON shape', types: ['service'] },
  { id: 'hostile:logs', title: 'hostile: log lines valid JSON < 256 KB, fields capped, nothing forged', types: ['service'] },
  { id: 'hostile:keepalive-sigterm', title: 'hostile: request on an open keep-alive connection after SIGTERM -> answered', types: ['service'] },
];

export function checksFor(type: 'service' | 'job'): CheckId[] {
  return CHECKS.filter((c) => c.types.includes(type)).map((c) => c.id);
}

export function titleOf(id: CheckId): string {
  return CHECKS.find((c) => c.id === id)?.title ?? id;
}

export interface CheckResult {
  readonly check: CheckId;
  readonly pass: boolean;
  /** The measured figure, e.g. `0.21 s` or `4117 ok, 0 broken`. */
  readonly figure: string;
  /** Why it failed (or what was seen), for the test's failure message. */
  readonly detail?: string;
  /** Numbers for the JSON report and the benchmark (seconds, bytes, counts). */
  readonly values?: Readonly<Record<string, number>>;
}

export function pass(check: CheckId, figure: string, values?: Record<string, number>, detail?: string): CheckResult {
  return { check, pass: true, figure, ...(values ? { values } : {}), ...(detail ? { detail } : {}) };
}

export function fail(check: CheckId, figure: string, detail?: string, values?: Record<string, number>): CheckResult {
  return { check, pass: false, figure, ...(detail ? { detail } : {}), ...(values ? { values } : {}) };
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Per-variant results that tests can await check by check while the variant is still running. */
export class CheckBoard {
  private readonly results = new Map<CheckId, CheckResult>();
  private readonly waiters = new Map<CheckId, ((r: CheckResult) => void)[]>();
  private closedWith: string | null = null;

  constructor(readonly key: string, readonly checks: readonly CheckId[]) {}

  record(result: CheckResult): void {
    if (this.results.has(result.check)) return;
    this.results.set(result.check, result);
    for (const resolve of this.waiters.get(result.check) ?? []) resolve(result);
    this.waiters.delete(result.check);
  }

  has(check: CheckId): boolean {
    return this.results.has(check);
  }

  get(check: CheckId): Promise<CheckResult> {
    const known = this.results.get(check);
    if (known) return Promise.resolve(known);
    if (this.closedWith !== null) return Promise.resolve(fail(check, 'not run', this.closedWith));
    return new Promise((resolve) => this.waiters.set(check, [...(this.waiters.get(check) ?? []), resolve]));
  }

  /** Every check not recorded yet fails with `reason` (an earlier step failed, or the run crashed). */
  close(reason: string): void {
    for (const check of this.checks) if (!this.results.has(check)) this.record(fail(check, 'not run', reason));
    this.closedWith = reason;
  }

  all(): CheckResult[] {
    return this.checks.map((c) => this.results.get(c)).filter((r): r is CheckResult => r !== undefined);
  }
}

export interface MutantOutcome {
  readonly template: string;
  readonly type: 'service' | 'job';
  readonly mutant: string;
  /** The mutant was caught: every expected check failed (and the sanity checks passed). */
  readonly caught: boolean;
  readonly failedChecks: readonly { readonly check: CheckId; readonly figure: string }[];
  readonly note: string;
}

export interface VerificationReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: number;
  readonly engine: string;
  readonly standins: readonly string[];
  readonly variants: readonly { readonly key: string; readonly seconds: number; readonly results: readonly (CheckResult & { title: string })[] }[];
  readonly mutants: readonly MutantOutcome[];
  readonly skipped?: string;
}

export function formatReport(report: VerificationReport): string {
  const lines: string[] = [];
  const width = Math.max(20, ...report.variants.map((v) => v.key.length), ...report.mutants.map((m) => `${m.template}/${m.type}`.length));
  lines.push(`Container verification — ${report.variants.length} variant(s), engine ${report.engine}, ${report.seconds.toFixed(0)} s`);
  if (report.standins.length > 0) lines.push(`Base images were local stand-ins (not the registry images): ${report.standins.join(', ')}`);
  for (const variant of report.variants) {
    lines.push('');
    for (const r of variant.results) {
      lines.push(`${r.pass ? 'PASS' : 'FAIL'} ${variant.key.padEnd(width)}  ${r.title}  ${r.figure}`);
    }
  }
  if (report.mutants.length > 0) {
    lines.push('');
    for (const m of report.mutants) {
      const by = m.failedChecks.map((c) => `${c.check} (${c.figure})`).join(', ');
      lines.push(`${m.caught ? 'CAUGHT' : 'MISSED'} ${`${m.template}/${m.type}`.padEnd(width)}  mutant ${m.mutant}  ${m.caught ? `by ${by}` : m.note}`);
    }
  }
  const all = report.variants.flatMap((v) => v.results);
  const failed = all.filter((r) => !r.pass).length;
  const missed = report.mutants.filter((m) => !m.caught).length;
  lines.push('');
  lines.push(`${all.length - failed} passed, ${failed} failed` + (report.mutants.length ? `; mutants: ${report.mutants.length - missed} caught, ${missed} missed` : ''));
  return lines.join('\n');
}

/** `.bench/verification.json`, or VERIFY_REPORT (a nested run of the check command writes elsewhere). */
export async function writeReport(report: VerificationReport, file = process.env.VERIFY_REPORT || path.join(REPO_ROOT, '.bench/verification.json')): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
