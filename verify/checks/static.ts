/**
 * Static checks: the project as text, before anything is built (Docker's own lint, the Dockerfile
 * rules, .dockerignore, shellcheck).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { dockerCallCheck, run, tail } from '../docker.js';
import { lintDockerfile, parseDockerfile, type DockerfileModel, RULES } from '../dockerfile-rules.js';
import { missingIgnores, nestedGaps, REQUIRED_IGNORED } from '../dockerignore.js';
import { templateFacts } from '../facts.js';
import type { Project } from '../project.js';
import { type CheckResult, fail, pass } from '../report.js';

export async function readDockerfile(project: Project): Promise<{ text: string; model: DockerfileModel }> {
  const text = await readFile(path.join(project.dir, 'Dockerfile'), 'utf8');
  return { text, model: parseDockerfile(text) };
}

export async function checkCallCheck(project: Project): Promise<CheckResult> {
  const result = await dockerCallCheck(project.dir);
  if (result.ok) return pass('static:call-check', '0 warnings');
  if (result.error && result.warnings.length === 0) return fail('static:call-check', 'check did not run', result.error);
  return fail(
    'static:call-check',
    `${result.warnings.length} warning(s): ${result.warnings.map((w) => w.ruleName).join(', ')}`,
    result.warnings.map((w) => `line ${w.line ?? '?'}: ${w.ruleName}: ${w.detail}`).join('\n') + (result.error ? `\n${result.error}` : ''),
  );
}

export function checkRules(dockerfileText: string): CheckResult {
  let findings;
  try {
    findings = lintDockerfile(dockerfileText);
  } catch (err) {
    return fail('static:rules', 'Dockerfile does not parse', String(err));
  }
  const active = findings.filter((f) => !f.ignored);
  const allowed = findings.filter((f) => f.ignored).map((f) => `${f.rule}@${f.line}`);
  const allowedNote = allowed.length ? ` (allowed by hadolint ignore: ${allowed.join(', ')})` : '';
  if (active.length === 0) return pass('static:rules', `0 findings in ${Object.keys(RULES).length} rules${allowedNote}`);
  return fail(
    'static:rules',
    `${active.length} finding(s): ${[...new Set(active.map((f) => f.rule))].join(', ')}`,
    active.map((f) => `line ${f.line}: ${f.rule}: ${f.message}`).join('\n'),
  );
}

export async function checkDockerignore(project: Project): Promise<CheckResult> {
  let text: string;
  try {
    text = await readFile(path.join(project.dir, '.dockerignore'), 'utf8');
  } catch {
    return fail('static:dockerignore', 'no .dockerignore');
  }
  const { dependencyFolders } = templateFacts(project.variant.template);
  const missing = missingIgnores(text, dependencyFolders);
  const required = REQUIRED_IGNORED.length + dependencyFolders.length;
  const nested = nestedGaps(text);
  const note = nested.length ? `; note: not ignored one folder down: ${nested.join(', ')}` : '';
  const languageNote = dependencyFolders.length ? '' : ` (no dependencyFolders in verify.json for language "${project.variant.template.language}")`;
  if (missing.length === 0) return pass('static:dockerignore', `${required} required patterns matched (Docker semantics)${languageNote}${note}`);
  return fail(
    'static:dockerignore',
    `not ignored: ${missing.map((m) => m.path).join(', ')}`,
    missing.map((m) => `${m.what}: ${m.path} would be sent to the build`).join('\n'),
  );
}

export async function checkShellcheck(project: Project): Promise<CheckResult> {
  const file = path.join(project.dir, 'deploy.sh');
  let mode: number;
  try {
    mode = (await stat(file)).mode & 0o777;
  } catch {
    return fail('static:shellcheck', 'no deploy.sh');
  }
  const result = await run('shellcheck', ['--external-sources', 'deploy.sh'], { timeoutMs: 60_000, cwd: project.dir });
  if (result.stderr.includes('ENOENT')) return fail('static:shellcheck', 'shellcheck is not installed', 'apt-get install shellcheck (scripts/ci/install-docker.sh installs it)');
  const executable = (mode & 0o111) === 0o111;
  if (result.code === 0 && executable) return pass('static:shellcheck', `0 findings, mode ${mode.toString(8)}`);
  const findings = result.stdout.split('\n').filter((l) => l.startsWith('In deploy.sh line')).length;
  return fail('static:shellcheck', `${findings} finding(s), mode ${mode.toString(8)}`, tail(result.stdout, 40));
}
