/**
 * writePlan(): puts a planned project into a held target (see hold.ts) so that, whatever happens,
 * the target ends up exactly as it was or exactly the new project. Files are written into a
 * staging folder on the target's own file system; then the staging folder is renamed into place
 * (new target) or old entries are moved aside and new ones moved in (existing target). Between
 * every step the write checks for a signal and that the target is still the folder it inspected;
 * any failure undoes every step. The result is pending until commit(): the caller reports first,
 * so a report that cannot be written (stdout on a full disk) can still roll the write back.
 */
import { closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { PlannedFile } from '../render/plan.js';
import { inside, isContainedPath } from '../render/paths.js';
import { throwIfInterrupted } from '../signals.js';
import { TargetError, type Hold } from './hold.js';
import { finishInside, isReserved, undoInside } from './layout.js';
import { updateLock, type LockRecord } from './lock.js';
import { PRESERVED_ENTRIES } from './target.js';

export interface WriteControl {
  /** Aborted when SIGINT or SIGTERM arrives; the write then rolls back and throws InterruptedError. */
  readonly signal?: AbortSignal;
  /** Called after each step; the test hook in pause.ts blocks here. */
  readonly pause?: (step: string) => void;
}

export interface PendingWrite {
  /** Makes the new project final: removes the replaced entries and the lock. */
  commit(): void;
  /** Puts the target back as it was. */
  rollback(): void;
}

const FILE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export async function writePlan(files: readonly PlannedFile[], hold: Hold, control: WriteControl = {}): Promise<PendingWrite> {
  const layout = hold.layout;
  if (!layout) throw new Error(`${hold.target} is not held for writing`);
  // verify() costs two stats per step. Where I/O goes through the held folder's descriptor
  // (/proc/self/fd, see hold.ts), a staged file lands in that folder wherever it now is, so a
  // moved or replaced target is caught at the swap; elsewhere every step checks.
  const viaDescriptor = layout.base.startsWith('/proc/self/fd/');
  const step = async (name: string, verify = true) => {
    if (control.pause) {
      control.pause(name);
      // Let a signal that arrived during the pause be handled now: the event loop reads signals in
      // its poll phase, which lies between this check phase and the next.
      await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
    }
    throwIfInterrupted(control.signal);
    if (verify) hold.verify();
  };
  const newTarget = path.join(layout.base, path.basename(hold.target));
  let record: LockRecord = hold.record;
  let created: Stats | undefined; // the staging folder that became the target (beside only)
  let settled = false;

  const rollback = () => {
    if (settled) return;
    settled = true;
    process.removeListener('exit', onExit);
    try {
      if (layout.placement === 'inside') undoInside(layout, record);
      else {
        rmSync(layout.staging, { recursive: true, force: true });
        const now = created && lstatOrUndefined(newTarget);
        if (now && now.dev === created!.dev && now.ino === created!.ino) rmSync(newTarget, { recursive: true, force: true });
      }
    } finally {
      hold.release(true);
    }
  };
  // Something called process.exit() in the middle (a library's own Ctrl-C handler does): undo first.
  const onExit = (code: number) => {
    rollback();
    if (code === 0) process.exitCode = 130;
  };
  process.on('exit', onExit);

  try {
    for (const file of files) {
      const first = file.path.split('/')[0]!;
      if (!isContainedPath(file.path)) throw new Error(`refusing to write outside the project: ${file.path}`);
      if (PRESERVED_ENTRIES.has(first) || isReserved(first)) throw new Error(`refusing to write ${file.path}: ${first} is kept or reserved`);
    }
    if (layout.placement === 'inside') {
      record = { ...record, added: [...new Set(files.map((file) => file.path.split('/')[0]!))].sort() };
      updateLock(layout.lock, record);
    }
    mkdirSync(layout.staging); // 0777 & ~umask, like mkdir(1); becomes the project folder when beside
    await writeStaging(files, layout.staging, (name) => step(name, !viaDescriptor));
    await step('swap');
    if (layout.placement === 'beside') {
      if (lstatOrUndefined(newTarget)) throw new TargetError(`${hold.target} appeared while the project was being written; nothing was changed`);
      const staged = lstatSync(layout.staging);
      renameSync(layout.staging, newTarget);
      created = staged;
    } else {
      mkdirSync(layout.aside);
      for (const entry of record.kept ?? []) {
        if (PRESERVED_ENTRIES.has(entry)) continue;
        renameSync(path.join(layout.base, entry), path.join(layout.aside, entry)); // moves links themselves, never their targets
        await step(`aside ${entry}`);
      }
      for (const entry of readdirSync(layout.staging).sort()) {
        renameSync(path.join(layout.staging, entry), path.join(layout.base, entry));
        await step(`in ${entry}`);
      }
      record = { ...record, phase: 'swapped' };
      updateLock(layout.lock, record);
    }
  } catch (error) {
    rollback();
    throw error;
  }
  return {
    commit() {
      if (settled) return;
      settled = true;
      process.removeListener('exit', onExit);
      if (layout.placement === 'inside') finishInside(layout);
      hold.release(false);
    },
    rollback,
  };
}

async function writeStaging(files: readonly PlannedFile[], staging: string, step: (name: string) => Promise<void>): Promise<void> {
  const made = new Set<string>();
  let turned = Date.now();
  for (const file of files) {
    // One level at a time and never `recursive`, so nothing is ever created through a link.
    for (let slash = file.path.indexOf('/'); slash > 0; slash = file.path.indexOf('/', slash + 1)) {
      const folder = file.path.slice(0, slash);
      if (made.has(folder)) continue;
      mkdirSync(inside(staging, folder));
      made.add(folder);
    }
    // Synchronous calls: for a few dozen small files, a round trip through the thread pool per
    // call costs more CPU than the write itself.
    const fd = openSync(inside(staging, file.path), FILE_FLAGS, file.mode);
    try {
      writeFileSync(fd, file.contents);
      fchmodSync(fd, file.mode); // explicit: the umask must not decide, and npm drops +x bits
    } finally {
      closeSync(fd);
    }
    // A turn of the event loop at least every millisecond, so that a signal that arrives during
    // the write is handled (in the loop's poll phase) and stops it at the next step. Not one per
    // file: a turn costs more than writing a small file.
    if (Date.now() - turned >= 1) {
      await new Promise((resolve) => setImmediate(resolve));
      turned = Date.now();
    }
    await step(`staged ${file.path}`);
  }
}

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file, { throwIfNoEntry: false }); // no error (and its stack trace) for the usual ENOENT
  } catch {
    return undefined;
  }
}
