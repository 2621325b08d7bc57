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
import { askForMissing, CancelledError } from './cli/prompts.js';
import { describeError, guardContext, jsonRequested } from './failures.js';
import { overwriteRefusal } from './fs/guard.js';
import { inspectTarget, targetProblem } from './fs/target.js';
import { matchTemplates, resolveOptions, UsageError, type Answers, type RawArgs } from './options.js';
import { StdoutError, writeOut } from './output.js';
import { planFiles, renderNextSteps } from './render/plan.js';
import { createdText, dryRunText, errorJson, resultJson, templateListJson, templateListText, type Result } from './report.js';
import { installSignalGate, InterruptedError, SIGNAL_EXIT_CODES, type StopSignal } from './signals.js';
import { listTemplates, loadTemplate, looksLikePath, type Template } from './templates/registry.js';
import { writeProject } from './write-project.js';

export interface MainIO {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable;
  /** Ends the process at once; used for a signal that arrives while nothing needs undoing. */
  readonly exit: (code: number) => void;
}

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_CANCELLED = 130; // as a shell reports Ctrl-C

const VERSION: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

export async function main(io: MainIO): Promise<number> {
  let interactive = false;
  let json = jsonRequested(io.argv);
  let written = false;
  const gate = installSignalGate((signal) => {
    if (!written) reportSignal(signal, io, json, interactive);
    io.exit(SIGNAL_EXIT_CODES[signal]);
  });
  try {
    const parsed = parseArgs(io.argv, VERSION, (text) => io.stdout.write(text));
    if (parsed.kind === 'done') return EXIT_OK;
    json = parsed.args.json;
    const builtins = await listTemplates();
    if (parsed.args.listTemplates) {
      await writeOut(io.stdout, parsed.args.json ? `${templateListJson(builtins)}\n` : templateListText(builtins));
      return EXIT_OK;
    }
    const { args, templates } = await withCustomTemplate(parsed.args, builtins, io.cwd);
    interactive = isInteractive(args, io);
    const promptIO = { input: io.stdin, output: io.stdout, signal: gate.signal };

    let answers: Answers = {};
    if (interactive) {
      p.intro('create-cloudrun-app', promptIO);
      answers = await askForMissing(args, matchTemplates(args, templates), promptIO);
    }
    const options = resolveOptions(args, answers, templates, io.cwd);
    const refusal = overwriteRefusal(options.targetDir, guardContext(io.cwd, io.env)); // also stops the interactive question
    if (refusal && options.overwrite) throw new UsageError(refusal);
    const files = await planFiles(options);
    const result: Result = { options, files, nextSteps: await renderNextSteps(options) };
    if (options.dryRun) {
      const problem = targetProblem(await inspectTarget(options.targetDir), options.overwrite, options.displayDir);
      if (problem) throw new UsageError(problem);
      await writeOut(io.stdout, options.json ? `${resultJson(result)}\n` : dryRunText(result));
      return EXIT_OK;
    }

    // From inspection to the end of the write the target is locked and signals are deferred.
    await gate.hold(async () => {
      const pending = await writeProject(result, { interactive, refusal, promptIO, signal: gate.signal, env: io.env });
      try {
        if (options.json) await writeOut(io.stdout, `${resultJson(result)}\n`);
        else if (!interactive) await writeOut(io.stdout, createdText(result));
      } catch (error) {
        pending.rollback(); // nobody can learn the outcome, so there is none
        throw error;
      }
      pending.commit();
      written = true;
    });
    // Steps that only add to a finished project (git init, installing dependencies) go here.
    if (interactive) {
      p.note(result.nextSteps.join('\n'), 'Next steps', promptIO);
      p.outro(`Your Cloud Run ${options.type} is ready.`, promptIO);
    }
    return gate.received ? SIGNAL_EXIT_CODES[gate.received] : EXIT_OK;
  } catch (error) {
    const signal = error instanceof InterruptedError ? error.signal : gate.received;
    if (signal) return reportSignal(signal, io, json, interactive), SIGNAL_EXIT_CODES[signal];
    if (error instanceof StdoutError) return EXIT_ERROR; // nowhere left to say anything
    if (error instanceof CancelledError) {
      if (json) io.stdout.write(`${errorJson('cancelled', error.message)}\n`);
      else if (interactive) p.cancel('Cancelled; nothing was written.', { output: io.stdout });
      else io.stderr.write(`create-cloudrun-app: ${error.message}\n`);
      return EXIT_CANCELLED;
    }
    const [code, message] = describeError(error);
    if (json) io.stdout.write(`${errorJson(code, message)}\n`);
    else io.stderr.write(`create-cloudrun-app: error: ${message}\n`);
    return EXIT_ERROR;
  } finally {
    gate.dispose();
  }
}

function reportSignal(signal: StopSignal, io: MainIO, json: boolean, interactive: boolean): void {
  const message = `interrupted by ${signal}; nothing was written`;
  if (json) io.stdout.write(`${errorJson('interrupted', message)}\n`);
  else if (interactive) p.cancel(`Interrupted (${signal}); nothing was written.`, { output: io.stdout });
  else io.stderr.write(`create-cloudrun-app: ${message}\n`);
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
