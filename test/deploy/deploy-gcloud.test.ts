/**
 * Every command `deploy.sh --dry-run` prints, checked by the REAL gcloud.
 *
 * With an empty CLOUDSDK_CONFIG, gcloud parses and validates a command's arguments first and only
 * then asks for credentials: a valid command stops at "You do not currently have an active account
 * selected", a bad one at "unrecognized arguments", "invalid choice", "argument --x: ..." and the
 * like. So running each printed command offline is a cheap, real check of flag names and values.
 * `gcloud run services replace service.yaml` / `gcloud run jobs replace job.yaml` also parse the
 * project's Cloud Run YAML into Cloud Run's API objects before asking for credentials (a
 * misspelt field fails with "Failed to parse value(s) in protobuf"), so they run in the project
 * directory and check each generated YAML too; a misspelt copy of each must be refused.
 *
 * Covered: every template × type generated with the CLI, plus a service whose YAML references
 * Secret Manager secrets, each with a rich set of options in both
 * build modes; the Cloud Scheduler update that a re-run makes, and the log command printed at the
 * end. `docker` commands (from --build local) are not run; their shape is asserted.
 *
 * Needs gcloud (apt package google-cloud-cli; scripts/ci/install-gcloud.sh). Without it the file
 * fails, unless SKIP_GCLOUD_TESTS=1 is set explicitly.
 */
import { spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AUTH_STOP, GCLOUD, runGcloud } from './gcloud.js';
import { listedTemplates as listTemplates, type WorkloadType } from '../../verify/templates.js';
import { cleanupRendered, dryRunCommands, parseShellLine, type RenderedProject, renderProject } from './render.js';


/** A copy of argv with one word replaced. */
const replaceAt = (argv: string[], index: number, word: string): string[] => argv.map((arg, i) => (i === index ? word : arg));
const SKIP = process.env.SKIP_GCLOUD_TESTS === '1';
const INSTALL_HINT =
  'gcloud is not installed: install the google-cloud-cli package (scripts/ci/install-gcloud.sh, or ' +
  'apt-get install google-cloud-cli), or set SKIP_GCLOUD_TESTS=1 to skip the real-gcloud tests explicitly';

const ARGUMENT_ERROR =
  /unrecognized arguments|invalid choice|argument --?[\w-]+:|Bad syntax|Invalid value|is not an integer|Failed to parse|Unable to read file|as build config|parsing \S+\.yaml/i;
/** Commands that need no credentials: they succeed offline. */
const LOCAL_ONLY = ['gcloud auth list', 'gcloud config get-value', 'gcloud auth configure-docker'];

const OPTION_SETS: Record<WorkloadType, Record<string, string[]>> = {
  service: {
    'defaults, cloud build': [],
    'rich, cloud build': ['--region', 'europe-west1', '--repository', 'apps', '--image-tag', 'v1.2.3', '--enable-apis', '--allow-unauthenticated'],
    'rich, local build': ['--build', 'local', '--region', 'us-east4', '--image-tag', 'local-1', '--service-account', 'web@other-project.iam.gserviceaccount.com'],
  },
  job: {
    'defaults, cloud build': [],
    'rich, cloud build': ['--region', 'asia-northeast1', '--repository', 'batch', '--image-tag', '2024-01-01', '--enable-apis', '--schedule', '0 3 * * 1-5', '--time-zone', 'Europe/Berlin'],
    'rich, local build': ['--build', 'local', '--region', 'us-east4', '--service-account', 'runner@other-project.iam.gserviceaccount.com', '--schedule', '*/15 * * * *'],
  },
};

/** A misspelt field in each kind of YAML: gcloud must refuse the file. */
const MISSPELT: Record<WorkloadType, [string, string]> = {
  service: ['httpGet:', 'httpGett:'],
  job: ['taskCount:', 'taskCont:'],
};

interface Target {
  label: string;
  type: WorkloadType;
  project: RenderedProject;
}
interface Plan {
  label: string; // target and option set
  cwd: string;
  commands: string[][];
}
interface Check {
  command: string[];
  cwd: string;
  from: string; // the first plan that printed it
}

function commandOf(argv: string[]): string {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const depth = ['run', 'artifacts', 'iam', 'scheduler'].includes(words[1]!) && words[2] !== 'deploy' ? 4 : 3;
  return words.slice(0, depth).join(' ');
}
function flag(argv: string[], name: string): string | undefined {
  return argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function dryRun(project: RenderedProject, args: string[]): { commands: string[][]; logs: string[] } {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(DEPLOY_|CLOUDSDK_|GIT_)/.test(key)) env[key] = value;
  }
  // A fixed tag where none is given (instead of the time), so the same command from different
  // projects is checked once.
  env.DEPLOY_IMAGE_TAG = 'dry-run';
  const result = spawnSync(project.script, ['--dry-run', '--project', 'demo-project', ...args], {
    cwd: tmpdir(),
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0) throw new Error(`${project.script} --dry-run ${args.join(' ')} failed: ${result.stderr}`);
  // The log command is printed as a comment ("# then, to read the logs: gcloud ..."): check it too.
  const logs = [...result.stdout.matchAll(/^# then, to read the logs: (.*)$/gm)].map((m) => m[1]!);
  return { commands: dryRunCommands(result.stdout), logs };
}

// ---------------------------------------------------------------------------------------------
// Collect the plans (top-level await: the commands become one test each)
// ---------------------------------------------------------------------------------------------
const targets: Target[] = [];
const plans: Plan[] = [];
const checks: Check[] = [];

if (!SKIP && GCLOUD) {
  const rendered = await Promise.all([
    // A YAML that references Secret Manager secrets: deploy.sh then grants access to each.
    renderProject({ type: 'service', name: 'demo-svc' }).then(async (project) => {
      const yaml = await readFile(project.config, 'utf8');
      const secret = (env: string, name: string) => [`            - name: ${env}`, '              valueFrom:', '                secretKeyRef:', `                  name: ${name}`, '                  key: latest'];
      await writeFile(project.config, yaml.replace('          env: []\n', ['          env:', ...secret('API_KEY', 'api-key'), ...secret('DB_URL', 'db-url'), ''].join('\n')));
      return { label: `${project.template} service with secrets`, type: 'service' as const, project };
    }),
    ...listTemplates().flatMap((t) =>
      t.types.map((type) =>
        renderProject({ type, template: t.id, name: type === 'service' ? 'demo-svc' : 'demo-job' }).then((project) => ({
          label: `${t.id} ${type}`,
          type,
          project,
        })),
      ),
    ),
  ]);
  targets.push(...rendered);

  const seen = new Set<string>();
  for (const target of targets) {
    for (const [optionsLabel, args] of Object.entries(OPTION_SETS[target.type])) {
      const label = `${target.label}, ${optionsLabel}`;
      const { commands, logs } = dryRun(target.project, args);
      plans.push({ label, cwd: target.project.dir, commands });
      // A re-run updates the Scheduler job with the same flags as the first run's create.
      const updates = commands.filter((argv) => commandOf(argv) === 'gcloud scheduler jobs create').map((argv) => argv.map((arg) => (arg === 'create' ? 'update' : arg)));
      for (const command of [...commands.filter((argv) => argv[0] === 'gcloud'), ...updates, ...logs.map(parseShellLine)]) {
        // `gcloud run ... replace FILE` reads the project's YAML: checked once per project; the
        // other commands once per distinct command line.
        const key = JSON.stringify(command) + (command.includes('replace') ? target.project.dir : '');
        if (seen.has(key)) continue;
        seen.add(key);
        checks.push({ command, cwd: target.project.dir, from: label });
      }
    }
  }
}

/** A check's command through the real gcloud, in its project's folder. */
const run = (check: Check) => runGcloud(check.command, check.cwd);

afterAll(cleanupRendered);

// ---------------------------------------------------------------------------------------------
if (SKIP) {
  console.warn('SKIP_GCLOUD_TESTS=1: the real-gcloud checks of deploy.sh are skipped');
  describe.skip('deploy.sh commands against the real gcloud (skipped: SKIP_GCLOUD_TESTS=1)', () => {
    it('skipped', () => {});
  });
} else if (!GCLOUD) {
  describe('deploy.sh commands against the real gcloud', () => {
    it('needs gcloud', () => {
      expect.fail(INSTALL_HINT);
    });
  });
} else {
  describe('deploy.sh --dry-run plans', () => {
    it('cover every template × type', () => {
      const labels = targets.map((t) => t.label);
      for (const t of listTemplates()) for (const type of t.types) expect(labels).toContain(`${t.id} ${type}`);
      expect(checks.length).toBeGreaterThan(15);
      const lines = checks.map((c) => c.command.join(' '));
      for (const kind of ['gcloud secrets add-iam-policy-binding api-key', 'gcloud scheduler jobs create http', 'gcloud scheduler jobs update http', 'gcloud run services logs read', 'gcloud run jobs logs read', 'gcloud run services add-iam-policy-binding', 'gcloud iam service-accounts create']) {
        expect(lines.some((line) => line.startsWith(kind)), kind).toBe(true);
      }
    });

    it.each(plans)('$label: preflight, repository, identity, build, then the YAML is applied', ({ commands }) => {
      const names = commands.map(commandOf);
      const build = names.findIndex((n) => n === 'gcloud builds submit' || n === 'docker buildx build');
      const replace = names.findIndex((n) => n === 'gcloud run services replace' || n === 'gcloud run jobs replace');
      const repository = names.indexOf('gcloud artifacts repositories create');
      expect(names[0]).toBe('gcloud auth list');
      expect(repository).toBeGreaterThan(0);
      expect(build).toBeGreaterThan(repository);
      expect(replace).toBeGreaterThan(build);
      expect(commands[replace]!.slice(3, 5)).toEqual(['replace', commands[replace]![2] === 'services' ? 'service.yaml' : 'job.yaml']);
      for (const argv of commands.filter((a) => a[0] === 'gcloud')) {
        expect(argv, argv.join(' ')).toContain('--quiet');
        if (!LOCAL_ONLY.slice(0, 2).includes(commandOf(argv))) expect(flag(argv, 'project'), argv.join(' ')).toBe('demo-project');
      }
    });

    it.each(plans.filter((p) => p.commands.some((a) => commandOf(a) === 'gcloud builds submit')))(
      '$label: Cloud Build builds the Dockerfile with --tag (the classic builder the Dockerfile supports)',
      ({ commands }) => {
        const build = commands.find((a) => commandOf(a) === 'gcloud builds submit')!;
        expect(build.slice(0, 4)).toEqual(['gcloud', 'builds', 'submit', '.']);
        expect(flag(build, 'tag')).toMatch(/^[a-z0-9-]+-docker\.pkg\.dev\/demo-project\/[a-z0-9-]+\/demo-(svc|job):[\w.-]+$/);
        expect(flag(build, 'config')).toBeUndefined();
      },
    );

    it.each(plans.filter((p) => p.commands.some((a) => a[0] === 'docker')))('$label: docker commands have the right shape', ({ commands }) => {
      const names = commands.map(commandOf);
      const build = commands.find((a) => a[0] === 'docker')!;
      const configure = commands.find((a) => commandOf(a) === 'gcloud auth configure-docker')!;
      expect(commands.filter((a) => a[0] === 'docker')).toHaveLength(1);
      expect(build).toEqual(['docker', 'buildx', 'build', '--platform=linux/amd64', expect.stringMatching(/^--tag=/), '--push', '.']);
      expect(flag(build, 'tag')!.startsWith(`${configure[3]}/demo-project/`)).toBe(true);
      expect(names.indexOf('gcloud auth configure-docker')).toBeLessThan(commands.indexOf(build));
    });
  });

  describe('the real gcloud parses every generated Cloud Run YAML, and refuses a misspelt field', () => {
    it.concurrent.each(targets)('$label', async ({ type, project }) => {
      const [field, misspelt] = MISSPELT[type];
      const yaml = await readFile(project.config, 'utf8');
      expect(yaml).toContain(field);
      const bad = path.join(project.dir, `misspelt-${type}.yaml`);
      await writeFile(bad, yaml.replaceAll(field, misspelt));
      try {
        const command = ['gcloud', 'run', `${type}s`, 'replace', path.basename(bad), '--region=us-central1', '--project=demo-project', '--quiet'];
        const good = await runGcloud(replaceAt(command, 4, `${type}.yaml`), project.dir);
        expect(good.output).toMatch(AUTH_STOP);
        const refused = await runGcloud(command, project.dir);
        expect(refused.code).not.toBe(0);
        expect(refused.output).toMatch(new RegExp(`Failed to parse value\\(s\\) in protobuf \\[${type === 'service' ? 'Service' : 'Job'}\\]:[\\s\\S]*${misspelt.slice(0, -1)}`));
      } finally {
        await rm(bad, { force: true });
      }
    }, 120_000);
  });

  describe('the real gcloud accepts every printed gcloud command (it stops at authentication)', () => {
    it.concurrent.each(checks.map((check) => ({ ...check, line: check.command.join(' ') })))(
      '$line',
      async (check) => {
        const { code, output } = await run(check);
        const context = `${check.command.join(' ')}\n(from ${check.from}, in ${check.cwd})\nexit ${code}:\n${output}`;
        expect(output, context).not.toMatch(ARGUMENT_ERROR);
        if (LOCAL_ONLY.some((c) => check.command.join(' ').startsWith(c))) {
          expect(code, context).toBe(0);
        } else {
          expect(code, context).not.toBe(0);
          expect(output, context).toMatch(AUTH_STOP);
        }
      },
      120_000,
    );
  });
}
