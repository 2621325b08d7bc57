/**
 * What is at the target path, and whether we may write there. Inspection uses lstat only, so a
 * symbolic link in (or as) the target is seen as a link and never followed.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { isReserved } from './layout.js';

export type TargetState =
  | { readonly kind: 'missing' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'non-empty'; readonly entries: readonly string[] }
  | { readonly kind: 'not-a-directory' };

/** Entries that never make a folder count as occupied, and that a write never removes. */
export const PRESERVED_ENTRIES: ReadonlySet<string> = new Set(['.git']);

/**
 * Synchronous calls, as for the rest of the file work: two of them, where the promise API would
 * also load Node's fs/promises module for every run (a dry run is the only caller).
 */
export async function inspectTarget(dir: string): Promise<TargetState> {
  const info = lstatSync(dir, { throwIfNoEntry: false });
  if (!info) return { kind: 'missing' };
  if (!info.isDirectory()) return { kind: 'not-a-directory' };
  const entries = readdirSync(dir).filter((entry) => !PRESERVED_ENTRIES.has(entry) && !isReserved(entry)).sort();
  return entries.length === 0 ? { kind: 'empty' } : { kind: 'non-empty', entries };
}

/** Why we may not write to the target, or undefined when we may. */
export function targetProblem(state: TargetState, overwrite: boolean, displayDir: string): string | undefined {
  switch (state.kind) {
    case 'not-a-directory':
      return `${displayDir} exists and is not a directory (a symbolic link is never followed)`;
    case 'non-empty':
      return overwrite ? undefined : `${displayDir} is not empty (${state.entries.length} entries); pass --overwrite to replace its contents (.git is kept)`;
    default:
      return undefined;
  }
}
