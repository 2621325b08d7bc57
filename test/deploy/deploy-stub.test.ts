/**
 * deploy.sh against recording stubs of `gcloud` and `docker`.
 *
 * The stubs (bash scripts put first on PATH) append their argv to a log, one JSON array per
 * line, and answer from a scenario directory that they also update (a created repository or
 * service account exists on the next run, a Cloud Scheduler job once created can be described),
 * so a second run shows what the script does when everything exists. The tests check the order
 * of the steps, that nothing changes before the preflight has passed, idempotence of the
 * repository, identity, IAM and scheduler steps, the YAML the script applies, --dry-run, --help,
 * and bad input.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listedTemplates as listTemplates, type WorkloadType } from '../../verify/templates.js';
import { cleanupRendered, copyProject, dryRunCommands, PARTIAL_FILE, type RenderedProject, renderProject } from './render.js';

// ---------------------------------------------------------------------------------------------
// Scenario and stubs
// ---------------------------------------------------------------------------------------------
interface Scenario {
  account: string; // `gcloud auth list --filter=status:ACTIVE` answer ('' = none)
  configProject: string; // `gcloud config get-value project` answer
  repos: string[];
  accounts: string[]; // service account emails that exist
  schedules: string[]; // Cloud Scheduler jobs that exist
  buildx: boolean; // `docker buildx version` succeeds
  describeError?: string; // every describe fails with this instead of NOT_FOUND
  fail?: Record<string, { code: number; stderr: string }>; // command -> failure
}

function scenario(overrides: Partial<Scenario> = {}): Scenario {
  return { account: 'dev@example.com', configProject: '', repos: [], accounts: [], schedules: [], buildx: true, ...overrides };
}

/** The commands deploy.sh may run, longest first where one is a prefix of another. */

/** A copy of argv with one word replaced. */
const replaceAt = (argv: string[], index: number, word: string): string[] => argv.map((arg, i) => (i === index ? word : arg));
const KNOWN_COMMANDS = [
  'gcloud artifacts repositories describe',
  'gcloud artifacts repositories create',
  'gcloud iam service-accounts describe',
  'gcloud iam service-accounts create',
  'gcloud secrets add-iam-policy-binding',
  'gcloud run services replace',
  'gcloud run services add-iam-policy-binding',
  'gcloud run services describe',
  'gcloud run jobs replace',
  'gcloud run jobs add-iam-policy-binding',
  'gcloud scheduler jobs describe',
  'gcloud scheduler jobs create http',
  'gcloud scheduler jobs update http',
  'gcloud auth list',
  'gcloud auth configure-docker',
  'gcloud config get-value',
  'gcloud services enable',
  'gcloud builds submit',
  'docker buildx version',
  'docker buildx build',
];
/** Commands that change something (the rest only read). */
const MUTATING = new Set(KNOWN_COMMANDS.filter((c) => !/ (describe|list|get-value|version)$/.test(c)));

function positionals(argv: string[]): string[] {
  return argv.filter((arg) => !arg.startsWith('-'));
}
function commandOf(argv: string[]): string {
  const words = positionals(argv).join(' ');
  return KNOWN_COMMANDS.find((known) => words === known || words.startsWith(`${known} `)) ?? `UNKNOWN: ${argv.join(' ')}`;
}
/** The first positional after the command words (resource name, file, registry host). */
function operand(argv: string[]): string | undefined {
  return positionals(argv)[commandOf(argv).split(' ').length];
}

/**
 * The stub, in bash (it runs a dozen times per deploy.sh run). Written inside a JS template
 * literal, so bash's "${" is spelled "\${" here. The scenario is a directory: account,
 * config-project, buildx (present = available), describe-error, and folders repos/, accounts/,
 * schedules/ with one empty file per existing item; fail/<command_with_underscores> holds an
 * exit code on its first line and stderr after it. `... replace FILE` copies FILE to applied.yaml.
 */
const STUB = String.raw`set -u
tool=\${0##*/}
json() {
  local s=$1
  s=\${s//\\/\\\\}
  s=\${s//\"/\\\"}
  s=\${s//$'\n'/\\n}
  s=\${s//$'\t'/\\t}
  printf '"%s"' "$s"
}
line="[$(json "$tool")"
for arg in "$@"; do line+=",$(json "$arg")"; done
printf '%s]\n' "$line" >>"$STUB_LOG"
S=$STUB_STATE
words=()
for arg in "$tool" "$@"; do [[ $arg == -* ]] || words+=("$arg"); done
all="\${words[*]}"
command=''
while IFS= read -r known; do
  if [[ $all == "$known" || $all == "$known "* ]]; then command=$known && break; fi
done <<<"$STUB_KNOWN"
if [[ -z $command ]]; then echo "stub: unexpected command: $tool $*" >&2 && exit 97; fi
read -ra parts <<<"$command"
operand=\${words[\${#parts[@]}]:-}
key=\${command// /_}
if [[ -f $S/fail/$key ]]; then tail -n +2 "$S/fail/$key" >&2 && exit "$(head -n 1 "$S/fail/$key")"; fi
error="ERROR: (\${command// /.})"
describe() { # describe FOLDER
  if [[ -s $S/describe-error ]]; then echo "$error $(cat "$S/describe-error")" >&2 && exit 1; fi
  if [[ ! -e $S/$1/$operand ]]; then echo "$error NOT_FOUND: Requested entity was not found." >&2 && exit 1; fi
  echo "name: $operand"
}
case $command in
'gcloud auth list') [[ -s $S/account ]] && cat "$S/account" ;;
'gcloud config get-value') if [[ -s $S/config-project ]]; then cat "$S/config-project"; else echo '(unset)' >&2; fi ;;
'gcloud artifacts repositories describe') describe repos ;;
'gcloud artifacts repositories create') touch "$S/repos/$operand" ;;
'gcloud iam service-accounts describe') describe accounts ;;
'gcloud iam service-accounts create')
  for arg in "$@"; do [[ $arg == --project=* ]] && touch "$S/accounts/$operand@\${arg#--project=}.iam.gserviceaccount.com"; done ;;
'gcloud scheduler jobs describe') describe schedules ;;
'gcloud scheduler jobs create http') touch "$S/schedules/$operand" ;;
'gcloud run services replace' | 'gcloud run jobs replace') cp "$operand" "$S/applied.yaml" && echo 'REPLACE LOG LINE' ;;
'gcloud run services describe') echo "https://$operand-abc123-uc.a.run.app" ;;
'gcloud builds submit') echo 'BUILD LOG LINE' ;;
'docker buildx version') [[ -e $S/buildx ]] || { echo "docker: 'buildx' is not a docker command." >&2 && exit 1; } ;;
esac
exit 0
`.replaceAll('\\${', '${');

async function writeScenario(dir: string, s: Scenario): Promise<void> {
  for (const sub of ['repos', 'accounts', 'schedules', 'fail']) await mkdir(path.join(dir, sub), { recursive: true });
  await writeFile(path.join(dir, 'account'), s.account);
  await writeFile(path.join(dir, 'config-project'), s.configProject);
  if (s.buildx) await writeFile(path.join(dir, 'buildx'), '');
  if (s.describeError) await writeFile(path.join(dir, 'describe-error'), s.describeError);
  for (const [sub, items] of [['repos', s.repos], ['accounts', s.accounts], ['schedules', s.schedules]] as const) {
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
  commands: string[];
  applied: string | null; // the YAML a replace applied
}

let root: string;
let stubBin: string;
let noGcloudBin: string;

async function setupStubs(): Promise<void> {
  root = await mkdtemp(path.join(tmpdir(), 'deploy-stub-'));
  stubBin = path.join(root, 'bin');
  await mkdir(stubBin);
  const bash = (await promiseExec('bash', ['-c', 'command -v bash'])).trim();
  for (const tool of ['gcloud', 'docker']) await writeFile(path.join(stubBin, tool), `#!${bash}\n${STUB}`, { mode: 0o755 });
  // A PATH with what deploy.sh needs besides gcloud, and no gcloud (or docker) at all.
  noGcloudBin = path.join(root, 'no-gcloud-bin');
  await mkdir(noGcloudBin);
  for (const tool of ['bash', 'date', 'git', 'cat', 'grep', 'awk', 'tr', 'sort', 'dirname', 'mktemp', 'sed', 'rm']) {
    await symlink((await promiseExec('bash', ['-c', `command -v ${tool}`])).trim(), path.join(noGcloudBin, tool));
  }
}

function promiseExec(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(cmd, args, (error, stdout) => (error ? reject(error) : resolve(stdout))));
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
  await rm(path.join(stateDir, 'applied.yaml'), { force: true });
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
  // From another directory: deploy.sh must work from its own.
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(project.script, args, { cwd: dir, env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
  const lines = existsSync(log) ? (await readFile(log, 'utf8')).split('\n').filter(Boolean) : [];
  const calls = lines.map((line) => JSON.parse(line) as string[]);
  const appliedFile = path.join(stateDir, 'applied.yaml');
  const applied = existsSync(appliedFile) ? await readFile(appliedFile, 'utf8') : null;
  return { ...result, calls, commands: calls.map(commandOf), applied };
}

function call(r: Run, command: string): string[] {
  const found = r.calls.find((argv) => commandOf(argv) === command);
  if (!found) throw new Error(`no "${command}" call; calls were:\n${r.commands.join('\n')}\nstderr:\n${r.stderr}`);
  return found;
}
const mutating = (r: Run): string[] => r.commands.filter((c) => MUTATING.has(c));
function flag(argv: string[], name: string): string | undefined {
  return argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/** Every gcloud call passes --quiet and --project, and --region/--location where it has one. */
function expectConventions(r: Run, project = 'demo-project', region = 'us-central1') {
  const gcloudCalls = r.calls.filter((argv) => argv[0] === 'gcloud');
  expect(gcloudCalls.length).toBeGreaterThan(3);
  for (const argv of gcloudCalls) {
    const command = commandOf(argv);
    expect(argv, command).toContain('--quiet');
    if (command === 'gcloud auth list' || command === 'gcloud config get-value') continue;
    expect(flag(argv, 'project'), `${command} --project`).toBe(project);
    if (command.startsWith('gcloud run ') || command === 'gcloud builds submit') expect(flag(argv, 'region'), `${command} --region`).toBe(region);
    if (/^gcloud (artifacts|scheduler) /.test(command)) expect(flag(argv, 'location'), `${command} --location`).toBe(region);
  }
}

const RUNTIME_SA = (name: string) => `${name}-runtime@demo-project.iam.gserviceaccount.com`;
const INVOKER_SA = (name: string) => `${name}-invoker@demo-project.iam.gserviceaccount.com`;

let service: RenderedProject; // demo-svc, project demo-project
let job: RenderedProject; // demo-job, project demo-project
let serviceNoProject: RenderedProject;

beforeAll(async () => {
  await setupStubs();
  [service, job, serviceNoProject] = await Promise.all([
    renderProject({ type: 'service', name: 'demo-svc', project: 'demo-project' }),
    renderProject({ type: 'job', name: 'demo-job', project: 'demo-project' }),
    renderProject({ type: 'service', name: 'demo-svc' }),
  ]);
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await cleanupRendered();
});

// ---------------------------------------------------------------------------------------------
describe('order of the steps', () => {
  it('service: preflight, repository, runtime identity, Cloud Build, replace, URL', async () => {
    const r = await run(service, []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.commands).toEqual([
      'gcloud auth list',
      'gcloud artifacts repositories describe',
      'gcloud artifacts repositories create',
      'gcloud iam service-accounts describe',
      'gcloud iam service-accounts create',
      'gcloud builds submit',
      'gcloud run services replace',
      'gcloud run services describe',
    ]);
    expectConventions(r);
    expect(r.stdout).toBe('https://demo-svc-abc123-uc.a.run.app\n'); // only the URL: gcloud's output went to stderr
    expect(r.stderr).toContain('BUILD LOG LINE');
    expect(r.stderr).toMatch(/read the logs: gcloud run services logs read demo-svc --region=us-central1 --project=demo-project --limit=100/);
    const build = call(r, 'gcloud builds submit');
    const image = flag(build, 'tag')!;
    expect(image).toMatch(/^us-central1-docker\.pkg\.dev\/demo-project\/cloud-run\/demo-svc:\d{8}-\d{6}$/); // not a git repository
    expect(operand(call(r, 'gcloud iam service-accounts create'))).toBe('demo-svc-runtime');
    expect(call(r, 'gcloud artifacts repositories create')).toContain('--repository-format=docker');
    // The YAML applied is the project's, with exactly the two placeholders filled in.
    const original = await readFile(service.config, 'utf8');
    expect(r.applied).toBe(
      original.replace(/^( *- image: )IMAGE$/m, `$1${image}`).replace(/^( *serviceAccountName: )SERVICE_ACCOUNT$/m, `$1${RUNTIME_SA('demo-svc')}`),
    );
    expect(r.applied).not.toBe(original);
    expect(operand(call(r, 'gcloud run services replace'))).not.toBe(service.config); // a copy; the project file is untouched
    expect(await readFile(service.config, 'utf8')).toBe(original);
  });

  it('service --build local: buildx pushes a linux/amd64 image after configure-docker', async () => {
    const r = await run(service, ['--build', 'local']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.commands.slice(-4)).toEqual(['gcloud auth configure-docker', 'docker buildx build', 'gcloud run services replace', 'gcloud run services describe']);
    expect(operand(call(r, 'gcloud auth configure-docker'))).toBe('us-central1-docker.pkg.dev');
    const build = call(r, 'docker buildx build');
    expect(build).toEqual(['docker', 'buildx', 'build', '--platform=linux/amd64', expect.stringMatching(/^--tag=us-central1-docker\.pkg\.dev\//), '--push', '.']);
    expect(r.applied).toContain(`- image: ${flag(build, 'tag')}\n`);
  });

  it('service --allow-unauthenticated: allUsers get roles/run.invoker after the replace, never before', async () => {
    const r = await run(service, ['--allow-unauthenticated']);
    expect(r.code, r.stderr).toBe(0);
    const names = r.commands;
    expect(names.indexOf('gcloud run services add-iam-policy-binding')).toBe(names.indexOf('gcloud run services replace') + 1);
    const binding = call(r, 'gcloud run services add-iam-policy-binding');
    expect(operand(binding)).toBe('demo-svc');
    expect(binding).toEqual(expect.arrayContaining(['--member=allUsers', '--role=roles/run.invoker']));
    expectConventions(r);
    const privateRun = await run(service, []);
    expect(privateRun.commands).not.toContain('gcloud run services add-iam-policy-binding');
  });

  it('job: replace, no URL, and the commands to run it and read its logs', async () => {
    const r = await run(job, []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.commands.slice(-2)).toEqual(['gcloud builds submit', 'gcloud run jobs replace']);
    expectConventions(r);
    expect(r.applied).toMatch(/^kind: Job$/m);
    expect(r.applied).toContain(`serviceAccountName: ${RUNTIME_SA('demo-job')}\n`);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('gcloud run jobs execute demo-job --region=us-central1 --project=demo-project --wait');
    expect(r.stderr).toContain('gcloud run jobs logs read demo-job');
  });

  it('job --schedule: its own invoker account, run.invoker on this job only, then the Scheduler job', async () => {
    const r = await run(job, ['--schedule', '0 3 * * *', '--time-zone', 'Europe/Berlin']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.commands.slice(r.commands.indexOf('gcloud run jobs replace'))).toEqual([
      'gcloud run jobs replace',
      'gcloud iam service-accounts describe',
      'gcloud iam service-accounts create',
      'gcloud run jobs add-iam-policy-binding',
      'gcloud scheduler jobs describe',
      'gcloud scheduler jobs create http',
    ]);
    expectConventions(r);
    const binding = call(r, 'gcloud run jobs add-iam-policy-binding');
    expect(operand(binding)).toBe('demo-job');
    expect(binding).toEqual(expect.arrayContaining([`--member=serviceAccount:${INVOKER_SA('demo-job')}`, '--role=roles/run.invoker']));
    const create = call(r, 'gcloud scheduler jobs create http');
    expect(operand(create)).toBe('demo-job-schedule');
    expect(create).toEqual(
      expect.arrayContaining([
        '--schedule=0 3 * * *',
        '--time-zone=Europe/Berlin',
        '--http-method=POST',
        `--oauth-service-account-email=${INVOKER_SA('demo-job')}`,
        '--uri=https://us-central1-run.googleapis.com/apis/run.googleapis.com/v1/namespaces/demo-project/jobs/demo-job:run',
      ]),
    );
    // No project role is granted anywhere: only bindings on the job itself (and on secrets).
    expect(r.commands.some((c) => c.startsWith('gcloud projects'))).toBe(false);
  });
});

describe('idempotence', () => {
  it('a second run creates nothing and repeats only the idempotent steps', async () => {
    const stateDir = await mkdtemp(path.join(root, 'idem-'));
    await writeScenario(stateDir, scenario());
    const first = await run(job, ['--schedule', '*/10 * * * *'], { stateDir });
    expect(first.code, first.stderr).toBe(0);
    expect(mutating(first)).toEqual(expect.arrayContaining(['gcloud artifacts repositories create', 'gcloud iam service-accounts create', 'gcloud scheduler jobs create http']));
    const second = await run(job, ['--schedule', '*/10 * * * *'], { stateDir });
    expect(second.code, second.stderr).toBe(0);
    expect(mutating(second)).toEqual([
      'gcloud builds submit',
      'gcloud run jobs replace',
      'gcloud run jobs add-iam-policy-binding', // adding a binding that exists changes nothing
      'gcloud scheduler jobs update http',
    ]);
    const update = call(second, 'gcloud scheduler jobs update http');
    expect(update.slice(5)).toEqual(call(first, 'gcloud scheduler jobs create http').slice(5)); // the same settings
  });

  it('a describe error other than NOT_FOUND is fatal and creates nothing', async () => {
    const r = await run(service, [], { state: scenario({ describeError: "PERMISSION_DENIED: Permission 'artifactregistry.repositories.get' denied" }) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('PERMISSION_DENIED');
    expect(r.stderr).toMatch(/error: command failed: gcloud artifacts repositories describe cloud-run/);
    expect(mutating(r)).toEqual([]);
  });
});

describe('least privilege', () => {
  it('secretAccessor on exactly the secrets the YAML references (not the commented example), before the replace', async () => {
    const project = await copyProject(service);
    const yaml = await readFile(project.config, 'utf8');
    const withSecrets = yaml.replace(
      '          env: []\n',
      [
        '          env:',
        '            - name: API_KEY',
        '              valueFrom:',
        '                secretKeyRef:',
        '                  key: latest',
        "                  name: 'api-key'",
        '            - name: DB_PASSWORD',
        '              valueFrom:',
        '                secretKeyRef:',
        '                  name: db-password',
        '                  key: "3"',
        '            - name: PLAIN',
        '              value: not-a-secret',
        '',
      ].join('\n'),
    );
    expect(withSecrets).not.toBe(yaml);
    await writeFile(project.config, withSecrets);
    const r = await run(project, []);
    expect(r.code, r.stderr).toBe(0);
    const grants = r.calls.filter((argv) => commandOf(argv) === 'gcloud secrets add-iam-policy-binding');
    expect(grants.map((argv) => operand(argv))).toEqual(['api-key', 'db-password']);
    for (const grant of grants) {
      expect(grant).toEqual(expect.arrayContaining([`--member=serviceAccount:${RUNTIME_SA('demo-svc')}`, '--role=roles/secretmanager.secretAccessor']));
    }
    expect(r.commands.indexOf('gcloud secrets add-iam-policy-binding')).toBeLessThan(r.commands.indexOf('gcloud run services replace'));
    expect(r.commands.indexOf('gcloud secrets add-iam-policy-binding')).toBeGreaterThan(r.commands.indexOf('gcloud iam service-accounts create'));
    expectConventions(r);
    // The generated YAML references none: no grant at all.
    expect((await run(service, [])).commands).not.toContain('gcloud secrets add-iam-policy-binding');
  });

  it('--service-account uses an existing account: none is created, grants go to it', async () => {
    const project = await copyProject(job);
    const yaml = await readFile(project.config, 'utf8');
    const secret = ['                - name: TOKEN', '                  valueFrom:', '                    secretKeyRef:', '                      name: token', '                      key: latest', ''];
    const withSecret = yaml.replace("                  value: '0'\n              # Secret", `                  value: '0'\n${secret.join('\n')}              # Secret`);
    expect(withSecret).not.toBe(yaml);
    await writeFile(project.config, withSecret);
    const r = await run(project, [], { env: { DEPLOY_SERVICE_ACCOUNT: 'batch@shared-project.iam.gserviceaccount.com' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.commands).not.toContain('gcloud iam service-accounts create');
    expect(r.commands).not.toContain('gcloud iam service-accounts describe');
    expect(call(r, 'gcloud secrets add-iam-policy-binding')).toContain('--member=serviceAccount:batch@shared-project.iam.gserviceaccount.com');
    expect(r.applied).toContain('serviceAccountName: batch@shared-project.iam.gserviceaccount.com\n');
  });

  it('a long name still gives valid service account ids (at most 30 characters, no trailing hyphen)', async () => {
    const project = await copyProject(job);
    const name = 'a-very-long-job-name-x-that-goes-on-and-on'; // 22nd character is a hyphen
    await writeFile(project.config, (await readFile(project.config, 'utf8')).replace(/^  name: demo-job$/m, `  name: ${name}`));
    const r = await run(project, ['--schedule', '@daily']);
    expect(r.code, r.stderr).toBe(0);
    const ids = r.calls.filter((argv) => commandOf(argv) === 'gcloud iam service-accounts create').map((argv) => operand(argv)!);
    expect(ids).toEqual(['a-very-long-job-name-x-runtime', 'a-very-long-job-name-x-invoker']);
    for (const id of ids) expect(id).toMatch(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/);
    expect(operand(call(r, 'gcloud run jobs replace'))).toBeDefined();
    expect(operand(call(r, 'gcloud scheduler jobs create http'))).toBe(`${name}-schedule`);
  });
});

describe('preflight failures stop before anything changes', () => {
  it('no active account', async () => {
    const r = await run(service, [], { state: scenario({ account: '' }) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/error: no active gcloud account: run gcloud auth login/);
    expect(r.commands).toEqual(['gcloud auth list']);
  });

  it('no project given and none in the gcloud configuration', async () => {
    const r = await run(serviceNoProject, [], { state: scenario() });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/error: no project: pass --project, set DEPLOY_PROJECT/);
    expect(r.commands).toEqual(['gcloud auth list', 'gcloud config get-value']);
  });

  it('gcloud not installed', async () => {
    const r = await run(service, [], { path: noGcloudBin });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/gcloud not found: install the Google Cloud CLI/);
    expect(r.calls).toEqual([]);
  });

  it('docker buildx missing for --build local', async () => {
    const r = await run(service, ['--build', 'local'], { state: scenario({ buildx: false }) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/docker buildx is needed for --build local/);
    expect(mutating(r)).toEqual([]);
  });

  it('a YAML without the placeholders deploy.sh fills in', async () => {
    const project = await copyProject(service);
    await writeFile(project.config, (await readFile(project.config, 'utf8')).replace('- image: IMAGE', '- image: gcr.io/x/y'));
    const r = await run(project, []);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/service\.yaml needs the lines '- image: IMAGE' and 'serviceAccountName: SERVICE_ACCOUNT'/);
    expect(r.calls).toEqual([]);
  });

  it('a failing build names the command and applies nothing', async () => {
    const r = await run(service, [], { state: scenario({ fail: { 'gcloud builds submit': { code: 1, stderr: 'ERROR: build step 0 failed' } } }) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/error: command failed \(exit 1\): gcloud builds submit \. --tag=/);
    expect(r.commands).not.toContain('gcloud run services replace');
  });
});

describe('settings and input', () => {
  it('flags beat DEPLOY_* variables, which beat the generated defaults and the gcloud configuration', async () => {
    const fromConfig = await run(serviceNoProject, [], { state: scenario({ configProject: 'config-project' }) });
    expect(fromConfig.code, fromConfig.stderr).toBe(0);
    expectConventions(fromConfig, 'config-project');
    const fromEnv = await run(service, [], { env: { DEPLOY_PROJECT: 'env-project', DEPLOY_REGION: 'europe-west1', DEPLOY_REPOSITORY: 'apps', DEPLOY_IMAGE_TAG: 'v1' } });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expectConventions(fromEnv, 'env-project', 'europe-west1');
    expect(flag(call(fromEnv, 'gcloud builds submit'), 'tag')).toBe('europe-west1-docker.pkg.dev/env-project/apps/demo-svc:v1');
    const fromFlags = await run(service, ['-p', 'flag-project', '--region=asia-east1', '--image-tag', 'v2'], { env: { DEPLOY_PROJECT: 'env-project', DEPLOY_REGION: 'europe-west1' } });
    expect(fromFlags.code, fromFlags.stderr).toBe(0);
    expectConventions(fromFlags, 'flag-project', 'asia-east1');
    expect(flag(call(fromFlags, 'gcloud builds submit'), 'tag')).toBe('asia-east1-docker.pkg.dev/flag-project/cloud-run/demo-svc:v2');
  });

  it('the image tag is the git commit, with -dirty-TIME for uncommitted changes', async () => {
    const project = await copyProject(job);
    const git = (...args: string[]) => spawnSync('git', ['-C', project.dir, ...args], { encoding: 'utf8' });
    git('init', '-q');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'init');
    const sha = git('rev-parse', '--short', 'HEAD').stdout.trim();
    const clean = await run(project, []);
    expect(flag(call(clean, 'gcloud builds submit'), 'tag')).toMatch(new RegExp(`:${sha}$`));
    await writeFile(project.config, `${await readFile(project.config, 'utf8')}# edited\n`);
    const dirty = await run(project, []);
    expect(flag(call(dirty, 'gcloud builds submit'), 'tag')).toMatch(new RegExp(`:${sha}-dirty-\\d{8}-\\d{6}$`));
  });

  it.each([
    [['--nope'], /unknown option '--nope'/],
    [['--project'], /option --project needs a value/],
    [['--build', 'remote'], /invalid build 'remote'/],
    [['--region', 'Moon'], /invalid region 'Moon'/],
    [['--project', 'X'], /invalid project 'X'/],
    [['--service-account', 'not-an-email'], /invalid service-account 'not-an-email'/],
    [['--schedule', '0 3 * * *'], /--schedule is for jobs/],
  ])('service %j: one line on stderr, exit 2, nothing run', async (args, message) => {
    const r = await run(service, args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.calls).toEqual([]);
  });

  it('job: --allow-unauthenticated and a bad boolean variable are refused before anything runs', async () => {
    for (const [args, env, message] of [
      [['--allow-unauthenticated'], {}, /--allow-unauthenticated is for services/],
      [[], { DEPLOY_DRY_RUN: 'maybe' }, /invalid DEPLOY_DRY_RUN 'maybe'/],
    ] as const) {
      const r = await run(job, [...args], { env: { ...env } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.calls).toEqual([]);
    }
  });
});

describe('--dry-run and --help', () => {
  it.each([
    { label: 'service, public, local build', type: 'service' as const, args: ['--allow-unauthenticated', '--build', 'local'] },
    { label: 'job, scheduled', type: 'job' as const, args: ['--schedule', '0 3 * * *', '--image-tag', 'v1'] },
  ])('$label: runs nothing and prints exactly the commands a real run makes (against nothing existing)', async ({ type, args }) => {
    const project = type === 'service' ? service : job;
    const dry = await run(project, ['--dry-run', '--image-tag', 'v1', ...args]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.calls).toEqual([]);
    for (const line of dry.stdout.split('\n').filter(Boolean)) expect(line).toMatch(/^(# |gcloud |docker )/);
    const real = await run(project, ['--image-tag', 'v1', ...args]);
    expect(real.code, real.stderr).toBe(0);
    // The only differences: the real run checks buildx and reads the URL (both read-only), and
    // applies a filled-in copy of the YAML.
    const printed = dryRunCommands(dry.stdout).map((argv) => (argv[0] === 'gcloud' && argv[3] === 'replace' ? replaceAt(argv, 4, 'CONFIG') : argv));
    const made = real.calls
      .filter((argv) => !['gcloud run services describe', 'docker buildx version'].includes(commandOf(argv)))
      .map((argv) => (commandOf(argv).endsWith(' replace') ? replaceAt(argv, 4, 'CONFIG') : argv))
      .map((argv) => argv.map((arg) => arg.replace(/:\d{8}-\d{6}$/, ':TAG')));
    expect(printed.map((argv) => argv.map((arg) => arg.replace(/:\d{8}-\d{6}$/, ':TAG')))).toEqual(made);
  });

  it('DEPLOY_DRY_RUN=true, and without a project it only reads the gcloud configuration', async () => {
    const r = await run(serviceNoProject, [], { env: { DEPLOY_DRY_RUN: 'true' }, state: scenario({ configProject: 'config-project' }) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.commands).toEqual(['gcloud config get-value']);
    expect(r.stdout).toContain('# project config-project (gcloud config get-value project)');
    expect(r.stdout).toContain('--project=config-project');
  });

  it('--help names every option and variable, and a dry run prints the log command', async () => {
    const help = await run(job, ['--help']);
    expect(help.code).toBe(0);
    expect(help.calls).toEqual([]);
    const script = await readFile(job.script, 'utf8');
    // Every option the parser accepts: the case arms of parse_args that start with a dash.
    const parser = script.slice(script.indexOf('parse_args() {'), script.indexOf('  check() {'));
    const flags = [...parser.matchAll(/^ {4}(-[^)]*)\)/gm)].flatMap((m) => m[1]!.split('|').map((f) => f.trim())).filter((f) => f !== '--*=*');
    expect(flags).toEqual(expect.arrayContaining(['--project', '-p', '--schedule', '--time-zone', '--allow-unauthenticated', '--dry-run']));
    for (const f of flags) expect(help.stdout, f).toContain(f);
    for (const variable of new Set(script.match(/DEPLOY_[A-Z_]+/g))) expect(help.stdout, variable).toContain(variable);
    const dry = await run(job, ['--dry-run']);
    expect(dry.stdout).toMatch(/^# then, to read the logs: gcloud run jobs logs read demo-job --region=us-central1 --project=demo-project --limit=100$/m);
  });
});

/** Every template × type. */
const TARGETS: Array<{ label: string; template: string; type: WorkloadType }> = listTemplates().flatMap((t) => t.types.map((type) => ({ label: `${t.id} ${type}`, template: t.id, type })));

describe('the script itself', () => {
  it('the partial has no Handlebars block inside the bash: service and job differ by data only', async () => {
    const partial = await readFile(PARTIAL_FILE, 'utf8');
    expect(partial.match(/\{\{[#/^]/g)).toBeNull();
  });

  const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
  it.concurrent.each(TARGETS)('$label: at most 250 lines with its help and the GitHub setup mode, bash -n and shellcheck clean', async ({ template, type }) => {
    if (!shellcheck && process.env.SKIP_SHELLCHECK_TESTS !== '1') {
      expect.fail('shellcheck is not installed: apt-get install shellcheck, or set SKIP_SHELLCHECK_TESTS=1 to skip explicitly');
    }
    for (const projectId of ['demo-project', undefined]) {
      const project = await renderProject({ type, template, name: `lint-${type}`, project: projectId });
      const text = await readFile(project.script, 'utf8');
      expect(text.split('\n').length - 1).toBeLessThanOrEqual(250);
      const syntax = spawnSync('bash', ['-n', project.script], { encoding: 'utf8' });
      expect(syntax.status, syntax.stderr).toBe(0);
      if (shellcheck) {
        const lint = spawnSync('shellcheck', ['--shell=bash', project.script], { encoding: 'utf8' });
        expect(lint.stdout + lint.stderr).toBe('');
      }
      expect(text).toMatch(/^set -Eeuo pipefail$/m);
      expect(text).not.toMatch(/\{\{|\}\}/);
    }
  }, 120_000);

  it.each(['service', 'job'] as const)('%s: the README section names every option and variable of the script', async (type) => {
    const project = type === 'service' ? service : job;
    const help = await run(project, ['--help']);
    const readme = await readFile(path.join(project.dir, 'README.md'), 'utf8');
    for (const word of new Set(help.stdout.match(/--[a-z][a-z-]+|DEPLOY_[A-Z_]+/g))) expect(readme, word).toContain(word);
  });
});
