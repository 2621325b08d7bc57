/** Words for the user: the result as text or as one JSON object, and the template list. */
import type { Options } from './options.js';
import { PACKAGE_MANAGER_LANGUAGE } from './package-manager.js';
import { postStepLines, type PostStepChoice, type PostStepReport } from './post/steps.js';
import type { PlannedFile } from './render/plan.js';
import { workloadOf } from './templates/layers.js';
import type { Template } from './templates/registry.js';

export interface Result {
  readonly options: Options;
  readonly files: readonly PlannedFile[];
  readonly nextSteps: readonly string[];
  /** What happened after writing (absent in a run that never got that far, e.g. a list). */
  readonly post?: PostStepReport;
  readonly choice?: PostStepChoice;
}

export function resultJson({ options, files, nextSteps, post }: Result): string {
  return JSON.stringify({
    ok: true,
    directory: options.targetDir,
    template: options.template.manifest.id,
    type: options.type,
    name: options.name,
    region: options.region,
    project: options.project || null,
    packageManager: options.template.manifest.language === PACKAGE_MANAGER_LANGUAGE ? options.packageManager : null,
    vars: options.vars,
    ci: options.ci,
    dryRun: options.dryRun,
    files: files.map((file) => ({ path: file.path, mode: file.mode.toString(8).padStart(4, '0'), bytes: file.contents.length })),
    ...(post && {
      git: post.git,
      install: { status: post.install.status, commands: post.install.commands, ...('reason' in post.install && { reason: post.install.reason }) },
    }),
    nextSteps,
  });
}

/** What every failure under --json prints: one object, same exit status as without --json. */
export type ErrorCode = 'invalid-input' | 'template' | 'target' | 'io' | 'cancelled' | 'interrupted' | 'internal';

export function errorJson(code: ErrorCode, message: string): string {
  return JSON.stringify({ ok: false, error: { code, message } });
}

export function dryRunText({ options, files }: Result): string {
  const lines = files.map((file) => `  ${file.mode.toString(8).padStart(4, '0')}  ${String(file.contents.length).padStart(6)}  ${file.path}`);
  return `Dry run: would write ${files.length} files to ${options.displayDir} (nothing written)\n${lines.join('\n')}\n`;
}

/** `cd` target as a shell word: quoted when needed, and never read as an option (`cd ./-foo`). */
export function shellWord(text: string): string {
  const word = text.startsWith('-') ? `./${text}` : text;
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function createdText({ options, files, nextSteps, post, choice }: Result): string {
  const what = `${workloadOf(options.template, options.type).title} "${options.name}"`;
  const done = post && choice ? postStepLines(post, choice).map((line) => `${line}\n`).join('') : '';
  return `Created ${what} in ${options.displayDir} (${files.length} files)\n${done}\nNext steps:\n${nextSteps.map((step) => `  ${step}`).join('\n')}\n`;
}

export function templateListJson(templates: readonly Template[]): string {
  return JSON.stringify(
    templates.map((template) => {
      const { manifest, dir } = template;
      return {
        id: manifest.id,
        name: manifest.name,
        language: manifest.language,
        framework: manifest.framework,
        default: manifest.default,
        types: manifest.types,
        // What --type job gives: the language's job ("Python 3.14 job"), the same for every template of it.
        ...(manifest.types.includes('job') && { job: workloadOf(template, 'job').title }),
        variables: manifest.variables,
        dir,
      };
    }),
  );
}

export function templateListText(templates: readonly Template[]): string {
  const rows = templates.map(({ manifest }) => [
    manifest.id,
    manifest.language,
    manifest.framework,
    manifest.types.join(', '),
    `${manifest.name}${manifest.default ? ` (--language ${manifest.language})` : ''}`,
  ]);
  const jobs = [...new Set(templates.filter((t) => t.manifest.types.includes('job')).map((t) => workloadOf(t, 'job').title))];
  const jobLine = jobs.length > 0 ? `\nJobs (--type job) belong to the language, the same whichever template: ${jobs.join(', ')}.\n` : '';
  return table(['TEMPLATE', 'LANGUAGE', 'FRAMEWORK', 'TYPES', 'NAME'], rows) + jobLine;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  return [header, ...rows].map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n') + '\n';
}
