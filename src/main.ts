/**
 * The whole pipeline, visible in one place:
 * argv -> parse -> prompt for what is missing -> one readonly Options -> template -> plan files in
 * memory -> check the target -> write -> next steps. Returns the exit status; nothing below main()
 * exits the process.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import * as p from '@clack/prompts';
import { parseArgs } from './cli/args.js';
import { askForMissing, CancelledError, confirmOverwrite } from './cli/prompts.js';
import { overwriteRefusal } from './fs/guard.js';
import { holdTarget, TargetError, type Hold } from './fs/hold.js';
import { pauseHook } from './fs/pause.js';
import { inspectTarget, targetProblem } from './fs/target.js';
import { writePlan, type PendingWrite } from './fs/write.js';
import { matchTemplates, resolveOptions, UsageError, type Answers, type Options, type RawArgs } from './options.js';
import { StdoutError, writeOut } from './output.js';
import { planFiles, renderNextSteps, TemplateError } from './render/plan.js';
import { createdText, dryRunText, errorJson, resultJson, templateListJson, templateListText, type ErrorCode, type Result } from './report.js';
import { installSignalGate, InterruptedError, SIGNAL_EXIT_CODES, throwIfInterrupted, type SignalGate, type StopSignal } from './signals.js';
import { ManifestError } from './templates/manifest.js';
import { TemplateFileError } from './templates/read.js';
import { BUILTIN_TEMPLATES_DIR, listTemplates, loadTemplate, looksLikePath, type Template } from './templates/registry.js';

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
    const refusal = overwriteRefusal(options.targetDir, guardContext(io)); // also stops the interactive question
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
      const pending = await writeHeld(result, { interactive, refusal, promptIO, gate, env: io.env });
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

/** Locks the target, asks before replacing a non-empty one, then writes; the write stays pending. */
async function writeHeld(
  result: Result,
  context: { interactive: boolean; refusal: string | undefined; promptIO: { input: Readable; output: Writable; signal: AbortSignal }; gate: SignalGate; env: MainIO['env'] },
): Promise<PendingWrite> {
  const { options, files } = result;
  let hold: Hold | undefined;
  try {
    hold = holdTarget(options.targetDir, options.displayDir);
    const problem = targetProblem(hold.state, options.overwrite, options.displayDir);
    if (problem) {
      if (!(context.interactive && hold.state.kind === 'non-empty')) throw new UsageError(problem);
      if (context.refusal) throw new UsageError(context.refusal);
      await confirmOverwrite(options.displayDir, hold.state.entries.length, context.promptIO);
    }
    throwIfInterrupted(context.gate.signal);
    // No spinner here: clack's spinner takes over the terminal and exits 0 on Ctrl-C.
    if (context.interactive) p.log.step(`Writing ${files.length} files to ${options.displayDir}`, { output: context.promptIO.output });
    return await writePlan(files, hold, { signal: context.gate.signal, pause: pauseHook(context.env) });
  } catch (error) {
    hold?.release(true);
    throw errorAt(error, options);
  }
}

/** A file-system failure during the write, in words; everything was rolled back by then. */
function errorAt(error: unknown, options: Options): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code !== 'string' || !(error instanceof Error) || !('syscall' in error)) return error;
  const reasons: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOTDIR: 'a parent is not a directory',
    EBUSY: 'a file or folder is in use',
    EXDEV: 'crosses a file-system boundary',
  };
  return new TargetError(`cannot write ${options.displayDir}: ${reasons[code] ?? error.message} (${code}); nothing was changed`);
}

function describeError(error: unknown): [ErrorCode, string] {
  const message = (error as Error)?.message?.split('\n')[0] ?? String(error);
  if (error instanceof UsageError) return ['invalid-input', message];
  if (error instanceof ManifestError || error instanceof TemplateError || error instanceof TemplateFileError) return ['template', message];
  if (error instanceof TargetError) return ['target', message];
  return ['internal', `unexpected: ${message}`];
}

function reportSignal(signal: StopSignal, io: MainIO, json: boolean, interactive: boolean): void {
  const message = `interrupted by ${signal}; nothing was written`;
  if (json) io.stdout.write(`${errorJson('interrupted', message)}\n`);
  else if (interactive) p.cancel(`Interrupted (${signal}); nothing was written.`, { output: io.stdout });
  else io.stderr.write(`create-cloudrun-app: ${message}\n`);
}

/** --json is known only after parsing; a parse error still answers in JSON when it was asked for. */
function jsonRequested(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

function guardContext(io: MainIO) {
  return {
    cwd: io.cwd,
    homes: [io.env.HOME ?? '', safeAccountHome()],
    packageRoot: path.dirname(BUILTIN_TEMPLATES_DIR),
  };
}

function safeAccountHome(): string {
  try {
    return os.userInfo().homedir;
  } catch {
    return '';
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
