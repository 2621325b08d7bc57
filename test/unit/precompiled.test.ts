/**
 * `npm run build` turns the built-in templates into programs (dist/precompiled/<layer>.json, with
 * the files' bytes in <layer>.sources) that src/render/interpret.ts renders without Handlebars.
 * Rendering those must give exactly what Handlebars gives, and every built-in source must have one
 * (otherwise each run silently pays for loading Handlebars and compiling again).
 */
import { existsSync, readFileSync } from 'node:fs';
import { cp, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/options.js';
import { COMPILE_OPTIONS, programFileName, type ProgramFile } from '../../src/render/engine.js';
import { planFiles } from '../../src/render/plan.js';
import { BUILTIN_TEMPLATES_DIR, listTemplates, loadTemplate } from '../../src/templates/registry.js';
import { rawArgs, REPO_ROOT, tempDir } from '../support/generator.js';

const PRECOMPILED = path.join(REPO_ROOT, 'dist/precompiled');

describe('template programs (dist/precompiled, made by npm run build)', () => {
  it('hold every Handlebars source of every built-in layer folder', async () => {
    const folders = async (dir: string) => (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    const layers = (await folders(BUILTIN_TEMPLATES_DIR)).flatMap((name) => (name === '_languages' ? [] : [name]));
    for (const language of await folders(path.join(BUILTIN_TEMPLATES_DIR, '_languages'))) layers.push(`_languages/${language}`);
    expect(layers).toContain('_shared');
    for (const layer of layers) {
      const name = programFileName(layer)!;
      const file = JSON.parse(readFileSync(path.join(PRECOMPILED, `${name}.json`), 'utf8')) as ProgramFile;
      expect(file.compileOptions, `${layer}: made for the engine's options`).toEqual(COMPILE_OPTIONS);
      // Each file's bytes, in order: what the run compares a template file with.
      const sources = readFileSync(path.join(PRECOMPILED, `${name}.sources`));
      let at = 0;
      const held = new Map(file.files.map(([relative, length]) => [relative, sources.subarray(at, (at += length))]));
      expect(at, `${layer}: ${name}.sources is the files' bytes`).toBe(sources.length);
      const root = path.join(BUILTIN_TEMPLATES_DIR, layer);
      for (const entry of await readdir(root, { recursive: true })) {
        if (entry.endsWith('.hbs')) expect(held.get(entry.split(path.sep).join('/'))?.equals(await readFile(path.join(root, entry))), `${layer}/${entry}`).toBe(true);
      }
      const texts = new Set(file.texts.map(([text]) => text));
      for (const manifestFile of ['template.json', 'language.json']) {
        if (!existsSync(path.join(root, manifestFile))) continue;
        const manifest = JSON.parse(await readFile(path.join(root, manifestFile), 'utf8')) as Record<string, string[] | undefined> & { job?: Record<string, string[] | undefined> };
        const steps = [manifest.nextSteps, manifest.install, manifest.job?.nextSteps, manifest.job?.install].flatMap((list) => list ?? []);
        for (const text of steps) expect(texts.has(text), `${layer}/${manifestFile}: ${text}`).toBe(true);
      }
    }
  });

  it("render a template's own files exactly as Handlebars renders a copy of them", async () => {
    // A template copied outside templates/ has no programs of its own; its layers still have theirs.
    for (const template of await listTemplates()) {
      for (const type of template.manifest.types) {
        const options = resolveOptions(rawArgs({ type, directory: 'app' }), { templateId: template.manifest.id }, [template], '/tmp');
        const copy = await loadTemplate(await copyOf(template.dir));
        const copied = resolveOptions(rawArgs({ type, directory: 'app' }), { templateId: copy.manifest.id }, [copy], '/tmp');
        const files = async (input: typeof options) => (await planFiles(input)).map((f) => [f.path, f.contents.toString('base64')]);
        expect(await files(copied), `${template.manifest.id}/${type}`).toEqual(await files(options));
      }
    }
  });
});

async function copyOf(dir: string): Promise<string> {
  const copy = path.join(await tempDir(), path.basename(dir));
  await cp(dir, copy, { recursive: true });
  return copy;
}
