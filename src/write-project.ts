/**
 * The write step of the pipeline: lock the target, ask before replacing a non-empty folder (only
 * in interactive mode, never for a refused one), then write. The write stays pending until the
 * caller commits it after reporting. File-system failures come back as one line.
 */
import type { Readable, Writable } from 'node:stream';
import { holdTarget, TargetError, type Hold } from './fs/hold.js';
import { pauseHook } from './fs/pause.js';
import { targetProblem } from './fs/target.js';
import { writePlan, type PendingWrite } from './fs/write.js';
import { UsageError, type Options } from './options.js';
import type { Result } from './report.js';
import { throwIfInterrupted } from './signals.js';

export interface WriteContext {
  /** The prompt module when the run is interactive (loaded only then). */
  readonly ui: typeof import('./cli/prompts.js') | undefined;
  /** Why --overwrite may not touch this target (guard.ts); the question is then not asked either. */
  readonly refusal: string | undefined;
  readonly promptIO: { readonly input: Readable; readonly output: Writable; readonly signal: AbortSignal };
  readonly signal: AbortSignal;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Last questions, asked once the target is known to be writable (or its overwrite confirmed). */
  readonly beforeWrite?: () => Promise<void>;
}

export async function writeProject(result: Pick<Result, 'options' | 'files'>, context: WriteContext): Promise<PendingWrite> {
  const { options, files } = result;
  let hold: Hold | undefined;
  try {
    hold = holdTarget(options.targetDir, options.displayDir);
    const problem = targetProblem(hold.state, options.overwrite, options.displayDir);
    if (problem) {
      if (!(context.ui && hold.state.kind === 'non-empty')) throw new UsageError(problem);
      if (context.refusal) throw new UsageError(context.refusal);
      await context.ui.confirmOverwrite(options.displayDir, hold.state.entries.length, context.promptIO);
    }
    await context.beforeWrite?.();
    throwIfInterrupted(context.signal);
    // No spinner here: clack's spinner takes over the terminal and exits 0 on Ctrl-C.
    context.ui?.clack.log.step(`Writing ${files.length} files to ${options.displayDir}`, { output: context.promptIO.output });
    return await writePlan(files, hold, { signal: context.signal, pause: pauseHook(context.env) });
  } catch (error) {
    hold?.release(true);
    throw inWords(error, options);
  }
}

/** A file-system failure during the write, in words; everything was rolled back by then. */
function inWords(error: unknown, options: Pick<Options, 'displayDir'>): unknown {
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
