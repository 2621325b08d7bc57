/**
 * `.github/` of every template × type: the workflow passes actionlint and the CI/CD contract
 * (test/support/github.ts), dependabot.yml covers the base images, the language and the actions,
 * no file anywhere uses a JSON key, and `--no-ci` (ci: false) leaves the folder out. Each check is
 * also shown to fail on a broken copy.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planFiles, type PlannedFile } from '../../src/render/plan.js';
import { BUILTIN_TEMPLATES_DIR, listTemplates } from '../../src/templates/registry.js';
import { dependabotProblems, lintWorkflow, workflowProblems } from '../support/github.js';

const WORKFLOW = '.github/workflows/ci.yml';
const DEPENDABOT = '.github/dependabot.yml';
/** Dependabot's name for each template language's package ecosystem. */
const ECOSYSTEM: Record<string, string> = { node: 'npm', python: 'pip', ruby: 'bundler', go: 'gomod' };

const templates = await listTemplates();
const variants = await Promise.all(
  templates.flatMap((template) =>
    template.manifest.types.map(async (type) => {
      const input = { template, type, name: `demo-${type}`, region: 'europe-west1', project: '', vars: {} };
      return { label: `${template.manifest.id} ${type}`, language: template.manifest.language, input, files: await planFiles(input) };
    }),
  ),
);
const text = (files: readonly PlannedFile[], file: string) => {
  const found = files.find((f) => f.path === file);
  if (!found) throw new Error(`${file} was not generated`);
  return found.contents.toString('utf8');
};
const sample = text(variants[0]!.files, WORKFLOW);

describe.each(variants)('$label', ({ files, language }) => {
  it('has a workflow that actionlint passes', async () => {
    expect(await lintWorkflow(text(files, WORKFLOW))).toEqual([]);
  });
  it('has a workflow that keeps the CI/CD contract', () => {
    expect(workflowProblems(text(files, WORKFLOW))).toEqual([]);
  });
  it('has a dependabot.yml for docker, its language and github-actions', () => {
    expect(ECOSYSTEM[language], `no Dependabot ecosystem known for ${language}`).toBeDefined();
    expect(dependabotProblems(text(files, DEPENDABOT), ECOSYSTEM[language]!)).toEqual([]);
  });
  it('uses no JSON key in any file', () => {
    for (const file of files) expect(file.contents.toString('utf8'), file.path).not.toMatch(/credentials_json/);
  });
});

describe('--no-ci', () => {
  it.each(variants)('$label: ci: false leaves .github/ out and nothing else', async ({ input, files }) => {
    const without = await planFiles({ ...input, ci: false });
    expect(files.filter((f) => f.path.startsWith('.github/')).map((f) => f.path).sort()).toEqual([DEPENDABOT, WORKFLOW]);
    expect(without.map((f) => f.path)).toEqual(files.map((f) => f.path).filter((p) => !p.startsWith('.github/')));
  });
});

describe('no template or partial mentions a JSON key', () => {
  it('credentials_json appears nowhere under templates/', async () => {
    const all = await readdir(BUILTIN_TEMPLATES_DIR, { recursive: true, withFileTypes: true });
    const files = all.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) expect(await readFile(file, 'utf8'), file).not.toMatch(/credentials_json/);
  });
});

describe('the checks fail on broken files', () => {
  it('actionlint: a job that needs a missing job, a misspelt key', async () => {
    expect(await lintWorkflow(sample.replace('needs: test', 'needs: tests'))).toEqual([expect.stringMatching(/"tests".*does not exist/)]);
    expect(await lintWorkflow(sample.replace('steps:', 'stepz:'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/unexpected key "stepz"/), expect.stringMatching(/"steps" section is missing/)]),
    );
  });
  it('actionlint: only the `vars` finding is dropped, a misspelt context is not', async () => {
    expect(await lintWorkflow(sample.replace('vars.GCP_SERVICE_ACCOUNT', 'var.GCP_SERVICE_ACCOUNT'))).toEqual([
      expect.stringMatching(/undefined variable "var"/),
    ]);
  });
  it.each([
    ['a JSON key', ['workload_identity_provider: ${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}', 'credentials_json: ${{ secrets.GCP_KEY }}'], /Workload Identity Federation only/],
    ['deploy not gated on tests', ['    needs: test\n', ''], /needs the test job/],
    ['no id-token permission', ['id-token: write', 'id-token: none'], /id-token: write/],
    ['write access to the repository', ['permissions:\n  contents: read', 'permissions:\n  contents: write'], /contents: read/],
    ['overlapping deploys', ['cancel-in-progress: false', 'cancel-in-progress: true'], /never overlap/],
    ['deploy on every branch', ["github.event_name == 'push' && github.ref_name == github.event.repository.default_branch", "github.event_name == 'push'"], /default branch/],
    ['an action on a moving tag', [/google-github-actions\/auth@[0-9a-f]{40}/, 'google-github-actions/auth@v3'], /pinned to a full commit/],
    ['no tests', ['run: docker build --target test .', 'run: echo skipped'], /test stage/],
    ['the credentials file inside the build context', ['working-directory: project', 'working-directory: .'], /below the workspace/],
    ['a hard-coded provider', ['${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}', 'projects/1/locations/global/workloadIdentityPools/p/providers/p'], /repository variable/],
  ] as const)('workflow contract: %s', (_label, [from, to], problem) => {
    const broken = sample.replace(from, to);
    expect(broken).not.toBe(sample);
    expect(workflowProblems(broken)).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });
  const dependabot = text(variants[0]!.files, DEPENDABOT);
  it.each([
    ['version 1', ['version: 2', 'version: 1'], /version/],
    ['an unknown ecosystem', ['package-ecosystem: docker', 'package-ecosystem: dockerfile'], /package-ecosystem/],
    ['no schedule', ['    schedule:\n      interval: weekly\n', ''], /schedule/],
    ['a misspelt key', ['directory: /', 'dir: /'], /dir|directory/],
    ['no github-actions entry', ['package-ecosystem: github-actions', 'package-ecosystem: gitsubmodule'], /no github-actions entry/],
    ['not YAML', ['updates:', 'updates: ['], /not YAML/],
  ] as const)('dependabot.yml: %s', (_label, [from, to], problem) => {
    const broken = dependabot.replace(from, to);
    expect(broken).not.toBe(dependabot);
    expect(dependabotProblems(broken, ECOSYSTEM[variants[0]!.language]!)).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });
});
