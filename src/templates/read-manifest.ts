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
  const text = await readManifestText(file, 'a template folder needs a template.json');
  const checked = checkedManifest('templates', text);
  if (checked) return checked;
  return (await import('./schema.js')).parseManifest(parseJson(text, file), file);
}

export async function readLanguageManifest(file: string): Promise<LanguageManifest> {
  const text = await readManifestText(file, `a language folder needs a ${LANGUAGE_FILE}`);
  const checked = checkedManifest('languages', text);
  if (checked) return checked;
  return (await import('./schema.js')).parseLanguageManifest(parseJson(text, file), file);
}

/** The manifest's text; `why` says why it must be there when it cannot be read. */
async function readManifestText(file: string, why: string): Promise<string> {
  try {
    return await readTextFile(file);
  } catch (error) {
    if (error instanceof TemplateFileError) throw error;
    throw new ManifestError(`${file}: cannot be read (${why})`);
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}
