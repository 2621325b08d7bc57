/**
 * holdTarget(): inspect the target and lock it in one step, so that nothing can change between
 * the decision (empty? --overwrite?) and the write. The folder that will hold the staging folder is
 * opened once; on Linux every later path goes through that open descriptor (/proc/self/fd/N), so a
 * folder renamed or replaced by a link meanwhile can never redirect the write, and verify()
 * compares the path with the descriptor before anything is moved.
 */
import { closeSync, constants, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, rmdirSync, statSync, unlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { isReserved, layoutFor, recoverAbandoned, RESERVED_PREFIX, type Layout, type Placement } from './layout.js';
import { newLockRecord, ownerIsGone, readLock, tryCreateLock, type LockRecord } from './lock.js';
import { PRESERVED_ENTRIES, type TargetState } from './target.js';

/** A one-line, expected failure about the target: locked, changed meanwhile, leftovers. */
export class TargetError extends Error {
  override name = 'TargetError';
}

export interface Hold {
  readonly target: string;
  readonly state: TargetState;
  /** Undefined when the target is not a directory (nothing is locked then). */
  readonly layout: Layout | undefined;
  readonly record: LockRecord;
  /** Throws TargetError when the target is no longer the folder that was inspected. */
  verify(): void;
  /** Drops the lock; after a failure also removes the parent folders this run created. */
  release(failed: boolean): void;
}

const FD_PATHS = process.platform === 'linux' && existsSync('/proc/self/fd');
const ATTEMPTS = 3;

export function holdTarget(target: string, displayDir: string): Hold {
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const hold = tryHold(target, displayDir);
    if (hold) return hold;
  }
  throw new TargetError(`${displayDir} kept changing while it was inspected; nothing was written, try again`);
}

function tryHold(target: string, displayDir: string): Hold | undefined {
  const before = lstatOrUndefined(target);
  if (before && !before.isDirectory()) return unlockedHold(target, { kind: 'not-a-directory' });
  const placement: Placement = before ? 'inside' : 'beside';
  const dir = before ? target : path.dirname(target);
  const createdDirs = before ? [] : makeParents(dir);
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | (before ? constants.O_NOFOLLOW : 0));
  } catch (error) {
    removeDirs(createdDirs);
    if (before && ['ELOOP', 'ENOTDIR', 'ENOENT'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
  const identity = fstatSync(fd);
  const layout = layoutFor(placement, FD_PATHS ? `/proc/self/fd/${fd}` : dir, path.basename(target));
  const shown = (file: string) => path.join(realpathSync(dir), path.basename(file)); // for a message: worked out only then
  const giveUp = () => {
    closeSync(fd);
    removeDirs(createdDirs);
  };
  if (before && !sameFile(before, identity)) return giveUp(), undefined;

  const kept = before ? listEntries(layout.base) : undefined;
  let record = newLockRecord(before ? { kept } : { createdDirs });
  try {
    if (!tryCreateLock(layout.lock, record)) {
      const owner = readLock(layout.lock);
      if (!owner || !ownerIsGone(owner)) {
        const who = owner ? ` (pid ${owner.pid} on ${owner.host}, started ${owner.started})` : '';
        throw new TargetError(`${displayDir} is being written by another create-cloudrun-app run${who}; if none is running, remove ${shown(layout.lock)} and run again`);
      }
      recoverAbandoned(layout, owner);
      if (!before) record = newLockRecord({ createdDirs: [...(owner.createdDirs ?? []), ...createdDirs] });
      if (!tryCreateLock(layout.lock, record)) return giveUp(), undefined;
    }
  } catch (error) {
    giveUp();
    throw error;
  }

  let released = false;
  const release = (failed: boolean) => {
    if (released) return;
    released = true;
    removeFile(layout.lock);
    closeSync(fd);
    if (failed) removeDirs(record.createdDirs ?? []);
  };
  // Under the lock: still the same target? A concurrent run may have finished in between.
  const now = lstatOrUndefined(target);
  const unchanged = before ? now !== undefined && sameFile(now, identity) && sameList(listEntries(layout.base), kept!) : now === undefined;
  if (!unchanged) return release(true), undefined;
  const lockName = path.basename(layout.lock);
  const isLeftover = leftoverTest(layout, target);
  const leftovers = readdirSync(layout.base).filter((entry) => entry !== lockName && isLeftover(entry));
  if (leftovers.length > 0) {
    release(true);
    throw new TargetError(`${leftovers.map(shown).join(', ')} was left by an interrupted run and has no lock to undo it; check it for files you need, remove it, and run again`);
  }

  const entries = (kept ?? []).filter((entry) => !PRESERVED_ENTRIES.has(entry));
  const state: TargetState = !before ? { kind: 'missing' } : entries.length === 0 ? { kind: 'empty' } : { kind: 'non-empty', entries };
  return {
    target,
    state,
    layout,
    record,
    verify() {
      const current = placement === 'inside' ? lstatOrUndefined(target) : statOrUndefined(dir);
      if (!current || !current.isDirectory() || !sameFile(current, fstatSync(fd))) {
        throw new TargetError(`${placement === 'inside' ? displayDir : path.dirname(displayDir)} was replaced or moved while the project was being written; nothing was changed`);
      }
    },
    release,
  };
}

function unlockedHold(target: string, state: TargetState): Hold {
  return { target, state, layout: undefined, record: newLockRecord(), verify() {}, release() {} };
}

/** Whether an entry of the layout's base is what an interrupted run left (worked out once, not per entry: a base may hold many). */
function leftoverTest(layout: Layout, target: string): (entry: string) => boolean {
  if (layout.placement === 'inside') return isReserved;
  const prefix = `.${path.basename(target)}${RESERVED_PREFIX}`;
  return (entry) => entry.startsWith(prefix);
}

/** Every entry of the folder except this tool's own. */
function listEntries(dir: string): string[] {
  return readdirSync(dir).filter((entry) => !isReserved(entry)).sort();
}

/** mkdir -p that remembers what it created (outermost first), so a failed run can remove it. */
function makeParents(dir: string): string[] {
  const missing: string[] = [];
  for (let current = dir; !lstatOrUndefined(current); current = path.dirname(current)) missing.unshift(current);
  const created: string[] = [];
  try {
    for (const folder of missing) {
      mkdirSync(folder); // mode 0777 & ~umask, like mkdir(1)
      created.push(folder);
    }
  } catch (error) {
    removeDirs(created);
    throw error;
  }
  return created;
}

/** Removes folders this run created, innermost first, and only while they are empty. */
function removeDirs(dirs: readonly string[]): void {
  for (const dir of [...dirs].reverse()) {
    try {
      rmdirSync(dir);
    } catch {
      return; // no longer empty or gone: someone else's now
    }
  }
}

/** rmSync(file, { force: true }) for a plain file, without loading the recursive remover rmSync is built on. */
function removeFile(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function lstatOrUndefined(file: string): Stats | undefined {
  // Not a caught ENOENT error: making one (its stack trace) costs far more than the call.
  return lstatSync(file, { throwIfNoEntry: false });
}

function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((entry, index) => entry === b[index]);
}
