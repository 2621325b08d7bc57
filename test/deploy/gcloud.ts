/**
 * The real gcloud, run offline for the deploy tests: each call gets an empty, temporary
 * configuration (no account), so a command gcloud accepts stops at authentication and a bad flag
 * or file fails before that. At most four run at once (each takes 1-2 s of CPU to start).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Semaphore } from '../../verify/limit.js';

export const GCLOUD = spawnSync('bash', ['-c', 'command -v gcloud'], { encoding: 'utf8' }).stdout.trim();

/** What gcloud says when it accepted the command and would now need credentials. */
export const AUTH_STOP = /You do not currently have an active account selected/;

const pool = new Semaphore(4);

/** Runs `argv` (`['gcloud', ...]`) in `cwd` with an empty configuration; never throws on failure. */
export function runGcloud(argv: readonly string[], cwd?: string): Promise<{ code: number | null; output: string }> {
  return pool.use(async () => {
    const config = await mkdtemp(path.join(tmpdir(), 'gcloud-config-'));
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      HOME: config,
      DOCKER_CONFIG: path.join(config, 'docker'), // configure-docker writes here, not to ~/.docker
      CLOUDSDK_CONFIG: config,
      CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
      CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
    };
    try {
      return await new Promise((resolve) => {
        execFile(GCLOUD, argv.slice(1), { cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, output: `${stdout}${stderr}` });
        });
      });
    } finally {
      await rm(config, { recursive: true, force: true });
    }
  });
}
