/**
 * After writing, without a terminal: git init by default, the install only on --install, both
 * reported in text and JSON; a missing tool is a line, a failed install exits 1 with the project
 * kept. PATH holds only node, git and (where a case needs it) a stand-in npm; HOME is temporary.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin, snapshotTree, tempDir } from '../support/generator.js';

async function environment(npmScript?: string): Promise<Record<string, string>> {
  const bin = await tempDir('ccra-bin-');
  await symlink(process.execPath, path.join(bin, 'node'));
  await symlink(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), path.join(bin, 'git'));
  if (npmScript !== undefined) {
    await writeFile(path.join(bin, 'npm'), `#!/bin/sh\n${npmScript}\n`);
    await chmod(path.join(bin, 'npm'), 0o755);
  }
  return { PATH: bin, HOME: await tempDir('ccra-home-'), GIT_CONFIG_NOSYSTEM: '1' };
}

describe('git and install after writing (no terminal)', () => {
  it('--yes initialises git with a first commit and does not install; --json says both', async () => {
    const cwd = await tempDir();
    const env = await environment('echo called >> "$HOME/npm.log"');
    const { code, stdout } = await runBin(['api', '--template', 'node-express', '--json'], { cwd, env });
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: path.join(cwd, 'api'), env, encoding: 'utf8' }).trim();
    expect(result.git).toEqual({ status: 'created', commit: head });
    expect(result.install).toEqual({ status: 'skipped', commands: ['npm install'], reason: 'not requested (--install runs it)' });
    expect(result.nextSteps).toEqual(expect.arrayContaining(['cd api', 'npm install']));
    await expect(readFile(path.join(env.HOME!, 'npm.log'), 'utf8')).rejects.toThrow(); // npm never ran
  });

  it('--install runs the tool in the project; its output goes to stderr, next steps drop the install', async () => {
    const cwd = await tempDir();
    const env = await environment('echo "npm says hi" ; echo "$PWD $*" >> "$HOME/npm.log"');
    const { code, stdout, stderr } = await runBin(['api', '--template', 'node-express', '--yes', '--install', '--no-git'], { cwd, env });
    expect(code).toBe(0);
    expect(await readFile(path.join(env.HOME!, 'npm.log'), 'utf8')).toBe(`${path.join(cwd, 'api')} install\n`);
    expect(stderr).toContain('npm says hi');
    expect(stdout).toContain('dependencies: installed (npm install)');
    expect(stdout).not.toMatch(/^ {2}npm install$/m);
    expect(stdout).not.toContain('git:'); // --no-git: nothing to report
  });

  it('--install without the tool on PATH: one clear line, exit 0, the install stays in the next steps', async () => {
    const cwd = await tempDir();
    const { code, stdout } = await runBin(['api', '--template', 'node-express', '--yes', '--install', '--no-git'], { cwd, env: await environment() });
    expect(code).toBe(0);
    expect(stdout).toContain('dependencies: not installed (npm is not on PATH); see the next steps');
    expect(stdout).toMatch(/^ {2}npm install$/m);
  });

  it('a failed install exits 1 with one line; the project stays written', async () => {
    const cwd = await tempDir();
    const { code, stderr } = await runBin(['api', '--template', 'node-express', '--yes', '--install', '--no-git'], { cwd, env: await environment('echo "ERR! network" >&2; exit 7') });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^create-cloudrun-app: error: installing dependencies failed: npm install: exited with status 7 \(the project is written\)$/m);
    expect(Object.keys(await snapshotTree(path.join(cwd, 'api')))).toContain('package.json');
  });

  it('inside an existing repository, or without git, the project is written and git is skipped with a reason', async () => {
    const repo = await tempDir();
    await mkdir(path.join(repo, '.git'));
    const inside = await runBin(['api', '--template', 'node-express', '--yes'], { cwd: repo, env: await environment() });
    expect(inside.code).toBe(0);
    expect(inside.stdout).toContain(`git: skipped (inside the git repository ${repo})`);
    expect(Object.keys(await snapshotTree(path.join(repo, 'api')))).not.toContain('.git/');

    const noGit = await environment();
    const bin = noGit.PATH!;
    execFileSync('rm', [path.join(bin, 'git')]);
    const cwd = await tempDir();
    const without = await runBin(['api', '--template', 'node-express', '--yes', '--json'], { cwd, env: noGit });
    expect(without.code).toBe(0);
    expect(JSON.parse(without.stdout).git).toEqual({ status: 'skipped', reason: 'git is not on PATH' });
  });
});
