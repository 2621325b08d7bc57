import { cp, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isContainedPath, outputPath } from '../../src/render/paths.js';
import { nextStepLines, planFiles, renderNextSteps } from '../../src/render/plan.js';
import { loadTemplate } from '../../src/templates/registry.js';
import { MINI_TEMPLATE_DIR, tempDir } from '../support/generator.js';

const mini = await loadTemplate(MINI_TEMPLATE_DIR);
const input = (overrides = {}) => ({
  template: mini,
  type: 'service' as const,
  name: 'demo',
  region: 'europe-west1',
  project: '',
  vars: { greeting: 'hi', workers: 3, verbose: true },
  ...overrides,
});
const text = (files: Awaited<ReturnType<typeof planFiles>>, file: string) => files.find((f) => f.path === file)?.contents.toString('utf8');

describe('paths', () => {
  it.each([
    ['Dockerfile.hbs', 'Dockerfile'],
    ['_gitignore', '.gitignore'],
    ['_dockerignore.hbs', '.dockerignore'],
    ['_gcloudignore.hbs', '.gcloudignore'],
    ['src/_gitignore', 'src/.gitignore'],
    ['src/main.go', 'src/main.go'],
    ['__init__.py', '__init__.py'],
  ])('%s is written as %s', (from, to) => expect(outputPath(from)).toBe(to));
  it.each(['a', 'a/b', '.env', 'a/.b/c'])('%s is contained', (p) => expect(isContainedPath(p)).toBe(true));
  it.each(['', '/etc/passwd', '../x', 'a/../../x', 'a//b', 'C:\\x', 'a\\..\\x'])('%j is refused', (p) => expect(isContainedPath(p)).toBe(false));
});

describe('planFiles', () => {
  it('renders .hbs files with the context, copies others byte for byte, sorted by path', async () => {
    const files = await planFiles(input());
    expect(files.map((f) => f.path)).toEqual(['.dockerignore', '.gitignore', 'kind.txt', 'literal.txt', 'logo.bin', 'run.sh', 'shared.txt']);
    expect(text(files, 'run.sh')).toBe('#!/bin/sh\necho "hi from demo (service) in europe-west1 project= workers=3 verbose=true"\n');
    expect(text(files, 'literal.txt')).toBe('literal {{not rendered}}\n');
    expect(files.find((f) => f.path === 'logo.bin')!.contents).toEqual(Buffer.from([...Array(256).keys()]));
    expect(text(files, '.dockerignore')).toMatch(/^# Keep the build context small[\s\S]*\.env\n[\s\S]*\nextra\n$/);
  });
  it('applies only the overlay of the chosen type, replacing shared files', async () => {
    const service = await planFiles(input());
    const job = await planFiles(input({ type: 'job' }));
    expect(text(service, 'kind.txt')).toBe('service only\n');
    expect(text(job, 'kind.txt')).toBe('job only\n');
    expect(text(service, 'shared.txt')).toBe('shared file for demo\n');
    expect(text(job, 'shared.txt')).toBe('job replaces shared for demo\n');
  });
  it('marks manifest executables 0755 and everything else 0644', async () => {
    const modes = Object.fromEntries((await planFiles(input())).map((f) => [f.path, f.mode]));
    expect(modes['run.sh']).toBe(0o755);
    expect(Object.entries(modes).filter(([p]) => p !== 'run.sh').every(([, mode]) => mode === 0o644)).toBe(true);
  });
  it('is deterministic', async () => {
    expect(await planFiles(input())).toEqual(await planFiles(input()));
  });
  it('user input is data, never compiled as a template', async () => {
    const files = await planFiles(input({ name: '{{region}}', project: '{{> dockerignore-base}}' }));
    expect(text(files, 'run.sh')).toContain('from {{region}} (service)');
    expect(text(files, 'run.sh')).toContain('project={{> dockerignore-base}}');
  });
  it('a misspelt variable is an error naming the file (strict mode)', async () => {
    const dir = await copyOfMini();
    await writeFile(path.join(dir, 'oops.txt.hbs'), 'hello {{nmae}}\n');
    await expect(planFiles(input({ template: await loadTemplate(dir) }))).rejects.toThrow(/mini\/oops\.txt\.hbs: "nmae" not defined/);
  });
  it('refuses symbolic links in a template', async () => {
    const dir = await copyOfMini();
    await symlink('/etc/passwd', path.join(dir, 'passwd'));
    await expect(planFiles(input({ template: await loadTemplate(dir) }))).rejects.toThrow(/templates may not contain symbolic links/);
  });
  it('refuses two files that produce the same path', async () => {
    const dir = await copyOfMini();
    await writeFile(path.join(dir, 'shared.txt'), 'again');
    await expect(planFiles(input({ template: await loadTemplate(dir) }))).rejects.toThrow(/both produce shared\.txt/);
  });
  it('refuses an executable the template does not produce', async () => {
    const dir = await copyOfMini();
    const manifest = JSON.parse(JSON.stringify(mini.manifest));
    await writeFile(path.join(dir, 'template.json'), JSON.stringify({ ...manifest, executable: ['missing.sh'] }));
    await expect(planFiles(input({ template: await loadTemplate(dir) }))).rejects.toThrow(/executable lists files the template does not produce: missing\.sh/);
  });
  it('refuses a route file the service does not get (routes are the service\'s; a job has none)', async () => {
    const dir = await copyOfMini();
    const manifest = JSON.parse(JSON.stringify(mini.manifest));
    await writeFile(path.join(dir, 'template.json'), JSON.stringify({ ...manifest, routes: ['shared.txt', 'missing.js'] }));
    const template = await loadTemplate(dir);
    await expect(planFiles(input({ template }))).rejects.toThrow(/template\.json: routes lists files the template does not produce: missing\.js$/);
    await writeFile(path.join(dir, 'template.json'), JSON.stringify({ ...manifest, routes: ['shared.txt'] }));
    expect((await planFiles(input({ template: await loadTemplate(dir) }))).map((f) => f.path)).toContain('shared.txt');
    expect(await planFiles(input({ template, type: 'job' }))).not.toHaveLength(0);
  });
  it('next steps start with cd into the project, then the install commands left, and are rendered', async () => {
    const steps = await renderNextSteps(input());
    expect(steps).toEqual(['./run.sh demo']);
    expect(nextStepLines('my dir', steps)).toEqual([`cd 'my dir'`, './run.sh demo']);
    expect(nextStepLines('.', steps)).toEqual(['./run.sh demo']);
    expect(nextStepLines('-foo', steps)[0]).toBe('cd ./-foo'); // never read as an option
    expect(nextStepLines("-it's", steps)[0]).toBe("cd './-it'\\''s'");
    expect(nextStepLines('app', steps, ['npm install'])).toEqual(['cd app', 'npm install', './run.sh demo']);
  });
});

async function copyOfMini(): Promise<string> {
  const dir = path.join(await tempDir(), 'mini');
  await mkdir(dir);
  await cp(MINI_TEMPLATE_DIR, dir, { recursive: true });
  return dir;
}
