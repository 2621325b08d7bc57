/**
 * Golden files: every built-in template x type, rendered with fixed inputs, is compared byte for
 * byte with test/golden/<id>.<type>.golden (one readable file per variant, so a template change
 * shows up as a plain diff in review). A language's job is the same whichever template of the
 * language is chosen, so every template of it is compared with one test/golden/<language>.job.golden.
 * `npm run test:golden:update` rewrites them.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PACKAGE_MANAGER, PACKAGE_MANAGER_LANGUAGE, PACKAGE_MANAGERS } from '../../src/package-manager.js';
import { planFiles, type PlannedFile } from '../../src/render/plan.js';
import { workloadOf } from '../../src/templates/layers.js';
import { listTemplates } from '../../src/templates/registry.js';

const GOLDEN_DIR = path.dirname(new URL(import.meta.url).pathname);
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const templates = await listTemplates();
// Node.js templates are also rendered for pnpm (`.pnpm` in the key); npm is their default.
const packageManagers = (template: (typeof templates)[number]) =>
  template.manifest.language === PACKAGE_MANAGER_LANGUAGE ? PACKAGE_MANAGERS : [DEFAULT_PACKAGE_MANAGER];
const variants = templates.flatMap((template) =>
  template.manifest.types.flatMap((type) =>
    packageManagers(template).map((packageManager) => ({
      template,
      type,
      packageManager,
      key: `${workloadOf(template, type).fromLanguage ? template.manifest.language : template.manifest.id}.${type}${packageManager === DEFAULT_PACKAGE_MANAGER ? '' : `.${packageManager}`}`,
    })),
  ),
);

function serialise(files: readonly PlannedFile[]): string {
  return files
    .map((file) => {
      const body = file.contents.toString('utf8');
      const printable = Buffer.from(body, 'utf8').equals(file.contents) ? body : `<binary ${file.contents.length} bytes sha256 omitted>\n`;
      return `==> ${file.path} (${file.mode.toString(8)}) <==\n${printable}`;
    })
    .join('\n');
}

describe('golden files', () => {
  it('there is a variant for every built-in template and type', () => {
    expect(templates.length).toBeGreaterThan(0);
    expect(variants.length).toBe(templates.reduce((sum, t) => sum + t.manifest.types.length * packageManagers(t).length, 0));
  });

  it.each(variants.map((v) => [`${v.template.manifest.id} ${v.type}${v.packageManager === DEFAULT_PACKAGE_MANAGER ? '' : ` ${v.packageManager}`}`, v] as const))('%s matches its golden file', async (_label, { template, type, packageManager, key }) => {
    const files = await planFiles({ template, type, name: `golden-${type}`, region: 'us-central1', project: '', packageManager, vars: defaults(template) });
    const actual = serialise(files);
    const file = path.join(GOLDEN_DIR, `${key}.golden`);
    if (UPDATE) await writeFile(file, actual);
    const expected = await readFile(file, 'utf8').catch(() => `(missing ${file}: run npm run test:golden:update)`);
    expect(actual).toBe(expected);
  });

  it('no golden file is left from a variant that no longer exists', async () => {
    const wanted = new Set(variants.map((v) => `${v.key}.golden`));
    const stale = (await readdir(GOLDEN_DIR)).filter((f) => f.endsWith('.golden') && !wanted.has(f));
    if (UPDATE) await Promise.all(stale.map((f) => rm(path.join(GOLDEN_DIR, f))));
    else expect(stale).toEqual([]);
  });
});

function defaults(template: (typeof templates)[number]) {
  return Object.fromEntries(Object.entries(template.manifest.variables).map(([key, variable]) => [key, variable.default]));
}
