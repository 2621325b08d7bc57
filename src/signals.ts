/**
 * SIGINT and SIGTERM. Before and after the write there is nothing to undo, so a signal ends the run
 * at once with the shell's status (130, 143). While the target is held (from inspection to the
 * end of the write) a signal only raises a flag: the write checks it between steps, rolls back
 * and returns, so an interrupted write never leaves a half-replaced folder or a staging folder.
 */

export type StopSignal = 'SIGINT' | 'SIGTERM';

export const SIGNAL_EXIT_CODES: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Thrown by a step that saw a signal; main() turns it into 130 or 143. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
  constructor(readonly signal: StopSignal) {
    super(`interrupted by ${signal}; nothing was changed`);
  }
}

export interface SignalGate {
  /** Aborted (with the signal's name as reason) when a signal arrives inside `hold()`. */
  readonly signal: AbortSignal;
  /** Runs `task` with signals deferred; a signal that arrived meanwhile is still reported afterwards. */
  hold<T>(task: () => Promise<T>): Promise<T>;
  /** The signal that arrived while held, if any. */
  readonly received: StopSignal | undefined;
  dispose(): void;
}

/**
 * Installs the handlers. `stopNow` is called for a signal outside `hold()`; it must end the
 * process (index.ts passes process.exit after reporting).
 */
export function installSignalGate(stopNow: (signal: StopSignal) => void): SignalGate {
  const controller = new AbortController();
  let depth = 0;
  let received: StopSignal | undefined;
  const onSignal = (signal: StopSignal) => {
    if (depth === 0) return stopNow(signal);
    received ??= signal;
    controller.abort(signal);
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    async hold(task) {
      depth += 1;
      try {
        return await task();
      } finally {
        depth -= 1;
      }
    },
    dispose() {
      process.removeListener('SIGINT', onInt);
      process.removeListener('SIGTERM', onTerm);
    },
  };
}

/** Throws InterruptedError when a signal has arrived; called between the steps of a write. */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError(signal.reason as StopSignal);
}
