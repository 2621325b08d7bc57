/**
 * Helpers for the generator's adversarial suite (test/e2e/safety.test.ts): exact snapshots of a
 * folder tree, the bin as a child process that can be signalled, and the pause hook
 * (CREATE_CLOUDRUN_APP_TEST_PAUSE) that stops a write at a named step.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BIN, tempDir, type RunResult } from './generator.js';

/** path -> "type mode size sha256" (or the link's target), for every entry; links never followed. */
export type Snapshot = Record<string, string>;

export async function snapshot(root: string): Promise<Snapshot> {
  const out: Snapshot = {};
  const walk = async (relative: string): Promise<void> => {
    for (const entry of (await readdir(path.join(root, relative))).sort()) {
      const rel = relative ? `${relative}/${entry}` : entry;
      const full = path.join(root, rel);
      const info = await lstat(full);
      const mode = (info.mode & 0o7777).toString(8);
      if (info.isSymbolicLink()) out[rel] = `link -> ${await readlink(full)}`;
      else if (info.isDirectory()) {
        out[`${rel}/`] = `dir ${mode}`;
        await walk(rel);
      } else if (info.isFile()) {
        out[rel] = `file ${mode} ${info.size} ${createHash('sha256').update(await readFile(full)).digest('hex')}`;
      } else out[rel] = `special ${info.mode.toString(8)}`;
    }
  };
  await walk('');
  return out;
}

/** The part of a snapshot below `prefix/`, re-rooted there. */
export function subtree(snap: Snapshot, prefix: string): Snapshot {
  return Object.fromEntries(Object.entries(snap).filter(([key]) => key.startsWith(`${prefix}/`)).map(([key, value]) => [key.slice(prefix.length + 1), value]));
}

/** Everything except what is below `prefix/` (and `prefix/` itself). */
export function outside(snap: Snapshot, prefix: string): Snapshot {
  return Object.fromEntries(Object.entries(snap).filter(([key]) => key !== `${prefix}/` && !key.startsWith(`${prefix}/`)));
}

export interface Running {
  readonly child: ChildProcess;
  readonly done: Promise<RunResult>;
}

/** The built bin as a child process (no terminal), so a test can signal it. */
/**
 * Starts the bin with `--no-git`: this suite checks the write itself; the git repository made after
 * it (post-write steps) has tests of its own.
 */
export function startBin(givenArgs: readonly string[], options: { cwd: string; env?: Record<string, string | undefined>; node?: string; umask?: string; bin?: string }): Running {
  const args = [...givenArgs, '--no-git'];
  const command = options.node ?? process.execPath;
  const bin = options.bin ?? BIN;
  const child = options.umask
    ? spawn('sh', ['-c', `umask ${options.umask} && exec "$0" "$@"`, command, bin, ...args], { cwd: options.cwd, env: { ...process.env, CI: undefined, ...options.env } })
    : spawn(command, [bin, ...args], { cwd: options.cwd, env: { ...process.env, CI: undefined, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<RunResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : null), stdout, stderr }));
  });
  return { child, done };
}

/**
 * The test side of the pause hook: two FIFOs. The generator writes a step's name into `at` and
 * waits until something is written into `go`.
 */
export class PauseHook {
  private ended = false;
  private constructor(readonly dir: string) {}

  static async create(): Promise<PauseHook> {
    const dir = await tempDir('ccra-pause-');
    for (const fifo of ['at', 'go']) {
      const made = spawnSync('mkfifo', [path.join(dir, fifo)]);
      if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
    }
    return new PauseHook(dir);
  }

  get env(): Record<string, string> {
    return { CREATE_CLOUDRUN_APP_TEST_PAUSE: this.dir };
  }

  /**
   * Ties the hook to the generator's end: once it is gone, a FIFO open still waiting for it is
   * released, so a test that expected a pause fails instead of blocking a thread for ever.
   */
  watch(exited: Promise<unknown>): this {
    void exited.finally(() => {
      this.ended = true;
      return this.unblock();
    });
    return this;
  }

  /** Waits for the generator to reach its next step; returns the step's name ('' once it ended). */
  async next(): Promise<string> {
    if (this.ended) return '';
    return (await readFile(path.join(this.dir, 'at'), 'utf8')).trim();
  }

  /** Lets a paused generator go on (or, with 'exit', makes it call process.exit(0) there). */
  async resume(command: '' | 'exit' = ''): Promise<void> {
    if (!this.ended) await writeFile(path.join(this.dir, 'go'), command);
  }

  /** Lets the generator run until it pauses at a step matching `step`; it stays paused there. */
  async until(step: RegExp): Promise<string> {
    for (;;) {
      const at = await this.next();
      if (at === '') throw new Error(`the generator ended before a step matching ${step}`);
      if (step.test(at)) return at;
      await this.resume();
    }
  }

  /** Lets every remaining step pass until the generator exits. */
  async drain(run: Running): Promise<RunResult> {
    while ((await this.next()) !== '') await this.resume();
    return run.done;
  }

  /** Releases any FIFO open that waits for a generator that is gone. */
  async unblock(): Promise<void> {
    for (const [fifo, flags] of [['at', constants.O_WRONLY], ['go', constants.O_RDONLY]] as const) {
      const handle = await open(path.join(this.dir, fifo), flags | constants.O_NONBLOCK).catch(() => undefined);
      await handle?.close();
    }
  }
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function run(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
}
