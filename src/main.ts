/**
 * The whole pipeline, visible in one place:
 * argv -> parse -> prompt for what is missing -> one readonly Options -> template -> plan files in
 * memory -> check the target -> write -> next steps. Returns the exit status; nothing below main()
 * exits the process.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { parseArgs, writeHelp } from './cli/args.js';
import { CancelledError } from './cli/cancelled.js';
import { describeError, guardContext, jsonRequested } from './failures.js';
import { overwriteRefusal } from './fs/guard.js';
import { inspectTarget, targetProblem } from './fs/target.js';
import { readGcloudDefaults } from './gcloud-config.js';
import { matchTemplates, resolveOptions, UsageError, type Answers, type RawArgs } from './options.js';
import { StdoutError, writeOut } from './output.js';
import { detectPackageManager, PACKAGE_MANAGER_LANGUAGE } from './package-manager.js';
import { PACKAGE_ROOT } from './package-root.js';
import { choosePostSteps, planPostSteps, postStepLines, postStepOffer, runPostSteps } from './post/steps.js';
import { nextStepLines, planFiles, renderNextSteps } from './render/plan.js';
import { createdText, dryRunText, errorJson, resultJson, templateListJson, templateListText, type Result } from './report.js';
import { installSignalGate, InterruptedError, SIGNAL_EXIT_CODES, type StopSignal } from './signals.js';
import { listTemplates, loadTemplate, looksLikePath, type Template } from './templates/registry.js';
import { writeProject } from './write-project.js';

export interface MainIO {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable;
  /** Ends the process at once; used for a signal that arrives while nothing needs undoing. */
  readonly exit: (code: number) => void;
}

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_CANCELLED = 130; // as a shell reports Ctrl-C

const VERSION: string = JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')).version;

export async function main(io: MainIO): Promise<number> {
  let interactive = false;
  let ui: typeof import('./cli/prompts.js') | undefined; // the prompt library, loaded only to prompt
  let json = jsonRequested(io.argv);
  let written = false;
  const gate = installSignalGate((signal) => {
    if (!written) reportSignal(signal, io, json, ui);
    io.exit(SIGNAL_EXIT_CODES[signal]);
  });
  try {
    const parsed = parseArgs(io.argv, VERSION, (text) => io.stdout.write(text));
    if (parsed.kind === 'done') return EXIT_OK;
    const builtins = await listTemplates();
    if (parsed.kind === 'help') {
      // On a terminal the help fits its width; anywhere else it keeps 80 columns.
      writeHelp(VERSION, builtins, (text) => io.stdout.write(text), io.stdout.isTTY ? io.stdout.columns : undefined);
      return EXIT_OK;
    }
    json = parsed.args.json;
    if (parsed.args.listTemplates) {
      await writeOut(io.stdout, parsed.args.json ? `${templateListJson(builtins)}\n` : templateListText(builtins));
      return EXIT_OK;
    }
    const { args, templates } = await withCustomTemplate(parsed.args, builtins, io.cwd);
    interactive = isInteractive(args, io);
    const promptIO = {
      get input() {
        return io.stdin; // read only by a prompt (see index.ts)
      },
      output: io.stdout,
      signal: gate.signal,
    };
    if (interactive) ui = await import('./cli/prompts.js');

    let answers: Answers = {};
    if (ui) {
      ui.clack.intro('create-cloudrun-app', promptIO);
      answers = await ui.askForMissing(args, matchTemplates(args, templates), promptIO, readGcloudDefaults(io.env));
    }
    const detected = detectPackageManager(io.env.npm_config_user_agent);
    const options = resolveOptions(args, answers, templates, io.cwd, detected.packageManager);
    // Said once the project is written, so that bad input still gets exactly one line on stderr.
    const note = args.packageManager === undefined && options.template.manifest.language === PACKAGE_MANAGER_LANGUAGE ? detected.note : undefined;
    // Needed by --overwrite, and to keep the interactive question from being asked; only then worked out.
    const refusal = options.overwrite || ui ? overwriteRefusal(options.targetDir, guardContext(io.cwd, io.env)) : undefined;
    if (refusal && options.overwrite) throw new UsageError(refusal);
    // Every text of the template (files, next steps, install commands) is rendered before anything
    // is written, so that a template that does not render fails with nothing written, dry run or not.
    const files = await planFiles(options);
    const steps = await renderNextSteps(options);
    const postPlan = await planPostSteps(options, io.env, { git: args.git !== false, install: args.install ?? interactive });
    if (options.dryRun) {
      const problem = targetProblem(await inspectTarget(options.targetDir), options.overwrite, options.displayDir);
      if (problem) throw new UsageError(problem);
      const result: Result = { options, files, nextSteps: nextStepLines(options.displayDir, steps) };
      await writeOut(io.stdout, options.json ? `${resultJson(result)}\n` : dryRunText(result));
      return EXIT_OK;
    }
    let choice = choosePostSteps(args, {}, interactive);
    // Every question comes before the write, so Ctrl-C at any of them still writes nothing.
    const askPostSteps = async () => {
      if (ui) choice = choosePostSteps(args, await ui.askPostSteps(postStepOffer(args, postPlan), promptIO), interactive);
    };

    // From inspection to the end of the write the target is locked and signals are deferred.
    await gate.hold(async () => {
      const pending = await writeProject({ options, files }, { ui, refusal, promptIO, signal: gate.signal, env: io.env, beforeWrite: askPostSteps });
      pending.commit();
      written = true;
    });
    // Steps that only add to the finished project: installing dependencies, then git init.
    const p = ui?.clack;
    if (note) {
      if (p) p.log.info(note, promptIO);
      else io.stderr.write(`create-cloudrun-app: note: ${note}\n`);
    }
    const post = await runPostSteps(options, postPlan, choice, {
      env: io.env,
      ...(p ? { progress: (message) => startSpinner(p, message, io.stdout) } : { log: io.stderr }),
    });
    const installed = post.install.status === 'done';
    const result: Result = { options, files, post, choice, nextSteps: nextStepLines(options.displayDir, steps, installed ? [] : post.install.commands) };
    if (options.json) await writeOut(io.stdout, `${resultJson(result)}\n`);
    else if (p) {
      for (const line of postStepLines(post, choice)) p.log.info(line, promptIO);
      p.note(result.nextSteps.join('\n'), 'Next steps', promptIO);
      p.outro(`Your Cloud Run ${options.type} is ready.`, promptIO);
    } else await writeOut(io.stdout, createdText(result));
    if (post.install.status === 'failed') {
      io.stderr.write(`create-cloudrun-app: error: installing dependencies failed: ${post.install.reason} (the project is written)\n`);
      return EXIT_ERROR;
    }
    return gate.received ? SIGNAL_EXIT_CODES[gate.received] : EXIT_OK;
  } catch (error) {
    const signal = error instanceof InterruptedError ? error.signal : gate.received;
    if (signal) return reportSignal(signal, io, json, ui), SIGNAL_EXIT_CODES[signal];
    if (error instanceof StdoutError) return EXIT_ERROR; // nowhere left to say anything
    if (error instanceof CancelledError) {
      if (json) io.stdout.write(`${errorJson('cancelled', error.message)}\n`);
      else if (ui) ui.clack.cancel('Cancelled; nothing was written.', { output: io.stdout });
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

function reportSignal(signal: StopSignal, io: MainIO, json: boolean, ui: typeof import('./cli/prompts.js') | undefined): void {
  const message = `interrupted by ${signal}; nothing was written`;
  if (json) io.stdout.write(`${errorJson('interrupted', message)}\n`);
  else if (ui) ui.clack.cancel(`Interrupted (${signal}); nothing was written.`, { output: io.stdout });
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

function startSpinner(p: typeof import('./cli/prompts.js').clack, message: string, output: Writable) {
  const spinner = p.spinner({ output });
  spinner.start(message);
  return { stop: (text: string, failed: boolean) => (failed ? spinner.error(text) : spinner.stop(text)) };
}

function isInteractive(args: RawArgs, io: MainIO): boolean {
  const ci = io.env.CI !== undefined && io.env.CI !== '' && io.env.CI !== '0' && io.env.CI !== 'false';
  return !args.yes && !args.json && !ci && Boolean(io.stdin.isTTY) && Boolean(io.stdout.isTTY);
}
