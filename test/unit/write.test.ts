import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, rename, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdTarget, TargetError } from '../../src/fs/hold.js';
import { layoutFor } from '../../src/fs/layout.js';
import { inspectTarget, targetProblem } from '../../src/fs/target.js';
import { writePlan as writeHeld } from '../../src/fs/write.js';
import { InterruptedError } from '../../src/signals.js';
import type { PlannedFile } from '../../src/render/plan.js';
import { snapshotTree, tempDir } from '../support/generator.js';

const file = (p: string, contents: string, mode: 0o644 | 0o755 = 0o644): PlannedFile => ({ path: p, contents: Buffer.from(contents), mode });
const plan = [file('a.txt', 'A'), file('sub/b.sh', 'B', 0o755)];

/** Holds, writes and commits, as main() does for a run that succeeds. */
async function writePlan(files: readonly PlannedFile[], target: string): Promise<void> {
  const pending = await writeHeld(files, holdTarget(target, path.basename(target)));
  pending.commit();
}

describe('target inspection', () => {
  it('classifies missing, empty, .git-only, occupied and non-directory targets', async () => {
    const root = await tempDir();
    expect(await inspectTarget(path.join(root, 'missing'))).toEqual({ kind: 'missing' });
    await mkdir(path.join(root, 'empty'));
    expect(await inspectTarget(path.join(root, 'empty'))).toEqual({ kind: 'empty' });
    await mkdir(path.join(root, 'repo/.git'), { recursive: true });
    expect(await inspectTarget(path.join(root, 'repo'))).toEqual({ kind: 'empty' });
    await writeFile(path.join(root, 'repo/x'), '');
    expect(await inspectTarget(path.join(root, 'repo'))).toEqual({ kind: 'non-empty', entries: ['x'] });
    await writeFile(path.join(root, 'file'), '');
    expect(await inspectTarget(path.join(root, 'file'))).toEqual({ kind: 'not-a-directory' });
    await symlink(path.join(root, 'empty'), path.join(root, 'link'));
    expect(await inspectTarget(path.join(root, 'link'))).toEqual({ kind: 'not-a-directory' });
  });
  it('only --overwrite allows a non-empty folder; nothing allows a non-directory', () => {
    expect(targetProblem({ kind: 'non-empty', entries: ['x'] }, false, 'app')).toMatch(/app is not empty \(1 entries\); pass --overwrite/);
    expect(targetProblem({ kind: 'non-empty', entries: ['x'] }, true, 'app')).toBeUndefined();
    expect(targetProblem({ kind: 'not-a-directory' }, true, 'app')).toMatch(/not a directory/);
    expect(targetProblem({ kind: 'missing' }, false, 'app')).toBeUndefined();
  });
});

describe('writePlan', () => {
  it('creates the folder (and parents) with exact modes and leaves no staging folder behind', async () => {
    const root = await tempDir();
    const target = path.join(root, 'deep/app');
    await writePlan(plan, target);
    expect(await readFile(path.join(target, 'a.txt'), 'utf8')).toBe('A');
    expect((await stat(path.join(target, 'sub/b.sh'))).mode & 0o777).toBe(0o755);
    expect((await stat(path.join(target, 'a.txt'))).mode & 0o777).toBe(0o644);
    expect(await readdir(path.join(root, 'deep'))).toEqual(['app']);
  });
  it('replaces contents but keeps .git', async () => {
    const target = await tempDir();
    await mkdir(path.join(target, '.git'));
    await writeFile(path.join(target, '.git/HEAD'), 'ref: refs/heads/main\n');
    await writeFile(path.join(target, 'old.txt'), 'old');
    await writePlan(plan, target);
    expect((await readdir(target)).sort()).toEqual(['.git', 'a.txt', 'sub']);
    expect(await readFile(path.join(target, '.git/HEAD'), 'utf8')).toBe('ref: refs/heads/main\n');
  });
  it('never follows a symbolic link already in the target', async () => {
    const outside = await tempDir();
    await writeFile(path.join(outside, 'a.txt'), 'precious');
    const target = await tempDir();
    await symlink(path.join(outside, 'a.txt'), path.join(target, 'a.txt'));
    await symlink(outside, path.join(target, 'sub'));
    const before = await snapshotTree(outside);
    await writePlan(plan, target);
    expect(await snapshotTree(outside)).toEqual(before);
    expect(await readFile(path.join(target, 'a.txt'), 'utf8')).toBe('A');
  });
  it('a failure leaves the target exactly as it was', async () => {
    const target = await tempDir();
    await writeFile(path.join(target, 'keep.txt'), 'keep');
    const before = await snapshotTree(target);
    await expect(writePlan([file('ok.txt', 'x'), file('../escape.txt', 'x')], target)).rejects.toThrow(/outside the project/);
    expect(await snapshotTree(target)).toEqual(before);
    const leftovers = (await readdir(path.dirname(target))).filter((e) => e.startsWith(`.${path.basename(target)}.create-cloudrun-app-`));
    expect(leftovers).toEqual([]);
  });
});

describe('holding a target', () => {
  const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!; // exited: nobody has this pid now

  it('a second hold on the same target is refused while the first is held, and allowed after', async () => {
    for (const existing of [false, true]) {
      const target = path.join(await tempDir(), 'app');
      if (existing) await mkdir(target);
      const first = holdTarget(target, 'app');
      expect(() => holdTarget(target, 'app')).toThrow(TargetError);
      expect(() => holdTarget(target, 'app')).toThrow(/app is being written by another create-cloudrun-app run \(pid \d+/);
      first.release(false);
      holdTarget(target, 'app').release(false);
    }
  });

  it('a lock left by a killed run is cleaned up: an unfinished in-place write is undone', async () => {
    const target = await tempDir();
    await writeFile(path.join(target, 'mine.txt'), 'mine');
    await writeFile(path.join(target, 'same.txt'), 'old');
    const before = await snapshotTree(target);
    // What SIGKILL in the middle of moving new entries in leaves behind:
    const layout = layoutFor('inside', target, 'app');
    await mkdir(path.join(layout.aside));
    await rename(path.join(target, 'mine.txt'), path.join(layout.aside, 'mine.txt'));
    await rename(path.join(target, 'same.txt'), path.join(layout.aside, 'same.txt'));
    await mkdir(layout.staging);
    await writeFile(path.join(layout.staging, 'later.txt'), 'new');
    await writeFile(path.join(target, 'same.txt'), 'new');
    await writeFile(path.join(target, 'added.txt'), 'new');
    await writeFile(layout.lock, JSON.stringify({ pid: deadPid(), host: os.hostname(), started: 'then', phase: 'writing', kept: ['mine.txt', 'same.txt'], added: ['added.txt', 'later.txt', 'same.txt'] }));
    const hold = holdTarget(target, 'app');
    hold.release(false);
    expect(hold.state).toEqual({ kind: 'non-empty', entries: ['mine.txt', 'same.txt'] });
    expect(await snapshotTree(target)).toEqual(before);
  });

  it('leftovers without a lock are never guessed at: the message says what to remove', async () => {
    const target = await tempDir();
    await mkdir(path.join(target, '.create-cloudrun-app.replaced'));
    expect(() => holdTarget(target, 'app')).toThrow(/\.create-cloudrun-app\.replaced was left by an interrupted run and has no lock to undo it; check it for files you need, remove it/);
  });

  it('a signal during the write rolls back and throws InterruptedError', async () => {
    const target = await tempDir();
    await writeFile(path.join(target, 'keep.txt'), 'keep');
    const before = await snapshotTree(target);
    const controller = new AbortController();
    const hold = holdTarget(target, 'app');
    const writing = writeHeld(plan, hold, { signal: controller.signal, pause: () => controller.abort('SIGTERM') });
    await expect(writing).rejects.toThrow(InterruptedError);
    expect(await snapshotTree(target)).toEqual(before);
  });
});
