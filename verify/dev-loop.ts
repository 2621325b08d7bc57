/**
 * The development loop of a generated service, run for real: the project's `test` stage image
 * (its toolchain and development dependencies, as on a developer's machine) runs the README's
 * dev command; a source file is edited in place; the new answer of `GET /` must appear.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildImage, docker, tail } from './docker.js';
import { freePort, httpRequest, sleep } from './net.js';
import type { Project } from './project.js';

export const ORIGINAL_TEXT = 'Hello from Cloud Run!';
export const EDITED_TEXT = 'Hello from the dev loop!';

export interface DevLoopRun {
  /** The edited answer was seen. */
  readonly reloaded: boolean;
  /** Start of the command to its first 200. */
  readonly startMs: number;
  /** The edit to the first edited answer (or how long it was waited for). */
  readonly reloadMs: number;
  readonly logs: string;
}

export async function buildTestStage(project: Project, tag: string): Promise<void> {
  const build = await buildImage({ context: project.dir, tag, target: 'test', timeoutMs: 20 * 60_000 });
  if (!build.ok) throw new Error(`building the test stage of ${project.variant.key} failed:\n${tail(build.output, 30)}`);
}

async function body(port: number): Promise<string | null> {
  const response = await httpRequest({ host: '127.0.0.1', port, path: '/', timeoutMs: 2000 });
  return response.status === 200 && response.complete ? response.body : null;
}

/**
 * Runs `command` in the test-stage image (on loopback, a free PORT), waits for the first 200,
 * rewrites `file` in place (same inode, as an editor's plain save) and polls `GET /` until the
 * edited text appears or `reloadWaitMs` passes.
 */
export async function runDevLoop(
  image: string,
  project: Project,
  command: readonly string[],
  file: string,
  limits: { startMs: number; reloadWaitMs: number },
): Promise<DevLoopRun> {
  const source = await readFile(path.join(project.dir, file), 'utf8');
  if (source.split(ORIGINAL_TEXT).length !== 2) throw new Error(`${file} must hold "${ORIGINAL_TEXT}" exactly once`);
  const port = await freePort();
  const name = `ccra-devloop-${process.pid}-${port}`;
  const started = await docker(['run', '-d', '--name', name, '--network', 'host', '--label', 'org.create-cloudrun-app.verify=true', '-e', `PORT=${port}`, image, ...command]);
  if (started.code !== 0) {
    await docker(['rm', '-f', name]); // a command that cannot start leaves a created container behind
    throw new Error(`docker run ${image} ${command.join(' ')}: ${started.stderr.trim()}`);
  }
  try {
    const t0 = Date.now();
    let first: string | null = null;
    while (first === null && Date.now() - t0 < limits.startMs) {
      first = await body(port);
      if (first === null) await sleep(200);
    }
    const startMs = Date.now() - t0;
    if (first === null || !first.includes(ORIGINAL_TEXT)) {
      const logs = await docker(['logs', name]);
      throw new Error(`\`${command.join(' ')}\` gave no 200 with "${ORIGINAL_TEXT}" within ${limits.startMs / 1000} s (got ${JSON.stringify(first)}):\n${tail(logs.stdout + logs.stderr, 30)}`);
    }
    // As root: the image's files belong to root, as the user's own files belong to them.
    const edit = await docker([
      'exec', '--user', '0', name, 'sh', '-c',
      'sed "s/$1/$2/" "$3" > /tmp/devloop-edit && cat /tmp/devloop-edit > "$3"', 'edit', ORIGINAL_TEXT, EDITED_TEXT, file,
    ]);
    if (edit.code !== 0) throw new Error(`editing ${file} in the container failed: ${edit.stderr.trim()}`);
    const t1 = Date.now();
    let reloaded = false;
    while (!reloaded && Date.now() - t1 < limits.reloadWaitMs) {
      reloaded = (await body(port))?.includes(EDITED_TEXT) ?? false;
      if (!reloaded) await sleep(200);
    }
    const reloadMs = Date.now() - t1;
    const logs = await docker(['logs', name]);
    return { reloaded, startMs, reloadMs, logs: tail(logs.stdout + logs.stderr, 20) };
  } finally {
    await docker(['rm', '-f', name]);
  }
}
