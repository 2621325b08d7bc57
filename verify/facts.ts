/**
 * Verification facts as data: what the suite needs to know about a template that it cannot read
 * from the generated project itself. They live next to the files they describe:
 *
 * - `templates/<id>/verify.json`: the template's mutants and known gaps;
 * - `templates/_languages/<language>/verify.json`: what every template of a language shares — the
 *   job's mutants (the job belongs to the language), the package managers to verify with, and
 *   the local dependency folders `.dockerignore` must keep out.
 *
 * The format is `VerifyFactsSchema` below; `npm run schema` writes it as
 * schema/verify.schema.json for editors, and CONTRIBUTING.md documents every field.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { BUILTIN_TEMPLATES_DIR } from './paths.js';
import { CHECKS, type CheckId } from './report.js';

export const FACTS_FILE = 'verify.json';
export const LANGUAGES_DIR = path.join(BUILTIN_TEMPLATES_DIR, '_languages');

const CHECK_IDS = CHECKS.map((c) => c.id) as [CheckId, ...CheckId[]];
const CheckIdSchema = v.pipe(v.picklist(CHECK_IDS), v.description('a check id of the suite (docs/verification.md), e.g. runtime:port'));
const NonEmpty = v.pipe(v.string(), v.minLength(1));

const TextEditSchema = v.pipe(
  v.strictObject({
    file: v.pipe(NonEmpty, v.description('project-relative path of a generated file')),
    find: v.pipe(NonEmpty, v.description('exact text that must occur exactly once in the generated file')),
    replace: v.pipe(v.string(), v.description('what it becomes')),
  }),
  v.description('one exact text edit of a generated file'),
);

export const MutantSchema = v.pipe(
  v.strictObject({
    id: v.pipe(NonEmpty, v.regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case words joined by hyphens'), v.description('unique per template and type')),
    type: v.pipe(v.picklist(['service', 'job']), v.description('the workload type the mutant is made from')),
    breaks: v.pipe(NonEmpty, v.description('what the mutant breaks, in words')),
    edits: v.pipe(v.array(TextEditSchema), v.minLength(1), v.description('applied in order to a freshly generated project')),
    mustFail: v.pipe(v.array(CheckIdSchema), v.minLength(1), v.description('checks that must fail against the mutant')),
    mustPass: v.pipe(v.array(CheckIdSchema), v.description('checks that must still pass: the mutant builds and runs, so it fails for the reason it was made for')),
  }),
  v.description('a deliberately broken copy of a generated project'),
);

const PathsSchema = v.strictObject({
  what: v.pipe(NonEmpty, v.description('the folder or output, as the report names it')),
  paths: v.pipe(v.array(NonEmpty), v.minLength(1), v.description('build-context paths .dockerignore must leave out')),
});

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, 'm');
    return true;
  } catch {
    return false;
  }
}

const CommandSchema = v.pipe(v.array(NonEmpty), v.minLength(1));

const DevLoopSchema = v.pipe(
  v.strictObject({
    command: v.pipe(CommandSchema, v.description('the reload command the README gives for the service, as argv')),
    withoutReload: v.pipe(CommandSchema, v.description('the same service without the reload: the broken variant, which must not show the edit')),
    file: v.pipe(NonEmpty, v.description('the project file that holds the text GET / answers with')),
    prettyLog: v.optional(
      v.pipe(
        NonEmpty,
        v.check((source) => isRegExp(source), 'must be a valid regular expression'),
        v.description('a regular expression (multiline) a line of the dev loop\'s readable log (LOG_FORMAT=pretty) matches; the JSON log of the service without the loop must not'),
      ),
    ),
  }),
  v.description('template: the development loop (run in the test stage image)'),
);

export const VerifyFactsSchema = v.strictObject({
  $schema: v.optional(v.string()),
  packageManagers: v.optional(
    v.pipe(v.array(NonEmpty), v.minLength(1), v.description('language layer: each is verified as its own variant (--package-manager); the first is the default')),
  ),
  dependencyFolders: v.optional(
    v.pipe(v.array(PathsSchema), v.description('language layer: local dependency folders and build outputs that must stay out of the image')),
  ),
  mutants: v.optional(v.pipe(v.array(MutantSchema), v.description('mutants beyond the generated user-root/user-0 ones'))),
  devLoop: v.optional(DevLoopSchema),
  knownGaps: v.optional(
    v.pipe(
      v.record(CheckIdSchema, NonEmpty),
      v.description('checks this template does not meet yet, each with the measured reason; the check must still FAIL (a passing one has to be removed)'),
    ),
  ),
});

export type VerifyFacts = v.InferOutput<typeof VerifyFactsSchema>;
export type MutantFact = v.InferOutput<typeof MutantSchema>;

/** Reads and validates one facts file; a file that does not exist is no facts. */
export function readFactsFile(file: string): VerifyFacts {
  if (!existsSync(file)) return {};
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = v.safeParse(VerifyFactsSchema, data);
  if (!parsed.success) {
    const issue = parsed.issues[0]!;
    throw new Error(`${file}: ${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`);
  }
  return parsed.output;
}

export interface TemplateFacts {
  /** The facts files that exist, for messages. */
  readonly files: readonly string[];
  readonly packageManagers: readonly string[] | null;
  readonly dependencyFolders: readonly { readonly what: string; readonly paths: readonly string[] }[];
  /** Language-layer mutants first, then the template's own (a template mutant with the same id and type replaces the language's). */
  readonly mutants: readonly MutantFact[];
  readonly knownGaps: Readonly<Partial<Record<CheckId, string>>>;
  readonly devLoop: VerifyFacts['devLoop'] | null;
}

/** The facts of a template folder and its language layer (built-in languages only). */
export function templateFacts(template: { readonly dir: string; readonly language: string }): TemplateFacts {
  const languageFile = path.join(LANGUAGES_DIR, template.language, FACTS_FILE);
  const templateFile = path.join(template.dir, FACTS_FILE);
  const language = readFactsFile(languageFile);
  const own = readFactsFile(templateFile);
  const ownMutants = own.mutants ?? [];
  const inherited = (language.mutants ?? []).filter((m) => !ownMutants.some((o) => o.id === m.id && o.type === m.type));
  return {
    files: [languageFile, templateFile].filter((f) => existsSync(f)),
    packageManagers: own.packageManagers ?? language.packageManagers ?? null,
    dependencyFolders: [...(language.dependencyFolders ?? []), ...(own.dependencyFolders ?? [])],
    mutants: [...inherited, ...ownMutants],
    knownGaps: { ...own.knownGaps },
    devLoop: own.devLoop ?? null,
  };
}
