/**
 * A language layer's manifest (`templates/_languages/<language>/language.json`): the language's
 * display name, and the job every template of the language shares (jobs belong to the language,
 * not to a web framework). Its schema (schema.ts) is shipped as `schema/language.schema.json`;
 * read-manifest.ts reads one.
 */
import type { LanguageManifestData } from './schema.js';

export const LANGUAGE_FILE = 'language.json';

export type LanguageManifest = Readonly<LanguageManifestData>;
