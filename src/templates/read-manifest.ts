/**
 * Reading a template's or a language layer's manifest, with errors that name the file and the
 * field. A manifest `npm run build` already validated (checked.ts) is taken as it was then; any
 * other is parsed and validated against the schema (schema.ts, loaded only then).
 */
import { checkedManifest } from './checked.js';
import { LANGUAGE_FILE, type LanguageManifest } from './language.js';
import { ManifestError, type TemplateManifest } from './manifest.js';
import { readTextFile, TemplateFileError } from './read.js';

export async function readManifest(file: string): Promise<TemplateManifest> {
  let text: string;
  try {
    text = await readTextFile(file);
  } catch (error) {
    if (error instanceof TemplateFileError) throw error;
    throw new ManifestError(`${file}: cannot be read (a template folder needs a template.json)`);
  }
  const checked = checkedManifest('templates', text);
  if (checked) return checked;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return (await import('./schema.js')).parseManifest(data, file);
}

export async function readLanguageManifest(file: string): Promise<LanguageManifest> {
  let text: string;
  try {
    text = await readTextFile(file);
  } catch (error) {
    if (error instanceof TemplateFileError) throw error;
    throw new ManifestError(`${file}: cannot be read (a language folder needs a ${LANGUAGE_FILE})`);
  }
  const checked = checkedManifest('languages', text);
  if (checked) return checked;
  try {
    return (await import('./schema.js')).parseLanguageManifest(JSON.parse(text), file);
  } catch (error) {
    if (error instanceof SyntaxError) throw new ManifestError(`${file}: not valid JSON (${error.message})`);
    throw error;
  }
}
