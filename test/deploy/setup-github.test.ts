/**
 * `deploy.sh --setup-github OWNER/REPO` (templates/_partials/deploy-setup-github.hbs):
 * - its `--dry-run` plan, for every template × type, grants exactly the deploy roles, restricts the
 *   provider to the one repository, and every printed gcloud command is accepted by the REAL gcloud
 *   offline (empty CLOUDSDK_CONFIG: a valid command stops at "no active account");
 * - against a recording `gcloud` stub: the first run describes, then creates, the pool, the
 *   provider and the service account; a second run creates nothing and prints the same values; a
 *   describe that fails for another reason than NOT_FOUND stops it; a bad OWNER/REPO changes nothing.
 *
 * Needs gcloud (apt package google-cloud-cli), unless SKIP_GCLOUD_TESTS=1.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_STOP, GCLOUD, runGcloud } from './gcloud.js';
import { listedTemplates as listTemplates } from '../../verify/templates.js';
import { cleanupRendered, dryRunCommands, type RenderedProject, renderProject } from './render.js';

const SKIP = process.env.SKIP_GCLOUD_TESTS === '1';
const ARGUMENT_ERROR = /unrecognized arguments|invalid choice|argument --?[\w-]+:|Bad syntax|Invalid value|Failed to parse|ERROR: \(gcloud\) .*(must|should|expected)/i;
const REPO = 'octo-org/My.App_1';
const NUMBER = '123456789012';

/** The project environment without the machine's own DEPLOY_*, CLOUDSDK_* or GIT_* settings. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(DEPLOY_|CLOUDSDK_|GIT_)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}
function setup(project: RenderedProject, args: string[], env: Record<string, string> = {}) {
  return spawnSync(project.script, ['--setup-github', REPO, '--project', 'demo-project', ...args], {
    cwd: tmpdir(),
    env: cleanEnv(env),
    encoding: 'utf8',
    timeout: 30_000,
  });
}
const words = (argv: string[]) => argv.filter((arg) => !arg.startsWith('-')).join(' ');
const flag = (argv: string[], name: string) => argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);

/** Roles granted by a plan: `<role> on <resource>`. */
function grants(commands: string[][]): string[] {
  return commands
    .filter((argv) => words(argv).includes('add-iam-policy-binding'))
    .map((argv) => {
      const positional = argv.filter((a) => !a.startsWith('-'));
      return `${flag(argv, 'role')} on ${positional[positional.indexOf('add-iam-policy-binding') + 1]}`;
    })
    .sort();
}

// ---------------------------------------------------------------------------------------------
// Dry-run plans of every template × type (top-level await: one test per gcloud command)
// ---------------------------------------------------------------------------------------------
interface Plan {
  label: string;
  commands: string[][];
  stdout: string;
}
const plans: Plan[] = [];
if (!SKIP && GCLOUD) {
  const projects = await Promise.all([
    ...listTemplates().flatMap((t) =>
      t.types.map((type) => renderProject({ type, template: t.id, name: `demo-${type}` }).then((project) => ({ label: `${t.id} ${type}`, project }))),
    ),
  ]);
  for (const { label, project } of projects) {
    for (const [options, args] of Object.entries({ defaults: [], 'runtime service account, region, repository': ['--service-account', 'runner@demo-project.iam.gserviceaccount.com', '--region', 'europe-west1', '--repository', 'apps'] })) {
      const result = setup(project, ['--dry-run', ...args]);
      if (result.status !== 0) throw new Error(`${label}: --setup-github --dry-run failed: ${result.stderr}`);
      plans.push({ label: `${label}, ${options}`, commands: dryRunCommands(result.stdout), stdout: result.stdout });
    }
  }
}
const distinct = [...new Map(plans.flatMap((p) => p.commands.filter((a) => a[0] === 'gcloud').map((a) => [JSON.stringify(a), a] as const))).values()];

afterAll(cleanupRendered);

if (SKIP) {
  describe.skip('deploy.sh --setup-github (skipped: SKIP_GCLOUD_TESTS=1)', () => it('skipped', () => {}));
} else if (!GCLOUD) {
  describe('deploy.sh --setup-github', () => it('needs gcloud', () => expect.fail('gcloud is not installed (apt-get install google-cloud-cli), or set SKIP_GCLOUD_TESTS=1')));
} else {
  describe('deploy.sh --setup-github --dry-run', () => {
    it('covers every template × type', () => {
      const labels = plans.map((p) => p.label);
      for (const t of listTemplates()) for (const type of t.types) expect(labels).toContain(`${t.id} ${type}, defaults`);
      expect(distinct.length).toBeGreaterThan(15);
    });

    it.each(plans)('$label: pool, provider for the one repository, deployer, least roles; no deploy', ({ commands, stdout }) => {
      const gcloud = commands.filter((a) => a[0] === 'gcloud');
      expect(commands.every((a) => a[0] === 'gcloud')).toBe(true);
      for (const argv of gcloud) {
        expect(argv, argv.join(' ')).toContain('--quiet');
        if (words(argv) !== 'gcloud auth list') expect(flag(argv, 'project'), argv.join(' ')).toBe('demo-project');
      }
      const names = gcloud.map(words);
      expect(names.some((n) => /builds submit|run (jobs )?deploy|run services replace|run jobs replace/.test(n))).toBe(false);
      for (const [describe, create] of [
        ['iam workload-identity-pools describe github', 'iam workload-identity-pools create github'],
        ['iam workload-identity-pools providers describe gh-octo-org-my-app-1', 'iam workload-identity-pools providers create-oidc gh-octo-org-my-app-1'],
        ['iam service-accounts describe gha-deploy-demo-', 'iam service-accounts create gha-deploy-demo-'],
      ]) {
        const at = names.findIndex((n) => n.startsWith(`gcloud ${describe}`));
        expect(at, describe).toBeGreaterThan(-1);
        expect(names[at + 1], create).toMatch(new RegExp(`^gcloud ${create}`));
      }
      const provider = gcloud.find((a) => words(a).includes('create-oidc'))!;
      expect(flag(provider, 'issuer-uri')).toBe('https://token.actions.githubusercontent.com');
      expect(flag(provider, 'attribute-condition')).toBe(`assertion.repository=='${REPO}'`);
      expect(flag(provider, 'attribute-mapping')).toBe('google.subject=assertion.sub,attribute.repository=assertion.repository');

      const sa = gcloud.find((a) => words(a).startsWith('gcloud iam service-accounts create gha-deploy-'))![4]!;
      const email = `${sa}@demo-project.iam.gserviceaccount.com`;
      const runtime = stdout.includes('runner@') ? 'runner@demo-project.iam.gserviceaccount.com' : /[a-z][-a-z0-9]*-runtime@demo-project\.iam\.gserviceaccount\.com/.exec(stdout)![0];
      const repository = stdout.includes('repositories describe apps') ? 'apps' : 'cloud-run';
      expect(grants(gcloud)).toEqual(
        [
          `roles/artifactregistry.writer on ${repository}`,
          `roles/iam.serviceAccountUser on ${runtime}`,
          `roles/iam.workloadIdentityUser on ${email}`,
          'roles/run.developer on demo-project',
          'roles/serviceusage.serviceUsageConsumer on demo-project',
        ].sort(),
      );
      for (const argv of gcloud.filter((a) => words(a).includes('add-iam-policy-binding'))) {
        const member = flag(argv, 'member')!;
        if (flag(argv, 'role') === 'roles/iam.workloadIdentityUser') {
          expect(member).toBe(`principalSet://iam.googleapis.com/projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/github/attribute.repository/${REPO}`);
        } else expect(member).toBe(`serviceAccount:${email}`);
      }
      // The two values the workflow needs, as (commented-out) gh commands.
      expect(stdout).toContain(`# gh variable set GCP_WORKLOAD_IDENTITY_PROVIDER --repo ${REPO} --body projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/github/providers/gh-octo-org-my-app-1\n`);
      expect(stdout).toContain(`# gh variable set GCP_SERVICE_ACCOUNT --repo ${REPO} --body ${email}\n`);
    });
  });

  describe('the real gcloud accepts every --setup-github command (it stops at authentication)', () => {
    it.concurrent.each(distinct.map((argv) => ({ argv, line: argv.join(' ') })))(
      '$line',
      async ({ argv }) => {
        const { code, output } = await runGcloud(argv);
        const context = `${argv.join(' ')}\nexit ${code}:\n${output}`;
        expect(output, context).not.toMatch(ARGUMENT_ERROR);
        if (words(argv) === 'gcloud auth list') expect(code, context).toBe(0);
        else {
          expect(code, context).not.toBe(0);
          expect(output, context).toMatch(AUTH_STOP);
        }
      },
      120_000,
    );
    it('and refuses a broken one (the check can fail)', async () => {
      const provider = distinct.find((a) => words(a).includes('create-oidc'))!;
      const broken = provider.map((arg) => arg.replace('--issuer-uri=', '--issuer='));
      const { output } = await runGcloud(broken);
      expect(output).toMatch(ARGUMENT_ERROR);
    }, 120_000);
  });

  // -------------------------------------------------------------------------------------------
  // A recording gcloud stub with state: describe finds what create made.
  // -------------------------------------------------------------------------------------------
  describe('deploy.sh --setup-github against a recording gcloud stub', () => {
    let project: RenderedProject;
    let bin: string;
    let state: string;
    let log: string;
    // describe and create of one resource (a service account by email or by id) share a state file.
    const STUB = [
      '#!/usr/bin/env bash',
      'set -u',
      'printf "%s\\n" "$(printf "%s\\x1f" "$@")" >>"$STUB_LOG"',
      'pos=(); for a in "$@"; do [[ $a == -* ]] || pos+=("$a"); done',
      'case "${pos[*]}" in',
      '"auth list") echo dev@example.com; exit 0 ;;',
      '"services list") printf "%s\\n" run.googleapis.com artifactregistry.googleapis.com cloudbuild.googleapis.com; exit 0 ;;',
      '"projects describe "*) echo "$STUB_NUMBER"; exit 0 ;;',
      'esac',
      '(( ${#pos[@]} >= 2 )) || exit 0',
      'verb=${pos[-2]}; name=${pos[-1]%%@*}; kind="${pos[*]:0:${#pos[@]}-2}"; key="$STUB_STATE/${kind// /_}_$name"',
      'case $verb in',
      'describe)',
      '  if [[ -n ${STUB_DESCRIBE_ERROR:-} ]]; then echo "$STUB_DESCRIBE_ERROR" >&2; exit 1; fi',
      '  [[ -e $key ]] && exit 0',
      '  echo "ERROR: (gcloud) NOT_FOUND: $name" >&2; exit 1 ;;',
      'create | create-oidc) touch "$key" ;;',
      'esac',
      '',
    ].join('\n');
    beforeAll(async () => {
      project = await renderProject({ type: 'service', name: 'demo-svc', template: listTemplates()[0]?.id });
      const root = await mkdtemp(path.join(tmpdir(), 'setup-github-stub-'));
      bin = path.join(root, 'bin');
      state = path.join(root, 'state');
      log = path.join(root, 'log');
      await mkdir(bin);
      await mkdir(state);
      await writeFile(path.join(bin, 'gcloud'), STUB);
      await chmod(path.join(bin, 'gcloud'), 0o755);
    });
    const run = async (extra: Record<string, string> = {}, repo = REPO) => {
      await writeFile(log, '');
      const result = spawnSync(project.script, ['--setup-github', repo, '--project', 'demo-project'], {
        cwd: tmpdir(),
        env: cleanEnv({ PATH: `${bin}:${process.env.PATH}`, STUB_LOG: log, STUB_STATE: state, STUB_NUMBER: NUMBER, ...extra }),
        encoding: 'utf8',
        timeout: 30_000,
      });
      const calls = (await readFile(log, 'utf8')).split('\n').filter(Boolean).map((line) => ['gcloud', ...line.split('\x1f').slice(0, -1)]);
      return { ...result, calls, names: calls.map(words) };
    };
    const creates = (names: string[]) => names.filter((n) => / create(-oidc)? /.test(n));

    it('first run: describe then create each resource, bind the roles, print the two variables', async () => {
      const first = await run();
      expect(first.status, first.stderr).toBe(0);
      expect(creates(first.names)).toEqual([
        'gcloud artifacts repositories create cloud-run',
        'gcloud iam service-accounts create demo-svc-runtime',
        'gcloud iam workload-identity-pools create github',
        'gcloud iam workload-identity-pools providers create-oidc gh-octo-org-my-app-1',
        'gcloud iam service-accounts create gha-deploy-demo-svc',
      ]);
      for (const created of creates(first.names)) {
        const describe = created.replace(/ create(-oidc)? (\S+)$/, ' describe $2');
        const at = first.names.findIndex((n) => n.startsWith(describe));
        expect(at, describe).toBeGreaterThan(-1);
        expect(at).toBeLessThan(first.names.indexOf(created));
      }
      expect(grants(first.calls)).toContain('roles/iam.serviceAccountUser on demo-svc-runtime@demo-project.iam.gserviceaccount.com');
      expect(first.stdout).toBe(
        `gh variable set GCP_WORKLOAD_IDENTITY_PROVIDER --repo ${REPO} --body projects/${NUMBER}/locations/global/workloadIdentityPools/github/providers/gh-octo-org-my-app-1\n` +
          `gh variable set GCP_SERVICE_ACCOUNT --repo ${REPO} --body gha-deploy-demo-svc@demo-project.iam.gserviceaccount.com\n`,
      );
      // The command that holds the real project number (the dry run prints a placeholder) is
      // accepted by the real gcloud too.
      const withNumber = first.calls.filter((a) => words(a).includes('add-iam-policy-binding') && a.join(' ').includes(NUMBER));
      expect(withNumber).toHaveLength(1);
      for (const argv of withNumber) {
        const { output } = await runGcloud(argv);
        expect(output, argv.join(' ')).toMatch(AUTH_STOP);
      }

      const second = await run();
      expect(second.status, second.stderr).toBe(0);
      expect(creates(second.names)).toEqual([]);
      expect(grants(second.calls)).toEqual(grants(first.calls));
      expect(second.stdout).toBe(first.stdout);
    }, 120_000);

    it('a describe that fails for another reason stops before anything is created', async () => {
      const result = await run({ STUB_DESCRIBE_ERROR: 'ERROR: (gcloud) PERMISSION_DENIED: caller lacks permission' });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toMatch(/PERMISSION_DENIED/);
      expect(creates(result.names)).toEqual([]);
      expect(result.names.some((n) => n.includes('add-iam-policy-binding'))).toBe(false);
    });

    it('a bad OWNER/REPO is refused with one line before gcloud runs', async () => {
      const result = await run({}, 'not-a-repo');
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^deploy\.sh: error: --setup-github expects OWNER\/REPO, got 'not-a-repo' \(see \.\/deploy\.sh --help\)\n$/);
      expect(result.calls).toEqual([]);
    });
  });
}
