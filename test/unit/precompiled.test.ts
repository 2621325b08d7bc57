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
import { COMPILE_OPTIONS } from '../../src/render/engine.js';
import { planFiles } from '../../src/render/plan.js';
import { BUILTIN_TEMPLATES_DIR, listTemplates, loadTemplate } from '../../src/templates/registry.js';
import { rawArgs, REPO_ROOT, tempDir } from '../support/generator.js';

const PRECOMPILED = path.join(REPO_ROOT, 'dist/precompiled');


describe('precompiled templates (dist/precompiled, made by npm run build)', () => {
  it('hold every Handlebars source of every built-in template folder', async () => {
    for (const folder of (await readdir(BUILTIN_TEMPLATES_DIR, { withFileTypes: true })).filter((e) => e.isDirectory())) {
      const module = (await import(path.join(PRECOMPILED, `${folder.name}.js`))) as { compileOptions: unknown; default: [string, unknown][] };
      expect(module.compileOptions, `${folder.name}: compiled with the engine's options`).toEqual(COMPILE_OPTIONS);
      const held = new Set(module.default.map(([source]) => source));
      const root = path.join(BUILTIN_TEMPLATES_DIR, folder.name);
      for (const entry of await readdir(root, { recursive: true })) {
        if (entry.endsWith('.hbs')) expect(held.has(await readFile(path.join(root, entry), 'utf8')), `${folder.name}/${entry}`).toBe(true);
      }
      if (existsSync(path.join(root, 'template.json'))) {
        const manifest = JSON.parse(await readFile(path.join(root, 'template.json'), 'utf8')) as { nextSteps: string[]; install: string[] };
        for (const text of [...manifest.nextSteps, ...manifest.install]) expect(held.has(text), `${folder.name} template.json: ${text}`).toBe(true);
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
