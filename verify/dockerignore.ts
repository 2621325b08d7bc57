/**
 * `.dockerignore` with Docker's own semantics (moby/patternmatcher and its `ignorefile` reader,
 * which BuildKit uses to filter the build context):
 *
 * - a line starting with `#` is a comment; lines are trimmed; empty lines are skipped;
 * - `!` re-includes; later patterns win over earlier ones;
 * - each pattern is `filepath.Clean`ed and a leading `/` dropped, so `/.env`, `./.env` and `.env`
 *   are the same and only match at the root of the context (unlike .gitignore);
 * - `*` and `?` never cross `/`; `**` matches any number of directories (including none);
 *   `[...]` classes and `\` escapes as in Go's filepath.Match;
 * - a path is excluded when it or any of its parent directories matches.
 */

export interface IgnorePattern {
  readonly source: string;
  readonly exclusion: boolean;
  readonly regex: RegExp;
}

/** Go's path.Clean for slash-separated paths. */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
    } else out.push(part);
  }
  const joined = out.join('/');
  return rooted ? `/${joined}` : joined || '.';
}

/** Reads a .dockerignore the way `ignorefile.ReadAll` does. */
export function readDockerignore(text: string): string[] {
  const patterns: string[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw) => {
    if (raw.startsWith('#')) return;
    let pattern = raw.trim();
    if (pattern === '') return;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(invert ? `!${pattern}` : pattern);
  });
  return patterns;
}

/** Compiles one cleaned pattern the way patternmatcher's `Pattern.compile` does. */
export function compilePattern(pattern: string): IgnorePattern {
  const exclusion = pattern.startsWith('!');
  const body = exclusion ? pattern.slice(1) : pattern;
  let re = '^';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '*') {
      if (body[i + 1] === '*') {
        i++;
        if (body[i + 1] === '/') i++; // treat `**/` as `**`
        re += i + 1 >= body.length ? '.*' : '(.*/)?';
      } else re += '[^/]*';
    } else if (ch === '?') re += '[^/]';
    else if ('.+()|{}$'.includes(ch)) re += `\\${ch}`;
    else if (ch === '\\') {
      if (i + 1 < body.length) re += `\\${body[++i]}`;
      else re += '\\\\';
    } else if (ch === '[' || ch === ']') re += ch;
    else if (ch === '^') re += '\\^';
    else re += ch;
  }
  re += '$';
  return { source: pattern, exclusion, regex: new RegExp(re) };
}

export class DockerIgnore {
  readonly patterns: readonly IgnorePattern[];

  constructor(text: string) {
    this.patterns = readDockerignore(text).map(compilePattern);
  }

  /** `MatchesOrParentMatches`: is this context-relative path left out of the build context? */
  ignores(relativePath: string): boolean {
    const file = cleanPath(relativePath.replace(/^\.\//, ''));
    const parts = file.split('/');
    const parents = parts.slice(0, -1);
    let matched = false;
    for (const pattern of this.patterns) {
      if (pattern.exclusion !== matched) continue;
      let match = pattern.regex.test(file);
      if (!match && parents.length > 0) {
        for (let i = 0; i < parents.length && !match; i++) match = pattern.regex.test(parents.slice(0, i + 1).join('/'));
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }
}

/** What every .dockerignore keeps out (CONTRIBUTING.md), as context paths that must be ignored. */
export const REQUIRED_IGNORED: readonly { readonly what: string; readonly paths: readonly string[] }[] = [
  { what: '.git', paths: ['.git/HEAD', '.git/config'] },
  { what: '.env', paths: ['.env'] },
  { what: '.env.*', paths: ['.env.production', '.env.local'] },
  { what: '*.pem', paths: ['key.pem'] },
  { what: '*.key', paths: ['server.key'] },
  { what: 'service-account JSON', paths: ['service-account.json', 'my-project-service-account.json'] },
  { what: '.npmrc', paths: ['.npmrc'] },
  { what: '.netrc', paths: ['.netrc'] },
  { what: 'id_rsa*', paths: ['id_rsa', 'id_rsa.pub'] },
];

/**
 * Local dependency folders and build outputs per language (the contract: "local dependency folders and
 * build outputs"), keyed by the manifest's `language`. A language not listed has no extra
 * requirement, which the report says.
 */
export const REQUIRED_IGNORED_BY_LANGUAGE: Readonly<Record<string, readonly { readonly what: string; readonly paths: readonly string[] }[]>> = {
  node: [{ what: 'node_modules', paths: ['node_modules/express/package.json'] }],
  python: [
    { what: '.venv', paths: ['.venv/bin/python'] },
    { what: '__pycache__', paths: ['__pycache__/app.cpython-311.pyc'] },
  ],
  ruby: [
    { what: 'vendor/bundle', paths: ['vendor/bundle/ruby/3.4.0/gems/rack-3.1.0/lib/rack.rb'] },
    { what: '.bundle', paths: ['.bundle/config'] },
  ],
  go: [{ what: 'compiled test binaries', paths: ['server.test'] }],
};

/**
 * Secrets one folder down. Docker's patterns match from the context root (`*.pem` does not match
 * `certs/key.pem`; a pattern that starts with two stars and a slash does), so these are reported as notes, not failures: the contract names
 * the root-level patterns.
 */
export const NESTED_SECRETS: readonly string[] = ['config/.env', 'certs/key.pem', 'secrets/service-account.json'];

export function nestedGaps(dockerignore: string): string[] {
  const matcher = new DockerIgnore(dockerignore);
  return NESTED_SECRETS.filter((p) => !matcher.ignores(p));
}

/** The required paths a .dockerignore fails to ignore (empty when it covers the contract). */
export function missingIgnores(dockerignore: string, language: string): { what: string; path: string }[] {
  const matcher = new DockerIgnore(dockerignore);
  const required = [...REQUIRED_IGNORED, ...(REQUIRED_IGNORED_BY_LANGUAGE[language] ?? [])];
  return required.flatMap(({ what, paths }) => paths.filter((p) => !matcher.ignores(p)).map((path) => ({ what, path })));
}
