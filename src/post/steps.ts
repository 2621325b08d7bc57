/**
 * The steps after writing: the dependency install, then git init with a first commit. Decided
 * before anything is written (flags, then answers, then defaults), run after the files are in
 * place, and reported as data for the text, interactive and JSON outputs.
 *
 * Defaults: git yes (local, quick, and deploy.sh tags images with the commit), skipped inside an
 * existing repository; install asked interactively (default yes) and off without a terminal or
 * with --yes, because it needs the network and time a script did not ask for: --install opts in.
 */
import type { Writable } from 'node:stream';
import type { Options, RawArgs } from '../options.js';
import { gitSkipReason, initRepository, type GitOutcome } from './git.js';
import { commandText, planInstall, runInstall, type InstallPlan } from './install.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface PostStepPlan {
  /** Why git init cannot run for this target (existing repository, no git), if so. */
  readonly gitSkip: string | undefined;
  readonly install: InstallPlan;
}

export type InstallReport =
  | { readonly status: 'done'; readonly commands: readonly string[] }
  | { readonly status: 'skipped'; readonly commands: readonly string[]; readonly reason: string }
  | { readonly status: 'failed'; readonly commands: readonly string[]; readonly reason: string; readonly output: string };

export interface PostStepReport {
  readonly git: GitOutcome;
  readonly install: InstallReport;
}

/**
 * `mayRun`: the steps that can still run. One a flag turned off, or an install that nobody will be
 * asked about, is not looked into (no search of PATH for its program).
 */
export async function planPostSteps(options: Options, env: Env, mayRun: { readonly git: boolean; readonly install: boolean }): Promise<PostStepPlan> {
  return { gitSkip: mayRun.git ? gitSkipReason(options.targetDir, env) : undefined, install: await planInstall(options, env, mayRun.install) };
}

/** What is worth asking: only what no flag decided and what can run here. */
export function postStepOffer(args: Pick<RawArgs, 'git' | 'install' | 'dryRun'>, plan: PostStepPlan): { git: boolean; install?: string } {
  const canInstall = !args.dryRun && args.install === undefined && plan.install.toolPath !== undefined;
  return {
    git: !args.dryRun && args.git === undefined && plan.gitSkip === undefined,
    ...(canInstall ? { install: plan.install.commands.map(commandText).join(' && ') } : {}),
  };
}

export interface PostStepChoice {
  readonly git: boolean;
  readonly install: boolean;
}

/** Flags win, then answers; unasked, an interactive run wants the install (so a missing tool is said). */
export function choosePostSteps(args: Pick<RawArgs, 'git' | 'install'>, answers: Partial<PostStepChoice>, interactive: boolean): PostStepChoice {
  return { git: args.git ?? answers.git ?? true, install: args.install ?? answers.install ?? interactive };
}

export interface PostStepIO {
  readonly env: Env;
  /** Where the install tool's own output goes as it runs (stderr for a script; none under a spinner). */
  readonly log?: Writable;
  /** Shown while the install runs. */
  readonly progress?: (message: string) => { stop(message: string, failed: boolean): void };
}

export async function runPostSteps(
  options: Pick<Options, 'targetDir' | 'dryRun'>,
  plan: PostStepPlan,
  choice: PostStepChoice,
  io: PostStepIO,
): Promise<PostStepReport> {
  const commands = plan.install.commands.map(commandText);
  const skipped = (reason: string): InstallReport => ({ status: 'skipped', commands, reason });
  let install: InstallReport;
  if (options.dryRun) install = skipped('dry run');
  else if (!choice.install) install = skipped('not requested (--install runs it)');
  else if (commands.length === 0) install = skipped('the template has no install commands');
  else if (plan.install.toolPath === undefined) install = skipped(`${plan.install.tool} is not on PATH`);
  else {
    const shown = commands.join(' && ');
    const spinner = io.progress?.(`Installing dependencies (${shown})`);
    const outcome = await runInstall(plan.install, options.targetDir, io.env, io.log);
    spinner?.stop(outcome.status === 'done' ? `Installed dependencies (${shown})` : `${outcome.command}: ${outcome.reason}`, outcome.status !== 'done');
    install = outcome.status === 'done' ? { status: 'done', commands } : { status: 'failed', commands, reason: `${outcome.command}: ${outcome.reason}`, output: outcome.output };
  }
  // After the install, so the first commit holds the lockfile it wrote (package-lock.json, Gemfile.lock).
  const git: GitOutcome = options.dryRun
    ? { status: 'skipped', reason: 'dry run' }
    : !choice.git
      ? { status: 'skipped', reason: 'not requested (--no-git)' }
      : plan.gitSkip !== undefined
        ? { status: 'skipped', reason: plan.gitSkip }
        : await initRepository(options.targetDir, io.env);
  return { git, install };
}

/** One line per step that was asked for or is worth knowing about; none for a step nobody wanted. */
export function postStepLines(report: PostStepReport, choice: PostStepChoice): string[] {
  const lines: string[] = [];
  const { git, install } = report;
  if (git.status === 'created') lines.push(`git: initialised, first commit ${git.commit.slice(0, 7)}`);
  else if (git.status === 'failed') lines.push(`git: not initialised (${git.reason})`);
  else if (choice.git && git.reason !== 'dry run') lines.push(`git: skipped (${git.reason})`);
  if (install.status === 'done') lines.push(`dependencies: installed (${install.commands.join(' && ')})`);
  else if (install.status === 'failed') lines.push(`dependencies: install failed (${install.reason}); run it again in the project folder`);
  else if (choice.install && install.reason !== 'dry run') lines.push(`dependencies: not installed (${install.reason}); see the next steps`);
  return lines;
}
