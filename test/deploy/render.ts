/**
 * Test helper: a real generated project (the generator's CLI, `node bin/create-cloudrun-app.cjs
 * <dir> --template <id> --type ... --yes`) holding `deploy.sh` (mode 0755), the Cloud Run YAML it
 * applies (`service.yaml` or `job.yaml`), the Dockerfile and the README, so the deploy tests
 * check exactly what users get. There is no second renderer here: the generator renders.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { SHARED_LAYER_DIR } from '../../src/templates/registry.js';
import { BIN } from '../../verify/paths.js';
import { listedTemplates as listTemplates, type WorkloadType } from '../../verify/templates.js';

const execFileAsync = promisify(execFile);

/** The shared deploy.sh partial every template renders (`{{> deploy-sh}}`). */
export const PARTIAL_FILE = path.join(SHARED_LAYER_DIR, '_partials', 'deploy-sh.hbs');


export interface DeployContext {
  type: WorkloadType;
  name: string;
  region?: string; // default us-central1
  project?: string; // default: none (deploy.sh then asks gcloud config)
  template?: string; // template id; default: the first template that supports the type
}

export interface RenderedProject {
  dir: string;
  script: string; // absolute path of deploy.sh
  config: string; // absolute path of service.yaml / job.yaml
  template: string; // template id
  context: Required<DeployContext>;
}

let scratchRoot: Promise<string> | undefined; // one per test file, created on first use
async function scratchDir(prefix: string): Promise<string> {
  scratchRoot ??= mkdtemp(path.join(tmpdir(), 'deploy-sh-test-'));
  return mkdtemp(path.join(await scratchRoot, `${prefix}-`));
}

/** Removes every directory this module created (call it from afterAll). */
export async function cleanupRendered(): Promise<void> {
  if (scratchRoot) await rm(await scratchRoot, { recursive: true, force: true });
  scratchRoot = undefined;
}

/** A freshly generated project. */
export async function renderProject(ctx: DeployContext): Promise<RenderedProject> {
  const region = ctx.region ?? 'us-central1';
  const project = ctx.project ?? '';
  const template = ctx.template ?? listTemplates().find((t) => t.types.includes(ctx.type))?.id;
  if (!template) throw new Error(`no template supports type ${ctx.type}`);
  // No git repository: deploy.sh then tags images with the time, which the tests expect.
  const parent = await scratchDir(`${template}-${ctx.type}`);
  const dir = path.join(parent, ctx.name);
  const args = [BIN, dir, '--template', template, '--type', ctx.type, '--name', ctx.name, '--region', region, '--yes', '--no-git'];
  if (project) args.push('--project', project);
  try {
    await execFileAsync(process.execPath, args, { cwd: parent, env: { ...process.env, CI: '1' }, timeout: 60_000 });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`create-cloudrun-app failed (${args.slice(1).join(' ')}): ${e.stderr || e.message}`);
  }
  const script = path.join(dir, 'deploy.sh');
  const mode = (await stat(script)).mode & 0o777;
  if (mode !== 0o755) throw new Error(`${script} has mode ${mode.toString(8)}, expected 755`);
  const config = path.join(dir, `${ctx.type}.yaml`);
  if (!existsSync(config)) throw new Error(`${dir}: the template ${template} produced no ${ctx.type}.yaml`);
  return { dir, script, config, template, context: { type: ctx.type, name: ctx.name, region, project, template } };
}

/** A copy of a project's files in a new directory (for tests that change the directory, e.g. git init). */
export async function copyProject(project: RenderedProject): Promise<RenderedProject> {
  const dir = await scratchDir('copy');
  await mkdir(dir, { recursive: true });
  await execFileAsync('cp', ['-a', `${project.dir}/.`, dir]);
  return { ...project, dir, script: path.join(dir, 'deploy.sh'), config: path.join(dir, path.basename(project.config)) };
}

/**
 * The commands of a `deploy.sh --dry-run` output: every line that is not empty and not a `#`
 * comment, read back into argv by bash itself (so this also proves the quoting round-trips).
 */
export function dryRunCommands(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map(parseShellLine);
}

/** One shell command line -> argv, as bash reads it. */
export function parseShellLine(line: string): string[] {
  const result = spawnSync('bash', ['-c', 'eval "set -- $1" && printf "%s\\0" "$@"', 'parse', line], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bash cannot read the line ${JSON.stringify(line)}: ${result.stderr}`);
  return result.stdout.split('\0').slice(0, -1);
}
