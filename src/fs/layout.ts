/**
 * Where a write keeps its lock and its staging folder, and how an unfinished write is undone.
 *
 * - `beside` (the target does not exist yet): `.<name>.create-cloudrun-app.lock` and
 *   `.<name>.create-cloudrun-app.staging/` in the parent; the staging folder is renamed to the
 *   target in one step.
 * - `inside` (the target is an existing folder, maybe a mount point or under a read-only parent):
 *   `.create-cloudrun-app.lock`, `.create-cloudrun-app.staging/` and `.create-cloudrun-app.replaced/`
 *   in the target; old entries are moved aside, new ones moved in, entry by entry.
 *
 * Undoing is synchronous on purpose: it also runs from a process 'exit' listener and while
 * recovering after a run that was killed.
 */
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { LockRecord } from './lock.js';

/** Names this tool uses inside a target; never a user's entry, never part of a project. */
export const RESERVED_PREFIX = '.create-cloudrun-app.';

export type Placement = 'beside' | 'inside';

export interface Layout {
  readonly placement: Placement;
  /** The folder that holds the lock and the staging folder, as a path to do I/O with. */
  readonly base: string;
  readonly lock: string;
  readonly staging: string;
  /** inside only: where replaced entries wait until the new project is in place. */
  readonly aside: string;
}

export function layoutFor(placement: Placement, base: string, targetName: string): Layout {
  const prefix = placement === 'beside' ? `.${targetName}${RESERVED_PREFIX}` : RESERVED_PREFIX;
  return {
    placement,
    base,
    lock: path.join(base, `${prefix}lock`),
    staging: path.join(base, `${prefix}staging`),
    aside: path.join(base, `${prefix}replaced`),
  };
}

export function isReserved(entry: string): boolean {
  return entry.startsWith(RESERVED_PREFIX);
}

/**
 * Puts an in-place target back as it was inspected: entries this write added are removed (only
 * names it added, and only where the old entry is aside or never existed), then every replaced
 * entry moves back. Correct at any point before the swap finished, whatever the order of events.
 */
export function undoInside(layout: Layout, record: Pick<LockRecord, 'kept' | 'added'>): void {
  const kept = new Set(record.kept ?? []);
  const added = new Set(record.added ?? []);
  const aside = existsSync(layout.aside) ? readdirSync(layout.aside) : [];
  const setAside = new Set(aside);
  for (const entry of readdirSync(layout.base)) {
    if (isReserved(entry) || !added.has(entry)) continue;
    if (setAside.has(entry) || !kept.has(entry)) rmSync(path.join(layout.base, entry), { recursive: true, force: true });
  }
  for (const entry of aside) renameSync(path.join(layout.aside, entry), path.join(layout.base, entry));
  rmSync(layout.aside, { recursive: true, force: true });
  rmSync(layout.staging, { recursive: true, force: true });
}

/** After the swap: the replaced entries and the emptied staging folder go. */
export function finishInside(layout: Layout): void {
  rmSync(layout.aside, { recursive: true, force: true });
  rmSync(layout.staging, { recursive: true, force: true });
}

/** Cleans up after a run that was killed: undo an unfinished write, finish a finished one. */
export function recoverAbandoned(layout: Layout, record: LockRecord): void {
  if (layout.placement === 'beside') rmSync(layout.staging, { recursive: true, force: true });
  else if (record.phase === 'swapped') finishInside(layout);
  else undoInside(layout, record);
  rmSync(layout.lock, { force: true });
}
