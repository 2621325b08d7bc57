/**
 * Owned lines: how much code a user takes over with a generated project before writing any of
 * their own. Counted over the project's application source (.js .ts .py .rb .go, and scripts
 * without an extension whose `#!` line runs ruby, python or node, such as `bin/server`): lines that are
 * neither blank nor comment-only, leaving out tests (a `test/` or `tests/` folder, `*_test.go`,
 * `test_*.py`, `*_test.rb`, `*.test.js`, `*.test.ts`) and the user's route files, which the
 * template's manifest lists in `routes` (output paths; a manifest without it excludes nothing).
 *
 * Comments are recognised by each language's own syntax: `//` and `/* ... *\/` in JavaScript,
 * TypeScript and Go, `#` in Python and Ruby, `=begin`/`=end` in Ruby. A Python docstring is a
 * string, so it counts as code. A line with code and a trailing comment is code.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** The target per variant (README, CONTRIBUTING). */
export const OWNED_LINES_TARGET = 300;

type Syntax = 'c' | 'hash' | 'ruby';
const SYNTAX: Readonly<Record<string, Syntax>> = { '.js': 'c', '.ts': 'c', '.go': 'c', '.py': 'hash', '.rb': 'ruby' };

/** The extension whose syntax a script without one has, by the interpreter its `#!` line names. */
const SHEBANG = /^#!\S*?(?:\/env\s+)?\S*?\b(ruby|python3?|node)\b/;
const SHEBANG_EXTENSION: Readonly<Record<string, string>> = { ruby: '.rb', python: '.py', python3: '.py', node: '.js' };

export function scriptExtension(text: string): string | undefined {
  const interpreter = SHEBANG.exec(text.slice(0, 200))?.[1];
  return interpreter ? SHEBANG_EXTENSION[interpreter] : undefined;
}

/** Is this project file a test, by the conventions the count leaves out? */
export function isOwnedLinesTest(relative: string): boolean {
  const parts = relative.split('/');
  const base = parts[parts.length - 1]!;
  if (parts.slice(0, -1).some((p) => p === 'test' || p === 'tests')) return true;
  return /(_test\.go|^test_.*\.py|_test\.rb|\.test\.js|\.test\.ts)$/.test(base);
}

/** Lines of one source text that are neither blank nor comment-only. */
export function countCodeLines(text: string, extension: string): number {
  const syntax = SYNTAX[extension];
  if (!syntax) return 0;
  let count = 0;
  let inBlock = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (syntax === 'c') {
      if (inBlock) {
        const end = line.indexOf('*/');
        if (end === -1) continue;
        inBlock = false;
        const rest = line.slice(end + 2).trim();
        if (rest === '' || rest.startsWith('//')) continue;
        if (rest.startsWith('/*')) {
          inBlock = !rest.includes('*/', 2);
          continue;
        }
        count++;
        continue;
      }
      if (line === '' || line.startsWith('//')) continue;
      if (line.startsWith('/*')) {
        const end = line.indexOf('*/', 2);
        if (end === -1) {
          inBlock = true;
          continue;
        }
        const rest = line.slice(end + 2).trim();
        if (rest === '' || rest.startsWith('//')) continue;
      }
      count++;
    } else {
      if (syntax === 'ruby') {
        if (inBlock) {
          if (/^=end\b/.test(raw)) inBlock = false;
          continue;
        }
        if (/^=begin\b/.test(raw)) {
          inBlock = true;
          continue;
        }
      }
      if (line === '' || line.startsWith('#')) continue;
      count++;
    }
  }
  return count;
}

/** The `routes` of a template manifest: output paths, validated (a bad entry is an error naming it). */
export function manifestRoutes(manifest: unknown, where: string): string[] {
  const routes = (manifest as { routes?: unknown }).routes;
  if (routes === undefined) return [];
  if (!Array.isArray(routes) || routes.some((r) => typeof r !== 'string' || r === '')) {
    throw new Error(`${where}: routes must be a list of project paths such as "src/app.js"`);
  }
  for (const route of routes as string[]) {
    const clean = path.posix.normalize(route);
    if (path.posix.isAbsolute(route) || clean.startsWith('../') || clean === '..' || clean !== route) {
      throw new Error(`${where}: routes: "${route}" must be a plain path inside the project`);
    }
  }
  return routes as string[];
}

export interface OwnedLines {
  readonly lines: number;
  readonly target: number;
  readonly met: boolean;
  /** Counted files and their lines. */
  readonly files: Readonly<Record<string, number>>;
  /** Source files left out, and why. */
  readonly excluded: { readonly routes: readonly string[]; readonly tests: readonly string[] };
}

/**
 * Counts the owned lines of a generated project (`files`: its project-relative paths) for a
 * template folder whose template.json may list `routes`.
 */
export async function ownedLines(projectDir: string, files: readonly string[], templateDir: string): Promise<OwnedLines> {
  const manifestFile = path.join(templateDir, 'template.json');
  const routes = new Set(manifestRoutes(JSON.parse(await readFile(manifestFile, 'utf8')), manifestFile));
  const counted: Record<string, number> = {};
  const excluded = { routes: [] as string[], tests: [] as string[] };
  for (const file of [...files].sort()) {
    const own = path.extname(file);
    const script = own === '' ? scriptExtension(await readFile(path.join(projectDir, file), 'utf8')) : undefined;
    const extension = script ?? own;
    if (!SYNTAX[extension]) continue;
    if (routes.has(file)) excluded.routes.push(file);
    else if (isOwnedLinesTest(file)) excluded.tests.push(file);
    else counted[file] = countCodeLines(await readFile(path.join(projectDir, file), 'utf8'), extension);
  }
  const lines = Object.values(counted).reduce((a, b) => a + b, 0);
  return { lines, target: OWNED_LINES_TARGET, met: lines <= OWNED_LINES_TARGET, files: counted, excluded };
}
