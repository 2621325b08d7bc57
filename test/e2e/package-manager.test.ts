/**
 * The package manager of a Node.js project, as a user meets it: `--package-manager`, or the one
 * that ran `npm create` / `pnpm create` (npm_config_user_agent), with the built bin and the
 * built-in node-express template. Other languages refuse the flag.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, snapshotTree, tempDir } from '../support/generator.js';

interface Summary {
  packageManager: string | null;
  files: { path: string }[];
  nextSteps: string[];
}

async function generate(args: readonly string[], userAgent?: string) {
  const cwd = await tempDir('ccra-pm-');
  const result = await runBin(['app', '--yes', '--json', ...args], { cwd, env: { npm_config_user_agent: userAgent } });
  const summary = result.code === 0 ? (JSON.parse(result.stdout) as Summary) : undefined;
  return { ...result, cwd, summary, paths: summary?.files.map((f) => f.path) ?? [] };
}

describe('--package-manager and npm_config_user_agent', () => {
  it.each(['service', 'job'])('pnpm (%s): pnpm-lock.yaml instead of package-lock.json, pnpm in the next steps', async (type) => {
    const { code, summary, paths, stderr } = await generate(['--framework', 'express', '--type', type, '--package-manager', 'pnpm']);
    expect([code, stderr]).toEqual([0, '']);
    expect(summary!.packageManager).toBe('pnpm');
    expect(paths).toContain('pnpm-lock.yaml');
    expect(paths).not.toContain('package-lock.json');
    expect(summary!.nextSteps).toEqual(expect.arrayContaining(['pnpm install', 'pnpm run dev', 'pnpm run check']));
    expect(summary!.nextSteps.join('\n')).not.toMatch(/\bnpm /);
  });
  it('npm by default: package-lock.json, npm in the next steps', async () => {
    const { summary, paths } = await generate(['--framework', 'express'], '');
    expect(summary!.packageManager).toBe('npm');
    expect(paths).toContain('package-lock.json');
    expect(paths).not.toContain('pnpm-lock.yaml');
    expect(summary!.nextSteps).toEqual(expect.arrayContaining(['npm install', 'npm run check']));
  });
  it('run by pnpm (pnpm create): pnpm without the flag; the flag still wins', async () => {
    const agent = 'pnpm/12.23.0 npm/? node/v24.11.0 linux x64';
    expect((await generate(['--framework', 'express'], agent)).summary!.packageManager).toBe('pnpm');
    expect((await generate(['--framework', 'express', '--package-manager', 'npm'], agent)).paths).toContain('package-lock.json');
  });
  it('run by yarn: npm, with a one-line note on stderr (stdout stays one JSON object)', async () => {
    const { code, summary, stderr } = await generate(['--framework', 'express'], 'yarn/1.22.22 npm/? node/v22.12.0 linux x64');
    expect(code).toBe(0);
    expect(summary!.packageManager).toBe('npm');
    expect(stderr).toMatch(/^create-cloudrun-app: note: yarn is not supported .* uses npm .*\n$/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
  it('run by yarn into a non-empty folder: only the error line, nothing changed', async () => {
    const cwd = await tempDir('ccra-pm-');
    await mkdir(path.join(cwd, 'app'));
    await writeFile(path.join(cwd, 'app', 'keep.txt'), 'mine\n');
    const before = await snapshotTree(cwd);
    const { code, stderr } = await runBin(['app', '--yes', '--framework', 'express'], { cwd, env: { npm_config_user_agent: 'yarn/1.22.22 npm/? node/v22.12.0 linux x64' } });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^create-cloudrun-app: error: .*not empty/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(await snapshotTree(cwd)).toEqual(before);
  });
  it('another language under pnpm: no note, no package manager in the result', async () => {
    const { code, summary, stderr } = await generate(['--framework', 'flask'], 'pnpm/12.23.0 npm/? node/v24.11.0 linux x64');
    expect([code, stderr, summary!.packageManager]).toEqual([0, '', null]);
  });
  it.each([
    [['--framework', 'flask', '--package-manager', 'pnpm'], /--package-manager applies to Node.js templates only; template "python-flask" is python/],
    [['--framework', 'express', '--package-manager', 'yarn'], /unknown --package-manager "yarn" \(choose from: npm, pnpm\)/],
    [['--framework', 'express', '--package-manager'], /argument missing/],
  ])('%j: one JSON error on stdout (--json), exit 1, nothing written', async (args, message) => {
    const { code, stdout, stderr, cwd } = await generate(args);
    expect([code, stderr]).toEqual([1, '']);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const failure = JSON.parse(stdout) as { ok: boolean; error: { message: string } };
    expect(failure.ok).toBe(false);
    expect(failure.error.message).toMatch(message);
    expect(await snapshotTree(cwd)).toEqual({});
  });
});
