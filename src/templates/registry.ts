/**
 * Finds templates on disk: every `templates/<id>/template.json` shipped with the package, and any
 * folder passed with `--template <path>`. No template is named in code; adding a folder adds a template.
 */
import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../package-root.js';
import { ManifestError, readManifest, type TemplateManifest } from './manifest.js';

export interface Template {
  readonly manifest: TemplateManifest;
  /** Absolute folder that holds template.json and the files. */
  readonly dir: string;
}

export const MANIFEST_FILE = 'template.json';

/** The package's own `templates/` folder. */
export const BUILTIN_TEMPLATES_DIR = fileURLToPath(new URL('templates/', PACKAGE_ROOT));

/** Shared Handlebars partials every template can use, e.g. `{{> deploy-sh}}`. */
export const SHARED_PARTIALS_DIR = path.join(BUILTIN_TEMPLATES_DIR, '_partials');

export async function loadTemplate(dir: string): Promise<Template> {
  // The folder the user named may be reached through a link; nothing inside it may be one.
  // Synchronous file-system calls here and below: a few small reads, where a thread-pool round
  // trip per call would cost more CPU than the call itself.
  const absolute = tryOrUndefined(() => realpathSync(path.resolve(dir)));
  const info = absolute ? lstatSync(absolute) : undefined;
  if (!absolute || !info?.isDirectory()) throw new ManifestError(`${dir}: not a template folder (no such directory)`);
  return { manifest: await readManifest(path.join(absolute, MANIFEST_FILE)), dir: absolute };
}

/** Every template in `root`, sorted by id; a folder without a manifest (like `_partials`) is not one. */
export async function listTemplates(root: string = BUILTIN_TEMPLATES_DIR): Promise<Template[]> {
  const entries = readdirSync(root, { withFileTypes: true });
  const folders = entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('_'));
  const templates: Template[] = [];
  for (const folder of folders) {
    const dir = path.join(root, folder.name);
    const hasManifest = tryOrUndefined(() => lstatSync(path.join(dir, MANIFEST_FILE))) !== undefined;
    if (!hasManifest) continue;
    const template = await loadTemplate(dir);
    if (template.manifest.id !== folder.name) {
      throw new ManifestError(`${path.join(dir, MANIFEST_FILE)}: id: "${template.manifest.id}" must equal the folder name "${folder.name}"`);
    }
    templates.push(template);
  }
  // Ids are lower-case ASCII: a plain comparison, not localeCompare, which loads ICU collation (~10 ms).
  return templates.sort((a, b) => (a.manifest.id < b.manifest.id ? -1 : a.manifest.id > b.manifest.id ? 1 : 0));
}

function tryOrUndefined<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch {
    return undefined;
  }
}

/** `--template` takes an id or a path; anything that looks like a path is one. */
export function looksLikePath(reference: string): boolean {
  return reference.includes('/') || reference.includes(path.sep) || reference.startsWith('.') || reference.startsWith('~');
}
