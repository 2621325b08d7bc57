/**
 * The check command (`npm run verify -- <folder>`, scripts/verify-template.mjs), run
 * the way a contributor runs it: against a copy of a built-in template with a new id and an extra
 * file, outside the repository, which must pass; and against a copy whose server ignores SIGTERM,
 * which must fail. Each run is a real nested run of the container tier (service only and npm only,
 * to keep it short: the main tier verifies pnpm). Without a Docker engine only the argument
 * handling is tested (the tier itself says why it was skipped, or fails under REQUIRE_DOCKER=1).
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { engineStatus } from '../../verify/docker.js';
import { REPO_ROOT } from '../../verify/paths.js';

const SCRIPT = path.join(REPO_ROOT, 'scripts/verify-template.mjs');
const SOURCE = path.join(REPO_ROOT, 'templates/node-express');
const TIMEOUT = 20 * 60_000;

function verify(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT - 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A copy of node-express outside the repository, with a new id, an extra file, and an optional edit; without verify.json (no mutants), as a first contribution would be. */
async function copyTemplate(id: string, edit?: { file: string; find: string; replace: string }): Promise<string> {
  const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'ccra-contrib-')), id);
  await cp(SOURCE, dir, { recursive: true });
  await rm(path.join(dir, 'verify.json'));
  const manifestFile = path.join(dir, 'template.json');
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
  await writeFile(manifestFile, `${JSON.stringify({ ...manifest, id, name: `${id} (contributed copy)`, $schema: undefined }, null, 2)}\n`);
  await writeFile(path.join(dir, 'CONTRIBUTED.md'), `# ${id}\n\nAn extra file only this template has.\n`);
  if (edit) {
    const file = path.join(dir, edit.file);
    const text = await readFile(file, 'utf8');
    expect(text.split(edit.find).length - 1, `${edit.find} occurs once in ${edit.file}`).toBe(1);
    await writeFile(file, text.replace(edit.find, edit.replace));
  }
  return dir;
}

const made: string[] = [];
afterAll(async () => {
  for (const dir of made) await rm(path.dirname(dir), { recursive: true, force: true });
});

describe('npm run verify -- <folder> (scripts/verify-template.mjs)', () => {
  it('--help explains the command', async () => {
    const { code, output } = await verify(['--help']);
    expect(code).toBe(0);
    expect(output).toContain('usage: npm run verify -- <template-folder>');
  });
  it('a folder without template.json is refused with a one-line reason', async () => {
    const { code, output } = await verify([os.tmpdir()]);
    expect(code).toBe(2);
    expect(output).toMatch(/^verify-template: .* has no template.json/m);
  });
  it('an unknown --type is refused', async () => {
    const { code, output } = await verify([SOURCE, '--type', 'daemon']);
    expect(code).toBe(2);
    expect(output).toContain('--type must be service or job');
  });
});

const engine = await engineStatus();
describe.runIf(engine.ok)('the check command on contributed templates (real containers)', () => {
  it(
    'a copy of node-express with a new id and an extra file, outside the repository, passes',
    async () => {
      const dir = await copyTemplate('my-express');
      made.push(dir);
      const { code, output } = await verify([dir, '--type', 'service'], { VERIFY_REPORT: path.join(path.dirname(dir), 'report.json'), VERIFY_PACKAGE_MANAGER: 'npm' });
      expect(output, output.slice(-4000)).toMatch(/PASS my-express\/service +idle SIGTERM -> exit 0/);
      expect(output).toContain('no mutant definitions for my-express');
      expect(code, output.slice(-4000)).toBe(0);
    },
    TIMEOUT,
  );
  it(
    'a copy whose server ignores SIGTERM fails the check command',
    async () => {
      const dir = await copyTemplate('deaf-express', { file: '+service/src/shutdown.js', find: "signals.on('SIGTERM', onSignal);", replace: "signals.on('SIGUSR2', onSignal);" });
      made.push(dir);
      const { code, output } = await verify([dir, '--type', 'service'], { VERIFY_REPORT: path.join(path.dirname(dir), 'report.json'), VERIFY_PACKAGE_MANAGER: 'npm' });
      expect(output, output.slice(-4000)).toMatch(/FAIL deaf-express\/service +idle SIGTERM -> exit 0 +still running/);
      expect(code).not.toBe(0);
    },
    TIMEOUT,
  );
});
