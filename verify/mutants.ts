/**
 * Mutants: deliberately broken copies of a template's generated project. Each is made by exact
 * text edits of generated files; the mutant test first proves that every edit applied (its `find`
 * text occurs exactly once), so a template change cannot silently turn a mutant into a no-op.
 * Then the checks in `mustFail` are run against the mutant and must fail, and those in `mustPass`
 * must pass, proving the mutant built and ran and failed for the reason it was made for.
 *
 * The mutants are data (`verify.json` of the template and of its language layer, see facts.ts);
 * `user-root` and `user-0` are the same for every template and are generated here from the final
 * `USER` of the project's Dockerfile. Every built-in template must have, for each type it
 * supports, the mutants in REQUIRED_MUTANTS; a built-in template without them fails the suite.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDockerfile } from './dockerfile-rules.js';
import { FACTS_FILE, templateFacts } from './facts.js';
import type { MutantDefinition, TextEdit } from './pipeline.js';
import type { Project } from './project.js';
import type { TemplateInfo, WorkloadType } from './templates.js';

export const REQUIRED_MUTANTS: Readonly<Record<WorkloadType, readonly string[]>> = {
  service: ['ignores-sigterm', 'ignores-port', 'user-root', 'user-0', 'loopback-only'],
  job: ['ignores-sigterm', 'user-root'],
};

/**
 * Checks no mutant fails, each with the reason. Every other check must be in some mutant's
 * mustFail (test/containers/verify.test.ts checks this), so no check can be weakened unnoticed.
 */
export const NOT_MUTATION_TESTED: Readonly<Record<string, string>> = {
  'image:platform': 'an image for another platform cannot be built here without emulation; the check reads the image config',
  'runtime:job-no-listen': 'making a job listen would need new code, not an edit; the socket table reader it uses is tested in support.test.ts',
};

/**
 * The edit that replaces the final stage's last `USER` instruction of the project's Dockerfile.
 * The `find` text runs from that line to the end of the file, so it occurs once even when an
 * earlier stage has the same `USER` line.
 */
export async function finalUserEdit(project: Project, user: string): Promise<TextEdit> {
  const text = await readFile(path.join(project.dir, 'Dockerfile'), 'utf8');
  const users = parseDockerfile(text).finalStage.instructions.filter((i) => i.getKeyword() === 'USER');
  const last = users[users.length - 1];
  if (!last) throw new Error(`${project.variant.key}: the final stage of the Dockerfile has no USER instruction to mutate`);
  const lines = text.split('\n');
  const { start, end } = last.getRange();
  const find = lines.slice(start.line).join('\n');
  const replace = [`USER ${user}`, ...lines.slice(end.line + 1)].join('\n');
  return { file: 'Dockerfile', find, replace };
}

/** `USER root` / `USER 0` in the final stage: the same for every template. */
export function userMutants(type: WorkloadType): MutantDefinition[] {
  const mutant = (id: string, user: string, breaks: string): MutantDefinition => ({
    id,
    type,
    breaks,
    edits: async (project) => [await finalUserEdit(project, user)],
    mustFail: ['static:rules', 'image:user'],
    mustPass: ['image:build'],
  });
  return [mutant('user-root', 'root', 'the final stage runs as root (by name)'), ...(type === 'service' ? [mutant('user-0', '0', 'the final stage runs as uid 0')] : [])];
}

/**
 * The mutants of a template: its language layer's and its own from `verify.json`, plus the
 * generated ones for each type it supports. A template folder without its own verify.json (a
 * contributed folder, say) has none.
 */
export function mutantsFor(template: TemplateInfo): MutantDefinition[] {
  const facts = templateFacts(template);
  if (!facts.files.includes(path.join(template.dir, FACTS_FILE))) return [];
  const data = facts.mutants.filter((m) => template.types.includes(m.type));
  return [...data, ...template.types.flatMap((type) => userMutants(type))];
}

/** The required mutant kinds a template lacks, as `type:id`. */
export function missingRequiredMutants(template: TemplateInfo, mutants: readonly MutantDefinition[]): string[] {
  return template.types.flatMap((type) => REQUIRED_MUTANTS[type].filter((id) => !mutants.some((m) => m.id === id && m.type === type)).map((id) => `${type}:${id}`));
}
