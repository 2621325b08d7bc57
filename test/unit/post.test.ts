/** The steps after writing: finding tools, the install commands as data, git init and the defaults. */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/options.js';
import { enclosingRepository, FALLBACK_AUTHOR, gitSkipReason, initRepository } from '../../src/post/git.js';
import { findOnPath, planInstall } from '../../src/post/install.js';
import { choosePostSteps, postStepOffer } from '../../src/post/steps.js';
import { listTemplates } from '../../src/templates/registry.js';
import { rawArgs, tempDir } from '../support/generator.js';

const templates = await listTemplates();

async function fakeTool(dir: string, name: string, mode = 0o755): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, '#!/bin/sh\nexit 0\n');
  await chmod(file, mode);
  return file;
}

describe('findOnPath', () => {
  it('finds the first executable file on PATH, and skips ones that are not executable', async () => {
    const [a, b] = [await tempDir(), await tempDir()];
    await fakeTool(a, 'npm', 0o644);
    const found = await fakeTool(b, 'npm');
    expect(findOnPath('npm', { PATH: [a, b].join(path.delimiter) })).toBe(found);
    expect(findOnPath('npm', { PATH: a })).toBeUndefined();
    expect(findOnPath('npm', {})).toBeUndefined();
  });
});

describe('install commands (template.json "install")', () => {
  const options = (template: string, cwd = '/tmp') => resolveOptions(rawArgs({ template, directory: 'app' }), {}, templates, cwd);
  it.each([
    ['node-express', [['npm', 'install']]],
    ['python-flask', [['python3', '-m', 'venv', '.venv'], ['.venv/bin/pip', 'install', '-r', 'requirements-dev.txt']]],
    ['ruby-sinatra', [['bundle', 'install']]],
    ['go-net-http', [['go', 'mod', 'download']]],
  ])('%s installs with its own tool', async (id, commands) => {
    const plan = await planInstall(options(id), { PATH: '' });
    expect(plan.commands).toEqual(commands);
    expect(plan.tool).toBe(commands[0]![0]);
    expect(plan.toolPath).toBeUndefined(); // PATH is empty
  });
  it('uses the package manager option where a template asks for it; none given means npm', async () => {
    expect((await planInstall(options('node-express'), { PATH: '' })).commands).toEqual([['npm', 'install']]);
    const plan = await planInstall({ ...options('node-express'), packageManager: 'pnpm' as const }, { PATH: '' });
    expect(plan.commands).toEqual([['pnpm', 'install']]);
  });
});

describe('what to ask and what to do', () => {
  const plan = { gitSkip: undefined, install: { commands: [['npm', 'install']], tool: 'npm', toolPath: '/usr/bin/npm' } };
  it('asks only what no flag decided and what can run', () => {
    expect(postStepOffer({ dryRun: false }, plan)).toEqual({ git: true, install: 'npm install' });
    expect(postStepOffer({ dryRun: false, git: false, install: true }, plan)).toEqual({ git: false });
    expect(postStepOffer({ dryRun: false }, { gitSkip: 'inside a repository', install: { ...plan.install, toolPath: undefined } })).toEqual({ git: false });
    expect(postStepOffer({ dryRun: true }, plan)).toEqual({ git: false });
  });
  it('defaults: git yes; install only when asked for, or when an interactive run was not asked', () => {
    expect(choosePostSteps({}, {}, false)).toEqual({ git: true, install: false });
    expect(choosePostSteps({}, {}, true)).toEqual({ git: true, install: true });
    expect(choosePostSteps({ git: false, install: true }, { git: true, install: false }, true)).toEqual({ git: false, install: true });
    expect(choosePostSteps({}, { git: false, install: false }, true)).toEqual({ git: false, install: false });
  });
});

describe('git', () => {
  const gitEnv = (home: string) => ({ PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1' });
  it('finds an enclosing repository and skips git init inside it', async () => {
    const repo = await tempDir();
    await mkdir(path.join(repo, '.git'));
    await mkdir(path.join(repo, 'sub'));
    expect(enclosingRepository(path.join(repo, 'sub'))).toBe(repo);
    expect(gitSkipReason(path.join(repo, 'sub', 'app'), gitEnv(repo))).toBe(`inside the git repository ${repo}`);
    expect(gitSkipReason(path.join(await tempDir(), 'app'), { PATH: '' })).toBe('git is not on PATH');
  });
  it('commits everything with a fallback author when none is configured, without touching any config', async () => {
    const home = await tempDir('ccra-home-');
    const project = await tempDir();
    await writeFile(path.join(project, 'a.txt'), 'a\n');
    const outcome = await initRepository(project, gitEnv(home));
    expect(outcome.status).toBe('created');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: project, env: gitEnv(home), encoding: 'utf8' }).trim();
    expect(git('log', '--format=%an <%ae>|%s')).toBe(`${FALLBACK_AUTHOR.name} <${FALLBACK_AUTHOR.email}>|Initial commit from create-cloudrun-app`);
    expect(git('ls-files')).toBe('a.txt');
    expect(git('config', '--list', '--local')).not.toContain('user.'); // nothing written to the repository's config
    expect(() => git('config', '--global', 'user.email')).toThrow(); // nor to the (temporary) global one
  });
  it("uses the user's own identity when git has one", async () => {
    const home = await tempDir('ccra-home-');
    await writeFile(path.join(home, '.gitconfig'), '[user]\n\tname = Ada\n\temail = ada@example.com\n');
    const project = await tempDir();
    await writeFile(path.join(project, 'a.txt'), 'a\n');
    expect((await initRepository(project, gitEnv(home))).status).toBe('created');
    expect(execFileSync('git', ['log', '--format=%an <%ae>'], { cwd: project, env: gitEnv(home), encoding: 'utf8' }).trim()).toBe('Ada <ada@example.com>');
  });
});
