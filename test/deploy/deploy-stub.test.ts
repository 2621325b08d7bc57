/**
 * deploy.sh against recording stubs of `gcloud` and `docker`.
 *
 * The stubs (Node scripts put first on PATH) append their argv to a log, one JSON array per line,
 * and answer from a scenario file that they also update (a created repository exists on the next
 * run, enabled APIs stay enabled, a deployed service can be described). The tests check the order
 * of commands per mode, idempotence, that every preflight failure stops before anything changes,
 * that flags beat environment variables which beat defaults, quoting, --dry-run and --help.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupRendered,
  copyProject,
  defaultVia,
  dryRunCommands,
  listTemplates,
  type RenderedProject,
  renderProject,
  renderReadme,
  type WorkloadType,
} from './render.js';

const execFileAsync = promisify(execFile);

// ---------------------------------------------------------------------------------------------
// Scenario and stubs
// ---------------------------------------------------------------------------------------------
interface Scenario {
  account: string; // `gcloud auth list --filter=status:ACTIVE` answer ('' = none)
  configProject: string; // `gcloud config get-value project` answer
  enabledApis: string[];
  repos: string[];
  services: string[];
  jobs: string[];
  buildx: boolean; // `docker buildx version` succeeds
  repoDescribeError?: string; // describe fails with this instead of NOT_FOUND
  fail?: Record<string, { code: number; stderr: string }>; // command key -> failure
}

const ALL_APIS = ['run.googleapis.com', 'artifactregistry.googleapis.com', 'cloudbuild.googleapis.com'];

function scenario(overrides: Partial<Scenario> = {}): Scenario {
  return {
    account: 'dev@example.com',
    configProject: '',
    enabledApis: [...ALL_APIS],
    repos: [],
    services: [],
    jobs: [],
    buildx: true,
    ...overrides,
  };
}

/** The command of an argv, e.g. "gcloud run jobs deploy" (the known commands, longest first). */
const KNOWN_COMMANDS = [
  'gcloud artifacts repositories describe',
  'gcloud artifacts repositories create',
  'gcloud run services describe',
  'gcloud run jobs deploy',
  'gcloud run jobs execute',
  'gcloud auth list',
  'gcloud auth configure-docker',
  'gcloud config get-value',
  'gcloud services list',
  'gcloud services enable',
  'gcloud builds submit',
  'gcloud run deploy',
  'docker buildx version',
  'docker buildx build',
];
const MUTATING = new Set([
  'gcloud services enable',
  'gcloud artifacts repositories create',
  'gcloud builds submit',
  'gcloud auth configure-docker',
  'docker buildx build',
  'gcloud run deploy',
  'gcloud run jobs deploy',
  'gcloud run jobs execute',
]);

function positionals(argv: string[]): string[] {
  return argv.filter((arg) => !arg.startsWith('-'));
}
function commandOf(argv: string[]): string {
  const words = positionals(argv).join(' ');
  return KNOWN_COMMANDS.find((known) => words === known || words.startsWith(`${known} `)) ?? `UNKNOWN: ${argv.join(' ')}`;
}
/** The first positional after the command words (service/job/repository name, registry host, source dir). */
function operand(argv: string[]): string | undefined {
  return positionals(argv)[commandOf(argv).split(' ').length];
}

/**
 * The stub, in bash for speed (it runs a dozen times per deploy.sh run). Written inside a JS
 * template literal, so bash's "${" is spelled "\${" here. The scenario is a directory:
 * account, config-project, buildx (present = available), repo-describe-error, and folders apis/,
 * repos/, services/, jobs/ with one empty file per existing item; fail/<command_with_underscores>
 * holds an exit code on its first line and stderr after it.
 */
const STUB = String.raw`set -u
tool=\${0##*/}
json() {
  local s=$1
  s=\${s//\\/\\\\}
  s=\${s//\"/\\\"}
  s=\${s//$'\n'/\\n}
  s=\${s//$'\t'/\\t}
  s=\${s//$'\r'/\\r}
  printf '"%s"' "$s"
}
line="[$(json "$tool")"
for arg in "$@"; do line+=",$(json "$arg")"; done
printf '%s]\n' "$line" >>"$STUB_LOG"
printf '%s\n' "$PWD" >>"$STUB_LOG.cwd"

S=$STUB_STATE
words=()
for arg in "$tool" "$@"; do [[ $arg == -* ]] || words+=("$arg"); done
all="\${words[*]}"
command=''
while IFS= read -r known; do
  if [[ $all == "$known" || $all == "$known "* ]]; then command=$known && break; fi
done <<<"$STUB_KNOWN"
if [[ -z $command ]]; then
  echo "stub: unexpected command: $tool $*" >&2
  exit 97
fi
read -ra parts <<<"$command"
operand=\${words[\${#parts[@]}]:-}
key=\${command// /_}
if [[ -f $S/fail/$key ]]; then
  tail -n +2 "$S/fail/$key" >&2
  exit "$(head -n 1 "$S/fail/$key")"
fi
error="ERROR: (\${command// /.})"
case $command in
'gcloud auth list') [[ -s $S/account ]] && cat "$S/account" ;;
'gcloud config get-value') if [[ -s $S/config-project ]]; then cat "$S/config-project"; else echo '(unset)' >&2; fi ;;
'gcloud services list') ls "$S/apis" ;;
'gcloud services enable')
  for api in "\${words[@]:3}"; do touch "$S/apis/$api"; done
  echo 'Operation finished successfully.' >&2 ;;
'gcloud artifacts repositories describe')
  if [[ -s $S/repo-describe-error ]]; then echo "$error $(cat "$S/repo-describe-error")" >&2; exit 1; fi
  if [[ ! -e $S/repos/$operand ]]; then echo "$error NOT_FOUND: Requested entity was not found." >&2; exit 1; fi
  echo "projects/p/locations/l/repositories/$operand" ;;
'gcloud artifacts repositories create') touch "$S/repos/$operand" && echo "Created repository [$operand]." >&2 ;;
'gcloud builds submit') printf 'BUILD LOG LINE (stdout of gcloud builds submit)\nSUCCESS\n' ;;
'gcloud auth configure-docker') echo 'Docker configuration file updated.' >&2 ;;
'gcloud run deploy')
  touch "$S/services/$operand"
  echo 'DEPLOY LOG LINE'
  echo "Service URL: https://$operand-abc123-uc.a.run.app" >&2 ;;
'gcloud run services describe')
  if [[ ! -e $S/services/$operand ]]; then echo "$error Cannot find service [$operand]" >&2; exit 1; fi
  echo "https://$operand-abc123-uc.a.run.app" ;;
'gcloud run jobs deploy') touch "$S/jobs/$operand" && echo 'JOB DEPLOY LOG LINE' ;;
'gcloud run jobs execute') echo "$operand-x7k2p" ;;
'docker buildx version')
  if [[ ! -e $S/buildx ]]; then echo "docker: 'buildx' is not a docker command." >&2; exit 1; fi
  echo 'github.com/docker/buildx v0.20.0' ;;
'docker buildx build') echo 'BUILDX LOG LINE' ;;
esac
exit 0
`.replaceAll('\\${', '${');

/** Writes a scenario as the stub's state directory. */
async function writeScenario(dir: string, s: Scenario): Promise<void> {
  for (const sub of ['apis', 'repos', 'services', 'jobs', 'fail']) await mkdir(path.join(dir, sub), { recursive: true });
  await writeFile(path.join(dir, 'account'), s.account);
  await writeFile(path.join(dir, 'config-project'), s.configProject);
  if (s.buildx) await writeFile(path.join(dir, 'buildx'), '');
  if (s.repoDescribeError) await writeFile(path.join(dir, 'repo-describe-error'), s.repoDescribeError);
  for (const [sub, items] of [['apis', s.enabledApis], ['repos', s.repos], ['services', s.services], ['jobs', s.jobs]] as const) {
    for (const item of items) await writeFile(path.join(dir, sub, item), '');
  }
  for (const [command, failure] of Object.entries(s.fail ?? {})) {
    await writeFile(path.join(dir, 'fail', command.replaceAll(' ', '_')), `${failure.code}\n${failure.stderr}\n`);
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  calls: string[][];
  cwds: string[];
  commands: string[];
}

let root: string;
let stubBin: string;
let noGcloudBin: string;

async function setupStubs(): Promise<void> {
  root = await mkdtemp(path.join(tmpdir(), 'deploy-stub-'));
  stubBin = path.join(root, 'bin');
  await mkdir(stubBin);
  const bash = (await execFileAsync('bash', ['-c', 'command -v bash'])).stdout.trim();
  for (const tool of ['gcloud', 'docker']) {
    await writeFile(path.join(stubBin, tool), `#!${bash}\n${STUB}`, { mode: 0o755 });
  }
  // A PATH with only what deploy.sh needs besides gcloud: no gcloud (and no docker) at all.
  noGcloudBin = path.join(root, 'no-gcloud-bin');
  await mkdir(noGcloudBin);
  for (const tool of ['bash', 'date', 'git', 'cat']) {
    const { stdout } = await execFileAsync('bash', ['-c', `command -v ${tool}`]);
    await symlink(stdout.trim(), path.join(noGcloudBin, tool));
  }
}

let runCounter = 0;
async function run(
  project: RenderedProject,
  args: string[],
  options: { state?: Scenario; stateDir?: string; env?: Record<string, string>; path?: string } = {},
): Promise<Run> {
  const dir = path.join(root, `run-${++runCounter}`);
  await mkdir(dir);
  const log = path.join(dir, 'calls.log');
  const stateDir = options.stateDir ?? path.join(dir, 'state');
  if (!options.stateDir) await writeScenario(stateDir, options.state ?? scenario());
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(DEPLOY_|CLOUDSDK_|GIT_|GOOGLE_)/.test(key)) env[key] = value;
  }
  Object.assign(env, {
    PATH: options.path ?? `${stubBin}:${process.env.PATH}`,
    HOME: dir,
    STUB_LOG: log,
    STUB_STATE: stateDir,
    STUB_KNOWN: KNOWN_COMMANDS.join('\n'),
    ...options.env,
  });
  // Run from another directory: deploy.sh must build from its own directory.
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(project.script, args, { cwd: dir, env, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
  const lines = existsSync(log) ? (await readFile(log, 'utf8')).split('\n').filter(Boolean) : [];
  const calls = lines.map((line) => JSON.parse(line) as string[]);
  const cwds = existsSync(`${log}.cwd`) ? (await readFile(`${log}.cwd`, 'utf8')).split('\n').filter(Boolean) : [];
  return { ...result, calls, cwds, commands: calls.map(commandOf) };
}

function call(r: Run, command: string): string[] {
  const found = r.calls.find((argv) => commandOf(argv) === command);
  if (!found) throw new Error(`no "${command}" call; calls were:\n${r.commands.join('\n')}\nstderr:\n${r.stderr}`);
  return found;
}
function mutating(r: Run): string[] {
  return r.commands.filter((c) => MUTATING.has(c));
}
/** The value of --flag=value in argv (undefined when absent). */
function flag(argv: string[], name: string): string | undefined {
  const found = argv.find((arg) => arg.startsWith(`--${name}=`));
  return found?.slice(name.length + 3);
}
/**
 * The image a `gcloud builds submit` call builds: cloudbuild.yaml tags and pushes $_IMAGE, and
 * deploy.sh passes it as the only substitution, `--substitutions=_IMAGE=IMAGE`.
 */
function submittedImage(build: string[]): string {
  expect(build).toContain('--config=cloudbuild.yaml');
  expect(flag(build, 'tag'), '--tag uses the classic builder, without BuildKit').toBeUndefined();
  const substitutions = flag(build, 'substitutions');
  expect(substitutions).toMatch(/^_IMAGE=[^,]+$/);
  return substitutions!.slice('_IMAGE='.length);
}

/** Conventions every gcloud call follows: --quiet, --project, --region/--location, the name. */
function expectConventions(r: Run, expected: { project: string; region: string; name: string; repository?: string }) {
  const gcloudCalls = r.calls.filter((argv) => argv[0] === 'gcloud');
  expect(gcloudCalls.length).toBeGreaterThan(2);
  for (const argv of gcloudCalls) {
    const command = commandOf(argv);
    expect(argv, command).toContain('--quiet');
    if (command === 'gcloud auth list' || command === 'gcloud config get-value') continue;
    expect(flag(argv, 'project'), `${command} --project`).toBe(expected.project);
    if (command.startsWith('gcloud run ') || command === 'gcloud builds submit') {
      expect(flag(argv, 'region'), `${command} --region`).toBe(expected.region);
    }
    if (command.startsWith('gcloud artifacts ')) {
      expect(flag(argv, 'location'), `${command} --location`).toBe(expected.region);
      expect(operand(argv), `${command} repository`).toBe(expected.repository ?? 'cloud-run');
    }
    if (/^gcloud run (deploy|services describe|jobs deploy|jobs execute)$/.test(command)) {
      expect(operand(argv), `${command} name`).toBe(expected.name);
    }
  }
}

const TIMESTAMP_TAG = /^\d{8}-\d{6}$/;

// ---------------------------------------------------------------------------------------------
let service: RenderedProject; // demo-svc, project demo-project
let job: RenderedProject; // demo-job, project demo-project
let serviceNoProject: RenderedProject;
let jobNoProject: RenderedProject;

beforeAll(async () => {
  await setupStubs();
  const { via, reason } = defaultVia();
  console.info(`deploy.sh rendered via ${via} (${reason})`);
  [service, job, serviceNoProject, jobNoProject] = await Promise.all([
    renderProject({ type: 'service', name: 'demo-svc', project: 'demo-project' }),
    renderProject({ type: 'job', name: 'demo-job', project: 'demo-project' }),
    renderProject({ type: 'service', name: 'demo-svc' }),
    renderProject({ type: 'job', name: 'demo-job' }),
  ]);
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await cleanupRendered();
});

describe('order of commands per mode', () => {
  it('service, --build cloud: preflight, repository, Cloud Build, deploy, URL', async () => {
    const r = await run(service, []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.commands).toEqual([
      'gcloud auth list',
      'gcloud services list',
      'gcloud artifacts repositories describe',
      'gcloud artifacts repositories create',
      'gcloud builds submit',
      'gcloud run deploy',
      'gcloud run services describe',
    ]);
    expectConventions(r, { project: 'demo-project', region: 'us-central1', name: 'demo-svc' });
    // stdout carries only the URL; gcloud's own output went to stderr.
    expect(r.stdout).toBe('https://demo-svc-abc123-uc.a.run.app\n');
    expect(r.stderr).toContain('BUILD LOG LINE');

    const build = call(r, 'gcloud builds submit');
    const image = submittedImage(build);
    const [, tag] = image.split(':');
    expect(image).toMatch(/^us-central1-docker\.pkg\.dev\/demo-project\/cloud-run\/demo-svc:/);
    expect(tag).toMatch(TIMESTAMP_TAG); // the project is not a git repository
    expect(operand(build)).toBe('.');
    expect(r.cwds[r.commands.indexOf('gcloud builds submit')]).toBe(service.dir);

    const deploy = call(r, 'gcloud run deploy');
    expect(flag(deploy, 'image')).toBe(image);
    expect(deploy).toEqual(
      expect.arrayContaining([
        '--no-allow-unauthenticated',
        '--min-instances=0',
        '--max-instances=10',
        '--concurrency=80',
        '--timeout=300s',
        '--cpu=1',
        '--memory=512Mi',
        '--cpu-boost',
      ]),
    );
    for (const absent of ['--allow-unauthenticated', '--no-traffic']) expect(deploy).not.toContain(absent);
    for (const absent of ['tag', 'set-env-vars', 'set-secrets', 'service-account']) expect(flag(deploy, absent)).toBeUndefined();
    expect(call(r, 'gcloud run services describe')).toContain('--format=value(status.url)');
    expect(call(r, 'gcloud artifacts repositories create')).toContain('--repository-format=docker');
  });

  it('service, --build local: buildx builds linux/amd64 and pushes after configure-docker', async () => {
    // Cloud Build is not needed for a local build, so its API may stay disabled.
    const state = scenario({ enabledApis: ['run.googleapis.com', 'artifactregistry.googleapis.com'] });
    const r = await run(service, ['--build', 'local'], { state });
    expect(r.code, r.stderr).toBe(0);
    expect(r.commands).toEqual([
      'docker buildx version',
      'gcloud auth list',
      'gcloud services list',
      'gcloud artifacts repositories describe',
      'gcloud artifacts repositories create',
      'gcloud auth configure-docker',
      'docker buildx build',
      'gcloud run deploy',
      'gcloud run services describe',
    ]);
    expectConventions(r, { project: 'demo-project', region: 'us-central1', name: 'demo-svc' });
    expect(operand(call(r, 'gcloud auth configure-docker'))).toBe('us-central1-docker.pkg.dev');
    const build = call(r, 'docker buildx build');
    expect(build).toContain('--platform=linux/amd64');
    expect(build).toContain('--push');
    expect(build.at(-1)).toBe('.');
    expect(r.cwds[r.commands.indexOf('docker buildx build')]).toBe(service.dir);
    expect(flag(build, 'tag')).toMatch(/^us-central1-docker\.pkg\.dev\/demo-project\/cloud-run\/demo-svc:\d{8}-\d{6}$/);
    expect(flag(call(r, 'gcloud run deploy'), 'image')).toBe(flag(build, 'tag'));
    expect(r.stdout).toBe('https://demo-svc-abc123-uc.a.run.app\n');
  });

  it('job, --build cloud: deploys the job with job settings and does not execute it', async () => {
    const r = await run(job, []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.commands).toEqual([
      'gcloud auth list',
      'gcloud services list',
      'gcloud artifacts repositories describe',
      'gcloud artifacts repositories create',
      'gcloud builds submit',
      'gcloud run jobs deploy',
    ]);
    expectConventions(r, { project: 'demo-project', region: 'us-central1', name: 'demo-job' });
    const deploy = call(r, 'gcloud run jobs deploy');
    expect(deploy).toEqual(
      expect.arrayContaining(['--tasks=1', '--parallelism=0', '--max-retries=3', '--task-timeout=10m', '--cpu=1', '--memory=512Mi']),
    );
    expect(flag(deploy, 'image')).toBe(submittedImage(call(r, 'gcloud builds submit')));
    expect(flag(deploy, 'image')).toMatch(/\/demo-job:/);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('gcloud run jobs execute demo-job --region=us-central1 --project=demo-project');
  });

  it('job --execute: executes after deploying, waits, and prints the execution', async () => {
    const r = await run(job, ['--execute']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.commands.slice(-2)).toEqual(['gcloud run jobs deploy', 'gcloud run jobs execute']);
    expectConventions(r, { project: 'demo-project', region: 'us-central1', name: 'demo-job' });
    const execute = call(r, 'gcloud run jobs execute');
    expect(execute).toContain('--wait');
    expect(execute).not.toContain('--async');
    expect(r.stdout).toBe('demo-job-x7k2p\n');
  });

  it('job --execute --no-wait: starts the execution asynchronously', async () => {
    const r = await run(job, ['--execute', '--no-wait', '--build=local']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.commands.slice(-4)).toEqual(['gcloud auth configure-docker', 'docker buildx build', 'gcloud run jobs deploy', 'gcloud run jobs execute']);
    const execute = call(r, 'gcloud run jobs execute');
    expect(execute).toContain('--async');
    expect(execute).not.toContain('--wait');
  });

  it('a failed job execution fails the script and names the step', async () => {
    const state = scenario({ fail: { 'gcloud run jobs execute': { code: 1, stderr: 'ERROR: Task demo-job-x7k2p-task0 failed' } } });
    const r = await run(job, ['--execute'], { state });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/error: \[execute job demo-job\] command failed \(exit 1\): gcloud run jobs execute demo-job/);
  });
});

describe('idempotence', () => {
  it('a second run creates nothing: no repository create, no API enable, just a new deploy', async () => {
    const stateDir = await mkdtemp(path.join(root, 'idem-'));
    await writeScenario(stateDir, scenario({ enabledApis: ['run.googleapis.com'] }));
    const first = await run(service, ['--enable-apis'], { stateDir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.commands).toContain('gcloud artifacts repositories create');
    expect(first.commands).toContain('gcloud services enable');

    const second = await run(service, ['--enable-apis'], { stateDir });
    expect(second.code, second.stderr).toBe(0);
    expect(second.commands).toEqual([
      'gcloud auth list',
      'gcloud services list',
      'gcloud artifacts repositories describe',
      'gcloud builds submit',
      'gcloud run deploy',
      'gcloud run services describe',
    ]);
    expect(second.stderr).toContain('repository cloud-run exists');
  });

  it('a job re-run also only builds and deploys', async () => {
    const r = await run(job, [], { state: scenario({ repos: ['cloud-run'], jobs: ['demo-job'] }) });
    expect(r.code, r.stderr).toBe(0);
    expect(mutating(r)).toEqual(['gcloud builds submit', 'gcloud run jobs deploy']);
  });
});

describe('preflight failures stop before anything changes', () => {
  it('no active account', async () => {
    const r = await run(service, [], { state: scenario({ account: '' }) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/error: \[preflight\] no active gcloud account\. Run: gcloud auth login/);
    expect(r.commands).toEqual(['gcloud auth list']);
    expect(r.stdout).toBe('');
  });

  it('no project given and none in the gcloud configuration', async () => {
    const r = await run(serviceNoProject, [], { state: scenario({ configProject: '' }) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\[preflight\] no Google Cloud project: pass --project, set DEPLOY_PROJECT/);
    expect(r.commands).toEqual(['gcloud auth list', 'gcloud config get-value']);
  });

  it('required APIs disabled without --enable-apis: names the missing APIs', async () => {
    const r = await run(service, [], { state: scenario({ enabledApis: ['run.googleapis.com'] }) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /\[preflight\] required APIs are not enabled in project demo-project: artifactregistry\.googleapis\.com cloudbuild\.googleapis\.com\. Re-run with --enable-apis/,
    );
    expect(mutating(r)).toEqual([]);
    expect(r.commands).toEqual(['gcloud auth list', 'gcloud services list']);
  });

  it('secrets need the Secret Manager API', async () => {
    const r = await run(job, ['--set-secrets', 'API_KEY=api-key:latest']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/not enabled in project demo-project: secretmanager\.googleapis\.com\./);
    expect(mutating(r)).toEqual([]);
  });

  it('--build cloud without cloudbuild.yaml: names the file, runs nothing (--build local does not need it)', async () => {
    const project = await copyProject(service);
    await rm(path.join(project.dir, 'cloudbuild.yaml'));
    for (const args of [[], ['--dry-run']]) {
      const r = await run(project, args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(/error: \[preflight\] no cloudbuild\.yaml in .*: --build cloud needs this Cloud Build config/);
      expect(r.stderr).toContain(project.dir);
      expect(r.calls).toEqual([]);
      expect(r.stdout).not.toMatch(/^gcloud /m);
    }
    const local = await run(project, ['--build', 'local']);
    expect(local.code, local.stderr).toBe(0);
    expect(local.commands).toContain('docker buildx build');
  });

  it('docker buildx missing for --build local', async () => {
    const r = await run(service, ['--build', 'local'], { state: scenario({ buildx: false }) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\[preflight\] docker buildx is not available/);
    expect(mutating(r)).toEqual([]);
  });

  it('a repository describe error other than NOT_FOUND is fatal and creates nothing', async () => {
    const state = scenario({ repoDescribeError: "PERMISSION_DENIED: Permission 'artifactregistry.repositories.get' denied" });
    const r = await run(service, [], { state });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('PERMISSION_DENIED');
    expect(r.stderr).toMatch(/\[Artifact Registry repository\] command failed \(exit 1\): gcloud artifacts repositories describe cloud-run/);
    expect(mutating(r)).toEqual([]);
  });

  it('with --enable-apis, enables exactly the missing APIs before any other change', async () => {
    const r = await run(service, ['--enable-apis', '--set-secrets', 'K=s:1'], { state: scenario({ enabledApis: ['cloudbuild.googleapis.com'] }) });
    expect(r.code, r.stderr).toBe(0);
    expect(mutating(r)[0]).toBe('gcloud services enable');
    const enable = call(r, 'gcloud services enable');
    expect(positionals(enable).slice(3)).toEqual(['run.googleapis.com', 'artifactregistry.googleapis.com', 'secretmanager.googleapis.com']);
    expect(flag(enable, 'project')).toBe('demo-project');
  });

  it('a failing build names the step and deploys nothing', async () => {
    const state = scenario({ fail: { 'gcloud builds submit': { code: 1, stderr: 'ERROR: build step 0 "gcr.io/cloud-builders/docker" failed' } } });
    const r = await run(service, [], { state });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/error: \[build us-central1-docker\.pkg\.dev\/demo-project\/cloud-run\/demo-svc:[^\]]+ with Cloud Build\] command failed \(exit 1\): gcloud builds submit/);
    expect(r.commands).not.toContain('gcloud run deploy');
  });
});

/** Every template × type when the CLI generates projects, else both variants of the partial. */
const TARGETS: Array<{ label: string; template?: string; type: WorkloadType }> = [];
if (defaultVia().via === 'cli') {
  for (const t of listTemplates()) for (const type of t.types) TARGETS.push({ label: `${t.id} ${type}`, template: t.id, type });
} else {
  TARGETS.push({ label: 'partial service', type: 'service' }, { label: 'partial job', type: 'job' });
}

describe('the rendered script', () => {
  const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
  it.concurrent.each(TARGETS)('$label: bash -n and shellcheck find nothing (with and without a project)', async ({ template, type }) => {
    if (!shellcheck && process.env.SKIP_SHELLCHECK_TESTS !== '1') {
      expect.fail('shellcheck is not installed: apt-get install shellcheck, or set SKIP_SHELLCHECK_TESTS=1 to skip explicitly');
    }
    for (const projectId of ['demo-project', undefined]) {
      const project = await renderProject({ type, template, name: `lint-${type}`, project: projectId });
      const syntax = spawnSync('bash', ['-n', project.script], { encoding: 'utf8' });
      expect(syntax.status, syntax.stderr).toBe(0);
      if (shellcheck) {
        const lint = spawnSync('shellcheck', ['--shell=bash', project.script], { encoding: 'utf8' });
        expect(lint.stdout + lint.stderr).toBe('');
        expect(lint.status).toBe(0);
      }
      const text = await readFile(project.script, 'utf8');
      expect(text.startsWith('#!/usr/bin/env bash\n')).toBe(true);
      expect(text).toMatch(/^set -Eeuo pipefail$/m);
      expect(text).not.toMatch(/\{\{|\}\}/); // no Handlebars left over
    }
  });
});

/** A YAML value of the shapes cloudbuild.yaml uses. */
type Yaml = string | Yaml[] | { [key: string]: Yaml };

/**
 * A deliberately narrow YAML reader for cloudbuild.yaml (the repository has no YAML library):
 * full-line comments, `key: value` mappings, a block sequence of mappings (`- key: value`), plain
 * scalars and flow sequences of single-quoted strings. Anything else throws, so a file it accepts
 * is valid YAML with exactly the structure it returns.
 */
function parseCloudbuildYaml(text: string): { [key: string]: Yaml } {
  const scalar = (raw: string, where: string): Yaml => {
    const value = raw.trim();
    if (value.startsWith('[')) {
      const item = String.raw`'(?:[^']|'')*'`;
      if (!new RegExp(String.raw`^\[\s*(${item}\s*(,\s*${item}\s*)*)?\]$`).test(value)) throw new Error(`${where}: unsupported flow sequence ${value}`);
      return [...value.matchAll(new RegExp(item, 'g'))].map((m) => m[0].slice(1, -1).replaceAll("''", "'"));
    }
    if (!/^[A-Za-z0-9_.\/-]+$/.test(value)) throw new Error(`${where}: unsupported scalar ${JSON.stringify(value)}`);
    return value;
  };
  const result: { [key: string]: Yaml } = {};
  let sequence: Array<{ [key: string]: Yaml }> | undefined; // the block sequence being read
  text.split('\n').forEach((line, index) => {
    const where = `cloudbuild.yaml:${index + 1}`;
    if (line.includes('\t')) throw new Error(`${where}: tab`);
    if (line.trim() === '' || /^\s*#( |$)/.test(line)) return; // blank line or comment
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^([a-z][A-Za-z]*):(?: (.+))?$/))) {
      if (m[1]! in result) throw new Error(`${where}: duplicate key ${m[1]}`);
      if (m[2] === undefined) result[m[1]!] = sequence = [];
      else {
        result[m[1]!] = scalar(m[2], where);
        sequence = undefined;
      }
    } else if (sequence && (m = line.match(/^  - ([a-z][A-Za-z]*): (.+)$/))) {
      sequence.push({ [m[1]!]: scalar(m[2]!, where) });
    } else if (sequence?.length && (m = line.match(/^    ([a-z][A-Za-z]*): (.+)$/))) {
      const item = sequence.at(-1)!;
      if (m[1]! in item) throw new Error(`${where}: duplicate key ${m[1]}`);
      item[m[1]!] = scalar(m[2]!, where);
    } else {
      throw new Error(`${where}: unsupported line ${JSON.stringify(line)}`);
    }
  });
  return result;
}

/** PyYAML's reading of a file, when python3 has it (as JSON), else undefined. */
function pyyaml(file: string): unknown {
  const code = 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))';
  const result = spawnSync('python3', ['-c', code, file], { encoding: 'utf8' });
  if (result.status !== 0) {
    if (/No module named .?yaml|ENOENT/.test(`${result.stderr}${result.error?.message ?? ''}`)) return undefined;
    throw new Error(`PyYAML cannot read ${file}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout);
}

describe('cloudbuild.yaml', () => {
  const EXPECTED = {
    steps: [
      {
        name: 'gcr.io/cloud-builders/docker',
        env: ['DOCKER_BUILDKIT=1'],
        args: ['build', '--platform=linux/amd64', '--tag=$_IMAGE', '.'],
      },
    ],
    images: ['$_IMAGE'],
  };

  it('the narrow reader rejects what it does not understand', () => {
    expect(parseCloudbuildYaml('# c\nsteps:\n  - name: a/b\n    args: [\'x\', \'it\'\'s\']\nimages: [\'$_I\']\n')).toEqual({
      steps: [{ name: 'a/b', args: ['x', "it's"] }],
      images: ['$_I'],
    });
    for (const bad of ['steps:\n\t- name: a', 'images: ["$_I"]', 'images: [\'a\', b]', 'a: b # c', 'a: b\na: c', '  - name: a', 'a: {b: c}', 'a:b']) {
      expect(() => parseCloudbuildYaml(bad), bad).toThrow();
    }
  });

  it.concurrent.each(TARGETS)('$label: BuildKit, linux/amd64, and it builds and pushes exactly the image deploy.sh deploys', async ({ template, type }) => {
    const project = await renderProject({ type, template, name: `cb-${type}`, project: 'demo-project' });
    const file = path.join(project.dir, 'cloudbuild.yaml');
    const text = await readFile(file, 'utf8');
    expect(text).not.toMatch(/\{\{|\}\}/); // no Handlebars left over
    expect(text.endsWith('\n')).toBe(true);
    const config = parseCloudbuildYaml(text);
    expect(config).toEqual(EXPECTED);
    const parsed = pyyaml(file);
    if (parsed === undefined) console.warn('python3 with PyYAML not found: cloudbuild.yaml checked by the narrow reader only');
    else expect(parsed).toEqual(config);

    const [step] = config.steps as Array<{ name: string; env: string[]; args: string[] }>;
    expect(step!.env).toContain('DOCKER_BUILDKIT=1');
    expect(step!.args).toContain('--platform=linux/amd64');

    const r = await run(project, ['--image-tag', 'v1']);
    expect(r.code, r.stderr).toBe(0);
    const build = call(r, 'gcloud builds submit');
    const image = submittedImage(build);
    expect(r.cwds[r.commands.indexOf('gcloud builds submit')]).toBe(project.dir); // --config is relative to it
    const deployed = flag(call(r, type === 'service' ? 'gcloud run deploy' : 'gcloud run jobs deploy'), 'image');
    expect(deployed).toBe(`us-central1-docker.pkg.dev/demo-project/cloud-run/cb-${type}:v1`);
    expect(image).toBe(deployed);
    // Cloud Build rejects unknown and unused user substitutions: the config uses exactly _IMAGE.
    const used = new Set(JSON.stringify(config).match(/\$\{?[A-Z_][A-Z0-9_]*/g)!.map((v) => v.replace(/^\$\{?/, '')));
    expect([...used]).toEqual(['_IMAGE']);
    const substitute = (value: string) => value.replaceAll(/\$\{?_IMAGE\}?/g, image);
    expect((config.images as string[]).map(substitute)).toEqual([deployed]);
    expect(step!.args.map(substitute)).toContain(`--tag=${deployed}`);
  });
});

describe('without gcloud on PATH', () => {
  it.each(TARGETS)('$label: exits non-zero naming gcloud, running nothing', async ({ template, type }) => {
    const project = await renderProject({ type, template, name: `no-gcloud-${type}`, project: 'demo-project' });
    for (const args of [[], ['--build', 'local']]) {
      const r = await run(project, args, { path: noGcloudBin });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/\[preflight\] gcloud \(the Google Cloud CLI\) was not found on PATH\. Install it: https:\/\/cloud\.google\.com\/sdk/);
      expect(r.calls).toEqual([]);
    }
  });
});

describe('settings: flags beat environment variables, which beat the defaults', () => {
  it('project: generated default, gcloud config fallback, DEPLOY_PROJECT, --project', async () => {
    const fromConfig = await run(serviceNoProject, [], { state: scenario({ configProject: 'cfg-project' }) });
    expect(fromConfig.code, fromConfig.stderr).toBe(0);
    expect(fromConfig.commands.slice(0, 3)).toEqual(['gcloud auth list', 'gcloud config get-value', 'gcloud services list']);
    expectConventions(fromConfig, { project: 'cfg-project', region: 'us-central1', name: 'demo-svc' });

    const fromEnv = await run(service, [], { env: { DEPLOY_PROJECT: 'env-project' }, state: scenario({ configProject: 'cfg-project' }) });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.commands).not.toContain('gcloud config get-value');
    expectConventions(fromEnv, { project: 'env-project', region: 'us-central1', name: 'demo-svc' });

    const fromFlag = await run(service, ['--project', 'flag-project'], { env: { DEPLOY_PROJECT: 'env-project' } });
    expect(fromFlag.code, fromFlag.stderr).toBe(0);
    expectConventions(fromFlag, { project: 'flag-project', region: 'us-central1', name: 'demo-svc' });
    expect(flag(call(fromFlag, 'gcloud run deploy'), 'image')).toMatch(/^us-central1-docker\.pkg\.dev\/flag-project\//);
  });

  it('service settings', async () => {
    const r = await run(
      service,
      ['--region', 'asia-east1', '--name=other-svc', '--repository=flag-repo', '--cpu', '2', '--concurrency', '10', '--timeout', '15m',
        '--min-instances', '1', '--service-account', 'deployer', '--image-tag', 'v1.2.3', '--tag', 'canary'],
      {
        env: {
          DEPLOY_REGION: 'europe-west1',
          DEPLOY_MEMORY: '1Gi',
          DEPLOY_MAX_INSTANCES: '3',
          DEPLOY_ALLOW_UNAUTHENTICATED: 'true',
          DEPLOY_CPU_BOOST: 'false',
          DEPLOY_REPOSITORY: 'env-repo',
          DEPLOY_IMAGE_TAG: 'env-tag',
        },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expectConventions(r, { project: 'demo-project', region: 'asia-east1', name: 'other-svc', repository: 'flag-repo' });
    const deploy = call(r, 'gcloud run deploy');
    expect(flag(deploy, 'image')).toBe('asia-east1-docker.pkg.dev/demo-project/flag-repo/other-svc:v1.2.3');
    expect(flag(deploy, 'memory')).toBe('1Gi');
    expect(flag(deploy, 'max-instances')).toBe('3');
    expect(flag(deploy, 'min-instances')).toBe('1');
    expect(flag(deploy, 'cpu')).toBe('2');
    expect(flag(deploy, 'concurrency')).toBe('10');
    expect(flag(deploy, 'timeout')).toBe('15m');
    expect(flag(deploy, 'tag')).toBe('canary');
    expect(flag(deploy, 'service-account')).toBe('deployer@demo-project.iam.gserviceaccount.com');
    expect(deploy).toContain('--allow-unauthenticated');
    expect(deploy).toContain('--no-cpu-boost');
    expect(deploy).not.toContain('--cpu-boost');
    expect(operand(call(r, 'gcloud run services describe'))).toBe('other-svc');
    expect(r.stderr).toContain('revision tagged canary: https://canary---other-svc-abc123-uc.a.run.app');
  });

  it('boolean flags beat boolean environment variables', async () => {
    const r = await run(service, ['--no-allow-unauthenticated', '--cpu-boost'], {
      env: { DEPLOY_ALLOW_UNAUTHENTICATED: 'yes', DEPLOY_CPU_BOOST: '0' },
    });
    expect(r.code, r.stderr).toBe(0);
    const deploy = call(r, 'gcloud run deploy');
    expect(deploy).toContain('--no-allow-unauthenticated');
    expect(deploy).not.toContain('--allow-unauthenticated');
    expect(deploy).toContain('--cpu-boost');
  });

  it('job settings', async () => {
    const r = await run(job, ['--tasks', '7', '--parallelism', '2', '--task-timeout=1h', '--memory', '2Gi'], {
      env: { DEPLOY_TASKS: '5', DEPLOY_MAX_RETRIES: '1', DEPLOY_EXECUTE: 'true', DEPLOY_WAIT: 'false', DEPLOY_CPU: '4' },
    });
    expect(r.code, r.stderr).toBe(0);
    const deploy = call(r, 'gcloud run jobs deploy');
    expect(flag(deploy, 'tasks')).toBe('7');
    expect(flag(deploy, 'parallelism')).toBe('2');
    expect(flag(deploy, 'max-retries')).toBe('1');
    expect(flag(deploy, 'task-timeout')).toBe('1h');
    expect(flag(deploy, 'memory')).toBe('2Gi');
    expect(flag(deploy, 'cpu')).toBe('4');
    expect(call(r, 'gcloud run jobs execute')).toContain('--async');
  });

  it('--no-traffic: staged rollout on an existing service, ignored with a warning on the first deploy', async () => {
    const existing = await run(service, ['--no-traffic', '--tag', 'green'], { state: scenario({ services: ['demo-svc'], repos: ['cloud-run'] }) });
    expect(existing.code, existing.stderr).toBe(0);
    expect(existing.commands.slice(-3)).toEqual(['gcloud run services describe', 'gcloud run deploy', 'gcloud run services describe']);
    expect(call(existing, 'gcloud run deploy')).toContain('--no-traffic');
    expect(existing.stderr).toContain('gcloud run services update-traffic demo-svc --to-latest');

    const fresh = await run(service, ['--no-traffic']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(call(fresh, 'gcloud run deploy')).not.toContain('--no-traffic');
    expect(fresh.stderr).toMatch(/warning: service demo-svc does not exist yet.*--no-traffic ignored/);
  });

  it('image tag: the git short commit id, with a -dirty suffix for uncommitted changes', async () => {
    const project = await copyProject(service);
    const git = (...args: string[]) => execFileAsync('git', ['-C', project.dir, ...args], { env: { ...process.env, HOME: root } });
    await git('init', '-q');
    await git('add', '.');
    await git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init');
    const sha = (await git('rev-parse', '--short', 'HEAD')).stdout.trim();
    expect(sha).toMatch(/^[0-9a-f]{7,}$/);

    const clean = await run(project, []);
    expect(clean.code, clean.stderr).toBe(0);
    expect(flag(call(clean, 'gcloud run deploy'), 'image')).toBe(`us-central1-docker.pkg.dev/demo-project/cloud-run/demo-svc:${sha}`);

    await writeFile(path.join(project.dir, 'Dockerfile'), '# changed\n', { flag: 'a' });
    const dirty = await run(project, []);
    expect(flag(call(dirty, 'gcloud run deploy'), 'image')).toMatch(new RegExp(`:${sha}-dirty-\\d{8}-\\d{6}$`));
  });
});

describe('quoting', () => {
  const args = [
    '--env', 'GREETING=hello world',
    '--env', 'LIST=a,b',
    '--env', "NOTE=it's $HOME & `x`",
    '--set-secrets', 'API_KEY=api-key:latest',
    '--set-secrets', '/etc/my secrets/config=app-config:2',
  ];
  const env = { DEPLOY_ENV_VARS: 'MODE=prod,GREETING=from env' };
  const expectedEnv = "--set-env-vars=^;^MODE=prod;GREETING=hello world;LIST=a,b;NOTE=it's $HOME & `x`";
  const expectedSecrets = '--set-secrets=API_KEY=api-key:latest,/etc/my secrets/config=app-config:2';
  const state = () => scenario({ enabledApis: [...ALL_APIS, 'secretmanager.googleapis.com'] });

  it('values with spaces, commas and quotes reach gcloud intact; flags replace same-named env entries', async () => {
    const r = await run(service, args, { env, state: state() });
    expect(r.code, r.stderr).toBe(0);
    const deploy = call(r, 'gcloud run deploy');
    expect(deploy).toContain(expectedEnv);
    expect(deploy).toContain(expectedSecrets);
    const jobRun = await run(job, args, { env, state: state() });
    expect(call(jobRun, 'gcloud run jobs deploy')).toContain(expectedEnv);
  });

  it('--dry-run prints them shell-quoted: bash reads back exactly the argv a real run uses', async () => {
    const real = await run(service, [...args, '--image-tag', 'fixed'], { env, state: state() });
    const dry = await run(service, [...args, '--image-tag', 'fixed', '--dry-run'], { env, state: state() });
    expect(dry.code, dry.stderr).toBe(0);
    const printed = dryRunCommands(dry.stdout).find((argv) => commandOf(argv) === 'gcloud run deploy');
    expect(printed).toEqual(call(real, 'gcloud run deploy'));
    // Readable quoting: single quotes, with ' written as '\''.
    expect(dry.stdout).toContain(`'${expectedEnv.replace("'", "'\\''")}' '${expectedSecrets}'`);
  });
  it('--dry-run keeps one command per line even for a value with a newline', async () => {
    const args2 = ['--env', 'MULTI=line one\nline two', '--image-tag', 'fixed'];
    const real = await run(job, args2);
    const dry = await run(job, [...args2, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    const printed = dryRunCommands(dry.stdout);
    expect(printed).toEqual(real.calls);
    expect(flag(call(real, 'gcloud run jobs deploy'), 'set-env-vars')).toBe('MULTI=line one\nline two');
    expect(dry.stdout).toContain("$'--set-env-vars=MULTI=line one\\nline two'");
  });
});

describe('--dry-run', () => {
  const cases: Array<{ label: string; project: () => RenderedProject; args: string[]; state: () => Scenario }> = [
    {
      label: 'service, cloud build, staged rollout',
      project: () => service,
      args: ['--enable-apis', '--no-traffic', '--tag', 'blue', '--image-tag', 'v1'],
      state: () => scenario({ enabledApis: [], services: ['demo-svc'] }),
    },
    {
      label: 'service, local build',
      project: () => service,
      args: ['--build', 'local', '--image-tag', 'v1'],
      state: () => scenario(),
    },
    {
      label: 'job, cloud build, --execute',
      project: () => job,
      args: ['--enable-apis', '--execute', '--image-tag', 'v1'],
      state: () => scenario({ enabledApis: [] }),
    },
  ];

  it.each(cases)('$label: runs nothing and prints exactly the commands a real run executes', async ({ project, args, state }) => {
    const dry = await run(project(), [...args, '--dry-run'], { state: state() });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.calls).toEqual([]);
    for (const line of dry.stdout.split('\n').filter(Boolean)) expect(line).toMatch(/^(# |gcloud |docker )/);
    const real = await run(project(), args, { state: state() });
    expect(real.code, real.stderr).toBe(0);
    expect(dryRunCommands(dry.stdout)).toEqual(real.calls);
  });

  it('DEPLOY_DRY_RUN=1 works too', async () => {
    const dry = await run(job, [], { env: { DEPLOY_DRY_RUN: '1' } });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.calls).toEqual([]);
    expect(dryRunCommands(dry.stdout).map(commandOf)).toContain('gcloud run jobs deploy');
  });

  it('without a project, only reads it from the gcloud configuration', async () => {
    const dry = await run(jobNoProject, ['--dry-run'], { state: scenario({ configProject: 'cfg-project' }) });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.commands).toEqual(['gcloud config get-value']);
    expect(flag(dryRunCommands(dry.stdout).find((a) => commandOf(a) === 'gcloud run jobs deploy')!, 'project')).toBe('cfg-project');
  });
});

describe('--help and invalid input', () => {
  const COMMON = [
    ['--name', 'DEPLOY_NAME'],
    ['--project', 'DEPLOY_PROJECT'],
    ['--region', 'DEPLOY_REGION'],
    ['--repository', 'DEPLOY_REPOSITORY'],
    ['--image-tag', 'DEPLOY_IMAGE_TAG'],
    ['--build', 'DEPLOY_BUILD'],
    ['--service-account', 'DEPLOY_SERVICE_ACCOUNT'],
    ['--cpu', 'DEPLOY_CPU'],
    ['--memory', 'DEPLOY_MEMORY'],
    ['--env', 'DEPLOY_ENV_VARS'],
    ['--set-secrets', 'DEPLOY_SECRETS'],
    ['--enable-apis', 'DEPLOY_ENABLE_APIS'],
    ['--dry-run', 'DEPLOY_DRY_RUN'],
  ];
  const SERVICE = [
    ['--allow-unauthenticated', 'DEPLOY_ALLOW_UNAUTHENTICATED'],
    ['--no-allow-unauthenticated', 'DEPLOY_ALLOW_UNAUTHENTICATED'],
    ['--min-instances', 'DEPLOY_MIN_INSTANCES'],
    ['--max-instances', 'DEPLOY_MAX_INSTANCES'],
    ['--concurrency', 'DEPLOY_CONCURRENCY'],
    ['--timeout', 'DEPLOY_TIMEOUT'],
    ['--cpu-boost', 'DEPLOY_CPU_BOOST'],
    ['--no-cpu-boost', 'DEPLOY_CPU_BOOST'],
    ['--no-traffic', 'DEPLOY_NO_TRAFFIC'],
    ['--tag', 'DEPLOY_TAG'],
  ];
  const JOB = [
    ['--tasks', 'DEPLOY_TASKS'],
    ['--parallelism', 'DEPLOY_PARALLELISM'],
    ['--max-retries', 'DEPLOY_MAX_RETRIES'],
    ['--task-timeout', 'DEPLOY_TASK_TIMEOUT'],
    ['--execute', 'DEPLOY_EXECUTE'],
    ['--wait', 'DEPLOY_WAIT'],
    ['--no-wait', 'DEPLOY_WAIT'],
  ];

  it.each([
    { type: 'service', own: SERVICE, other: JOB },
    { type: 'job', own: JOB, other: SERVICE },
  ])('$type: --help lists every option with its environment variable, and only its own', async ({ type, own, other }) => {
    const project = type === 'service' ? service : job;
    const r = await run(project, ['--help'], { path: noGcloudBin });
    expect(r.code, r.stderr).toBe(0);
    expect(r.calls).toEqual([]);
    const help = r.stdout;
    for (const [option, envName] of [...COMMON, ...own]) {
      expect(help, option).toMatch(new RegExp(`(^|[\\s|])${option}([\\s=|]|$)`, 'm'));
      expect(help, envName).toContain(`env ${envName}`);
    }
    for (const [option] of other) {
      if (!COMMON.some(([o]) => o === option)) expect(help).not.toMatch(new RegExp(`(^|\\s)${option}\\b`, 'm'));
    }
    expect(help).toContain(`default: demo-${type === 'service' ? 'svc' : 'job'}`);

    // Cross-check against the script itself: every option it parses and every DEPLOY_* variable it
    // reads is in the help.
    const source = await readFile(project.script, 'utf8');
    const start = source.indexOf('parse_args() {');
    const parser = source.slice(start, source.indexOf('\n}\n', start)).replace(/\s#\s.*$/gm, '');
    const parsed = new Set(parser.match(/--[a-z][a-z-]+/g));
    expect(parsed.size).toBeGreaterThan(15);
    for (const option of parsed) expect(help, option).toContain(option);
    for (const envName of new Set(source.match(/\bDEPLOY_[A-Z_]+\b/g))) {
      if (envName !== 'DEPLOY_FLAGS') expect(help, envName).toContain(envName);
    }
  });

  it.each(['service', 'job'] as const)('%s: the README section documents every option and variable of the script', async (type) => {
    const project = type === 'service' ? service : job;
    const source = await readFile(project.script, 'utf8');
    const start = source.indexOf('parse_args() {');
    const options = new Set(source.slice(start, source.indexOf('\n}\n', start)).replace(/\s#\s.*$/gm, '').match(/--[a-z][a-z-]+/g));
    const variables = new Set(source.match(/\bDEPLOY_[A-Z_]+\b/g));
    variables.delete('DEPLOY_FLAGS');
    for (const projectId of ['', 'demo-project']) {
      const readme = await renderReadme({ type, name: `demo-${type}`, region: 'us-central1', project: projectId });
      expect(readme.startsWith('## Deploy to Cloud Run\n')).toBe(true);
      for (const option of options) expect(readme, option).toMatch(new RegExp(`\`[^\`]*${option}\\b`));
      for (const variable of variables) expect(readme, variable).toContain(`\`${variable}\``);
      const rows = readme.split('\n').filter((line) => line.startsWith('| '));
      expect(rows.length).toBeGreaterThan(options.size / 2);
      for (const row of rows) expect(row.replaceAll('\\|', '').split('|').length, row).toBe(6); // 4 columns
      expect(readme).toContain(projectId ? '`demo-project`' : '`gcloud config get-value project`');
    }
    const other = type === 'service' ? ['--tasks', '--execute', 'DEPLOY_TASKS'] : ['--min-instances', '--no-traffic', 'DEPLOY_CPU_BOOST'];
    const readme = await renderReadme({ type, name: `demo-${type}`, region: 'us-central1', project: '' });
    for (const word of other) expect(readme).not.toContain(word);
  });

  it.each([
    { args: ['--bogus'], message: /unknown option '--bogus' \(this script deploys a Cloud Run service\)/ },
    { args: ['--region'], message: /option --region needs a value/ },
    { args: ['--build', 'docker'], message: /invalid build 'docker': use cloud or local/ },
    { args: ['--name', 'Bad_Name'], message: /invalid name 'Bad_Name'/ },
    { args: ['--min-instances', '5', '--max-instances', '2'], message: /min-instances \(5\) is greater than max-instances \(2\)/ },
    { args: ['--env', 'NOEQUALS'], message: /expected KEY=VALUE/ },
    { args: ['--tasks', '3'], message: /unknown option '--tasks'/ },
  ])('service rejects $args before running anything', async ({ args, message }) => {
    const r = await run(service, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.calls).toEqual([]);
  });

  it('job rejects service options and bad booleans before running anything', async () => {
    const r = await run(job, ['--min-instances', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--min-instances' \(this script deploys a Cloud Run job\)/);
    const bad = await run(job, [], { env: { DEPLOY_EXECUTE: 'maybe' } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/DEPLOY_EXECUTE must be true or false, got 'maybe'/);
    expect([...r.calls, ...bad.calls]).toEqual([]);
  });
});
