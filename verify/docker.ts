/**
 * The Docker CLI, as the container tier and the benchmark use it. Every call has a time limit;
 * builds and runs use `--network host` (the engine here has no bridge, and test traffic stays on
 * loopback); builds pass HTTP_PROXY/HTTPS_PROXY/NO_PROXY from the environment as build args.
 * Containers run the way Cloud Run runs them: all capabilities dropped, no-new-privileges, a
 * read-only root file system with a tmpfs on /tmp, the image's own (non-root) user.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';
import { readTar, type TarEntry } from './tar.js';

export const STANDINS_SCRIPT = path.join(REPO_ROOT, 'scripts/standins/build.sh');
export const STANDIN_LABEL = 'org.create-cloudrun-app.standin';

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly timedOut: boolean;
}

/** Runs a command with a time limit (SIGKILL when it passes). Never rejects. */
export function run(command: string, args: readonly string[], options: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = { timeoutMs: 60_000 }): Promise<CommandResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    let child: ChildProcess;
    try {
      child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ code: null, stdout: '', stderr: String(err), ms: 0, timedOut: false });
      return;
    }
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', (err) => (stderr += String(err)));
    child.stdin!.on('error', () => {}); // a command that exits without reading its input: EPIPE is not our failure
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - started, timedOut });
    });
    child.stdin!.end(options.input ?? '');
  });
}

export const docker = (args: readonly string[], timeoutMs = 60_000, cwd?: string): Promise<CommandResult> => run('docker', args, { timeoutMs, ...(cwd ? { cwd } : {}) });

/** Is there a Docker engine answering? The reason is one line for the "skipped" message. */
export async function engineStatus(): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  const result = await run('docker', ['version', '--format', '{{.Server.Version}}'], { timeoutMs: 20_000 });
  if (result.code === 0 && result.stdout.trim()) return { ok: true, version: result.stdout.trim() };
  if (result.stderr.includes('ENOENT')) return { ok: false, reason: 'no `docker` command on PATH' };
  if (result.timedOut) return { ok: false, reason: '`docker version` did not answer within 20 s' };
  const line = (result.stderr.trim().split('\n').find((l) => l.trim()) ?? `exit ${result.code}`).trim();
  return { ok: false, reason: `no Docker engine answers (${line})` };
}

/** Build args for the proxy variables that are set (BuildKit treats these as predefined, uncached args). */
export function proxyBuildArgs(): string[] {
  const args: string[] = [];
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) {
    const value = process.env[name];
    if (value) args.push('--build-arg', `${name}=${value}`);
  }
  return args;
}

export interface BuildResult {
  readonly ok: boolean;
  readonly ms: number;
  /** BuildKit's plain progress output (stderr). */
  readonly output: string;
  readonly timedOut: boolean;
}

/**
 * `classic`: Docker's legacy builder (DOCKER_BUILDKIT=0), the one `gcloud builds submit --tag`
 * and `gcloud run deploy --source .` use on Cloud Build: no `RUN --mount`, no automatic
 * BUILDPLATFORM/TARGETARCH, and every stage up to the target is built.
 */
export async function buildImage(options: { context: string; tag?: string; target?: string; noCache?: boolean; timeoutMs?: number; classic?: boolean }): Promise<BuildResult> {
  const args = ['build', '--network', 'host', '--platform', 'linux/amd64', ...(options.classic ? [] : ['--progress', 'plain']), ...proxyBuildArgs()];
  if (options.tag) args.push('--tag', options.tag);
  if (options.target) args.push('--target', options.target);
  if (options.noCache) args.push('--no-cache');
  args.push(options.context);
  const env = options.classic ? { ...process.env, DOCKER_BUILDKIT: '0' } : process.env;
  const result = await run('docker', args, { timeoutMs: options.timeoutMs ?? 20 * 60_000, env });
  return { ok: result.code === 0, ms: result.ms, output: result.stderr + result.stdout, timedOut: result.timedOut };
}

/** The last lines of a build log, for a failure message. */
export function tail(text: string, lines = 25): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export interface CheckWarning {
  readonly ruleName: string;
  readonly detail: string;
  readonly line: number | null;
}

/** `docker buildx build --call=check`: Docker's own Dockerfile lint. */
export async function dockerCallCheck(context: string): Promise<{ ok: boolean; warnings: CheckWarning[]; error?: string }> {
  const result = await docker(['buildx', 'build', '--call=check,format=json', '--network', 'host', ...proxyBuildArgs(), context], 120_000);
  try {
    const report = JSON.parse(result.stdout) as { warnings?: { ruleName: string; detail: string; location?: { ranges?: { start?: { line?: number } }[] } }[] | null; buildError?: { message: string } };
    const warnings = (report.warnings ?? []).map((w) => ({ ruleName: w.ruleName, detail: w.detail, line: w.location?.ranges?.[0]?.start?.line ?? null }));
    if (report.buildError) return { ok: false, warnings, error: report.buildError.message };
    return { ok: warnings.length === 0, warnings };
  } catch {
    return { ok: false, warnings: [], error: tail(result.stderr || result.stdout, 8) || `exit ${result.code}` };
  }
}

export interface ImageInfo {
  readonly id: string;
  readonly os: string;
  readonly architecture: string;
  readonly user: string;
  readonly entrypoint: readonly string[] | null;
  readonly cmd: readonly string[] | null;
  readonly size: number;
  readonly layers: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

export async function inspectImage(image: string): Promise<ImageInfo | null> {
  const result = await docker(['image', 'inspect', image], 30_000);
  if (result.code !== 0) return null;
  const [info] = JSON.parse(result.stdout) as {
    Id: string;
    Os: string;
    Architecture: string;
    Size: number;
    Config: { User?: string; Entrypoint?: string[] | null; Cmd?: string[] | null; Labels?: Record<string, string> | null };
    RootFS: { Layers?: string[] };
  }[];
  if (!info) return null;
  return {
    id: info.Id,
    os: info.Os,
    architecture: info.Architecture,
    user: info.Config.User ?? '',
    entrypoint: info.Config.Entrypoint ?? null,
    cmd: info.Config.Cmd ?? null,
    size: info.Size,
    layers: info.RootFS.Layers ?? [],
    labels: info.Config.Labels ?? {},
  };
}

const exportCache = new Map<string, Promise<TarEntry[]>>();

/**
 * The image's file system as a tar listing (`docker create` + `docker export`; distroless images
 * have no shell to list themselves). `keep` selects small files whose content is collected.
 */
export async function exportImage(image: string, keep: (path: string, size: number) => boolean = () => false): Promise<TarEntry[]> {
  // A placeholder entrypoint: base images like distroless/static have no CMD, and this never runs.
  const created = await docker(['create', '--network', 'none', '--entrypoint', '/ccra-export-only', image], 60_000);
  if (created.code !== 0) throw new Error(`docker create ${image}: ${created.stderr.trim()}`);
  const id = created.stdout.trim();
  try {
    const child = spawn('docker', ['export', id], { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5 * 60_000);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const entries = await readTar(child.stdout, keep);
    const code = await exited;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`docker export ${image}: ${stderr.trim() || `exit ${code}`}`);
    return entries;
  } finally {
    await docker(['rm', '-f', id], 60_000);
  }
}

/** Like exportImage without content, cached per image id (base images are listed once per run). */
export async function imageListing(image: string): Promise<TarEntry[]> {
  const info = await inspectImage(image);
  const key = info?.id ?? image;
  let listing = exportCache.get(key);
  if (!listing) {
    listing = exportImage(image);
    exportCache.set(key, listing);
    listing.catch(() => exportCache.delete(key));
  }
  return listing;
}

/**
 * Makes sure the base images exist: runs the infra engineer's `scripts/standins/build.sh` with the
 * images the Dockerfile names (it builds only what is missing), then reports which of them are
 * stand-ins (label org.create-cloudrun-app.standin=true). An image the script does not know is
 * fine when it is already present (a contributor may have pulled the real one).
 */
export async function ensureBaseImages(images: readonly string[]): Promise<{ ok: boolean; standins: string[]; real: string[]; missing: string[]; log: string }> {
  let log = '';
  if (images.length > 0 && existsSync(STANDINS_SCRIPT)) {
    const known: string[] = [];
    for (const image of images) {
      // build.sh refuses unknown names; ask it about each, so one unknown image does not stop the others.
      const result = await run('bash', [STANDINS_SCRIPT, image], { timeoutMs: 30 * 60_000 });
      log += result.stdout + result.stderr;
      if (result.code === 0) known.push(image);
    }
  } else if (!existsSync(STANDINS_SCRIPT)) log += `${STANDINS_SCRIPT} not found: using the images already present\n`;
  const standins: string[] = [];
  const real: string[] = [];
  const missing: string[] = [];
  for (const image of images) {
    const info = await inspectImage(image);
    if (!info) missing.push(image);
    else if (info.labels[STANDIN_LABEL] === 'true') standins.push(image);
    else real.push(image);
  }
  return { ok: missing.length === 0, standins, real, missing, log };
}

// ---------------------------------------------------------------------------------------------
// Containers
// ---------------------------------------------------------------------------------------------

/** The `docker run` flags that make a container run the way Cloud Run runs it. */
export const CLOUD_RUN_FLAGS = ['--network', 'host', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--read-only', '--tmpfs', '/tmp:rw,size=64m'] as const;

const liveContainers = new Set<string>();

export class Container {
  private waiter: Promise<{ code: number | null; at: number }> | null = null;

  private constructor(
    readonly id: string,
    readonly startedAt: number,
  ) {}

  /** `docker run -d` with the Cloud Run flags and `env`; `startedAt` is taken just before the call. */
  static async start(image: string, env: Record<string, string>, extraArgs: readonly string[] = []): Promise<Container> {
    const args = ['run', '-d', ...CLOUD_RUN_FLAGS, '--label', 'org.create-cloudrun-app.verify=true', ...extraArgs];
    for (const [k, v] of Object.entries(env)) args.push('-e', `${k}=${v}`);
    args.push(image);
    const startedAt = performance.now();
    const result = await docker(args, 60_000);
    if (result.code !== 0) throw new Error(`docker run ${image}: ${result.stderr.trim()}`);
    const container = new Container(result.stdout.trim(), startedAt);
    liveContainers.add(container.id);
    container.watchExit();
    return container;
  }

  /** Starts `docker wait` at once, so the exit is seen the moment it happens. */
  private watchExit(): void {
    this.waiter = new Promise((resolve) => {
      const child = spawn('docker', ['wait', this.id], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('close', () => resolve({ code: out.trim() === '' ? null : Number(out.trim()), at: performance.now() }));
    });
  }

  /** Resolves with the exit status and the time of exit, or null if it is still running after `timeoutMs`. */
  async waitExit(timeoutMs: number): Promise<{ code: number | null; at: number } | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
    });
    const result = await Promise.race([this.waiter!, timeout]);
    clearTimeout(timer);
    return result;
  }

  /** Sends a signal; returns the time just before the `docker kill` call. */
  async signal(signal: 'TERM' | 'INT' | 'KILL'): Promise<number> {
    const at = performance.now();
    await docker(['kill', '--signal', signal, this.id], 30_000);
    return at;
  }

  /**
   * When the container's process started (Docker's State.StartedAt), in epoch milliseconds: later
   * than `startedAt` by the engine's own set-up time, which grows on a busy machine.
   */
  async processStartedAt(): Promise<number> {
    const result = await docker(['inspect', '-f', '{{.State.StartedAt}}', this.id], 30_000);
    const at = Date.parse(result.stdout.trim());
    if (Number.isNaN(at)) throw new Error(`docker inspect ${this.id}: no start time (${result.stdout.trim() || result.stderr.trim()})`);
    return at;
  }

  async running(): Promise<boolean> {
    const result = await docker(['inspect', '-f', '{{.State.Running}}', this.id], 30_000);
    return result.stdout.trim() === 'true';
  }

  /** Host PIDs of the container's processes (PID 1 first). */
  async pids(): Promise<number[]> {
    const result = await docker(['inspect', '-f', '{{.State.Pid}}', this.id], 30_000);
    const pid1 = Number(result.stdout.trim());
    if (!pid1) return [];
    const top = await docker(['top', this.id, '-eo', 'pid'], 30_000);
    const all = top.stdout
      .split('\n')
      .slice(1)
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
    return [pid1, ...all.filter((p) => p !== pid1)];
  }

  /** stdout and stderr, each as lines. */
  async logs(): Promise<{ stdout: string[]; stderr: string[] }> {
    const result = await docker(['logs', this.id], 60_000);
    const lines = (s: string): string[] => s.split('\n').filter((l) => l.trim() !== '');
    return { stdout: lines(result.stdout), stderr: lines(result.stderr) };
  }

  /** Kills (if needed) and removes the container. */
  async remove(): Promise<void> {
    await docker(['rm', '-f', this.id], 60_000);
    liveContainers.delete(this.id);
  }
}

/** Removes every container this process started and did not remove (afterAll safety net). */
export async function removeLeftoverContainers(): Promise<void> {
  const ids = [...liveContainers];
  if (ids.length > 0) await docker(['rm', '-f', ...ids], 120_000);
  liveContainers.clear();
}

export async function removeImages(tags: readonly string[]): Promise<void> {
  if (tags.length > 0) await docker(['image', 'rm', '-f', ...tags], 120_000);
}

export function formatBytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
