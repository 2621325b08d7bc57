/**
 * planFiles(): every file of the project, rendered in memory, before anything touches the disk.
 * The files come from layers (src/templates/layers.ts): in each, the root files and then the
 * `+<type>/` overlay; a later layer or an overlay replaces a file on the same output path.
 */
import path from 'node:path';
import type { Options } from '../options.js';
import { assertUtf8, IGNORED_NAMES, isFolder, listFolder, readListedFile } from '../templates/read.js';
import { DEFAULT_PACKAGE_MANAGER } from '../package-manager.js';
import { workloadOf, type Layer } from '../templates/layers.js';
import { LANGUAGE_FILE } from '../templates/language.js';
import { MANIFEST_FILE, VERIFY_FILE } from '../templates/registry.js';
import { shellWord } from '../report.js';
import { createRenderer, type RenderContext } from './engine.js';
import { inside, isContainedPath, OVERLAY_PREFIX, outputPath, TEMPLATE_SUFFIX } from './paths.js';

/** Each layer's Handlebars partials: `{{> name}}` is `_partials/name.hbs` of the nearest layer. */
const PARTIALS_FOLDER = '_partials';

export interface PlannedFile {
  /** Posix path relative to the project folder. */
  readonly path: string;
  readonly contents: Buffer;
  readonly mode: 0o644 | 0o755;
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

export type PlanInput = Pick<Options, 'template' | 'type' | 'name' | 'region' | 'project' | 'vars'> &
  Partial<Pick<Options, 'ci' | 'packageManager'>>;

/**
 * Output folders an option can leave out, as data: the plan skips every file under a folder whose
 * option is off. `--no-ci` drops `.github/` (the GitHub Actions workflow and dependabot.yml).
 */
export const OPTIONAL_FOLDERS: ReadonlyArray<{ readonly folder: string; readonly keep: (input: PlanInput) => boolean }> = [
  { folder: '.github/', keep: (input) => input.ci !== false },
];

export function renderContext(options: PlanInput): RenderContext {
  const { manifest, language } = options.template;
  const workload = workloadOf(options.template, options.type);
  const template = { id: manifest.id, name: manifest.name, language: manifest.language, framework: manifest.framework };
  return {
    name: options.name,
    type: options.type,
    isService: options.type === 'service',
    isJob: options.type === 'job',
    region: options.region,
    project: options.project,
    packageManager: options.packageManager ?? DEFAULT_PACKAGE_MANAGER,
    usesPnpm: options.packageManager === 'pnpm',
    ...(workload.fromLanguage ? {} : { template }),
    language: { id: manifest.language, name: language?.manifest.name ?? manifest.language },
    generatedFrom: workload.fromLanguage ? workload.title : `template ${manifest.id}`,
    vars: options.vars,
    ci: options.ci !== false,
  };
}

export async function planFiles(options: PlanInput): Promise<PlannedFile[]> {
  const { layers, executable, routes, manifestName } = workloadOf(options.template, options.type);
  const render = await createRenderer(
    layers.map((layer) => inside(layer.dir, PARTIALS_FOLDER)),
    layers.map((layer) => layer.dir),
  );
  const context = renderContext(options);

  const sources = new Map<string, { layer: Layer; file: string }>(); // output path -> where it comes from
  const overlay = `${OVERLAY_PREFIX}${options.type}/`;
  for (const layer of layers.filter((l) => !l.partialsOnly)) {
    const files = listTemplateFiles(layer.dir);
    const inLayer = new Map<string, string>();
    const add = (file: string, relativeToLayer: string, replacing: boolean) => {
      const output = outputPath(relativeToLayer);
      if (!replacing && inLayer.has(output)) {
        throw new TemplateError(`${layer.name}: ${file} and ${inLayer.get(output)} both produce ${output}`);
      }
      inLayer.set(output, file);
      sources.set(output, { layer, file });
    };
    for (const file of files) if (!file.startsWith(OVERLAY_PREFIX)) add(file, file, false);
    for (const file of files) if (file.startsWith(overlay)) add(file, file.slice(overlay.length), true);
  }

  const leftOut = OPTIONAL_FOLDERS.filter(({ keep }) => !keep(options)).map(({ folder }) => folder);
  for (const output of [...sources.keys()]) {
    if (leftOut.some((folder) => output.startsWith(folder))) sources.delete(output);
  }

  const executables = new Set(executable);
  const plan: PlannedFile[] = [];
  // Sorted by output path; indexes rather than destructuring, which walks an iterator per call.
  for (const [output, { layer, file }] of [...sources].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const absolute = inside(layer.dir, file);
    const raw = await readListedFile(absolute); // listed by listTemplateFiles just now
    const isTemplate = file.endsWith(TEMPLATE_SUFFIX);
    if (isTemplate) assertUtf8(raw, absolute);
    const contents = isTemplate ? await render.file(raw, absolute, context, `${layer.name}/${file}`) : raw; // others byte for byte, so binary files survive
    // A template file that renders to nothing is not written: `{{#if usesPnpm}}...{{/if}}` around
    // a whole file (a lockfile) makes it conditional.
    if (isTemplate && isBlank(contents)) continue;
    plan.push({ path: output, contents, mode: executables.has(output) ? 0o755 : 0o644 });
    executables.delete(output);
  }
  if (executables.size > 0) {
    throw new TemplateError(`${manifestName}: executable lists files the template does not produce: ${[...executables].join(', ')}`);
  }
  const missingRoutes = routes.filter((route) => !plan.some((file) => file.path === route));
  if (missingRoutes.length > 0) {
    throw new TemplateError(`${manifestName}: routes lists files the template does not produce: ${missingRoutes.join(', ')}`);
  }
  return plan;
}

/**
 * Relative posix paths of every file in a template folder, refusing anything that could write
 * outside the project or read outside the template: symbolic links, FIFOs, devices and names that
 * are not plain path segments. Version-control and dependency folders are skipped.
 */
function listTemplateFiles(root: string, relative = '', files: string[] = []): string[] {
  const dir = relative ? inside(root, relative) : root;
  for (const entry of listFolder(dir)) {
    const rel = relative ? `${relative}/${entry.name}` : entry.name;
    if (rel === MANIFEST_FILE || rel === LANGUAGE_FILE || rel === VERIFY_FILE || rel === PARTIALS_FOLDER || IGNORED_NAMES.has(entry.name)) continue;
    if (!isContainedPath(rel)) throw new TemplateError(`${root}: refusing template path "${rel}": it must stay inside the project`);
    if (isFolder(entry, dir)) listTemplateFiles(root, rel, files);
    else files.push(rel);
  }
  return files;
}

/** The manifest's next steps, rendered with the project's context. */
export async function renderNextSteps(options: PlanInput): Promise<string[]> {
  const workload = workloadOf(options.template, options.type);
  const render = await createRenderer([], workload.layers.map((layer) => layer.dir));
  const context = renderContext(options);
  return Promise.all(workload.nextSteps.map((step, index) => render.text(step, context, `${workload.manifestName} nextSteps[${index}]`)));
}

/** The next steps as shown: a `cd` into the project, the install commands still to run (none when the generator installed the dependencies), then the manifest's steps. */
export function nextStepLines(displayDir: string, steps: readonly string[], installSteps: readonly string[] = []): string[] {
  return displayDir === '.' ? [...installSteps, ...steps] : [`cd ${shellWord(displayDir)}`, ...installSteps, ...steps];
}

/** Whether rendered bytes are only whitespace (as String.prototype.trim counts it); decoded only when no visible ASCII character settles it. */
function isBlank(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i += 1) if (bytes[i]! > 0x20 && bytes[i]! < 0x7f) return false;
  return bytes.toString('utf8').trim() === '';
}
