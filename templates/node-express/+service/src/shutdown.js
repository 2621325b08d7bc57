// Signal handling for a graceful stop. Cloud Run sends SIGTERM, then SIGKILL 10 seconds later;
// Ctrl-C sends SIGINT. The first signal starts the drain; a second one, or the deadline, ends the
// process at once with status 1, so it never waits to be killed.

/** Comfortably inside Cloud Run's 10 s, leaving time to write the last log lines. */
export const SHUTDOWN_DEADLINE_MS = 8000;

/**
 * @param {() => Promise<void>} drain stops the work; the process exits 0 when it resolves
 * @param {object} options
 * @param {import('./log.js').Logger} options.log
 * @param {() => number} [options.inFlight] how many requests are in flight (for the log)
 * @param {number} [options.deadlineMs]
 * @param {Pick<NodeJS.EventEmitter, 'on' | 'off'>} [options.signals] where signals arrive (process)
 * @param {(code: number) => void} [options.exit]
 * @returns {() => void} removes the handlers
 */
export function exitOnSignal(
  drain,
  {
    log,
    inFlight = () => 0,
    deadlineMs = SHUTDOWN_DEADLINE_MS,
    signals = process,
    exit = (code) => process.exit(code),
  },
) {
  let stopping = false;

  const onSignal = (signal) => {
    if (stopping) {
      log.error(`received ${signal} again: exiting without waiting for ${inFlight()} request(s)`, { signal });
      exit(1);
      return;
    }
    stopping = true;
    log.info(`received ${signal}: no new connections, draining ${inFlight()} request(s)`, { signal });

    const deadline = setTimeout(() => {
      log.error(`still ${inFlight()} request(s) in flight after ${deadlineMs} ms: exiting`, { signal });
      exit(1);
    }, deadlineMs);
    // The timer must not keep an otherwise finished process alive.
    deadline.unref();

    drain().then(
      () => {
        clearTimeout(deadline);
        log.info('drained: exiting');
        exit(0);
      },
      (error) => {
        clearTimeout(deadline);
        log.error('drain failed: exiting', { error });
        exit(1);
      },
    );
  };

  signals.on('SIGTERM', onSignal);
  signals.on('SIGINT', onSignal);
  return () => {
    signals.off('SIGTERM', onSignal);
    signals.off('SIGINT', onSignal);
  };
}
