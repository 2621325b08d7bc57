/** Shared helpers for the generator's own tests: fixtures, raw args, and running the built bin. */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, lstat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RawArgs } from '../../src/options.js';

export { BIN, REPO_ROOT } from '../../verify/paths.js';
import { BIN, REPO_ROOT } from '../../verify/paths.js';
export const MINI_TEMPLATE_DIR = path.join(REPO_ROOT, 'test/fixtures/mini');

export function rawArgs(overrides: Partial<RawArgs> = {}): RawArgs {
  return { vars: [], yes: true, overwrite: false, dryRun: false, json: false, listTemplates: false, ...overrides };
}

export async function tempDir(prefix = 'ccra-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built bin with no terminal attached (stdin is /dev/null), as a script or CI would. */
export function runBin(args: readonly string[], options: { cwd: string; env?: Record<string, string | undefined> }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, CI: undefined, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every entry below a folder (lstat, links not followed) with its bytes and mode, for exact comparisons. */
export async function snapshotTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (relative: string): Promise<void> => {
    for (const entry of (await readdir(path.join(root, relative))).sort()) {
      const rel = relative ? `${relative}/${entry}` : entry;
      const full = path.join(root, rel);
      const info = await lstat(full);
      const mode = (info.mode & 0o777).toString(8);
      if (info.isSymbolicLink()) out[rel] = `link`;
      else if (info.isDirectory()) {
        out[`${rel}/`] = `dir ${mode}`;
        await walk(rel);
      } else out[rel] = `${mode} ${(await readFile(full)).toString('base64')}`;
    }
  };
  await walk('');
  return out;
}
