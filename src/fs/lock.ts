/**
 * The lock that makes "check the target" and "write the target" one decision. It is a file created
 * with O_EXCL (so exactly one run gets it) next to the staging folder, holding the owner's pid and
 * what a later run needs to undo an interrupted write if the owner was killed (SIGKILL, power loss).
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync, constants } from 'node:fs';
import os from 'node:os';
import { isoTime } from './iso-time.js';

export interface LockRecord {
  readonly pid: number;
  readonly host: string;
  readonly started: string;
  /** Entries the target held when it was inspected (in-place writes only). */
  readonly kept?: readonly string[];
  /** Top-level entries the new project adds (in-place writes only). */
  readonly added?: readonly string[];
  /** `swapped`: the new project is complete; what is left is only cleanup. */
  readonly phase: 'writing' | 'swapped';
  /** Parent folders this run created for the target, outermost first. */
  readonly createdDirs?: readonly string[];
}

export function newLockRecord(extra: Partial<LockRecord> = {}): LockRecord {
  return { pid: process.pid, host: os.hostname(), started: isoTime(), phase: 'writing', ...extra };
}

/** Creates the lock; false when another file already holds the name. */
export function tryCreateLock(file: string, record: LockRecord): boolean {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeFileSync(fd, JSON.stringify(record));
  } catch (error) {
    closeSync(fd);
    unlinkSync(file); // a full disk must not leave an empty lock behind
    throw error;
  }
  closeSync(fd);
  return true;
}

/** Rewrites the record of a lock this process holds (the phase advanced). */
export function updateLock(file: string, record: LockRecord): void {
  const fd = openSync(file, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW);
  try {
    writeFileSync(fd, JSON.stringify(record));
  } finally {
    closeSync(fd);
  }
}

/** The record of an existing lock, or undefined when it cannot be read or understood. */
export function readLock(file: string): LockRecord | undefined {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockRecord>;
    const names = (list: unknown) => list === undefined || (Array.isArray(list) && list.every((item) => typeof item === 'string'));
    if (!Number.isInteger(data.pid) || typeof data.host !== 'string' || !names(data.kept) || !names(data.added) || !names(data.createdDirs)) {
      return undefined;
    }
    return { ...data, phase: data.phase === 'swapped' ? 'swapped' : 'writing' } as LockRecord;
  } catch {
    return undefined;
  }
}

/** True only when the owner certainly no longer runs: same machine and no such process. */
export function ownerIsGone(record: LockRecord): boolean {
  if (record.host !== os.hostname()) return false;
  try {
    process.kill(record.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
