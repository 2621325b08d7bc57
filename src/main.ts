/**
 * The whole pipeline, visible in one place:
 * argv -> parse -> prompt for what is missing -> one readonly Options -> template -> plan files in
 * memory -> check the target -> write -> next steps. Returns the exit status; nothing below main()
 * exits the process.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import * as p from '@clack/prompts';
import { parseArgs } from './cli/args.js';
import { askForMissing, CancelledError, confirmOverwrite } from './cli/prompts.js';
import { inspectTarget, targetProblem } from './fs/target.js';
import { writePlan } from './fs/write.js';
import { matchTemplates, resolveOptions, UsageError, type Answers, type RawArgs } from './options.js';
import { detectPackageManager, PACKAGE_MANAGER_LANGUAGE } from './package-manager.js';
import { planFiles, renderNextSteps, TemplateError } from './render/plan.js';
import { createdText, dryRunText, resultJson, templateListJson, templateListText, type Result } from './report.js';
import { ManifestError } from './templates/manifest.js';
import { listTemplates, loadTemplate, looksLikePath, type Template } from './templates/registry.js';

export interface MainIO {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable;
}

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_CANCELLED = 130; // as a shell reports Ctrl-C

const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

export async function main(io: MainIO): Promise<number> {
  let interactive = false;
  try {
    const parsed = parseArgs(io.argv, VERSION, (text) => io.stdout.write(text));
    if (parsed.kind === 'done') return EXIT_OK;
    const builtins = await listTemplates();
    if (parsed.args.listTemplates) {
      io.stdout.write(parsed.args.json ? `${templateListJson(builtins)}\n` : templateListText(builtins));
      return EXIT_OK;
    }
    const { args, templates } = await withCustomTemplate(parsed.args, builtins, io.cwd);
    interactive = isInteractive(args, io);
    const promptIO = { input: io.stdin, output: io.stdout };

    let answers: Answers = {};
    if (interactive) {
      p.intro('create-cloudrun-app', promptIO);
      answers = await askForMissing(args, matchTemplates(args, templates), promptIO);
    }
    const detected = detectPackageManager(io.env.npm_config_user_agent);
    const options = resolveOptions(args, answers, templates, io.cwd, detected.packageManager);
    // Said once the project is written, so that bad input still gets exactly one line on stderr.
    const note = args.packageManager === undefined && options.template.manifest.language === PACKAGE_MANAGER_LANGUAGE ? detected.note : undefined;
    const files = await planFiles(options);
    const state = await inspectTarget(options.targetDir);
    const problem = targetProblem(state, options.overwrite, options.displayDir);
    if (problem) {
      if (!(interactive && state.kind === 'non-empty')) throw new UsageError(problem);
      await confirmOverwrite(options.displayDir, state.entries.length, promptIO);
    }
    const result: Result = { options, files, nextSteps: await renderNextSteps(options) };

    if (!options.dryRun) {
      const spinner = interactive ? p.spinner({ output: io.stdout }) : undefined;
      spinner?.start(`Writing ${files.length} files`);
      await writePlan(files, options.targetDir);
      spinner?.stop(`Wrote ${files.length} files to ${options.displayDir}`);
    }
    if (note) {
      if (interactive) p.log.info(note, promptIO);
      else io.stderr.write(`create-cloudrun-app: note: ${note}\n`);
    }
    if (options.json) io.stdout.write(`${resultJson(result)}\n`);
    else if (options.dryRun) io.stdout.write(dryRunText(result));
    else if (interactive) {
      p.note(result.nextSteps.join('\n'), 'Next steps', promptIO);
      p.outro(`Your Cloud Run ${options.type} is ready.`, promptIO);
    } else io.stdout.write(createdText(result));
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CancelledError) {
      if (interactive) p.cancel('Cancelled; nothing was written.', { output: io.stdout });
      else io.stderr.write(`create-cloudrun-app: ${error.message}\n`);
      return EXIT_CANCELLED;
    }
    const known = error instanceof UsageError || error instanceof ManifestError || error instanceof TemplateError;
    const message = (error as Error).message?.split('\n')[0] ?? String(error);
    io.stderr.write(`create-cloudrun-app: error: ${known ? message : `unexpected: ${message}`}\n`);
    return EXIT_ERROR;
  }
}

/** `--template ./folder` replaces the built-ins with that one template, matched by its own id. */
async function withCustomTemplate(
  args: RawArgs,
  builtins: Template[],
  cwd: string,
): Promise<{ args: RawArgs; templates: Template[] }> {
  if (args.template === undefined || !looksLikePath(args.template)) return { args, templates: builtins };
  const custom = await loadTemplate(path.resolve(cwd, args.template));
  return { args: { ...args, template: custom.manifest.id }, templates: [custom] };
}

function isInteractive(args: RawArgs, io: MainIO): boolean {
  const ci = io.env.CI !== undefined && io.env.CI !== '' && io.env.CI !== '0' && io.env.CI !== 'false';
  return !args.yes && !args.json && !ci && Boolean(io.stdin.isTTY) && Boolean(io.stdout.isTTY);
}
