/**
 * Where things are: the repository this suite lives in, its generator's bin and its built-in
 * templates. The one definition every part of the suite, the tests and the benchmark use.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file whose package.json is this package (works from a compiled copy too). */
function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      if ((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === 'create-cloudrun-app') return dir;
    } catch {
      /* no package.json here */
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the create-cloudrun-app repository root');
    dir = parent;
  }
}
export const REPO_ROOT = findRepoRoot();
export const BIN = path.join(REPO_ROOT, 'bin/create-cloudrun-app.cjs');
export const BUILTIN_TEMPLATES_DIR = path.join(REPO_ROOT, 'templates');
