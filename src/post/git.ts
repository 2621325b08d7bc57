/**
 * `git init` and a first commit in the new project: deploy.sh tags images with the commit, and a
 * project starts its history from exactly what was generated. Skipped inside an existing
 * repository (the project then belongs to that one), and never fatal: without git the project is
 * still complete.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findOnPath } from './install.js';

type Env = Readonly<Record<string, string | undefined>>;

export const COMMIT_MESSAGE = 'Initial commit from create-cloudrun-app';
/** Used for the first commit only, and only when git knows no author: the user's config is never touched. */
export const FALLBACK_AUTHOR = { name: 'create-cloudrun-app', email: 'create-cloudrun-app@users.noreply.github.com' } as const;

export type GitOutcome =
  | { readonly status: 'created'; readonly commit: string }
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'failed'; readonly reason: string };

/** The repository folder that contains `dir` (a `.git` folder or file above it), if any. */
export function enclosingRepository(dir: string): string | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (existsSync(path.join(current, '.git'))) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

/** Why git init would not run for a project in `targetDir`, or undefined when it can. */
export function gitSkipReason(targetDir: string, env: Env): string | undefined {
  const repository = enclosingRepository(path.dirname(targetDir));
  if (repository !== undefined) return `inside the git repository ${repository}`;
  if (existsSync(path.join(targetDir, '.git'))) return 'the folder already has a .git'; // kept by --overwrite
  if (findOnPath('git', env) === undefined) return 'git is not on PATH';
  return undefined;
}

export async function initRepository(targetDir: string, env: Env): Promise<GitOutcome> {
  const git = (...args: string[]) => run('git', args, targetDir, env);
  try {
    await git('init', '--quiet');
    await git('add', '--all');
    // `git var` fails exactly when `git commit` could not name an author (config, environment or
    // what git can guess); only then give this one command a fallback.
    const hasAuthor = await git('var', 'GIT_AUTHOR_IDENT').then(() => true, () => false);
    const author = hasAuthor ? [] : ['-c', `user.name=${FALLBACK_AUTHOR.name}`, '-c', `user.email=${FALLBACK_AUTHOR.email}`];
    await git(...author, 'commit', '--quiet', '--message', COMMIT_MESSAGE);
    return { status: 'created', commit: (await git('rev-parse', 'HEAD')).trim() };
  } catch (error) {
    return { status: 'failed', reason: (error as Error).message };
  }
}

async function run(program: string, args: readonly string[], cwd: string, env: Env): Promise<string> {
  const { execFile } = await import('node:child_process'); // loaded only when git runs: a run without it is faster
  return new Promise((resolve, reject) => {
    execFile(program, args, { cwd, env: env as NodeJS.ProcessEnv, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) {
        const detail = stderr.trim().split('\n').pop() || error.message.split('\n')[0];
        reject(new Error(`git ${args.filter((a) => !a.startsWith('user.')).join(' ')}: ${detail}`));
      } else resolve(stdout);
    });
  });
}
