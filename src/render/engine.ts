/**
 * Rendering template sources. The language is Handlebars with `noEscape` (the output is source
 * code rather than HTML) and `strict` (a misspelt variable fails instead of rendering as an empty
 * string); only template files are compiled, user input is always data.
 *
 * Loading Handlebars and compiling a template's JavaScript cost most of a generation's CPU time,
 * so `npm run build` turns the built-in templates' sources into programs (program.ts), two files
 * per layer folder: `dist/precompiled/node-express.sources` holds the bytes of its template files
 * one after another, and `node-express.json` each file's path, length and program, and the
 * programs of its manifest's next steps and install commands by their exact text. A file whose
 * bytes are those the build saw, or such a text, is rendered by interpret.ts; any other (a
 * contributed template, an edited file, a run from source without a build), or a case the
 * interpreter leaves to Handlebars, is rendered by Handlebars itself, loaded then: an isolated
 * instance, no helpers of its own.
 */
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from '../package-root.js';
import type { PackageManager } from '../package-manager.js';
import type { VariableValue, WorkloadType } from '../templates/manifest.js';
import { assertUtf8, isFolder, listFolder, readListedFile, TemplateFileError, utf8Text } from '../templates/read.js';
import { interpret, NotOrdinary, type Template } from './interpret.js';
import { inside } from './paths.js';
import type { Node } from './program.js';

export const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

const PROGRAMS_DIR = fileURLToPath(new URL('dist/precompiled/', PACKAGE_ROOT));
const TEMPLATES_DIR = fileURLToPath(new URL('templates/', PACKAGE_ROOT));
const OPTIONS_JSON = JSON.stringify(COMPILE_OPTIONS);

/** What scripts/build.mjs writes for a layer folder, beside `<name>.sources`. */
export interface ProgramFile {
  /** The options the programs follow; a file written for others (a stale build) is ignored. */
  readonly compileOptions: unknown;
  /** [path in the layer folder (posix), length in bytes, program], in the order of `<name>.sources`. */
  readonly files: ReadonlyArray<readonly [string, number, readonly Node[]]>;
  /** [exact text, program]: the next steps and install commands of the layer's manifest. */
  readonly texts: ReadonlyArray<readonly [string, readonly Node[]]>;
}

/**
 * The program file of the built-in layer folder a path lies in: `python-flask`, `_shared`,
 * `_languages.python` (the name scripts/build.mjs gives it); undefined outside templates/.
 */
export function programFileName(relativeToTemplates: string): string | undefined {
  const [first, second] = relativeToTemplates.split(/[\\/]/);
  const name = first === '_languages' && second !== undefined ? `${first}.${second}` : first;
  return name !== undefined && /^[\w-]+(\.[\w-]+)?$/.test(name) ? name : undefined;
}

interface LayerPrograms {
  /** [path in the layer folder, the bytes the build saw, program]. */
  readonly files: ReadonlyArray<readonly [string, Buffer, readonly Node[]]>;
  readonly texts: ProgramFile['texts'];
}

interface Programs {
  /** By the file's absolute path, as the callers spell it (`inside(layerDir, path)`). */
  readonly files: Map<string, { readonly expected: Buffer; readonly program: readonly Node[] }>;
  readonly texts: Map<string, readonly Node[]>;
}

const NONE: LayerPrograms = { files: [], texts: [] };
const layers = new Map<string, LayerPrograms>();
const loaded = new Map<string, Programs>(); // a run renders from the same layers several times

/** The programs of the built-in layer folders among `layerDirs`. */
function loadPrograms(layerDirs: readonly string[]): Programs {
  const key = layerDirs.join('\0');
  let programs = loaded.get(key);
  if (!programs) loaded.set(key, (programs = programsOf(layerDirs)));
  return programs;
}

function programsOf(layerDirs: readonly string[]): Programs {
  const programs: Programs = { files: new Map(), texts: new Map() };
  for (const dir of layerDirs) {
    // A prefix test rather than path.relative: this runs for every folder of every render set.
    const name = dir.startsWith(TEMPLATES_DIR) ? programFileName(dir.slice(TEMPLATES_DIR.length)) : undefined;
    if (name === undefined) continue;
    if (!layers.has(name)) layers.set(name, readPrograms(name));
    const { files, texts } = layers.get(name)!;
    // Indexes, not destructuring: that walks an iterator per entry, and there are a hundred.
    for (const entry of files) programs.files.set(inside(dir, entry[0]), { expected: entry[1], program: entry[2] });
    for (const entry of texts) programs.texts.set(entry[0], entry[1]);
  }
  return programs;
}

function readPrograms(name: string): LayerPrograms {
  let file: ProgramFile;
  let bytes: Buffer;
  try {
    // Sync: two files per layer. The bytes stay a Buffer, outside the JavaScript heap.
    file = JSON.parse(readFileSync(path.join(PROGRAMS_DIR, `${name}.json`), 'utf8')) as ProgramFile;
    bytes = readFileSync(path.join(PROGRAMS_DIR, `${name}.sources`));
  } catch {
    return NONE; // not built (a run from source): Handlebars renders everything
  }
  if (JSON.stringify(file.compileOptions) !== OPTIONS_JSON) return NONE;
  let at = 0;
  const files = file.files.map((entry) => [entry[0], bytes.subarray(at, (at += entry[1])), entry[2]] as const);
  return { files, texts: file.texts };
}

/** Everything a template file can refer to. */
export interface RenderContext {
  readonly name: string;
  readonly type: WorkloadType;
  readonly isService: boolean;
  readonly isJob: boolean;
  readonly region: string;
  readonly project: string;
  /** `npm` or `pnpm`: the Node.js package manager (templates of other languages ignore it). */
  readonly packageManager: PackageManager;
  /** `packageManager === 'pnpm'`, for `{{#if usesPnpm}}` (Handlebars has no comparison built in). */
  readonly usesPnpm: boolean;
  /** The template; absent in a language's job, which is the same whichever template was chosen. */
  readonly template?: { readonly id: string; readonly name: string; readonly language: string; readonly framework: string };
  /** `name`: the language layer's display name ("Python 3.14"), or the id for a language without one. */
  readonly language: { readonly id: string; readonly name: string };
  /** Where the project came from, for a "generated by" line: "template python-flask", "Python 3.14 job". */
  readonly generatedFrom: string;
  readonly vars: Readonly<Record<string, VariableValue>>;
  /** The project gets `.github/` (CI/CD workflow, dependabot.yml); false with --no-ci. */
  readonly ci: boolean;
}

export type Render = (source: string, context: RenderContext, file: string) => Promise<string>;

export interface Renderer {
  /** A template file's bytes (UTF-8, as the caller checked) rendered; `file` is its absolute path. */
  file(bytes: Buffer, file: string, context: RenderContext, label: string): Promise<Buffer>;
  /** A manifest's template text (a next step, an install command) rendered. */
  text(source: string, context: RenderContext, label: string): Promise<string>;
}

/** A `<name>.hbs` of a partials folder. */
interface PartialFile {
  readonly name: string;
  readonly bytes: Buffer;
  readonly file: string;
}

/**
 * Reads every `<name>.hbs` in the partials folders (later folders win), for rendering template
 * files of the `layerDirs` and their manifests' texts (with their programs, if they have any).
 */
export async function createRenderer(partialDirs: readonly string[], layerDirs: readonly string[]): Promise<Renderer> {
  const programs = loadPrograms(layerDirs);
  const templateOf = (bytes: Buffer, file: string): Template | undefined => {
    const known = programs.files.get(file);
    return known && bytes.equals(known.expected) ? { program: known.program, bytes } : undefined;
  };
  const partialFiles = await readPartials(partialDirs);
  const partials = new Map(partialFiles.map((partial) => [partial.name, templateOf(partial.bytes, partial.file)]));
  const partialTemplate = (name: string) => partials.get(name);
  let handlebars: Promise<Render> | undefined;
  const viaHandlebars = () => (handlebars ??= handlebarsRenderer(partialFiles));
  // A partial without a program goes to Handlebars at once, so that a broken one is reported before
  // anything is rendered, whether or not a file uses it.
  if (partialFiles.some((partial) => !templateOf(partial.bytes, partial.file))) await viaHandlebars();
  return {
    async file(bytes, file, context, label) {
      const template = templateOf(bytes, file);
      if (template) {
        try {
          return interpret(template, context, partialTemplate).toBuffer();
        } catch (error) {
          if (!(error instanceof NotOrdinary)) throw error;
        }
      }
      return Buffer.from(await (await viaHandlebars())(utf8Text(bytes, file), context, label), 'utf8');
    },
    async text(source, context, label) {
      const program = programs.texts.get(source);
      if (program) {
        try {
          return interpret({ program }, context, partialTemplate).toString();
        } catch (error) {
          if (!(error instanceof NotOrdinary)) throw error;
        }
      }
      return (await viaHandlebars())(source, context, label);
    },
  };
}

async function readPartials(partialDirs: readonly string[]): Promise<PartialFile[]> {
  const partials: PartialFile[] = [];
  for (const dir of partialDirs) {
    let info;
    try {
      // Sync: a small folder, where a thread-pool round trip costs more than the call. A layer
      // without partials is usual: no error (and its stack trace) for that.
      info = lstatSync(dir, { throwIfNoEntry: false });
    } catch {
      continue;
    }
    if (!info) continue;
    if (!info.isDirectory()) throw new TemplateFileError(`${dir}: must be a folder (templates may not contain symbolic links)`);
    for (const entry of listFolder(dir)) {
      // A link or FIFO anywhere in it is refused.
      if (isFolder(entry, dir) || !entry.name.endsWith('.hbs')) continue;
      const file = inside(dir, entry.name);
      const bytes = await readListedFile(file);
      assertUtf8(bytes, file);
      partials.push({ name: entry.name.slice(0, -'.hbs'.length), bytes, file });
    }
  }
  return partials;
}

/** Handlebars itself, its compiler loaded now: every partial compiled and registered in order. */
async function handlebarsRenderer(partials: readonly PartialFile[]): Promise<Render> {
  const Handlebars = (await import('handlebars')).default;
  const engine = Handlebars.create();
  const compile = (source: string): HandlebarsTemplateDelegate => {
    // What Handlebars.compile does inside, at once rather than on first use: generate the
    // template's JavaScript (an error names the file below), then load it.
    const code = Handlebars.precompile(source, { ...COMPILE_OPTIONS }); // a copy: Handlebars adds to it
    return engine.template(new Function(`return ${code};`)() as TemplateSpecification);
  };
  for (const { name, bytes, file } of partials) {
    let partial;
    try {
      partial = compile(utf8Text(bytes, file));
    } catch (error) {
      throw new TemplateFileError(`${file}: ${(error as Error).message.split('\n')[0]}`);
    }
    engine.registerPartial(name, partial);
  }
  return async (source, context, file) => {
    try {
      return compile(source)(context);
    } catch (error) {
      // Strict mode names the object it looked in, which for the context says nothing.
      throw new TemplateFileError(`${file}: ${(error as Error).message.split('\n')[0]!.replace(' in [object Object]', '')}`);
    }
  };
}
