/**
 * Layers: a project is made of the shared layer, its language's layer and its template; a
 * language's job is the same whichever template is chosen. Each rule is shown holding for the
 * built-in templates and shown failing (or refusing) on a template made to break it.
 */
import { createHash } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planFiles, renderNextSteps } from '../../src/render/plan.js';
import { workloadOf } from '../../src/templates/layers.js';
import { parseLanguageManifest } from '../../src/templates/schema.js';
import { BUILTIN_TEMPLATES_DIR, listTemplates, loadTemplate, type Template } from '../../src/templates/registry.js';
import type { WorkloadType } from '../../src/templates/manifest.js';
import { tempDir } from '../support/generator.js';

const builtins = await listTemplates();
const python = builtins.find((t) => t.manifest.id === 'python-flask')!;
const plan = (template: Template, type: WorkloadType) =>
  planFiles({ template, type, name: 'demo', region: 'us-central1', project: '', vars: {} });
const serialise = (files: Awaited<ReturnType<typeof planFiles>>) => files.map((f) => [f.path, f.mode, f.contents.toString('base64')]);
const text = (files: Awaited<ReturnType<typeof planFiles>>, file: string) => files.find((f) => f.path === file)?.contents.toString('utf8');

/** A copy of a built-in template under another id, outside templates/ (as --template PATH reads it). */
async function contributed(from: Template, id: string, edit?: (dir: string) => Promise<void>): Promise<Template> {
  const dir = path.join(await tempDir(), id);
  await cp(from.dir, dir, { recursive: true });
  const manifest = JSON.parse(await readFile(path.join(dir, 'template.json'), 'utf8'));
  await writeFile(path.join(dir, 'template.json'), JSON.stringify({ ...manifest, id, framework: id, default: false }));
  await edit?.(dir);
  return loadTemplate(dir);
}

/** Groups of files under `root` with the same bytes: content copied where a layer should share it. */
async function copies(root: string): Promise<string[][]> {
  const byHash = new Map<string, string[]>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.relative(root, path.join(entry.parentPath, entry.name));
    const hash = createHash('sha256').update(await readFile(path.join(root, file))).digest('hex');
    byHash.set(hash, [...(byHash.get(hash) ?? []), file]);
  }
  return [...byHash.values()].filter((files) => files.length > 1).map((files) => files.sort());
}

describe('layers', () => {
  it('no file under templates/ is a copy of another (what two need lives in a layer they share)', async () => {
    expect(await copies(BUILTIN_TEMPLATES_DIR)).toEqual([]);
    // ...and a copy is found: the check can fail.
    const root = await tempDir();
    await cp(path.join(BUILTIN_TEMPLATES_DIR, '_shared'), path.join(root, '_shared'), { recursive: true });
    await mkdir(path.join(root, 'my-template'));
    await cp(path.join(root, '_shared/_gitignore.hbs'), path.join(root, 'my-template/_gitignore.hbs'));
    expect(await copies(root)).toEqual([['_shared/_gitignore.hbs', 'my-template/_gitignore.hbs']]);
  });

  it('every built-in template has a language layer that owns its job', () => {
    for (const template of builtins) {
      expect(template.language?.manifest.job, template.manifest.id).toBeDefined();
      expect(workloadOf(template, 'job').layers.map((l) => l.name)).toEqual(['_shared', `_languages/${template.manifest.language}`]);
      expect(workloadOf(template, 'service').layers.map((l) => l.name)).toEqual(['_shared', `_languages/${template.manifest.language}`, template.manifest.id]);
    }
  });

  it('a second template of a language gives the same job, even when its own files differ', async () => {
    const other = await contributed(python, 'python-other', async (dir) => {
      await mkdir(path.join(dir, '_partials'), { recursive: true });
      await writeFile(path.join(dir, '_partials/language-ignores.hbs'), 'changed-by-the-template\n');
      await writeFile(path.join(dir, 'README.md.hbs'), '# {{name}}: the template README\n');
    });
    expect(other.language?.dir).toBe(python.language!.dir); // the built-in layer of its language
    expect(serialise(await plan(other, 'job'))).toEqual(serialise(await plan(python, 'job')));
    expect(await renderNextSteps({ template: other, type: 'job', name: 'demo', region: 'us-central1', project: '', vars: {} })).toContain('LOG_FORMAT=pretty python main.py');
    // ...while its service takes the template's files and partials over the language's.
    const service = await plan(other, 'service');
    expect(text(service, 'README.md')).toBe('# demo: the template README\n');
    expect(text(service, '.gitignore')).toMatch(/^changed-by-the-template\n/);
    expect(text(await plan(python, 'service'), '.gitignore')).not.toMatch(/changed-by-the-template/);
  });

  it('a language job cannot name the template (the context has none), so it cannot differ between templates', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, '+job'), { recursive: true });
    await mkdir(path.join(dir, '_partials'));
    await writeFile(path.join(dir, '_partials/language-ignores.hbs'), '.venv/\n'); // the shared ignore files include it
    await writeFile(path.join(dir, '+job/who.txt.hbs'), 'made from {{template.id}}\n');
    const language = { dir, manifest: parseLanguageManifest({ language: 'python', name: 'Python 3.14', job: { description: 'd' } }, 'language.json') };
    const broken: Template = { ...python, language };
    await expect(plan(broken, 'job')).rejects.toThrow(/who\.txt\.hbs: "id" not defined in undefined/);
    await writeFile(path.join(dir, '+job/who.txt.hbs'), 'a {{language.name}} job, {{generatedFrom}}\n');
    expect(text(await plan(broken, 'job'), 'who.txt')).toBe('a Python 3.14 job, Python 3.14 job\n');
  });

  it('a template of a language whose layer owns the job may not bring its own +job/', async () => {
    const dir = path.join(await tempDir(), 'python-jobby');
    await cp(python.dir, dir, { recursive: true });
    await mkdir(path.join(dir, '+job'));
    await writeFile(path.join(dir, '+job/main.py'), 'print("mine")\n');
    await expect(loadTemplate(dir)).rejects.toThrow(/\+job: jobs belong to the language: every Python 3\.14 template gets the job of .*_languages\/python\/\+job; remove this folder/);
  });

  it('one default template per language', async () => {
    const root = await tempDir();
    for (const id of ['python-a', 'python-b']) {
      await mkdir(path.join(root, id));
      await writeFile(path.join(root, id, 'template.json'), JSON.stringify({ id, name: id, language: 'python', framework: id.slice(7), default: true, types: ['service'] }));
    }
    await expect(listTemplates(root)).rejects.toThrow(/python-b\/template\.json: default: python-a is already the default python template/);
    await rm(path.join(root, 'python-b'), { recursive: true });
    expect((await listTemplates(root)).map((t) => t.manifest.id)).toEqual(['python-a']);
  });

  it('every built-in language has exactly one default template', () => {
    for (const language of new Set(builtins.map((t) => t.manifest.language))) {
      expect(builtins.filter((t) => t.manifest.language === language && t.manifest.default).length, language).toBe(1);
    }
  });

  it('language.json is checked by file and field', () => {
    expect(() => parseLanguageManifest({ language: 'Python', name: 'P' }, 'l.json')).toThrow(/l\.json: language: must be lower-case/);
    expect(() => parseLanguageManifest({ language: 'python', name: 'P', job: { description: 'd', install: ['a && b'] } }, 'l.json')).toThrow(/job\.install\.0: must be plain words/);
    expect(() => parseLanguageManifest({ language: 'python', name: 'P', colour: 'blue' }, 'l.json')).toThrow(/l\.json: colour: /);
  });
});
