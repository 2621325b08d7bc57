/**
 * writePlan(): puts a planned project on disk so that a failure at any point leaves the target as
 * it was. Files are written into a temporary folder beside the target (same file system, so
 * renames are atomic); only then are existing entries moved aside and the new ones moved in.
 */
import { chmod, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PlannedFile } from '../render/plan.js';
import { isContainedPath } from '../render/paths.js';
import { PRESERVED_ENTRIES } from './target.js';

export async function writePlan(files: readonly PlannedFile[], targetDir: string): Promise<void> {
  const parent = path.dirname(targetDir);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(path.join(parent, `.${path.basename(targetDir)}.create-cloudrun-app-`));
  try {
    await writeStaging(files, staging);
    await swapIn(staging, targetDir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function writeStaging(files: readonly PlannedFile[], staging: string): Promise<void> {
  for (const file of files) {
    if (!isContainedPath(file.path)) throw new Error(`refusing to write outside the project: ${file.path}`);
    const destination = path.join(staging, ...file.path.split('/'));
    await mkdir(path.dirname(destination), { recursive: true });
    await writeFile(destination, file.contents, { flag: 'wx' });
    await chmod(destination, file.mode); // explicit: the umask must not decide, and npm drops +x bits
  }
}

/** Moves the staged project into place, keeping `.git`; rolls back if a move fails. */
async function swapIn(staging: string, targetDir: string): Promise<void> {
  const targetExists = await readdir(targetDir).then(
    () => true,
    () => false,
  );
  if (!targetExists) {
    await rename(staging, targetDir); // the cleanup's rm(force) then finds nothing to remove
    return;
  }
  const aside = path.join(staging, '.replaced');
  await mkdir(aside);
  const moved: string[] = [];
  const added: string[] = [];
  try {
    for (const entry of await readdir(targetDir)) {
      if (PRESERVED_ENTRIES.has(entry)) continue;
      await rename(path.join(targetDir, entry), path.join(aside, entry)); // moves links themselves, never their targets
      moved.push(entry);
    }
    for (const entry of await readdir(staging)) {
      if (entry === '.replaced') continue;
      await rename(path.join(staging, entry), path.join(targetDir, entry));
      added.push(entry);
    }
  } catch (error) {
    for (const entry of added) await rename(path.join(targetDir, entry), path.join(staging, entry)).catch(() => {});
    for (const entry of moved) await rename(path.join(aside, entry), path.join(targetDir, entry)).catch(() => {});
    throw error;
  }
}

