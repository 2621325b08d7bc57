/**
 * The checks of the container tier, each a function that measures one thing and returns
 * a CheckResult with the figure it measured. The vitest suite (test/containers/verify.test.ts),
 * the mutant tests and the benchmark (bench/) all call these; none of them re-implements a check.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { missingIgnores, nestedGaps, REQUIRED_IGNORED, REQUIRED_IGNORED_BY_LANGUAGE } from './dockerignore.js';
import { dependencySteps, lintDockerfile, parseDockerfile, type DockerfileModel, RULES } from './dockerfile-rules.js';
import {
  buildImage,
  Container,
  dockerCallCheck,
  ensureBaseImages,
  exportImage,
  formatBytes,
  imageListing,
  inspectImage,
  run,
  tail,
  type BuildResult,
  type ImageInfo,
} from './docker.js';
import { withPort8080 } from './limit.js';
import { freePort, HttpConnection, httpRequest, isWildcard, listeningSockets, listeningSocketsOf, portIsFree, probeAddress, sleep, startLoad, waitFor200 } from './net.js';
import { devDependencies, editSource, isTestFile, PLANT_MARKER, PLANTED, plantSecrets, sourceFiles, type Project } from './project.js';
import { type CheckId, type CheckResult, fail, pass, seconds } from './report.js';
import type { TarEntry } from './tar.js';

/** Bounds from the contract (CONTRIBUTING.md). */
export const LIMITS = {
  /** "ready within a few seconds": start of `docker run` to the first 200. */
  readyMs: 5_000,
  /** How long to wait for a first 200 at all before calling the port check failed. */
  startTimeoutMs: 10_000,
  /** Idle SIGTERM to exit. */
  idleExitMs: 2_000,
  /** SIGTERM to exit with a request in flight, under load, and for a job mid-sleep (Cloud Run's SIGKILL). */
  drainExitMs: 10_000,
  /** Job run to completion. */
  jobTimeoutMs: 60_000,
} as const;

// ---------------------------------------------------------------------------------------------
// Static
// ---------------------------------------------------------------------------------------------

export async function readDockerfile(project: Project): Promise<{ text: string; model: DockerfileModel }> {
  const text = await readFile(path.join(project.dir, 'Dockerfile'), 'utf8');
  return { text, model: parseDockerfile(text) };
}

export async function checkCallCheck(project: Project): Promise<CheckResult> {
  const result = await dockerCallCheck(project.dir);
  if (result.ok) return pass('static:call-check', '0 warnings');
  if (result.error && result.warnings.length === 0) return fail('static:call-check', 'check did not run', result.error);
  return fail(
    'static:call-check',
    `${result.warnings.length} warning(s): ${result.warnings.map((w) => w.ruleName).join(', ')}`,
    result.warnings.map((w) => `line ${w.line ?? '?'}: ${w.ruleName}: ${w.detail}`).join('\n') + (result.error ? `\n${result.error}` : ''),
  );
}

export function checkRules(dockerfileText: string): CheckResult {
  let findings;
  try {
    findings = lintDockerfile(dockerfileText);
  } catch (err) {
    return fail('static:rules', 'Dockerfile does not parse', String(err));
  }
  const active = findings.filter((f) => !f.ignored);
  const allowed = findings.filter((f) => f.ignored).map((f) => `${f.rule}@${f.line}`);
  const allowedNote = allowed.length ? ` (allowed by hadolint ignore: ${allowed.join(', ')})` : '';
  if (active.length === 0) return pass('static:rules', `0 findings in ${Object.keys(RULES).length} rules${allowedNote}`);
  return fail(
    'static:rules',
    `${active.length} finding(s): ${[...new Set(active.map((f) => f.rule))].join(', ')}`,
    active.map((f) => `line ${f.line}: ${f.rule}: ${f.message}`).join('\n'),
  );
}

export async function checkDockerignore(project: Project): Promise<CheckResult> {
  let text: string;
  try {
    text = await readFile(path.join(project.dir, '.dockerignore'), 'utf8');
  } catch {
    return fail('static:dockerignore', 'no .dockerignore');
  }
  const language = project.variant.template.language;
  const missing = missingIgnores(text, language);
  const required = REQUIRED_IGNORED.length + (REQUIRED_IGNORED_BY_LANGUAGE[language]?.length ?? 0);
  const nested = nestedGaps(text);
  const note = nested.length ? `; note: not ignored one folder down: ${nested.join(', ')}` : '';
  const languageNote = REQUIRED_IGNORED_BY_LANGUAGE[language] ? '' : ` (no dependency-folder rule known for language "${language}")`;
  if (missing.length === 0) return pass('static:dockerignore', `${required} required patterns matched (Docker semantics)${languageNote}${note}`);
  return fail(
    'static:dockerignore',
    `not ignored: ${missing.map((m) => m.path).join(', ')}`,
    missing.map((m) => `${m.what}: ${m.path} would be sent to the build`).join('\n'),
  );
}

export async function checkShellcheck(project: Project): Promise<CheckResult> {
  const file = path.join(project.dir, 'deploy.sh');
  let mode: number;
  try {
    mode = (await stat(file)).mode & 0o777;
  } catch {
    return fail('static:shellcheck', 'no deploy.sh');
  }
  const result = await run('shellcheck', ['--external-sources', 'deploy.sh'], { timeoutMs: 60_000, cwd: project.dir });
  if (result.stderr.includes('ENOENT')) return fail('static:shellcheck', 'shellcheck is not installed', 'apt-get install shellcheck (scripts/ci/install-docker.sh installs it)');
  const executable = (mode & 0o111) === 0o111;
  if (result.code === 0 && executable) return pass('static:shellcheck', `0 findings, mode ${mode.toString(8)}`);
  const findings = result.stdout.split('\n').filter((l) => l.startsWith('In deploy.sh line')).length;
  return fail('static:shellcheck', `${findings} finding(s), mode ${mode.toString(8)}`, tail(result.stdout, 40));
}

// ---------------------------------------------------------------------------------------------
// Image
// ---------------------------------------------------------------------------------------------

export interface BuiltImage {
  readonly tag: string;
  readonly build: BuildResult;
  readonly info: ImageInfo | null;
  readonly standins: readonly string[];
}

export type BaseImages = Awaited<ReturnType<typeof ensureBaseImages>>;

/** Makes sure the base images the Dockerfile names exist (stand-ins built by scripts/standins/build.sh). */
export function prepareBaseImages(model: DockerfileModel): Promise<BaseImages> {
  return ensureBaseImages(model.externalImages);
}

/** Plants the secret files and builds the image (base images prepared first). */
export async function buildProjectImage(
  project: Project,
  model: DockerfileModel,
  tag: string,
  bases: BaseImages,
  options: { noCache?: boolean } = {},
): Promise<{ result: CheckResult; image: BuiltImage }> {
  await plantSecrets(project);
  if (!bases.ok) {
    const build: BuildResult = { ok: false, ms: 0, output: bases.log, timedOut: false };
    return {
      result: fail('image:build', `base image(s) missing: ${bases.missing.join(', ')}`, `no stand-in or local image for ${bases.missing.join(', ')}\n${tail(bases.log)}`),
      image: { tag, build, info: null, standins: bases.standins },
    };
  }
  const build = await buildImage({ context: project.dir, tag, noCache: options.noCache ?? false });
  const info = build.ok ? await inspectImage(tag) : null;
  const image: BuiltImage = { tag, build, info, standins: bases.standins };
  const standinNote = bases.standins.length ? `; stand-ins: ${bases.standins.join(', ')}` : '';
  if (!build.ok || !info) return { result: fail('image:build', build.timedOut ? 'build timed out' : 'build failed', tail(build.output, 40)), image };
  const base = model.finalBaseImage === 'scratch' ? null : await inspectImage(model.finalBaseImage);
  const above = base ? info.size - base.size : info.size;
  return {
    result: pass('image:build', `${seconds(build.ms)}, ${formatBytes(info.size)} (+${formatBytes(above)} above ${model.finalBaseImage})${standinNote}`, {
      buildSeconds: build.ms / 1000,
      sizeBytes: info.size,
      aboveBaseBytes: above,
    }),
    image,
  };
}

export function checkPlatform(info: ImageInfo): CheckResult {
  const platform = `${info.os}/${info.architecture}`;
  return platform === 'linux/amd64' ? pass('image:platform', platform) : fail('image:platform', platform, 'Cloud Run runs linux/amd64 images');
}

export function checkImageUser(info: ImageInfo): CheckResult {
  const user = info.user;
  const [uid = '', gid, ...rest] = user.split(':');
  if (user === '') return fail('image:user', 'no user set (runs as root)');
  if (!/^\d+$/.test(uid) || (gid !== undefined && !/^\d+$/.test(gid)) || rest.length) return fail('image:user', `"${user}" is not numeric`, 'the platform cannot tell a user name is not root');
  if (Number(uid) === 0) return fail('image:user', `"${user}" is root`);
  return pass('image:user', `"${user}"`);
}

/** Everything the image checks need from the exported file system. */
export interface ImageFiles {
  readonly entries: readonly TarEntry[];
  readonly base: ReadonlySet<string>;
}

const PLANTED_NAMES = new Set(PLANTED.map((p) => p.path));

export async function exportImageFiles(tag: string, model: DockerfileModel): Promise<ImageFiles> {
  const entries = await exportImage(tag, (p, size) => size < 1_000_000 && (PLANTED_NAMES.has(path.posix.basename(p)) || p === 'var/lib/dpkg/status'));
  const base = model.finalBaseImage === 'scratch' ? [] : await imageListing(model.finalBaseImage);
  return { entries, base: new Set(base.map((e) => e.path)) };
}

export function checkNoSecrets(files: ImageFiles): CheckResult {
  const leaked = files.entries.filter((e) => e.content?.toString('utf8').includes(PLANT_MARKER));
  const sameName = files.entries.filter((e) => PLANTED_NAMES.has(path.posix.basename(e.path)) && !files.base.has(e.path) && e.type !== '5');
  if (leaked.length === 0 && sameName.length === 0) return pass('image:no-secrets', `${PLANTED.length} planted (${PLANTED.map((p) => p.path).join(' ')}), 0 in image`);
  const paths = [...new Set([...leaked, ...sameName].map((e) => `/${e.path}`))];
  return fail('image:no-secrets', `${paths.length} in image: ${paths.join(', ')}`, 'the .dockerignore let planted secret files into the build context and a COPY put them in the image');
}

const COMPILER = /^(?:[a-z0-9_]+-linux-gnu-)?(?:gcc|g\+\+|c\+\+|cc|cpp|clang|clang\+\+|cc1|cc1plus|cc1obj|rustc|cargo|javac|go|gofmt|make|ld|ld\.bfd|ld\.gold|as)(?:-\d+(?:\.\d+)*)?$/;
const BUILD_PACKAGES = /^(build-essential|gcc(-\d+)?|g\+\+(-\d+)?|cpp(-\d+)?|clang(-\d+)?|make|binutils|libc6-dev|golang(-\d+\.\d+)?(-go)?|rustc|cargo)$/;

export function checkNoBuildTools(files: ImageFiles): CheckResult {
  const found: string[] = [];
  for (const e of files.entries) {
    if (e.type === '5') continue;
    const parts = e.path.split('/');
    const base = parts[parts.length - 1]!;
    const parent = parts[parts.length - 2] ?? '';
    if ((parent === 'bin' || parent === 'sbin' || parts.includes('gcc') || parts.includes('libexec')) && COMPILER.test(base)) found.push(`/${e.path}`);
    if (e.path.endsWith('pkg/tool/linux_amd64/compile')) found.push(`/${e.path} (Go toolchain)`);
  }
  const status = files.entries.find((e) => e.path === 'var/lib/dpkg/status')?.content?.toString('utf8') ?? '';
  const packages = status
    .split('\n\n')
    .map((block) => ({ name: /^Package: (.+)$/m.exec(block)?.[1] ?? '', state: /^Status: (.+)$/m.exec(block)?.[1] ?? '' }))
    .filter((p) => p.state.endsWith(' installed') && BUILD_PACKAGES.test(p.name))
    .map((p) => `dpkg:${p.name}`);
  const all = [...found, ...packages];
  if (all.length === 0) return pass('image:no-build-tools', `none among ${files.entries.length} files${status ? ' and dpkg status' : ''}`);
  return fail('image:no-build-tools', `${all.length} found: ${all.slice(0, 6).join(', ')}${all.length > 6 ? ', ...' : ''}`, all.join('\n'));
}

const DEPENDENCY_DIRS = ['node_modules', 'site-packages', 'dist-packages', 'gems', 'bundle', 'vendor', 'go'];

export function checkNoTests(project: Project, files: ImageFiles): CheckResult {
  const tests = project.files.filter(isTestFile);
  const found = new Set<string>();
  for (const e of files.entries) {
    if (e.type === '5' || files.base.has(e.path)) continue;
    const parts = e.path.split('/');
    if (parts.some((p) => DEPENDENCY_DIRS.includes(p))) continue;
    for (const t of tests) {
      const distinctive = isTestFile(path.posix.basename(t));
      if (`/${e.path}`.endsWith(`/${t}`) || (distinctive && path.posix.basename(e.path) === path.posix.basename(t))) found.add(`/${e.path}`);
    }
  }
  if (tests.length === 0) return pass('image:no-tests', 'the project has no test files (nothing to keep out)');
  if (found.size === 0) return pass('image:no-tests', `${tests.length} test files in the project, 0 in the image`);
  return fail('image:no-tests', `${found.size} in image: ${[...found].slice(0, 5).join(', ')}`, [...found].join('\n'));
}

export async function checkNoDevDependencies(project: Project, files: ImageFiles): Promise<CheckResult> {
  const declared = await devDependencies(project);
  const names = declared.flatMap((d) => d.names);
  if (declared.length === 0) return pass('image:no-dev-deps', 'no dev-dependency manifest (nothing to keep out)');
  const found: string[] = [];
  for (const d of declared) {
    for (const name of d.names) {
      const hit = files.entries.find((e) => !files.base.has(e.path) && d.matches(e.path, name));
      if (hit) found.push(`${name} (/${hit.path})`);
    }
  }
  const sources = declared.map((d) => `${d.source}: ${d.names.length ? d.names.join(' ') : 'none'}`).join('; ');
  if (found.length === 0) return pass('image:no-dev-deps', names.length ? `${names.length} declared, 0 in image (${sources})` : `none declared (${sources})`);
  return fail('image:no-dev-deps', `${found.length} in image: ${found.join(', ')}`, sources);
}

/** BuildKit `--progress=plain`: the step numbers whose output said CACHED. */
function cachedLabels(output: string): { seen: Map<string, string>; cached: Set<string> } {
  const seen = new Map<string, string>(); // label -> #N
  const cachedIds = new Set<string>();
  for (const l of output.split('\n')) {
    const words = l.split(' ');
    const id = words[0] ?? '';
    if (!id.startsWith('#')) continue;
    if (words[1] === 'CACHED') cachedIds.add(id);
    const open = l.indexOf(' [');
    const close = l.indexOf('] ', open);
    if (open === id.length && close !== -1) seen.set(l.slice(open + 1, close + 1), id);
  }
  const cached = new Set([...seen].filter(([, id]) => cachedIds.has(id)).map(([label]) => label));
  return { seen, cached };
}

/** Edits one source file, rebuilds, and checks that every dependency step came from the cache. */
export async function checkRebuildCache(project: Project, model: DockerfileModel, tag: string): Promise<CheckResult> {
  // A source file the final image is built from (one only the test stage copies would prove nothing).
  const candidates = sourceFiles(project);
  const edited = candidates.find((f) => dependencySteps(model, f).sourceCopies.length > 0) ?? candidates[0];
  if (!edited) return fail('image:rebuild-cache', 'no source file to edit');
  const analysis = dependencySteps(model, edited);
  if (analysis.steps.length === 0) {
    return fail('image:rebuild-cache', `no RUN step before ${edited} is copied`, 'the dependency install runs after the source is copied, so every source edit reinstalls the dependencies');
  }
  const restore = await editSource(project, edited);
  let build: BuildResult;
  try {
    build = await buildImage({ context: project.dir, tag });
  } finally {
    await restore();
  }
  if (!build.ok) return fail('image:rebuild-cache', 'rebuild failed', tail(build.output, 30));
  const { seen, cached } = cachedLabels(build.output);
  const rebuilt = analysis.steps.filter((s) => !cached.has(s.label));
  const describe = (s: { label: string; text: string }): string => `${s.label} ${s.text.split('\n')[0]!.slice(0, 60)}`;
  if (rebuilt.length === 0) {
    return pass('image:rebuild-cache', `rebuilt in ${seconds(build.ms)} after editing ${edited}; CACHED: ${analysis.steps.map((s) => s.label).join(' ')}`, { rebuildSeconds: build.ms / 1000 });
  }
  return fail(
    'image:rebuild-cache',
    `rebuilt in ${seconds(build.ms)} after editing ${edited}; ${rebuilt.length} dependency step(s) ran again: ${rebuilt.map((s) => s.label).join(' ')}`,
    rebuilt
      .map((s) => {
        const id = seen.get(s.label);
        if (!id) return `${describe(s)}: not in the build output`;
        // What BuildKit said about the step instead, for whoever has to find out why.
        const said = build.output.split('\n').filter((line) => line.startsWith(`${id} `)).slice(0, 12);
        return `${describe(s)}: not CACHED\n  ${said.join('\n  ')}`;
      })
      .join('\n'),
    { rebuildSeconds: build.ms / 1000 },
  );
}

/** The project's own test run (`docker build --target test`), dependency install included. */
const TEST_TARGET_TIMEOUT_MS = 8 * 60_000;

export async function checkTestTarget(project: Project, options: { noCache?: boolean } = {}): Promise<CheckResult> {
  // Bounded well below the build limit: a project test that hangs (waiting for an exit that never
  // comes, say) must fail this check, not hold the whole suite.
  const build = await buildImage({ context: project.dir, target: 'test', noCache: options.noCache ?? false, timeoutMs: TEST_TARGET_TIMEOUT_MS });
  if (build.ok) return pass('image:test-target', seconds(build.ms), { testBuildSeconds: build.ms / 1000 });
  return fail('image:test-target', build.timedOut ? `timed out after ${TEST_TARGET_TIMEOUT_MS / 60_000} min` : 'failed', tail(build.output, 40));
}

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
    const readyMs = performance.now() - container.startedAt;
    if (!first.ok) {
      const pids = await container.pids().catch(() => []);
      const elsewhere = listeningSocketsOf(pids).map((s) => `${s.address}:${s.port}`);
      const why = exited ? 'the container exited' : `no 200 on $PORT=${port} within ${seconds(LIMITS.startTimeoutMs)}`;
      results.push(
        fail('runtime:port', why, `${elsewhere.length ? `it listens on ${elsewhere.join(', ')} instead\n` : ''}last attempt: ${first.last?.error ?? first.last?.status ?? 'none'}\n${await containerNotes(container)}`),
      );
      return results;
    }
    results.push(
      readyMs <= LIMITS.readyMs
        ? pass('runtime:port', `${seconds(readyMs)} to first 200 on $PORT=${port}`, { readySeconds: readyMs / 1000 })
        : fail('runtime:port', `${seconds(readyMs)} to first 200 (limit ${seconds(LIMITS.readyMs)})`, undefined, { readySeconds: readyMs / 1000 }),
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
      const first = await waitFor200('127.0.0.1', 8080, LIMITS.startTimeoutMs);
      const ms = performance.now() - container.startedAt;
      if (!first.ok) return fail('runtime:default-8080', 'no 200 on 8080', await containerNotes(container));
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
