/**
 * `npm run build` compiles the built-in templates ahead of time (dist/precompiled/). Rendering from
 * those must give exactly what compiling at run time gives, and every built-in source must be found
 * there (otherwise each run silently pays for the compiler again).
 */
import { existsSync } from 'node:fs';
import { cp, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/options.js';
import { COMPILE_OPTIONS, precompiledModuleName } from '../../src/render/engine.js';
import { planFiles } from '../../src/render/plan.js';
import { BUILTIN_TEMPLATES_DIR, listTemplates, loadTemplate } from '../../src/templates/registry.js';
import { rawArgs, REPO_ROOT, tempDir } from '../support/generator.js';

const PRECOMPILED = path.join(REPO_ROOT, 'dist/precompiled');


describe('precompiled templates (dist/precompiled, made by npm run build)', () => {
  it('hold every Handlebars source of every built-in layer folder', async () => {
    const folders = async (dir: string) => (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    const layers = (await folders(BUILTIN_TEMPLATES_DIR)).flatMap((name) => (name === '_languages' ? [] : [name]));
    for (const language of await folders(path.join(BUILTIN_TEMPLATES_DIR, '_languages'))) layers.push(`_languages/${language}`);
    expect(layers).toContain('_shared');
    for (const layer of layers) {
      const moduleName = precompiledModuleName(layer)!;
      const module = (await import(path.join(PRECOMPILED, `${moduleName}.js`))) as { compileOptions: unknown; default: [string, unknown][] };
      expect(module.compileOptions, `${layer}: compiled with the engine's options`).toEqual(COMPILE_OPTIONS);
      const held = new Set(module.default.map(([source]) => source));
      const root = path.join(BUILTIN_TEMPLATES_DIR, layer);
      for (const entry of await readdir(root, { recursive: true })) {
        if (entry.endsWith('.hbs')) expect(held.has(await readFile(path.join(root, entry), 'utf8')), `${layer}/${entry}`).toBe(true);
      }
      for (const manifestFile of ['template.json', 'language.json']) {
        if (!existsSync(path.join(root, manifestFile))) continue;
        const manifest = JSON.parse(await readFile(path.join(root, manifestFile), 'utf8')) as Record<string, string[] | undefined> & { job?: Record<string, string[] | undefined> };
        const texts = [manifest.nextSteps, manifest.install, manifest.job?.nextSteps, manifest.job?.install].flatMap((list) => list ?? []);
        for (const text of texts) expect(held.has(text), `${layer}/${manifestFile}: ${text}`).toBe(true);
      }
    }
  });

  it('render exactly what compiling at run time renders', async () => {
    // A copy outside templates/ has no precompiled forms: its files are compiled when rendered.
    const templates = await listTemplates();
    for (const template of templates) {
      const copy = path.join(await tempDir(), template.manifest.id);
      await cp(template.dir, copy, { recursive: true });
      for (const type of template.manifest.types) {
        const plan = async (t: typeof template) => planFiles(resolveOptions(rawArgs({ type, directory: 'app' }), { templateId: t.manifest.id }, [t], '/tmp'));
        const [ahead, compiled] = [await plan(template), await plan(await loadTemplate(copy))];
        expect(compiled.map((f) => [f.path, f.contents.toString('base64')]), `${template.manifest.id}/${type}`).toEqual(ahead.map((f) => [f.path, f.contents.toString('base64')]));
      }
    }
  });
});
