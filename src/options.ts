/**
 * One validated, readonly Options object from the command line and the prompt answers.
 * Pure: no I/O, so every rule here is unit-tested directly.
 */
import path from 'node:path';
import {
  checkVariableValue,
  parseVariableText,
  WORKLOAD_TYPES,
  type VariableValue,
  type WorkloadType,
} from './templates/manifest.js';
import type { Template } from './templates/registry.js';
import {
  DEFAULT_PACKAGE_MANAGER,
  isPackageManager,
  PACKAGE_MANAGER_LANGUAGE,
  PACKAGE_MANAGERS,
  type PackageManager,
} from './package-manager.js';

/** A problem with what the user asked for; main() prints it as one line and exits non-zero. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What the command line said (src/cli/args.ts), untouched by prompts. */
export interface RawArgs {
  readonly directory?: string;
  readonly template?: string;
  readonly language?: string;
  readonly framework?: string;
  readonly type?: string;
  readonly name?: string;
  readonly region?: string;
  readonly project?: string;
  readonly packageManager?: string;
  readonly vars: readonly string[];
  /** --git / --no-git; undefined when neither was given. */
  readonly git?: boolean;
  /** --install / --no-install; undefined when neither was given. */
  readonly install?: boolean;
  readonly yes: boolean;
  readonly overwrite: boolean;
  /** false with --no-ci: no .github/ folder. Absent means true. */
  readonly ci?: boolean;
  readonly dryRun: boolean;
  readonly json: boolean;
  readonly listTemplates: boolean;
}

/** What the prompts asked for (only what the flags left open). */
export interface Answers {
  readonly directory?: string;
  readonly templateId?: string;
  readonly type?: WorkloadType;
  readonly name?: string;
  readonly region?: string;
  /** Empty: set later (the deploy script then asks gcloud's configuration). */
  readonly project?: string;
  readonly vars?: Readonly<Record<string, VariableValue>>;
}

export interface Options {
  readonly template: Template;
  readonly type: WorkloadType;
  readonly name: string;
  readonly region: string;
  /** Empty when not given: the deploy script then asks gcloud's configuration. */
  readonly project: string;
  /** The Node.js package manager the project is written for (npm for other languages, unused). */
  readonly packageManager: PackageManager;
  readonly vars: Readonly<Record<string, VariableValue>>;
  /** Write the GitHub Actions workflow and dependabot.yml (`.github/`); false with --no-ci. */
  readonly ci: boolean;
  /** Absolute path of the project folder. */
  readonly targetDir: string;
  /** The folder as the user would type it after `cd` (relative to the working directory). */
  readonly displayDir: string;
  readonly overwrite: boolean;
  readonly dryRun: boolean;
  readonly json: boolean;
}

export const DEFAULT_TEMPLATE_ID = 'node-express';
export const DEFAULT_REGION = 'us-central1';

// Cloud Run: a letter first, then letters, digits, hyphens; no trailing hyphen; under 50 characters.
const NAME_PATTERN = /^[a-z]([-a-z0-9]{0,47}[a-z0-9])?$/;
const NAME_MAX = 49;
const REGION_PATTERN = /^[a-z]+(-[a-z]+)+[0-9]+$/;
// Google Cloud project ids: 6 to 30 characters, a letter first, no trailing hyphen; older
// domain-scoped projects put their domain in front (`example.com:my-project`), as gcloud accepts.
const PROJECT_PATTERN = /^(?:[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)+:)?[a-z][-a-z0-9]{4,28}[a-z0-9]$/;

export function defaultName(type: WorkloadType): string {
  return `cloudrun-${type}`;
}

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

export function isValidRegion(region: string): boolean {
  return REGION_PATTERN.test(region);
}

export function isValidProject(project: string): boolean {
  return PROJECT_PATTERN.test(project);
}

/** Turns a folder name into a Cloud Run name (`My_App` -> `my-app`), or undefined if nothing is left. */
export function toCloudRunName(text: string): string | undefined {
  const converted = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, NAME_MAX)
    .replace(/-+$/, '');
  return converted === '' ? undefined : converted;
}

/**
 * Narrows the templates by --template, --language and --framework. The result has at least one
 * template; conflicting or unknown choices are errors rather than silent fallbacks.
 */
export function matchTemplates(
  args: Pick<RawArgs, 'template' | 'language' | 'framework'>,
  templates: readonly Template[],
): Template[] {
  if (templates.length === 0) throw new UsageError('no templates found');
  let matches = [...templates];
  if (args.template !== undefined) {
    matches = matches.filter((t) => t.manifest.id === args.template);
    if (matches.length === 0) {
      throw new UsageError(`unknown template "${args.template}" (choose from: ${ids(templates)}; see --list-templates)`);
    }
  }
  if (args.language !== undefined) {
    const languages = unique(templates.map((t) => t.manifest.language));
    if (!languages.includes(args.language)) {
      throw new UsageError(`unknown language "${args.language}" (choose from: ${languages.join(', ')})`);
    }
    matches = matches.filter((t) => t.manifest.language === args.language);
  }
  if (args.framework !== undefined) {
    const frameworks = unique(templates.map((t) => t.manifest.framework));
    if (!frameworks.includes(args.framework)) {
      throw new UsageError(`unknown framework "${args.framework}" (choose from: ${frameworks.join(', ')})`);
    }
    matches = matches.filter((t) => t.manifest.framework === args.framework);
  }
  if (matches.length === 0) {
    const given = [
      args.template !== undefined && `--template ${args.template}`,
      args.language !== undefined && `--language ${args.language}`,
      args.framework !== undefined && `--framework ${args.framework}`,
    ].filter(Boolean);
    throw new UsageError(`conflicting choices: no template matches ${given.join(' and ')}`);
  }
  return matches;
}

/**
 * The template to use when several match and nobody is asked: with nothing chosen the overall
 * default, with only a language the one its manifest marks `"default": true`.
 */
export function pickTemplate(matches: readonly Template[], args: Pick<RawArgs, 'language' | 'framework'>): Template {
  if (matches.length === 1) return matches[0]!;
  if (args.framework === undefined) {
    const fallback = matches.find((t) => (args.language === undefined ? t.manifest.id === DEFAULT_TEMPLATE_ID : t.manifest.default));
    if (fallback) return fallback;
  }
  throw new UsageError(`several templates match (${ids(matches)}); choose one with --template or --framework`);
}

export function parseType(text: string | undefined, template: Template): WorkloadType {
  if (text === undefined) return template.manifest.types[0]!;
  if (!(WORKLOAD_TYPES as readonly string[]).includes(text)) {
    throw new UsageError(`unknown --type "${text}" (choose from: ${WORKLOAD_TYPES.join(', ')})`);
  }
  const type = text as WorkloadType;
  if (!template.manifest.types.includes(type)) {
    throw new UsageError(`template "${template.manifest.id}" does not support --type ${type} (it supports: ${template.manifest.types.join(', ')})`);
  }
  return type;
}

/** `--var key=value` pairs, typed and checked against the template's declared variables. */
export function parseVars(pairs: readonly string[], template: Template): Record<string, VariableValue> {
  const declared = template.manifest.variables;
  const values: Record<string, VariableValue> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--var expects key=value, got "${pair}"`);
    const key = pair.slice(0, at);
    const variable = Object.hasOwn(declared, key) ? declared[key] : undefined;
    if (!variable) {
      const known = Object.keys(declared);
      throw new UsageError(
        `template "${template.manifest.id}" has no variable "${key}"${known.length ? ` (it has: ${known.join(', ')})` : ''}`,
      );
    }
    const value = parseVariableText(variable, pair.slice(at + 1));
    const problem = value === undefined ? `expected a ${variable.type}` : checkVariableValue(variable, value);
    if (problem) throw new UsageError(`--var ${key}: ${problem}`);
    values[key] = value!;
  }
  return values;
}

/**
 * `--package-manager` for a Node.js template, else `detected` (the one running the generator).
 * The flag on a template of another language is an error rather than silently ignored.
 */
export function resolvePackageManager(
  flag: string | undefined,
  template: Template,
  detected: PackageManager = DEFAULT_PACKAGE_MANAGER,
): PackageManager {
  const isNode = template.manifest.language === PACKAGE_MANAGER_LANGUAGE;
  if (flag === undefined) return isNode ? detected : DEFAULT_PACKAGE_MANAGER;
  if (!isPackageManager(flag)) fail(`unknown --package-manager "${flag}" (choose from: ${PACKAGE_MANAGERS.join(', ')})`);
  if (!isNode) {
    fail(`--package-manager applies to Node.js templates only; template "${template.manifest.id}" is ${template.manifest.language}`);
  }
  return flag;
}

export function resolveOptions(
  args: RawArgs,
  answers: Answers,
  templates: readonly Template[],
  cwd: string,
  detectedPackageManager?: PackageManager,
): Options {
  const matches = matchTemplates(args, templates);
  const template = answers.templateId
    ? (matches.find((t) => t.manifest.id === answers.templateId) ?? fail(`unknown template "${answers.templateId}"`))
    : pickTemplate(matches, args);
  const type = answers.type ?? parseType(args.type, template);

  if (args.name !== undefined && !isValidName(args.name)) {
    throw new UsageError(
      `invalid --name "${args.name}": use lower-case letters, digits and hyphens, a letter first, no trailing hyphen, at most ${NAME_MAX} characters`,
    );
  }
  if (answers.name !== undefined && !isValidName(answers.name)) fail(`invalid name "${answers.name}"`);

  const directory = args.directory ?? answers.directory;
  if (directory !== undefined && directory.trim() === '') fail('the directory must not be empty');
  const name =
    args.name ??
    answers.name ??
    (directory !== undefined ? toCloudRunName(path.basename(path.resolve(cwd, directory))) : undefined) ??
    defaultName(type);
  const targetDir = path.resolve(cwd, directory ?? name);

  const region = args.region ?? answers.region ?? DEFAULT_REGION;
  if (!REGION_PATTERN.test(region)) fail(`invalid --region "${region}" (expected a Cloud Run region such as us-central1)`);
  const project = args.project ?? answers.project ?? '';
  if (project !== '' && !PROJECT_PATTERN.test(project)) {
    fail(`invalid --project "${project}" (a project id has 6-30 lower-case letters, digits or hyphens, a letter first; a domain-scoped one looks like example.com:my-project)`);
  }

  const packageManager = resolvePackageManager(args.packageManager, template, detectedPackageManager);

  const defaults = Object.fromEntries(Object.entries(template.manifest.variables).map(([k, v]) => [k, v.default]));
  const vars = Object.freeze({ ...defaults, ...answers.vars, ...parseVars(args.vars, template) });

  return Object.freeze({
    template,
    type,
    name,
    region,
    project,
    packageManager,
    vars,
    ci: args.ci !== false,
    targetDir,
    displayDir: path.relative(cwd, targetDir) || '.',
    overwrite: args.overwrite,
    dryRun: args.dryRun,
    json: args.json,
  });
}

function fail(message: string): never {
  throw new UsageError(message);
}

function ids(templates: readonly Template[]): string {
  return templates.map((t) => t.manifest.id).join(', ');
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
