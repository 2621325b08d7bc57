#!/usr/bin/env node
// `npm run build`: bundles the CLI and every library it uses into dist/, so the published package
// has no runtime dependencies to download (as create-vite and sv ship theirs). Type checking is
// `npm run typecheck` (tsc); esbuild only strips the types.
//
// The bundles are CommonJS (.cjs), and so is the bin that requires them: a run that loads no ES
// module never starts Node's ES module loader, a good part of the start-up's CPU time. What only
// some runs need is a bundle of its own, required when first used (src/ imports it dynamically):
// the prompt library with the questions (prompts.cjs), the manifest schema for templates other
// than the built-in ones (schema.cjs) and Handlebars (handlebars.cjs).
import { isUtf8 } from 'node:buffer';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const Handlebars = createRequire(import.meta.url)('handlebars/dist/cjs/handlebars.js');

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist`;

/** Bundles of their own, by the module of src/ that the CLI imports dynamically. */
const APART = { 'src/cli/prompts.ts': 'prompts.cjs', 'src/templates/schema.ts': 'schema.cjs' };

// `supported`: a dynamic import() becomes require(), as import() would start the ES module loader.
const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.12',
  supported: { 'dynamic-import': false },
  minify: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
};

/**
 * Handlebars' package entry also registers a `require('.hbs')` hook and pulls `source-map`, which
 * only matters for precompiling templates to JavaScript with source maps (its CLI's job, together
 * with uglify-js). Use its runtime+compiler build, and give it no `source-map`: its code generator
 * then falls back to its own plain-string SourceNode, exactly as it does in a browser.
 */
const lightHandlebars = {
  name: 'light-handlebars',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^handlebars$/ }, (args) =>
      pluginBuild.resolve('handlebars/dist/cjs/handlebars.js', { kind: args.kind, resolveDir: args.resolveDir }),
    );
    pluginBuild.onResolve({ filter: /^source-map$/ }, () => ({ path: 'source-map', namespace: 'empty' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/**
 * `import path from 'node:path'` as CommonJS is, by default, a copy of the module made for each
 * importing file (esbuild's __toESM: a getter per export, some twenty copies per run). Node's own
 * modules need no copy: each import in src/ of one of these (only ever a default import) binds to
 * its one require(). A named import of one in src/ fails the build.
 */
const nodeDefaults = {
  name: 'node-defaults',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^node:(path|os|vm)$/ }, (args) =>
      args.kind === 'import-statement' && args.importer.startsWith(`${root}src`) ? { path: args.path, namespace: 'node-default' } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'node-default' }, (args) => ({ contents: `export default require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

/** In the CLI's bundle, a dynamic import of a module built apart (or of Handlebars) requires that bundle. */
const apart = {
  name: 'apart',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^handlebars$/ }, () => ({ path: './handlebars.cjs', external: true }));
    pluginBuild.onResolve({ filter: /^\./ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const bundle = APART[srcPath(path.resolve(args.resolveDir, args.path))];
      return bundle ? { path: `./${bundle}`, external: true } : undefined;
    });
  },
};

/**
 * In a bundle built apart, the modules of src/ other than its own entry are those of the CLI's
 * bundle, taken from it (index.cjs exports them as `shared`, by path): one copy of each, so an
 * error class the bundle throws is the one the CLI checks with instanceof. Each path is recorded
 * for the CLI's bundle to export.
 */
const shared = new Set();
const fromMain = (entry) => ({
  name: 'from-main',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\./ }, (args) => {
      if (!args.importer.startsWith(`${root}src`)) return undefined;
      const file = srcPath(path.resolve(args.resolveDir, args.path));
      if (file === entry) return undefined;
      shared.add(file);
      return { path: file, namespace: 'main' };
    });
    pluginBuild.onLoad({ filter: /.*/, namespace: 'main' }, (args) => ({ contents: `module.exports = require('./index.cjs').shared[${JSON.stringify(args.path)}];`, loader: 'js' }));
    pluginBuild.onResolve({ filter: /^\.\/index\.cjs$/ }, () => ({ path: './index.cjs', external: true }));
  },
});

/** `src/….ts` for a file of src/ as an import names it (`….js`). */
function srcPath(file) {
  return path.relative(root, file).replaceAll(path.sep, '/').replace(/\.js$/, '.ts');
}

await rm(outdir, { recursive: true, force: true });
const handlebars = await build({
  ...common,
  // Handlebars itself as the module's exports: what `(await import('handlebars')).default` is then.
  stdin: { contents: "module.exports = require('handlebars');", resolveDir: root },
  outfile: `${outdir}/handlebars.cjs`,
  plugins: [lightHandlebars],
});
const apartBuilds = [];
for (const [entry, bundle] of Object.entries(APART)) {
  apartBuilds.push(await build({ ...common, entryPoints: [entry], outfile: `${outdir}/${bundle}`, plugins: [fromMain(entry), nodeDefaults] }));
}
const sharedImports = [...shared].sort().map((file, i) => [`import * as shared${i} from './${file}';`, `${JSON.stringify(file)}: shared${i}`]);
const result = await build({
  ...common,
  stdin: {
    // src/index.ts runs the CLI; the bundles built apart take the modules they share with it from `shared`.
    contents: [...sharedImports.map(([line]) => line), `export const shared = { ${sharedImports.map(([, entry]) => entry).join(', ')} };`, "import './src/index.ts';"].join('\n'),
    resolveDir: root,
    sourcefile: 'index-entry.js',
  },
  outfile: `${outdir}/index.cjs`,
  // import.meta does not exist in CommonJS: src/package-root.ts's import.meta.url is this file's URL.
  // And src/ is ES module code, so strict mode code (esbuild says so only for a file entry's bundle).
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: `'use strict';\nconst importMetaUrl = require('node:url').pathToFileURL(__filename).href;` },
  plugins: [apart, nodeDefaults],
});

// A module built apart that the CLI's bundle also holds would run twice, with two of each class.
const twice = Object.keys(APART).filter((entry) => entry in result.metafile.inputs);
if (twice.length > 0) throw new Error(`build: ${twice.join(', ')} imported statically as well: only import() keeps it in a bundle of its own`);

const outputs = Object.assign({}, handlebars.metafile.outputs, ...apartBuilds.map((b) => b.metafile.outputs), result.metafile.outputs);
const inputs = Object.assign({}, handlebars.metafile.inputs, ...apartBuilds.map((b) => b.metafile.inputs), result.metafile.inputs);
await compileTemplates();
await checkManifests();
await writeFile(`${outdir}/THIRD-PARTY-LICENSES.txt`, await licenses(Object.keys(inputs)));
process.stdout.write(`built ${Object.entries(outputs).map(([file, info]) => `${file.replace(`${root}`, '')} ${(info.bytes / 1024).toFixed(0)} KiB`).join(', ')}\n`);

/** The bundled libraries' license texts, which their licenses ask to ship with copies of them. */
async function licenses(inputs) {
  const packages = [...new Set(inputs.map((file) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1]).filter(Boolean))].sort();
  const sections = [];
  for (const name of packages) {
    const dir = `${root}node_modules/${name}`;
    const { version, license } = JSON.parse(await readFile(`${dir}/package.json`, 'utf8'));
    const file = (await readdir(dir)).find((entry) => /^(licen[cs]e|copying)(\.|$)/i.test(entry));
    const text = file ? await readFile(`${dir}/${file}`, 'utf8') : `${license} (no license file in the package)`;
    sections.push(`${name}@${version} (${license})\n\n${text.trim()}\n`);
  }
  return `Libraries bundled into dist/ by scripts/build.mjs:\n\n${sections.join(`\n${'-'.repeat(72)}\n\n`)}`;
}

/**
 * The built-in templates' Handlebars sources (files, partials, next steps, install commands) as
 * programs (src/render/program.ts) that src/render/interpret.ts renders without Handlebars, two
 * files per layer folder (`templates/<id>/`, `templates/_shared/`, `templates/_languages/<language>/`
 * as `_languages.<language>`): `<name>.sources`, the bytes of its template files one after another,
 * and `<name>.json`, each file's path, length and program (its text as ranges of those bytes), and
 * the programs of its manifest's texts. src/render/engine.ts uses a program only for a file whose
 * bytes are those, or that exact text, so an edited file simply goes to Handlebars. A source that
 * uses more than programs support goes to Handlebars too, and is named here
 * (test/unit/precompiled.test.ts fails on it).
 */
async function compileTemplates() {
  const COMPILE_OPTIONS = { noEscape: true, strict: true }; // src/render/engine.ts COMPILE_OPTIONS
  const { toProgram } = await importTypeScript('src/render/program.ts');
  // Handlebars' own parser, whitespace rules applied; a copy of the options: Handlebars adds to them.
  const programOf = (source, where, text) => {
    const program = toProgram(Handlebars.parse(source, { ...COMPILE_OPTIONS }), text);
    if (!program) process.stderr.write(`build: ${where}: left to Handlebars (uses more than programs support)\n`);
    return program;
  };
  await mkdir(`${outdir}/precompiled`);
  const folders = async (dir) => (await readdir(`${root}${dir}`, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  const layers = [];
  for (const name of await folders('templates')) {
    if (name === '_languages') for (const language of await folders('templates/_languages')) layers.push([`_languages/${language}`, `_languages.${language}`]);
    else layers.push([name, name]);
  }
  for (const [folder, module] of layers) {
    const dir = `${root}templates/${folder}`;
    const files = [];
    const bytes = [];
    const texts = new Map();
    for (const entry of (await readdir(dir, { recursive: true, withFileTypes: true })).sort((a, b) => (`${a.parentPath}/${a.name}` < `${b.parentPath}/${b.name}` ? -1 : 1))) {
      const file = `${entry.parentPath}/${entry.name}`;
      const relative = file.slice(dir.length + 1).replaceAll('\\', '/'); // posix, as the run spells paths in a layer
      if (!entry.isFile()) continue;
      if (entry.name.endsWith('.hbs')) {
        const content = await readFile(file);
        // The run reads a file without its byte-order mark, and only valid UTF-8: leave others to it.
        if (!isUtf8(content) || content.toString('utf8').startsWith('\uFEFF')) continue;
        const program = programOf(content.toString('utf8'), `templates/${folder}/${relative}`, content.toString('utf8'));
        if (program) files.push([relative, content.length, program]), bytes.push(content);
      }
      if (entry.name === 'template.json' || entry.name === 'language.json') {
        const manifest = JSON.parse(await readFile(file, 'utf8'));
        const steps = [manifest.nextSteps, manifest.install, manifest.job?.nextSteps, manifest.job?.install];
        for (const text of steps.flatMap((list) => list ?? [])) {
          const program = programOf(text, `templates/${folder}/${relative}: ${JSON.stringify(text)}`);
          if (program) texts.set(text, program);
        }
      }
    }
    await writeFile(`${outdir}/precompiled/${module}.sources`, Buffer.concat(bytes));
    await writeFile(`${outdir}/precompiled/${module}.json`, asciiJson({ compileOptions: COMPILE_OPTIONS, files, texts: [...texts] }));
  }
}

/** JSON with every character above U+007F escaped: the run reads it as a one-byte string, the cheapest kind. */
function asciiJson(value) {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The built-in manifests (`templates/<id>/template.json`, `templates/_languages/<language>/language.json`)
 * read and validated now, with the generator's own schema: dist/precompiled/manifests.json holds
 * each exact text with the result, so a run needs neither the schema nor JSON.parse for them
 * (src/templates/checked.ts). One that fails is left out: the run then reports it as always.
 */
async function checkManifests() {
  const { parseManifest, parseLanguageManifest } = await importTypeScript('src/templates/schema.ts');
  const checked = { templates: [], languages: [] };
  const entries = await readdir(`${root}templates`, { recursive: true, withFileTypes: true });
  for (const entry of entries.filter((e) => e.isFile() && (e.name === 'template.json' || e.name === 'language.json'))) {
    const file = `${entry.parentPath}/${entry.name}`;
    const text = await readFile(file, 'utf8');
    const [list, parse] = entry.name === 'template.json' ? [checked.templates, parseManifest] : [checked.languages, parseLanguageManifest];
    try {
      list.push([text, parse(JSON.parse(text), file)]);
    } catch (error) {
      process.stderr.write(`build: ${file} left to be validated at run time: ${error.message}\n`);
    }
  }
  await writeFile(`${outdir}/precompiled/manifests.json`, JSON.stringify(checked));
}

/** A TypeScript module of src/, compiled in memory (as scripts/write-json-schema.mjs does). */
async function importTypeScript(file) {
  const compiled = await build({ absWorkingDir: root, entryPoints: [file], bundle: true, format: 'esm', platform: 'node', write: false, logLevel: 'warning' });
  return import(`data:text/javascript;base64,${Buffer.from(compiled.outputFiles[0].text).toString('base64')}`);
}
