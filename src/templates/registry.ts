/**
 * Finds templates on disk: every `templates/<id>/template.json` shipped with the package, and any
 * folder passed with `--template <path>`, each with the built-in layer of its language
 * (`templates/_languages/<language>/`) when there is one. No template is named in code; adding a
 * folder adds a template.
 */
import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../package-root.js';
import { LANGUAGE_FILE, type LanguageManifest } from './language.js';
import { ManifestError, type TemplateManifest } from './manifest.js';
import { readLanguageManifest, readManifest } from './read-manifest.js';
import { inside } from '../render/paths.js';
import { templateEntry } from './read.js';

export interface Template {
  readonly manifest: TemplateManifest;
  /** Absolute folder that holds template.json and the files. */
  readonly dir: string;
  /** The built-in layer of the template's language; absent for a language that has none. */
  readonly language?: LanguageLayer;
}

export interface LanguageLayer {
  readonly manifest: LanguageManifest;
  /** Absolute folder that holds language.json and the files. */
  readonly dir: string;
}

export const MANIFEST_FILE = 'template.json';
/** A layer's verification facts (the verification suite reads them); never part of a project. */
export const VERIFY_FILE = 'verify.json';

/** The package's own `templates/` folder. */
export const BUILTIN_TEMPLATES_DIR = fileURLToPath(new URL('templates/', PACKAGE_ROOT));

/** The layer every project gets: files, and partials every template can use (`{{> deploy-sh}}`). */
export const SHARED_LAYER_DIR = path.join(BUILTIN_TEMPLATES_DIR, '_shared');

/** One layer per language, `_languages/<language>/`, shared by the templates of that language. */
const LANGUAGES_DIR = path.join(BUILTIN_TEMPLATES_DIR, '_languages');

/** A workload type's own files, in any layer: `+service/`, `+job/`. */
const JOB_FOLDER = '+job';

export async function loadTemplate(dir: string): Promise<Template> {
  // The folder the user named may be reached through a link; nothing inside it may be one.
  // Synchronous file-system calls here and below: a few small reads, where a thread-pool round
  // trip per call would cost more CPU than the call itself.
  const absolute = tryOrUndefined(() => realpathSync.native(path.resolve(dir))); // one system call, not an lstat per folder
  const info = absolute ? lstatSync(absolute) : undefined;
  if (!absolute || !info?.isDirectory()) throw new ManifestError(`${dir}: not a template folder (no such directory)`);
  const manifest = await readManifest(inside(absolute, MANIFEST_FILE));
  const language = await loadLanguage(manifest.language);
  if (language?.manifest.job && tryOrUndefined(() => lstatSync(inside(absolute, JOB_FOLDER), NO_THROW_IF_MISSING))) {
    throw new ManifestError(
      `${path.join(absolute, JOB_FOLDER)}: jobs belong to the language: every ${language.manifest.name} template gets the job of ${path.join(language.dir, JOB_FOLDER)}; remove this folder`,
    );
  }
  return language ? { manifest, dir: absolute, language } : { manifest, dir: absolute };
}

const languages = new Map<string, Promise<LanguageLayer | undefined>>();

/** The built-in layer of a language, read once per run; undefined when the language has none. */
function loadLanguage(id: string): Promise<LanguageLayer | undefined> {
  if (!languages.has(id)) languages.set(id, readLanguage(id));
  return languages.get(id)!;
}

async function readLanguage(id: string): Promise<LanguageLayer | undefined> {
  const dir = path.join(LANGUAGES_DIR, id);
  const info = await templateEntry(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!info) return undefined;
  if (!info.isDirectory()) throw new ManifestError(`${dir}: a language layer must be a folder`);
  const manifest = await readLanguageManifest(inside(dir, LANGUAGE_FILE));
  if (manifest.language !== id) throw new ManifestError(`${path.join(dir, LANGUAGE_FILE)}: language: "${manifest.language}" must equal the folder name "${id}"`);
  return { manifest, dir };
}

/** Every template in `root`, sorted by id; a folder without a manifest (like `_shared`) is not one. */
export async function listTemplates(root: string = BUILTIN_TEMPLATES_DIR): Promise<Template[]> {
  const entries = readdirSync(root, { withFileTypes: true });
  const folders = entries.filter((entry) => entry.isDirectory() && !entry.name.startsWith('_'));
  const templates: Template[] = [];
  for (const folder of folders) {
    const dir = path.join(root, folder.name);
    const hasManifest = tryOrUndefined(() => lstatSync(inside(dir, MANIFEST_FILE), NO_THROW_IF_MISSING)) !== undefined;
    if (!hasManifest) continue;
    const template = await loadTemplate(dir);
    if (template.manifest.id !== folder.name) {
      throw new ManifestError(`${path.join(dir, MANIFEST_FILE)}: id: "${template.manifest.id}" must equal the folder name "${folder.name}"`);
    }
    const rival = template.manifest.default && templates.find((t) => t.manifest.default && t.manifest.language === template.manifest.language);
    if (rival) {
      throw new ManifestError(`${path.join(dir, MANIFEST_FILE)}: default: ${rival.manifest.id} is already the default ${template.manifest.language} template (one per language)`);
    }
    templates.push(template);
  }
  // Ids are lower-case ASCII: a plain comparison, not localeCompare, which loads ICU collation (~10 ms).
  return templates.sort((a, b) => (a.manifest.id < b.manifest.id ? -1 : a.manifest.id > b.manifest.id ? 1 : 0));
}

/** lstat's answer for a missing entry: undefined rather than an error, whose stack trace costs far more than the call. */
const NO_THROW_IF_MISSING = { throwIfNoEntry: false } as const;

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
