/**
 * Test helper: a project directory holding a rendered `deploy.sh` (mode 0755), the Cloud Run
 * YAML it applies (`service.yaml` or `job.yaml`) and a `Dockerfile`.
 *
 * Preferred path ("cli"): generate a real project with the generator's CLI
 * (`node bin/create-cloudrun-app.js <dir> --template <id> --type ... --yes`), so the tests check
 * exactly what users get. Fallback ("partial"): render the shared partials with Handlebars the
 * way the generator does (`{{> deploy-sh}}`, `{{> service-yaml}}`/`{{> job-yaml}}`, noEscape,
 * strict) next to a stub Dockerfile. The partial path is used when asked for explicitly
 * (`via: 'partial'`), when the CLI has not been built, or when no template exists yet;
 * `DEPLOY_TEST_RENDER=cli|partial` forces one.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Handlebars from 'handlebars';

const execFileAsync = promisify(execFile);

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TEMPLATES_DIR = path.join(REPO_ROOT, 'templates');
export const PARTIALS_DIR = path.join(TEMPLATES_DIR, '_shared', '_partials');
export const PARTIAL_FILE = path.join(PARTIALS_DIR, 'deploy-sh.hbs');
const CLI = path.join(REPO_ROOT, 'bin', 'create-cloudrun-app.js');
const CLI_BUILD = path.join(REPO_ROOT, 'dist', 'index.js');

export type WorkloadType = 'service' | 'job';
export type RenderVia = 'cli' | 'partial';

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
  via: RenderVia;
  template: string; // template id ("partial" when rendered without one)
  context: Required<Omit<DeployContext, 'template'>> & { template: string };
}

export interface TemplateInfo {
  id: string;
  name: string;
  language: string;
  framework: string;
  types: WorkloadType[];
}

/** Every template under templates/<id>/template.json (sorted by id). */
export function listTemplates(): TemplateInfo[] {
  if (!existsSync(TEMPLATES_DIR)) return [];
  return readdirSync(TEMPLATES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(TEMPLATES_DIR, entry.name, 'template.json')))
    .map((entry) => {
      const manifest = JSON.parse(readFileSync(path.join(TEMPLATES_DIR, entry.name, 'template.json'), 'utf8'));
      return {
        id: manifest.id,
        name: manifest.name,
        language: manifest.language,
        framework: manifest.framework,
        types: (manifest.types ?? ['service', 'job']) as WorkloadType[],
      };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Which way `renderProject` goes by default, and why. */
export function defaultVia(): { via: RenderVia; reason: string } {
  const forced = process.env.DEPLOY_TEST_RENDER;
  if (forced === 'cli' || forced === 'partial') return { via: forced, reason: `DEPLOY_TEST_RENDER=${forced}` };
  if (!existsSync(CLI) || !existsSync(CLI_BUILD)) return { via: 'partial', reason: 'the CLI is not built (npm run build)' };
  if (listTemplates().length === 0) return { via: 'partial', reason: 'no template under templates/*/template.json' };
  return { via: 'cli', reason: 'generated with bin/create-cloudrun-app.js' };
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

/** A fresh project directory with a rendered deploy.sh. */
export async function renderProject(ctx: DeployContext, via: RenderVia = defaultVia().via): Promise<RenderedProject> {
  const region = ctx.region ?? 'us-central1';
  const project = ctx.project ?? '';
  if (via === 'cli') {
    const template = ctx.template ?? listTemplates().find((t) => t.types.includes(ctx.type))?.id;
    if (!template) throw new Error(`no template supports type ${ctx.type}`);
    // No git repository: deploy.sh then tags images with the time, which the tests expect.
    const parent = await scratchDir(`${template}-${ctx.type}`);
    const dir = path.join(parent, ctx.name);
    const args = [CLI, dir, '--template', template, '--type', ctx.type, '--name', ctx.name, '--region', region, '--yes', '--no-git'];
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
    return { dir, script, config, via, template, context: { type: ctx.type, name: ctx.name, region, project, template } };
  }

  const template = ctx.template ?? 'partial';
  const info = listTemplates().find((t) => t.id === ctx.template);
  const dir = await scratchDir(`partial-${ctx.type}`);
  const hbs = Handlebars.create();
  for (const file of readdirSync(PARTIALS_DIR).filter((f) => f.endsWith('.hbs'))) {
    hbs.registerPartial(file.slice(0, -'.hbs'.length), await readFile(path.join(PARTIALS_DIR, file), 'utf8'));
  }
  const context = {
    name: ctx.name,
    type: ctx.type,
    isService: ctx.type === 'service',
    isJob: ctx.type === 'job',
    region,
    project,
    template: info
      ? { id: info.id, name: info.name, language: info.language, framework: info.framework }
      : { id: 'node-express', name: 'Node.js + Express', language: 'node', framework: 'express' },
    language: { id: info?.language ?? 'node', name: info?.language ?? 'node' },
    generatedFrom: `template ${template}`,
    vars: {},
  };
  const render = (partial: string) => hbs.compile(`{{> ${partial}}}`, { noEscape: true, strict: true })(context);
  const script = path.join(dir, 'deploy.sh');
  const config = path.join(dir, `${ctx.type}.yaml`);
  await writeFile(script, render('deploy-sh'));
  await writeFile(config, render(`${ctx.type}-yaml`));
  await chmod(script, 0o755);
  await writeFile(path.join(dir, 'Dockerfile'), 'FROM debian:bookworm-slim\nUSER 65532\nCMD ["true"]\n');
  return { dir, script, config, via, template, context: { type: ctx.type, name: ctx.name, region, project, template } };
}

/** The README section (templates/_shared/_partials/readme-deploy.hbs) rendered for a context. */
export async function renderReadme(ctx: Required<Omit<DeployContext, 'template'>>): Promise<string> {
  const hbs = Handlebars.create();
  hbs.registerPartial('readme-deploy', await readFile(path.join(PARTIALS_DIR, 'readme-deploy.hbs'), 'utf8'));
  return hbs.compile('{{> readme-deploy}}', { noEscape: true, strict: true })({
    ...ctx,
    isService: ctx.type === 'service',
    isJob: ctx.type === 'job',
    template: { id: 'node-express', name: 'Node.js + Express', language: 'node', framework: 'express' },
    vars: {},
  });
}

/** Renders straight from the partial (no CLI), e.g. to check both variants of the partial itself. */
export function renderPartial(ctx: DeployContext): Promise<RenderedProject> {
  return renderProject(ctx, 'partial');
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
