/**
 * The Handlebars engine: an isolated instance (no global helpers leak in), `noEscape` because the
 * output is source code rather than HTML, and `strict` so a misspelt variable fails instead of
 * rendering as an empty string. Only template files are compiled; user input is always data.
 */
import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars/runtime';
import { PACKAGE_ROOT } from '../package-root.js';
import type { PackageManager } from '../package-manager.js';
import type { VariableValue, WorkloadType } from '../templates/manifest.js';
import { readTextFile, templateEntry, TemplateFileError } from '../templates/read.js';

export const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

/**
 * Compiling Handlebars sources costs most of a generation's CPU time, so `npm run build` compiles
 * the built-in templates' sources ahead of time (scripts/build.mjs): one module per folder of
 * templates/ (`dist/precompiled/node-express.js`, `dist/precompiled/_partials.js`), holding pairs
 * of the exact source text and its compiled form, made with COMPILE_OPTIONS. A source they do not
 * hold (a contributed template, an edited file, a run from source without a build) is compiled
 * here as before: same compiler, same options, same output.
 */
const PRECOMPILED_DIR = new URL('dist/precompiled/', PACKAGE_ROOT);
const TEMPLATES_DIR = fileURLToPath(new URL('templates/', PACKAGE_ROOT));

type Spec = TemplateSpecification;
const OPTIONS_JSON = JSON.stringify(COMPILE_OPTIONS);
const precompiled = new Map<string, Promise<readonly [string, Spec][]>>();

/** The precompiled sources of the built-in template folders that `dirs` lie in. */
async function loadPrecompiled(dirs: readonly string[]): Promise<Map<string, Spec>> {
  const folders = new Set(dirs.map((dir) => path.relative(TEMPLATES_DIR, dir).split(path.sep)[0]!).filter((f) => /^[\w-]+$/.test(f)));
  const modules = [...folders].map((folder) => {
    if (!precompiled.has(folder)) {
      const url = new URL(`${folder}.js`, PRECOMPILED_DIR).href;
      precompiled.set(
        folder,
        import(url).then(
          // Made with other options (a stale build), it would render differently: compile instead.
          (module: { compileOptions: unknown; default: [string, Spec][] }) => (JSON.stringify(module.compileOptions) === OPTIONS_JSON ? module.default : []),
          () => [],
        ),
      );
    }
    return precompiled.get(folder)!;
  });
  return new Map((await Promise.all(modules)).flat());
}

type Compiler = Pick<typeof import('handlebars'), 'precompile'>;
let compiler: Promise<Compiler> | undefined;

/** Handlebars' parser and code generator, most of the library: loaded only for a source not compiled ahead. */
function loadCompiler(): Promise<Compiler> {
  compiler ??= import('handlebars').then((module) => module.default);
  return compiler;
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
  readonly template: { readonly id: string; readonly name: string; readonly language: string; readonly framework: string };
  readonly vars: Readonly<Record<string, VariableValue>>;
  /** The project gets `.github/` (CI/CD workflow, dependabot.yml); false with --no-ci. */
  readonly ci: boolean;
}

export type Render = (source: string, context: RenderContext, file: string) => Promise<string>;

/**
 * Loads every `<name>.hbs` in the partials folders (later folders win) into a fresh engine, for
 * rendering sources of `templateDir` (whose ahead-of-time compiled forms it loads, if any).
 */
export async function createRenderer(partialDirs: readonly string[], templateDir?: string): Promise<Render> {
  const engine = Handlebars.create();
  const ahead = await loadPrecompiled(templateDir === undefined ? partialDirs : [...partialDirs, templateDir]);
  const compile = async (source: string): Promise<HandlebarsTemplateDelegate> => {
    const spec = ahead.get(source);
    if (spec) return engine.template(spec);
    // What Handlebars.compile does inside: generate the template's JavaScript, then load it.
    const code = (await loadCompiler()).precompile(source, { ...COMPILE_OPTIONS }); // a copy: Handlebars adds to it
    return engine.template(new Function(`return ${code};`)() as TemplateSpecification);
  };
  for (const dir of partialDirs) {
    let info;
    try {
      info = lstatSync(dir); // sync: a small folder, where a thread-pool round trip costs more than the call
    } catch {
      continue;
    }
    if (!info.isDirectory()) throw new TemplateFileError(`${dir}: must be a folder (templates may not contain symbolic links)`);
    for (const entry of readdirSync(dir).sort()) {
      const entryInfo = await templateEntry(path.join(dir, entry)); // a link or FIFO anywhere in it is refused
      if (!entry.endsWith('.hbs') || !entryInfo.isFile()) continue;
      const source = await readTextFile(path.join(dir, entry));
      const partial = await compile(source).catch((error: Error) => {
        throw new Error(`${path.join(dir, entry)}: ${error.message.split('\n')[0]}`);
      });
      engine.registerPartial(entry.slice(0, -'.hbs'.length), partial);
    }
  }
  return async (source, context, file) => {
    try {
      return (await compile(source))(context);
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message.split('\n')[0]}`);
    }
  };
}
