/**
 * A language layer's manifest (`templates/_languages/<language>/language.json`): the language's
 * display name, and the job every template of the language shares (jobs belong to the language,
 * not to a web framework). Its schema is shipped as `schema/language.schema.json`.
 */
import * as v from 'valibot';
import { Id, InstallCommand, ManifestError, RelativePath, Text } from './manifest.js';
import { readTextFile, TemplateFileError } from './read.js';

export const LANGUAGE_FILE = 'language.json';

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

export type LanguageManifest = Readonly<v.InferOutput<typeof LanguageManifestSchema>>;

export function parseLanguageManifest(data: unknown, file: string): LanguageManifest {
  const result = v.safeParse(LanguageManifestSchema, data);
  if (!result.success) {
    throw new ManifestError(`${file}: ${result.issues.map((issue) => `${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`).join('; ')}`);
  }
  return result.output;
}

export async function readLanguageManifest(file: string): Promise<LanguageManifest> {
  let text: string;
  try {
    text = await readTextFile(file);
  } catch (error) {
    if (error instanceof TemplateFileError) throw error;
    throw new ManifestError(`${file}: cannot be read (a language folder needs a ${LANGUAGE_FILE})`);
  }
  try {
    return parseLanguageManifest(JSON.parse(text), file);
  } catch (error) {
    if (error instanceof SyntaxError) throw new ManifestError(`${file}: not valid JSON (${error.message})`);
    throw error;
  }
}
