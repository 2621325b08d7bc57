/** How a failed run is worded: a code for --json and one line, whichever part of the pipeline failed. */
import os from 'node:os';
import path from 'node:path';
import type { GuardContext } from './fs/guard.js';
import { TargetError } from './fs/hold.js';
import { UsageError } from './options.js';
import { TemplateError } from './render/plan.js';
import type { ErrorCode } from './report.js';
import { ManifestError } from './templates/manifest.js';
import { TemplateFileError } from './templates/read.js';
import { BUILTIN_TEMPLATES_DIR } from './templates/registry.js';

export function describeError(error: unknown): [ErrorCode, string] {
  const message = (error as Error)?.message?.split('\n')[0] ?? String(error);
  if (error instanceof UsageError) return ['invalid-input', message];
  if (error instanceof ManifestError || error instanceof TemplateError || error instanceof TemplateFileError) return ['template', message];
  if (error instanceof TargetError) return ['target', message];
  return ['internal', `unexpected: ${message}`];
}

/** --json is known only after parsing; a parse error still answers in JSON when it was asked for. */
export function jsonRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/** What guard.ts protects for this run: the working folder, the home folders, this package. */
export function guardContext(cwd: string, env: Readonly<Record<string, string | undefined>>): GuardContext {
  let accountHome = '';
  try {
    accountHome = os.userInfo().homedir;
  } catch {
    // no passwd entry (some containers): $HOME alone then
  }
  return { cwd, homes: [env.HOME ?? '', accountHome], packageRoot: path.dirname(BUILTIN_TEMPLATES_DIR) };
}
