/**
 * The built-in manifests as `npm run build` read and validated them (scripts/build.mjs writes
 * dist/precompiled/manifests.json: each exact text with what the schema made of it). A manifest
 * whose text is there needs neither JSON.parse nor the schema at run time: every run reads all of
 * them (for the catalogue), and loading valibot and checking each took a good part of a run. Any
 * other text (a contributed or an edited template, a run from source without a build) is
 * validated as it always was, with the same result and the same errors.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../package-root.js';
import type { LanguageManifest } from './language.js';
import type { TemplateManifest } from './manifest.js';

/** What scripts/build.mjs writes: [exact text, validated manifest] pairs. */
export interface CheckedManifests {
  readonly templates: ReadonlyArray<readonly [string, TemplateManifest]>;
  readonly languages: ReadonlyArray<readonly [string, LanguageManifest]>;
}

const FILE = fileURLToPath(new URL('dist/precompiled/manifests.json', PACKAGE_ROOT));

let checked: { templates: Map<string, TemplateManifest>; languages: Map<string, LanguageManifest> } | undefined;

/** The validated manifest of this exact text, if the build checked it. */
export function checkedManifest<K extends keyof CheckedManifests>(kind: K, text: string): CheckedManifests[K][number][1] | undefined {
  checked ??= load();
  return checked[kind].get(text);
}

function load(): NonNullable<typeof checked> {
  try {
    const file = JSON.parse(readFileSync(FILE, 'utf8')) as CheckedManifests; // sync: one small file
    return { templates: new Map(file.templates), languages: new Map(file.languages) };
  } catch {
    return { templates: new Map(), languages: new Map() }; // not built: every manifest is validated
  }
}
