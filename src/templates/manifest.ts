/**
 * The template manifest (`templates/<id>/template.json`): its schema, its type, and loading with
 * errors that name the file and the field. The same schema produces the JSON Schema shipped in
 * `schema/template.schema.json` (scripts/write-json-schema.ts), so editors and this code agree.
 */
import vm from 'node:vm';
import * as v from 'valibot';
import { readTextFile, TemplateFileError } from './read.js';

export const WORKLOAD_TYPES = ['service', 'job'] as const;
export type WorkloadType = (typeof WORKLOAD_TYPES)[number];

const idPattern = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
export const Id = v.pipe(v.string(), v.regex(idPattern, 'must be lower-case letters, digits and single hyphens, starting with a letter'));
export const Text = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'));

const variableBase = {
  description: v.pipe(Text, v.description('Shown as the prompt and in --help of --var.')),
};

const StringVariable = v.strictObject({
  type: v.literal('string'),
  default: v.string(),
  choices: v.optional(v.pipe(v.array(v.string()), v.minLength(1))),
  pattern: v.optional(
    v.pipe(v.string(), v.check(compiles, 'must be a valid regular expression'), v.description('A regular expression the whole value must match.')),
  ),
  ...variableBase,
});
const NumberVariable = v.strictObject({
  type: v.literal('number'),
  default: v.number(),
  choices: v.optional(v.pipe(v.array(v.number()), v.minLength(1))),
  min: v.optional(v.number()),
  max: v.optional(v.number()),
  ...variableBase,
});
const BooleanVariable = v.strictObject({
  type: v.literal('boolean'),
  default: v.boolean(),
  ...variableBase,
});
export const VariableSchema = v.variant('type', [StringVariable, NumberVariable, BooleanVariable]);
export type TemplateVariable = v.InferOutput<typeof VariableSchema>;
export type VariableValue = string | number | boolean;

export const RelativePath = v.pipe(
  v.string(),
  v.check((path) => !path.startsWith('/') && !path.split('/').includes('..'), 'must be a relative path inside the project'),
);

// Run without a shell, so shell syntax would not mean what it says: plain words only.
export const InstallCommand = v.pipe(
  Text,
  v.regex(/^[^\s;&|<>()$`"'\\*?~]+( [^\s;&|<>()$`"'\\*?~]+)*$/, 'must be plain words separated by single spaces (no shell syntax: it runs without a shell)'),
);

export const ManifestSchema = v.strictObject({
  $schema: v.optional(v.string()),
  id: v.pipe(Id, v.description('Unique template id, e.g. "node-express"; used by --template.')),
  name: v.pipe(Text, v.description('Display name shown in prompts and --list-templates.')),
  description: v.optional(Text),
  language: v.pipe(Id, v.description('Language id used by --language, e.g. "node".')),
  framework: v.pipe(Id, v.description('Framework id used by --framework, e.g. "express".')),
  default: v.optional(
    v.pipe(v.boolean(), v.description('true: the template --language picks for its language (one per language); the others are chosen with --template or --framework.')),
    false,
  ),
  types: v.pipe(
    v.array(v.picklist(WORKLOAD_TYPES)),
    v.minLength(1, 'must list at least one of "service", "job"'),
    v.description('Cloud Run workload types this template supports; the first is the default.'),
  ),
  variables: v.optional(
    v.pipe(
      v.record(
        v.pipe(
          v.string(),
          v.regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'invalid variable name: use a camelCase identifier (letters and digits, a letter first)'),
        ),
        VariableSchema,
      ),
      v.description('Template-specific values, asked interactively and set with --var key=value; rendered as {{vars.key}}.'),
    ),
    {},
  ),
  executable: v.optional(
    v.pipe(v.array(RelativePath), v.description('Output paths written with mode 0755 (npm drops the executable bit).')),
    [],
  ),
  routes: v.optional(
    v.pipe(
      v.array(RelativePath),
      v.description("Output paths of the files where the user writes their routes (e.g. src/app.js); the rest of the application code is the template's infrastructure."),
    ),
    [],
  ),
  nextSteps: v.optional(
    v.pipe(v.array(Text), v.description('Commands shown after generation (Handlebars, same context as files), after `cd <dir>`.')),
    [],
  ),
  install: v.optional(
    v.pipe(
      v.array(InstallCommand),
      v.description(
        'Commands that install the project\'s dependencies, run in order inside the new project when the user accepts (--install) and shown as next steps otherwise. Words separated by spaces, no shell syntax; the first command\'s program must be on PATH. Handlebars with the files\' context plus {{packageManager}} (npm or pnpm).',
      ),
    ),
    [],
  ),
});

export type TemplateManifest = Readonly<v.InferOutput<typeof ManifestSchema>>;

/** A manifest problem, worded as `<file>: <field>: <what is wrong>`. */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

export function parseManifest(data: unknown, file: string): TemplateManifest {
  // The schema's record drops keys such as `constructor` silently; say so instead.
  const variables = (data as { variables?: unknown } | null)?.variables;
  for (const key of variables && typeof variables === 'object' ? Object.keys(variables) : []) {
    if (key in Object.prototype) throw new ManifestError(`${file}: variables.${key}: invalid variable name: it is a built-in property of every JavaScript object`);
  }
  const result = v.safeParse(ManifestSchema, data);
  if (!result.success) {
    const problems = result.issues.map((issue) => `${issuePath(issue)}: ${issue.message}`);
    throw new ManifestError(`${file}: ${problems.join('; ')}`);
  }
  const manifest = result.output;
  for (const [key, variable] of Object.entries(manifest.variables)) {
    const problem = checkVariableValue(variable, variable.default);
    if (problem) throw new ManifestError(`${file}: variables.${key}.default: ${problem}`);
  }
  return manifest;
}

export async function readManifest(file: string): Promise<TemplateManifest> {
  let text: string;
  try {
    text = await readTextFile(file);
  } catch (error) {
    if (error instanceof TemplateFileError) throw error;
    throw new ManifestError(`${file}: cannot be read (a template folder needs a template.json)`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return parseManifest(data, file);
}

/** Why a value does not fit a declared variable, or undefined when it fits. */
export function checkVariableValue(variable: TemplateVariable, value: VariableValue): string | undefined {
  if (typeof value !== variable.type) return `expected a ${variable.type}`;
  if (variable.type === 'string') {
    const text = value as string;
    if (variable.choices && !variable.choices.includes(text)) return `must be one of ${variable.choices.join(', ')}`;
    if (variable.pattern) {
      const matches = matchesWhole(variable.pattern, text);
      if (matches === undefined) return `the pattern /${variable.pattern}/ took too long to check (it backtracks catastrophically; fix the template)`;
      if (!matches) return `must match /${variable.pattern}/`;
    }
  }
  if (variable.type === 'number') {
    const num = value as number;
    if (!Number.isFinite(num)) return 'expected a finite number';
    if (variable.choices && !variable.choices.includes(num)) return `must be one of ${variable.choices.join(', ')}`;
    if (variable.min !== undefined && num < variable.min) return `must be at least ${variable.min}`;
    if (variable.max !== undefined && num > variable.max) return `must be at most ${variable.max}`;
  }
  return undefined;
}

/** Converts the text of `--var key=value` (or a prompt answer) to the variable's type. */
export function parseVariableText(variable: TemplateVariable, text: string): VariableValue | undefined {
  switch (variable.type) {
    case 'string':
      return text;
    case 'number':
      return text.trim() === '' || Number.isNaN(Number(text)) ? undefined : Number(text);
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
  }
}

/** Where a schema problem is; for a bad variable name the name itself (`variables.my-var`). */
function issuePath(issue: v.BaseIssue<unknown>): string {
  const dotPath = v.getDotPath(issue);
  const key = issue.path?.at(-1);
  if (key?.type === 'object' && issue.path!.length === 1 && key.key === 'variables' && typeof issue.input === 'string') {
    return `variables.${issue.input}`;
  }
  return dotPath ?? '(root)';
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

// A template's pattern is someone else's code: `(a+)+` against a crafted value would hang the
// run. Matching happens in a VM context with a time limit instead (no linear-time engine ships
// with Node). Real patterns take microseconds; the limit only stops catastrophic backtracking.
const PATTERN_TIME_LIMIT_MS = 250;
let patternContext: vm.Context | undefined;
let patternScript: vm.Script | undefined; // made on first use: most runs check no pattern

/** Whether the whole text matches; undefined when the pattern ran out of time. */
function matchesWhole(pattern: string, text: string): boolean | undefined {
  patternScript ??= new vm.Script('new RegExp(`^(?:${pattern})$`).test(text)');
  patternContext ??= vm.createContext({});
  patternContext.pattern = pattern;
  patternContext.text = text;
  try {
    return patternScript.runInContext(patternContext, { timeout: PATTERN_TIME_LIMIT_MS }) as boolean;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return undefined;
    throw error;
  }
}
