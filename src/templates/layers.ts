/**
 * What a project is made of: layers of folders, lowest first — the shared layer every project
 * gets (`templates/_shared/`), the layer of the template's language (`templates/_languages/<id>/`)
 * and the template itself. A later layer's file replaces an earlier layer's on the same output
 * path; partials are looked up the other way round (template, language, shared).
 *
 * A language layer with a job owns it: the job is made of the shared and language layers only, so
 * every template of the language gives the same job, named for the language ("Python 3.14 job").
 */
import path from 'node:path';
import type { WorkloadType } from './manifest.js';
import { BUILTIN_TEMPLATES_DIR, SHARED_LAYER_DIR, type Template } from './registry.js';

export interface Layer {
  /** Absolute folder: its files, `+service/` and `+job/` overlays, and `_partials/`. */
  readonly dir: string;
  /** How messages name the layer: `_shared`, `_languages/python`, `python-flask`. */
  readonly name: string;
  /** Only the layer's partials are used, not its files. */
  readonly partialsOnly?: boolean;
}

export interface Workload {
  readonly layers: readonly Layer[];
  /** `true` when the project comes from the language layer alone (a language's job). */
  readonly fromLanguage: boolean;
  /** What the project is, for people: "Python 3.14 job", "Python 3.14 · Flask 3 on gunicorn service". */
  readonly title: string;
  /** Where the next steps and install commands below are declared, for error messages. */
  readonly manifestName: string;
  readonly nextSteps: readonly string[];
  readonly install: readonly string[];
  /** Output paths written with mode 0755; each must be a file the project gets. */
  readonly executable: readonly string[];
  /** Output paths of the user's route files (none in a language's job); each must be a file the project gets. */
  readonly routes: readonly string[];
}

const SHARED_LAYER: Layer = { dir: SHARED_LAYER_DIR, name: '_shared' };

export function workloadOf(template: Template, type: WorkloadType): Workload {
  const { manifest, language } = template;
  // The shared files build on a language layer (its language-ignores partial, its executables);
  // a template of a language without one brings its own files and uses the shared partials.
  const shared = [language ? SHARED_LAYER : { ...SHARED_LAYER, partialsOnly: true }];
  const languageLayer = language && { dir: language.dir, name: layerName(language.dir) };
  const job = type === 'job' ? language?.manifest.job : undefined;
  if (job && language && languageLayer) {
    return {
      layers: [...shared, languageLayer],
      fromLanguage: true,
      title: `${language.manifest.name} job`,
      manifestName: `${languageLayer.name}/language.json job`,
      nextSteps: job.nextSteps,
      install: job.install,
      executable: language.manifest.executable,
      routes: [],
    };
  }
  return {
    layers: [...shared, ...(languageLayer ? [languageLayer] : []), { dir: template.dir, name: manifest.id }],
    fromLanguage: false,
    title: `${manifest.name} ${type}`,
    manifestName: `${manifest.id}/template.json`,
    nextSteps: manifest.nextSteps,
    install: manifest.install,
    executable: [...(language?.manifest.executable ?? []), ...manifest.executable],
    routes: type === 'service' ? manifest.routes : [],
  };
}

/** `_languages/python` for a built-in layer; the folder itself for any other. */
function layerName(dir: string): string {
  // A prefix test: BUILTIN_TEMPLATES_DIR ends with a separator, and layer folders are normalized.
  return dir.startsWith(BUILTIN_TEMPLATES_DIR) ? dir.slice(BUILTIN_TEMPLATES_DIR.length).split(path.sep).join('/') : dir;
}
