/**
 * Every command `deploy.sh --dry-run` prints, checked by the REAL gcloud.
 *
 * With an empty CLOUDSDK_CONFIG, gcloud parses and validates a command's arguments first and only
 * then asks for credentials: a valid command stops at "You do not currently have an active account
 * selected", a bad one at "unrecognized arguments", "invalid choice", "argument --x: ..." and the
 * like. So running each printed command offline is a cheap, real check of flag names and values.
 * `gcloud builds submit --config=cloudbuild.yaml` also reads and validates the project's
 * cloudbuild.yaml (YAML syntax and build-config fields) before it asks for credentials, so it runs
 * in the project directory and checks the generated config too.
 *
 * Covered: the service and job variants of the partial itself, plus every template × type under
 * templates/ generated with the CLI (when it is built), each with a rich set of options in both
 * build modes. `docker` commands (from --build local) are not run; their shape is asserted.
 *
 * Needs gcloud (apt package google-cloud-cli; scripts/ci/install-gcloud.sh). Without it the file
 * fails, unless SKIP_GCLOUD_TESTS=1 is set explicitly.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanupRendered,
  defaultVia,
  dryRunCommands,
  listTemplates,
  type RenderedProject,
  renderPartial,
  renderProject,
  type WorkloadType,
} from './render.js';

const SKIP = process.env.SKIP_GCLOUD_TESTS === '1';
const GCLOUD = spawnSync('bash', ['-c', 'command -v gcloud'], { encoding: 'utf8' }).stdout.trim();
const INSTALL_HINT =
  'gcloud is not installed: install the google-cloud-cli package (scripts/ci/install-gcloud.sh, or ' +
  'apt-get install google-cloud-cli), or set SKIP_GCLOUD_TESTS=1 to skip the real-gcloud tests explicitly';
const POOL = 4; // concurrent gcloud processes (each takes ~1-2 s of CPU to start)

const AUTH_STOP = /You do not currently have an active account selected/;
const ARGUMENT_ERROR =
  /unrecognized arguments|invalid choice|argument --?[\w-]+:|Bad syntax|Invalid value|is not an integer|Failed to parse|Unable to read file|as build config|parsing \S+\.yaml/i;
/** Commands that need no credentials: they succeed offline. */
const LOCAL_ONLY = ['gcloud auth list', 'gcloud config get-value', 'gcloud auth configure-docker'];

const OPTION_SETS: Record<WorkloadType, Record<string, string[]>> = {
  service: {
    'defaults, cloud build': [],
    'rich, cloud build': [
      '--region', 'europe-west1', '--repository', 'apps', '--image-tag', 'v1.2.3', '--service-account', 'deployer',
      '--cpu', '2', '--memory', '1Gi', '--env', 'GREETING=hello world', '--env', 'LIST=a,b', '--env', "NOTE=it's $HOME",
      '--set-secrets', 'API_KEY=api-key:latest', '--set-secrets', '/secrets/app config=app-config:3', '--enable-apis',
      '--allow-unauthenticated', '--min-instances', '1', '--max-instances', '5', '--concurrency', '40', '--timeout', '15m',
      '--no-cpu-boost', '--no-traffic', '--tag', 'canary',
    ],
    'rich, local build': [
      '--build', 'local', '--region', 'us-east4', '--image-tag', 'local-1', '--env', 'MODE=prod', '--max-instances', '3',
      '--timeout', '1h', '--cpu', '0.5', '--memory', '256Mi', '--concurrency', '1', '--tag', 'blue',
    ],
  },
  job: {
    'defaults, cloud build': [],
    'rich, cloud build': [
      '--region', 'asia-northeast1', '--repository', 'batch', '--image-tag', '2024-01-01', '--service-account',
      'runner@other-project.iam.gserviceaccount.com', '--cpu', '4', '--memory', '2Gi', '--env', 'GREETING=hello world',
      '--env', 'LIST=a,b', '--set-secrets', 'API_KEY=api-key:2', '--enable-apis', '--tasks', '10', '--parallelism', '3',
      '--max-retries', '0', '--task-timeout', '1h', '--execute',
    ],
    'rich, local build': ['--build', 'local', '--region', 'us-east4', '--execute', '--no-wait', '--tasks', '2', '--task-timeout', '90s'],
  },
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
  const depth = words[1] === 'run' && (words[2] === 'jobs' || words[2] === 'services') ? 4 : words[1] === 'artifacts' ? 4 : 3;
  return words.slice(0, depth).join(' ');
}
function flag(argv: string[], name: string): string | undefined {
  return argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function dryRun(project: RenderedProject, args: string[]): string[][] {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(DEPLOY_|CLOUDSDK_|GIT_)/.test(key)) env[key] = value;
  }
  const result = spawnSync(project.script, ['--dry-run', '--project', 'demo-project', ...args], {
    cwd: tmpdir(),
    env,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.status !== 0) throw new Error(`${project.script} --dry-run ${args.join(' ')} failed: ${result.stderr}`);
  return dryRunCommands(result.stdout);
}

// ---------------------------------------------------------------------------------------------
// Collect the plans (top-level await: the commands become one test each)
// ---------------------------------------------------------------------------------------------
const targets: Target[] = [];
const plans: Plan[] = [];
const checks: Check[] = [];

if (!SKIP && GCLOUD) {
  const rendered = await Promise.all([
    renderPartial({ type: 'service', name: 'demo-svc' }).then((project) => ({ label: 'partial service', type: 'service' as const, project })),
    renderPartial({ type: 'job', name: 'demo-job' }).then((project) => ({ label: 'partial job', type: 'job' as const, project })),
    ...(defaultVia().via === 'cli'
      ? listTemplates().flatMap((t) =>
          t.types.map((type) =>
            renderProject({ type, template: t.id, name: type === 'service' ? 'demo-svc' : 'demo-job' }, 'cli').then((project) => ({
              label: `${t.id} ${type}`,
              type,
              project,
            })),
          ),
        )
      : []),
  ]);
  targets.push(...rendered);

  const seen = new Set<string>();
  for (const target of targets) {
    let submitChecked = false;
    for (const [optionsLabel, args] of Object.entries(OPTION_SETS[target.type])) {
      const label = `${target.label}, ${optionsLabel}`;
      const commands = dryRun(target.project, args);
      plans.push({ label, cwd: target.project.dir, commands });
      for (const command of commands.filter((argv) => argv[0] === 'gcloud')) {
        // `gcloud builds submit` also reads the project (its cloudbuild.yaml): check it once per
        // project, the other commands once per distinct command line.
        const perProject = commandOf(command) === 'gcloud builds submit' && !submitChecked;
        const key = JSON.stringify(command) + (perProject ? target.project.dir : '');
        if (perProject) submitChecked = true;
        if (seen.has(key)) continue;
        seen.add(key);
        checks.push({ command, cwd: target.project.dir, from: label });
      }
    }
  }
}

// A small pool: at most POOL gcloud processes at once.
let running = 0;
const waiting: Array<() => void> = [];
async function limited<T>(task: () => Promise<T>): Promise<T> {
  if (running >= POOL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await task();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

async function runGcloud(check: Check): Promise<{ code: number | null; output: string }> {
  const config = await mkdtemp(path.join(tmpdir(), 'gcloud-config-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    HOME: config,
    DOCKER_CONFIG: path.join(config, 'docker'), // configure-docker writes here, not to ~/.docker
    CLOUDSDK_CONFIG: config,
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
  };
  try {
    return await new Promise((resolve) => {
      execFile(GCLOUD, check.command.slice(1), { cwd: check.cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      });
    });
  } finally {
    await rm(config, { recursive: true, force: true });
  }
}

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
    it('cover the partial (service and job) and every template × type', () => {
      const labels = targets.map((t) => t.label);
      expect(labels).toEqual(expect.arrayContaining(['partial service', 'partial job']));
      if (defaultVia().via === 'cli') {
        for (const t of listTemplates()) for (const type of t.types) expect(labels).toContain(`${t.id} ${type}`);
      } else {
        console.warn(`templates not generated through the CLI: ${defaultVia().reason}`);
      }
      expect(checks.length).toBeGreaterThan(15);
    });

    it.each(plans)('$label: a complete preflight, build and deploy sequence', ({ commands }) => {
      const names = commands.map(commandOf);
      const build = names.findIndex((n) => n === 'gcloud builds submit' || n === 'docker buildx build');
      const deploy = names.findIndex((n) => n === 'gcloud run deploy' || n === 'gcloud run jobs deploy');
      expect(names.slice(0, 2)).toEqual(expect.arrayContaining(['gcloud auth list']));
      expect(names).toContain('gcloud services list');
      expect(names.indexOf('gcloud artifacts repositories create')).toBeGreaterThan(-1);
      expect(build).toBeGreaterThan(names.indexOf('gcloud artifacts repositories create'));
      expect(deploy).toBeGreaterThan(build);
      for (const argv of commands.filter((a) => a[0] === 'gcloud')) {
        expect(argv, argv.join(' ')).toContain('--quiet');
        if (!LOCAL_ONLY.slice(0, 2).includes(commandOf(argv))) expect(flag(argv, 'project'), argv.join(' ')).toBe('demo-project');
      }
    });

    it.each(plans.filter((p) => p.commands.some((a) => commandOf(a) === 'gcloud builds submit')))(
      '$label: Cloud Build builds from cloudbuild.yaml the image that is deployed',
      ({ commands }) => {
        const build = commands.find((a) => commandOf(a) === 'gcloud builds submit')!;
        const deploy = commands.find((a) => /^gcloud run (jobs )?deploy/.test(commandOf(a)))!;
        const image = flag(deploy, 'image')!;
        expect(build).toEqual([
          'gcloud', 'builds', 'submit', '.', '--config=cloudbuild.yaml', `--substitutions=_IMAGE=${image}`,
          `--region=${flag(deploy, 'region')}`, '--project=demo-project', '--quiet',
        ]);
        expect(image).toMatch(/^[a-z0-9-]+-docker\.pkg\.dev\/demo-project\/[a-z0-9-]+\/demo-(svc|job):[\w.-]+$/);
      },
    );

    it.each(plans.filter((p) => p.commands.some((a) => a[0] === 'docker')))('$label: docker commands have the right shape', ({ commands }) => {
      const names = commands.map(commandOf);
      expect(commands.filter((a) => a[0] === 'docker').map((a) => a.slice(0, 3).join(' '))).toEqual([
        'docker buildx version',
        'docker buildx build',
      ]);
      expect(commands[names.indexOf('docker buildx version')]).toEqual(['docker', 'buildx', 'version']);
      const build = commands[names.indexOf('docker buildx build')]!;
      const deploy = commands.find((a) => /^gcloud run (jobs )?deploy/.test(commandOf(a)))!;
      const configure = commands.find((a) => commandOf(a) === 'gcloud auth configure-docker')!;
      const image = flag(build, 'tag')!;
      expect(build).toEqual(['docker', 'buildx', 'build', '--platform=linux/amd64', `--tag=${image}`, '--push', '.']);
      expect(flag(deploy, 'image')).toBe(image);
      const registry = `${flag(deploy, 'region')}-docker.pkg.dev`;
      expect(image.startsWith(`${registry}/demo-project/`)).toBe(true);
      expect(configure[3]).toBe(registry);
      expect(names.indexOf('gcloud auth configure-docker')).toBeLessThan(names.indexOf('docker buildx build'));
    });
  });

  describe('the real gcloud accepts every printed gcloud command (it stops at authentication)', () => {
    it.concurrent.each(checks.map((check) => ({ ...check, line: check.command.join(' ') })))(
      '$line',
      async (check) => {
        const { code, output } = await limited(() => runGcloud(check));
        const context = `${check.command.join(' ')}\n(from ${check.from}, in ${check.cwd})\nexit ${code}:\n${output}`;
        expect(output, context).not.toMatch(ARGUMENT_ERROR);
        if (LOCAL_ONLY.includes(commandOf(check.command))) {
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
