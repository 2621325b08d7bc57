/**
 * The README's template table is made from the templates' manifests and their rendered
 * Dockerfiles, never typed by hand: this test fails while README.md is out of step, and
 * `npm run readme` (UPDATE_README=1) rewrites the table between its two markers.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseImages } from '../../scripts/currency.mjs';
import { planFiles } from '../../src/render/plan.js';
import { workloadOf } from '../../src/templates/layers.js';
import type { WorkloadType } from '../../src/templates/manifest.js';
import { listTemplates, type Template } from '../../src/templates/registry.js';
import { REPO_ROOT } from '../support/generator.js';

const README = path.join(REPO_ROOT, 'README.md');
const START = '<!-- template table: made from the manifests by `npm run readme`; edit those, not this -->';
const END = '<!-- end of template table -->';

async function images(template: Template, type: WorkloadType): Promise<string> {
  const files = await planFiles({ template, type, name: 'readme', region: 'us-central1', project: '', vars: {} });
  const dockerfile = files.find((f) => f.path === 'Dockerfile')?.contents.toString('utf8') ?? '';
  return [...new Set(baseImages(dockerfile))].map((image) => `\`${image}\``).join(' → ');
}

/** One row per template's service, then one per language's job (the same whichever template). */
async function templateTable(templates: readonly Template[]): Promise<string> {
  const rows = ['| you get | chosen with | base images |', '|---|---|---|'];
  for (const template of templates.filter((t) => t.manifest.types.includes('service'))) {
    const { id, name, language, framework } = template.manifest;
    const language_ = template.manifest.default ? `, \`--language ${language}\`` : '';
    rows.push(`| ${name} service | \`--template ${id}\`, \`--framework ${framework}\`${language_} | ${await images(template, 'service')} |`);
  }
  const jobs = new Map<string, Template>();
  for (const template of templates.filter((t) => t.manifest.types.includes('job'))) {
    const key = workloadOf(template, 'job').title;
    if (!jobs.has(key) || template.manifest.default) jobs.set(key, template);
  }
  for (const [title, template] of jobs) rows.push(`| ${title} | \`--language ${template.manifest.language} --type job\` | ${await images(template, 'job')} |`);
  return rows.join('\n');
}

/** Why `readme` does not hold `table` between the markers, or undefined when it does. */
function tableProblem(readme: string, table: string): string | undefined {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return `README.md has no template table between "${START}" and "${END}"`;
  const current = readme.slice(start + START.length, end).trim();
  return current === table ? undefined : 'README.md: the template table is out of step with the templates (run npm run readme)';
}

describe('README template table', () => {
  it('is the one the manifests make', async () => {
    const table = await templateTable(await listTemplates());
    let readme = await readFile(README, 'utf8');
    if (process.env.UPDATE_README === '1' && tableProblem(readme, table)) {
      readme = `${readme.slice(0, readme.indexOf(START) + START.length)}\n${table}\n${readme.slice(readme.indexOf(END))}`;
      await writeFile(README, readme);
    }
    expect(tableProblem(readme, table)).toBeUndefined();
  });

  it('a README out of step fails (a row missing, a name changed, the markers gone)', async () => {
    const table = await templateTable(await listTemplates());
    const readme = `intro\n${START}\n${table}\n${END}\noutro\n`;
    expect(tableProblem(readme, table)).toBeUndefined();
    const rows = table.split('\n');
    expect(tableProblem(readme.replace(`${rows[2]}\n`, ''), table)).toMatch(/out of step/);
    expect(tableProblem(readme.replace(/ service \|/, ' svc |'), table)).toMatch(/out of step/);
    expect(tableProblem(readme.replace(END, ''), table)).toMatch(/no template table/);
  });

  it('a template added to the catalogue changes the table', async () => {
    const templates = await listTemplates();
    const first = templates[0]!;
    const extra = { ...first, manifest: { ...first.manifest, id: 'extra-one', name: 'Extra One', default: false } };
    expect(await templateTable([...templates, extra])).toContain('| Extra One service | `--template extra-one`');
  });
});
