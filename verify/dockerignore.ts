/**
 * `.dockerignore` with Docker's own semantics, by @balena/dockerignore (a port of moby's matcher,
 * which BuildKit uses to filter the build context): `#` comments, `!` re-includes and later
 * patterns win, patterns are cleaned and match from the root of the context (`/.env`, `./.env`
 * and `.env` are the same; `*.pem` does not match `certs/key.pem`, unlike .gitignore), `*` and `?`
 * never cross `/`, `**` matches any number of directories, and a path is left out when it or any
 * of its parent directories matches.
 */
import balena from '@balena/dockerignore';

// A CommonJS module whose typings declare a default export: from ESM that is `.default`.
const dockerignore = balena.default;

export type IgnoredPaths = { readonly what: string; readonly paths: readonly string[] };

export class DockerIgnore {
  readonly #matcher;

  constructor(text: string) {
    this.#matcher = dockerignore().add(text.replace(/^\uFEFF/, '').split(/\r?\n/));
  }

  /** Is this context-relative path left out of the build context? */
  ignores(relativePath: string): boolean {
    return this.#matcher.ignores(relativePath.replace(/^\.\//, ''));
  }
}

/** What every .dockerignore keeps out (CONTRIBUTING.md), as context paths that must be ignored. */
export const REQUIRED_IGNORED: readonly IgnoredPaths[] = [
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
 * Secrets one folder down. Docker's patterns match from the context root (`*.pem` does not match
 * `certs/key.pem`; a pattern that starts with two stars and a slash does), so these are reported as notes, not failures: the contract names
 * the root-level patterns.
 */
export const NESTED_SECRETS: readonly string[] = ['config/.env', 'certs/key.pem', 'secrets/service-account.json'];

export function nestedGaps(dockerignore: string): string[] {
  const matcher = new DockerIgnore(dockerignore);
  return NESTED_SECRETS.filter((p) => !matcher.ignores(p));
}

/**
 * The required paths a .dockerignore fails to ignore (empty when it covers the contract):
 * the secrets every project keeps out, and the language's local dependency folders and build
 * outputs (`dependencyFolders` of its verify.json).
 */
export function missingIgnores(dockerignore: string, dependencyFolders: readonly IgnoredPaths[]): { what: string; path: string }[] {
  const matcher = new DockerIgnore(dockerignore);
  const required = [...REQUIRED_IGNORED, ...dependencyFolders];
  return required.flatMap(({ what, paths }) => paths.filter((p) => !matcher.ignores(p)).map((path) => ({ what, path })));
}
