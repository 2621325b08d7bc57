// Structured logging for Cloud Run: one JSON object per line on stdout.
//
// Cloud Run hands every line to Cloud Logging, which reads `severity` and `message` (and the
// `logging.googleapis.com/*` fields) from it and keeps everything else as the entry's jsonPayload,
// so fields such as `taskIndex` or `status` can be filtered on. No logging library is needed for
// that, and writing to stdout keeps the process free of any network calls to the Logging API.

/** @typedef {'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL'} Severity */

/**
 * @param {object} [options]
 * @param {Record<string, unknown>} [options.fields] fields added to every entry (see `child`)
 * @param {(line: string) => void} [options.write] where a line goes; stdout unless a test says otherwise
 */
export function createLogger({ fields = {}, write = (line) => process.stdout.write(`${line}\n`) } = {}) {
  /**
   * @param {Severity} severity
   * @param {string} message
   * @param {Record<string, unknown>} [extra]
   */
  const emit = (severity, message, extra = {}) => {
    const { error, ...rest } = extra;
    const entry = { severity, message, time: new Date().toISOString(), ...fields, ...rest };
    Object.assign(entry, { severity, message }); // a field named like these must not replace them
    if (error instanceof Error) {
      // Error Reporting groups entries by the stack trace it finds in `stack_trace`.
      entry.error = error.message;
      entry.stack_trace = error.stack;
    } else if (error !== undefined) {
      entry.error = String(error);
    }
    write(serialize(entry));
  };

  return {
    debug: (message, extra) => emit('DEBUG', message, extra),
    info: (message, extra) => emit('INFO', message, extra),
    warn: (message, extra) => emit('WARNING', message, extra),
    error: (message, extra) => emit('ERROR', message, extra),
    critical: (message, extra) => emit('CRITICAL', message, extra),
    /** A logger whose entries all carry `more` too (a request's trace, a task's index). */
    child: (more) => createLogger({ fields: { ...fields, ...more }, write }),
  };
}

/** @typedef {ReturnType<typeof createLogger>} Logger */

/** JSON on one line; a value JSON cannot hold (a cycle, a BigInt) must not lose the entry. */
function serialize(entry) {
  try {
    return JSON.stringify(entry);
  } catch (error) {
    return JSON.stringify({
      severity: entry.severity,
      message: entry.message,
      time: entry.time,
      logError: `fields dropped: ${error.message}`,
    });
  }
}
