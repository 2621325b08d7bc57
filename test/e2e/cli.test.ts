/**
 * The built bin, run as a script or CI runs it: no terminal, stdin at EOF. Uses the `mini` fixture
 * through --template <path>, so these prove the generator's behaviour independently of the
 * built-in templates (golden and container tiers cover those).
 */
import { spawnSync } from 'node:child_process';
import { cp, lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, MINI_TEMPLATE_DIR, REPO_ROOT, runBin, snapshotTree, tempDir } from '../support/generator.js';

const version = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')).version as string;
let cwd: string;
beforeAll(async () => {
  cwd = await tempDir('ccra-e2e-');
});
const mini = ['--template', MINI_TEMPLATE_DIR];

describe('help, version, template list', () => {
  it('--help documents every flag of the stable interface', async () => {
    const { code, stdout } = await runBin(['--help'], { cwd });
    expect(code).toBe(0);
    for (const flag of ['-t, --template <id|path>', '-l, --language <id>', '-f, --framework <id>', '--type <type>', '-n, --name <name>',
      '--region <region>', '--project <id>', '--package-manager <name>', '--git', '--no-git', '--install', '--no-install', '-y, --yes', '--overwrite', '--no-ci', '--dry-run', '--json', '--list-templates', '-h, --help', '-V, --version']) {
      expect(stdout).toContain(flag);
    }
  });
  it('a reader that closes the pipe early (| head -1) is not an error', () => {
    const pipeline = `set -o pipefail; ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} --list-templates | head -1`;
    const { status, stdout, stderr } = spawnSync('bash', ['-c', pipeline], { cwd, encoding: 'utf8' });
    expect([status, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(/^TEMPLATE +LANGUAGE/);
  });
  it('-V prints the package version', async () => {
    expect(await runBin(['-V'], { cwd })).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
  it('--list-templates --json lists the built-in templates as JSON', async () => {
    const { code, stdout } = await runBin(['--list-templates', '--json'], { cwd });
    expect(code).toBe(0);
    const list = JSON.parse(stdout) as { id: string; types: string[] }[];
    expect(list.length).toBeGreaterThan(0);
    for (const template of list) expect(template.types.length).toBeGreaterThan(0);
  });
});

describe('generating', () => {
  it('writes the project with its modes and prints next steps', async () => {
    const { code, stdout, stderr } = await runBin(['svc', ...mini, '--region', 'europe-west4', '--project', 'my-project-1', '--yes'], { cwd });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('Created Mini fixture service "svc" in svc (7 files)');
    expect(stdout).toContain('cd svc\n  ./run.sh svc');
    const run = path.join(cwd, 'svc/run.sh');
    expect((await lstat(run)).mode & 0o777).toBe(0o755);
    expect(await readFile(run, 'utf8')).toContain('hello from svc (service) in europe-west4 project=my-project-1');
    expect(await readFile(path.join(cwd, 'svc/.gitignore'), 'utf8')).toBe('node_modules\n');
  });
  it('--json prints one object that matches what was written', async () => {
    const { code, stdout } = await runBin(['json-job', ...mini, '--type', 'job', '--var', 'workers=5', '--json'], { cwd });
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ directory: path.join(cwd, 'json-job'), template: 'mini', type: 'job', name: 'json-job',
      region: 'us-central1', project: null, vars: { greeting: 'hello', workers: 5, verbose: false }, dryRun: false });
    for (const file of result.files) {
      const info = await lstat(path.join(cwd, 'json-job', file.path));
      expect([file.mode, file.bytes]).toEqual([(info.mode & 0o777).toString(8).padStart(4, '0'), info.size]);
    }
  });
  it('the same inputs give byte-identical output', async () => {
    // --no-git: a repository's first commit carries its own time, the generated files must not.
    await runBin(['same-a', ...mini, '--name', 'same', '--yes', '--no-git'], { cwd });
    await runBin(['same-b', ...mini, '--name', 'same', '--yes', '--no-git'], { cwd });
    expect(await snapshotTree(path.join(cwd, 'same-a'))).toEqual(await snapshotTree(path.join(cwd, 'same-b')));
  });
  it('a directory name that does not fit is converted into the default name', async () => {
    const { code, stdout } = await runBin(['My_App', ...mini, '--json'], { cwd });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ name: 'my-app', directory: path.join(cwd, 'My_App') });
  });
  it('without a directory, CI mode uses the default name as the folder', async () => {
    const dir = await tempDir();
    const { code } = await runBin([...mini], { cwd: dir, env: { CI: 'true' } });
    expect(code).toBe(0);
    expect(Object.keys(await snapshotTree(dir))).toContain('cloudrun-service/run.sh');
  });
  it('a built-in template writes .github/ (workflow, dependabot.yml); --no-ci leaves it out', async () => {
    const paths = async (args: string[]) => {
      const { code, stdout, stderr } = await runBin(['ci', '--framework', 'express', '--dry-run', '--json', ...args], { cwd });
      expect(code, stderr).toBe(0);
      return (JSON.parse(stdout).files as { path: string }[]).map((file) => file.path);
    };
    const withCi = await paths([]);
    const withoutCi = await paths(['--no-ci']);
    expect(withCi).toEqual(expect.arrayContaining(['.github/workflows/ci.yml', '.github/dependabot.yml']));
    expect(withoutCi).toEqual(withCi.filter((file) => !file.startsWith('.github/')));
  });
  it('--dry-run prints the plan and writes nothing; with --json too', async () => {
    const text = await runBin(['dry', ...mini, '--dry-run', '--yes'], { cwd });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Dry run: would write 7 files to dry \(nothing written\)\n/);
    expect(text.stdout).toMatch(/0755 +\d+ {2}run\.sh/);
    const json = await runBin(['dry', ...mini, '--dry-run', '--json'], { cwd });
    expect(JSON.parse(json.stdout)).toMatchObject({ dryRun: true });
    await expect(lstat(path.join(cwd, 'dry'))).rejects.toThrow(/ENOENT/);
  });
});

describe('layers (built-in language layers, through the bundled CLI)', () => {
  const quiet = ['--yes', '--no-git', '--no-install', '--region', 'us-east1'];
  /** A copy of python-flask under another id, outside the package: a contributed Python template. */
  async function contributedPython(): Promise<string> {
    const dir = path.join(await tempDir(), 'python-copy');
    await cp(path.join(REPO_ROOT, 'templates/python-flask'), dir, { recursive: true });
    const manifest = JSON.parse(await readFile(path.join(dir, 'template.json'), 'utf8'));
    await writeFile(path.join(dir, 'template.json'), JSON.stringify({ ...manifest, id: 'python-copy', framework: 'copy', default: false }));
    return dir;
  }
  it('a contributed template gets the built-in layer of its language: the same job as every Python template', async () => {
    const copy = await contributedPython();
    const builtin = await runBin(['a', '--template', 'python-flask', '--type', 'job', '--name', 'nightly', ...quiet], { cwd });
    const contributed = await runBin(['b', '--template', copy, '--type', 'job', '--name', 'nightly', ...quiet], { cwd });
    expect([builtin.code, contributed.code, contributed.stderr]).toEqual([0, 0, '']);
    expect(contributed.stdout).toContain('Created Python 3.14 job "nightly"');
    expect(await snapshotTree(path.join(cwd, 'b'))).toEqual(await snapshotTree(path.join(cwd, 'a')));
    expect(await readFile(path.join(cwd, 'b/README.md'), 'utf8')).toContain('(Python 3.14 job)');
    const service = await runBin(['c', '--template', copy, '--name', 'web', ...quiet], { cwd });
    expect(service.code).toBe(0);
    expect(await readFile(path.join(cwd, 'c/deploy.sh'), 'utf8')).toContain('(template python-copy)');
    expect(Object.keys(await snapshotTree(path.join(cwd, 'c')))).toEqual(expect.arrayContaining(['Dockerfile', 'gunicorn.conf.py', 'app/logs.py']));
  });
  it('--language picks the template its manifest marks as the default', async () => {
    const { code, stdout } = await runBin(['lang', '--language', 'python', '--dry-run', '--json', ...quiet], { cwd });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ template: 'python-flask', type: 'service' });
  });
});

describe('bad input: one line on stderr, non-zero, nothing written', () => {
  it.each([
    [['--bogus'], /^create-cloudrun-app: error: unknown option '--bogus'\n$/],
    [['a', 'b'], /too many arguments/],
    [['--language', 'go', '--framework', 'flask'], /conflicting choices: no template matches --language go and --framework flask/],
    [['--name', 'Bad_Name'], /invalid --name "Bad_Name"/],
    [['--type', 'worker'], /unknown --type "worker"/],
    [['--template', 'no-such-template'], /unknown template "no-such-template"/],
    [['--template', './no/such/folder'], /not a template folder/],
    [['--region', 'moon'], /invalid --region "moon"/],
    [['--project', 'X'], /invalid --project "X"/],
    [['--language'], /option '-l, --language <id>' argument missing/],
  ])('%j', async (args, message) => {
    const dir = await tempDir();
    const { code, stdout, stderr } = await runBin(['--yes', ...args], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stdout).toBe('');
    expect(await snapshotTree(dir)).toEqual({});
  });
  it.each([
    [['--var', 'workers=99'], /--var workers: must be at most 8/],
    [['--var', 'colour=red'], /template "mini" has no variable "colour"/],
    [['--framework', 'express'], /unknown framework "express" \(choose from: none\)/],
  ])('%j with a template folder', async (args, message) => {
    const dir = await tempDir();
    const { code, stderr } = await runBin(['app', ...mini, ...args, '--yes'], { cwd: dir });
    expect([code, stderr]).toEqual([1, expect.stringMatching(message)]);
    expect(await snapshotTree(dir)).toEqual({});
  });
  it('a template with a symbolic link or a broken manifest is refused', async () => {
    const dir = await tempDir();
    const linked = path.join(dir, 'linked');
    await cp(MINI_TEMPLATE_DIR, linked, { recursive: true });
    await symlink('/etc/hostname', path.join(linked, 'hostname'));
    const first = await runBin(['out', '--template', linked, '--yes'], { cwd: dir });
    expect([first.code, first.stderr]).toEqual([1, expect.stringMatching(/linked\/hostname: templates may not contain symbolic links\n$/)]);
    const broken = path.join(dir, 'broken');
    await mkdir(broken);
    await writeFile(path.join(broken, 'template.json'), JSON.stringify({ id: 'broken', types: ['daemon'] }));
    const second = await runBin(['out', '--template', broken, '--yes'], { cwd: dir });
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/broken\/template\.json: name: .*; types\.0: /);
    await expect(lstat(path.join(dir, 'out'))).rejects.toThrow(/ENOENT/);
  });
  it.each([
    ['install', { install: ['sh {{nosuch}}'] }, /\S+\/template\.json install\[0\]: "nosuch" not defined - 1:5/],
    ['nextSteps', { nextSteps: ['./run.sh {{nosuch}}'] }, /\S+\/template\.json nextSteps\[0\]: "nosuch" not defined - 1:11/],
  ])('a template whose %s does not render is refused before anything is written, dry run or not', async (_field, change, message) => {
    const dir = await tempDir();
    const broken = path.join(dir, 'broken');
    await cp(MINI_TEMPLATE_DIR, broken, { recursive: true });
    const manifestFile = path.join(broken, 'template.json');
    await writeFile(manifestFile, JSON.stringify({ ...JSON.parse(await readFile(manifestFile, 'utf8')), ...change }));
    for (const flags of [['--yes', '--no-git'], ['--yes', '--dry-run']]) {
      const { code, stdout, stderr } = await runBin(['out', '--template', broken, ...flags], { cwd: dir });
      expect([code, stdout], flags.join(' ')).toEqual([1, '']);
      expect(stderr, flags.join(' ')).toMatch(new RegExp(`^create-cloudrun-app: error: ${message.source}\n$`));
      await expect(lstat(path.join(dir, 'out'))).rejects.toThrow(/ENOENT/);
    }
    const json = await runBin(['out', '--template', broken, '--yes', '--no-git', '--json'], { cwd: dir });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'template' } });
  });
  it('a template that names a path outside the target (..) is refused', async () => {
    const dir = await tempDir();
    const escaping = path.join(dir, 'escaping');
    await cp(MINI_TEMPLATE_DIR, escaping, { recursive: true });
    const manifestFile = path.join(escaping, 'template.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    await writeFile(manifestFile, JSON.stringify({ ...manifest, executable: ['../outside.sh'] }));
    const byManifest = await runBin(['out', '--template', escaping, '--yes'], { cwd: dir });
    expect([byManifest.code, byManifest.stderr]).toEqual([1, expect.stringMatching(/template\.json: executable\.0: must be a relative path inside the project\n$/)]);

    // On Linux a backslash is an ordinary file-name character, but Windows (and some unpackers) read it as a separator.
    await writeFile(manifestFile, JSON.stringify(manifest));
    await writeFile(path.join(escaping, '..\\outside.txt'), 'escape');
    const byName = await runBin(['out', '--template', escaping, '--yes'], { cwd: dir });
    expect([byName.code, byName.stderr]).toEqual([1, expect.stringMatching(/refusing template path "\.\.\\outside\.txt": it must stay inside the project\n$/)]);
    await expect(lstat(path.join(dir, 'out'))).rejects.toThrow(/ENOENT/);
    await expect(lstat(path.join(dir, 'outside.sh'))).rejects.toThrow(/ENOENT/);
  });
});

describe('an existing target', () => {
  async function occupied(): Promise<string> {
    const dir = path.join(await tempDir(), 'app');
    await mkdir(path.join(dir, '.git'), { recursive: true });
    await writeFile(path.join(dir, '.git/HEAD'), 'ref: refs/heads/main\n');
    await writeFile(path.join(dir, 'notes.txt'), 'mine');
    return dir;
  }
  it('non-empty without --overwrite: error, nothing changed', async () => {
    const dir = await occupied();
    const before = await snapshotTree(dir);
    const { code, stderr } = await runBin([dir, ...mini, '--yes'], { cwd });
    expect(code).toBe(1);
    expect(stderr).toMatch(/is not empty \(1 entries\); pass --overwrite/);
    expect(await snapshotTree(dir)).toEqual(before);
  });
  it('--overwrite replaces the contents and keeps .git', async () => {
    const dir = await occupied();
    expect((await runBin([dir, ...mini, '--overwrite', '--yes'], { cwd })).code).toBe(0);
    const after = await snapshotTree(dir);
    expect(after['.git/HEAD']).toBeDefined();
    expect(after['notes.txt']).toBeUndefined();
    expect(after['run.sh']).toMatch(/^755 /);
  });
  it('a folder holding only .git counts as empty', async () => {
    const dir = path.join(await tempDir(), 'repo');
    await mkdir(path.join(dir, '.git'), { recursive: true });
    expect((await runBin([dir, ...mini, '--yes'], { cwd })).code).toBe(0);
  });
  it('symbolic links already in the target are never followed', async () => {
    const outside = await tempDir();
    await writeFile(path.join(outside, 'run.sh'), 'precious');
    const dir = path.join(await tempDir(), 'app');
    await mkdir(dir);
    await symlink(path.join(outside, 'run.sh'), path.join(dir, 'run.sh'));
    await symlink(outside, path.join(dir, 'shared.txt'));
    const before = await snapshotTree(outside);
    expect((await runBin([dir, ...mini, '--overwrite', '--yes'], { cwd })).code).toBe(0);
    expect(await snapshotTree(outside)).toEqual(before);
    expect((await lstat(path.join(dir, 'run.sh'))).isSymbolicLink()).toBe(false);
  });
  it('a target that is a file or a link to a folder is refused', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'file'), 'x');
    await mkdir(path.join(dir, 'real'));
    await symlink(path.join(dir, 'real'), path.join(dir, 'link'));
    for (const target of ['file', 'link']) {
      const { code, stderr } = await runBin([target, ...mini, '--overwrite', '--yes'], { cwd: dir });
      expect([code, stderr]).toEqual([1, expect.stringMatching(/exists and is not a directory/)]);
    }
    expect(await readlink(path.join(dir, 'link'))).toBe(path.join(dir, 'real'));
    expect(await snapshotTree(path.join(dir, 'real'))).toEqual({});
  });
});
