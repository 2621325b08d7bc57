/**
 * The manifests' schemas (valibot): `template.json` and `language.json`, with errors that name
 * the file and the field. The same schemas produce the JSON Schemas shipped in `schema/`
 * (scripts/write-json-schema.mjs), so editors and this code agree. A run loads this module only
 * for a manifest that `npm run build` has not already checked (checked.ts): a contributed or an
 * edited template.
 */
import * as v from 'valibot';
import { checkVariableValue, ManifestError, WORKLOAD_TYPES } from './manifest.js';

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

export const LanguageManifestSchema = v.strictObject({
  $schema: v.optional(v.string()),
  language: v.pipe(Id, v.description('The language id templates name in their "language" field, e.g. "python"; equals the folder name.')),
  name: v.pipe(Text, v.description('Display name with the version, e.g. "Python 3.14"; the job is shown as "<name> job".')),
  executable: v.optional(
    v.pipe(v.array(RelativePath), v.description("Output paths of this layer's files written with mode 0755, for the service and the job alike.")),
    [],
  ),
  job: v.optional(
    v.pipe(
      v.strictObject({
        description: v.pipe(Text, v.description('What the job is, shown by --list-templates.')),
        nextSteps: v.optional(v.pipe(v.array(Text), v.description('Commands shown after generating the job (Handlebars, same context as files).')), []),
        install: v.optional(
          v.pipe(v.array(InstallCommand), v.description("The job's install commands, as a template's install (plain words, no shell syntax).")),
          [],
        ),
      }),
      v.description('The job of this language, from the layer\'s +job/ folder; every template of the language generates this same job.'),
    ),
  ),
});

export type TemplateManifestData = v.InferOutput<typeof ManifestSchema>;
export type LanguageManifestData = v.InferOutput<typeof LanguageManifestSchema>;
export type TemplateVariable = v.InferOutput<typeof VariableSchema>;

export function parseManifest(data: unknown, file: string): TemplateManifestData {
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

export function parseLanguageManifest(data: unknown, file: string): LanguageManifestData {
  const result = v.safeParse(LanguageManifestSchema, data);
  if (!result.success) {
    throw new ManifestError(`${file}: ${result.issues.map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`).join('; ')}`);
  }
  return result.output;
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
