/**
 * Fresh generated projects to verify (with the real CLI, as a user would), secrets planted in
 * them, and what their files are: source, tests, development-only dependencies.
 */
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from './docker.js';
import { BIN } from './paths.js';
import type { Variant } from './templates.js';

export interface Project {
  readonly variant: Variant;
  readonly dir: string;
  readonly name: string;
  /** Every file the generator wrote (project-relative). */
  readonly files: readonly string[];
}

/** The Cloud Run name a variant's project gets; the same every run keeps generated files byte-identical, so the layer cache is reused. */
export function projectName(variant: Variant, suffix = ''): string {
  return `verify-${variant.type}${suffix}`;
}

/** Generates a fresh project non-interactively into a new temporary folder. */
export async function generateProject(variant: Variant, options: { prefix?: string; name?: string } = {}): Promise<Project> {
  const parent = await mkdtemp(path.join(os.tmpdir(), options.prefix ?? 'ccra-verify-'));
  const dir = path.join(parent, 'project');
  const name = options.name ?? projectName(variant);
  const args = [BIN, dir, '--template', variant.template.templateArg, '--type', variant.type, '--name', name, ...(variant.args ?? []), '--yes', '--json'];
  // No npm_config_user_agent: `pnpm test` must not turn the npm variant into a pnpm one.
  const result = await run(process.execPath, args, { timeoutMs: 60_000, env: { ...process.env, CI: 'true', npm_config_user_agent: '' } });
  if (result.code !== 0) throw new Error(`generating ${variant.key} failed (exit ${result.code}): ${result.stderr.trim()}`);
  const summary = JSON.parse(result.stdout) as { files: { path: string }[] };
  return { variant, dir, name, files: summary.files.map((f) => f.path) };
}

export async function removeProject(project: Project): Promise<void> {
  await rm(path.dirname(project.dir), { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Planted secrets
// ---------------------------------------------------------------------------------------------

export const PLANT_MARKER = 'CCRA-PLANTED-SECRET-7f3a9c';

/** Files a careless developer leaves in the project folder; none may reach the image. */
export const PLANTED: readonly { readonly path: string; readonly content: string }[] = [
  { path: '.env', content: `DATABASE_PASSWORD=${PLANT_MARKER}\n` },
  { path: '.env.production', content: `API_TOKEN=${PLANT_MARKER}\n` },
  { path: 'key.pem', content: `-----BEGIN PRIVATE KEY-----\n${PLANT_MARKER}\n-----END PRIVATE KEY-----\n` },
  { path: 'id_rsa', content: `-----BEGIN OPENSSH PRIVATE KEY-----\n${PLANT_MARKER}\n-----END OPENSSH PRIVATE KEY-----\n` },
  { path: 'service-account.json', content: `${JSON.stringify({ type: 'service_account', private_key: PLANT_MARKER })}\n` },
  { path: '.npmrc', content: `; ${PLANT_MARKER}\n` },
];

export async function plantSecrets(project: Project): Promise<void> {
  for (const file of PLANTED) await writeFile(path.join(project.dir, file.path), file.content, { mode: 0o600 });
}

// ---------------------------------------------------------------------------------------------
// Source files, tests and dependency manifests of a generated project
// ---------------------------------------------------------------------------------------------

const SOURCE_COMMENT: Readonly<Record<string, string>> = {
  '.js': '//',
  '.mjs': '//',
  '.cjs': '//',
  '.ts': '//',
  '.go': '//',
  '.py': '#',
  '.rb': '#',
};

const TEST_DIRS = new Set(['test', 'tests', 'spec', '__tests__', 'testdata']);

/** Is this project file a test (by the usual conventions of the four ecosystems)? */
export function isTestFile(relative: string): boolean {
  const parts = relative.split('/');
  const base = parts[parts.length - 1]!;
  if (parts.slice(0, -1).some((p) => TEST_DIRS.has(p))) return true;
  return /(^test_.*\.py$|_test\.(py|go|rb)$|\.(test|spec)\.[cm]?[jt]sx?$|_spec\.rb$|^conftest\.py$)/.test(base);
}

/** Application source files a "source-only edit" may touch (not tests), shallowest first. */
export function sourceFiles(project: Project): string[] {
  return project.files
    .filter((f) => SOURCE_COMMENT[path.extname(f)] !== undefined && !isTestFile(f))
    .sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}

/** Appends a comment line to a source file; returns a function that restores it. */
export async function editSource(project: Project, relative: string, note = 'source-only edit'): Promise<() => Promise<void>> {
  const file = path.join(project.dir, relative);
  const before = await readFile(file);
  const comment = SOURCE_COMMENT[path.extname(relative)] ?? '#';
  await appendFile(file, `\n${comment} ${note} ${Date.now()}\n`);
  return () => writeFile(file, before);
}

export interface DevDependencies {
  /** Where the list came from (package.json devDependencies, requirements-dev.txt, Gemfile group). */
  readonly source: string;
  readonly names: readonly string[];
  /** How each would show up in an image's file system. */
  readonly matches: (imagePath: string, name: string) => boolean;
}

function requirementNames(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l && !l.startsWith('-'))
    .map((l) => l.split(/[<>=!~;[\s]/)[0]!.toLowerCase());
}

const pyNormalize = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, '_');

/** Development/test-only dependencies the project declares, per ecosystem convention. */
export async function devDependencies(project: Project): Promise<DevDependencies[]> {
  const out: DevDependencies[] = [];
  const read = async (relative: string): Promise<string | null> => {
    try {
      return await readFile(path.join(project.dir, relative), 'utf8');
    } catch {
      return null;
    }
  };
  const pkg = await read('package.json');
  if (pkg) {
    const names = Object.keys((JSON.parse(pkg) as { devDependencies?: Record<string, string> }).devDependencies ?? {});
    out.push({ source: 'package.json devDependencies', names, matches: (p, n) => p.endsWith(`node_modules/${n}/package.json`) });
  }
  for (const file of project.files.filter((f) => /^(requirements[-_](dev|test)|dev[-_]requirements|test[-_]requirements)\.(txt|in)$/.test(f))) {
    const text = (await read(file)) ?? '';
    const main = new Set(requirementNames((await read('requirements.txt')) ?? '').map(pyNormalize));
    const names = requirementNames(text).filter((n) => !main.has(pyNormalize(n)));
    out.push({
      source: file,
      names,
      matches: (p, n) => {
        const parts = p.split('/');
        const dir = parts.findIndex((x) => x === 'site-packages' || x === 'dist-packages');
        const top = dir === -1 ? undefined : parts[dir + 1];
        return top !== undefined && (pyNormalize(top) === pyNormalize(n) || pyNormalize(top).startsWith(`${pyNormalize(n)}-`) || pyNormalize(top) === `${pyNormalize(n)}_dist_info`);
      },
    });
  }
  const gemfile = await read('Gemfile');
  if (gemfile) {
    const names: string[] = [];
    let inGroup = false;
    for (const raw of gemfile.split('\n')) {
      const l = raw.trim();
      if (/^group\b.*:(test|development)\b.*\bdo\b/.test(l)) inGroup = true;
      else if (inGroup && l === 'end') inGroup = false;
      const gem = /^gem\s+["']([^"']+)["'](.*)$/.exec(l);
      if (gem && (inGroup || /group:\s*(\[[^\]]*)?:(test|development)/.test(gem[2] ?? ''))) names.push(gem[1]!);
    }
    out.push({ source: 'Gemfile test/development groups', names, matches: (p, n) => new RegExp(`/gems/${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d[^/]*(/|$)`).test(`/${p}`) });
  }
  return out;
}

export async function fileExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(r);
      else out.push(r);
    }
  };
  await walk('');
  return out;
}
