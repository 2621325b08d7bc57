// Structured logging for Cloud Run: one JSON object per line on stdout.
//
// Cloud Run hands every line to Cloud Logging, which reads `severity` and `message` (and the
// `logging.googleapis.com/*` fields) from it and keeps everything else as the entry's jsonPayload,
// so fields such as `taskIndex` or `status` can be filtered on. No logging library is needed for
// that, and writing to stdout keeps the process free of any network calls to the Logging API.
// LOG_FORMAT=pretty (`npm run dev` sets it) prints one readable line per entry instead.

/** @typedef {'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL'} Severity */

/** String fields longer than this are cut, and `<field>Truncated: true` says so. */
const MAX_FIELD_CHARS = 1024;
const MAX_MESSAGE_CHARS = 8192;
/** Cloud Logging takes entries up to 256 KB; a larger one is replaced by a short one. */
const MAX_LINE_BYTES = 250 * 1024;

/** The values LOG_FORMAT may take; unset means json. */
export const LOG_FORMATS = ['json', 'pretty'];

/** Checks LOG_FORMAT (the configuration calls it, so a typo stops the start like any bad setting). */
export function parseLogFormat(value) {
  if (value === undefined || value === '') return 'json';
  if (!LOG_FORMATS.includes(value)) throw new Error(`LOG_FORMAT must be json or pretty, got "${value}"`);
  return value;
}

/**
 * @param {object} [options]
 * @param {Record<string, unknown>} [options.fields] fields added to every entry (see `child`)
 * @param {'json' | 'pretty'} [options.format] LOG_FORMAT: json (Cloud Logging) unless it says pretty
 * @param {(line: string) => void} [options.write] where a line goes; stdout unless a test says otherwise
 */
export function createLogger({
  fields = {},
  format = process.env.LOG_FORMAT === 'pretty' ? 'pretty' : 'json',
  write = (line) => process.stdout.write(`${line}\n`),
} = {}) {
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
    capStrings(entry);
    write(format === 'pretty' ? pretty(entry) : serialize(entry));
  };

  return {
    debug: (message, extra) => emit('DEBUG', message, extra),
    info: (message, extra) => emit('INFO', message, extra),
    warn: (message, extra) => emit('WARNING', message, extra),
    error: (message, extra) => emit('ERROR', message, extra),
    critical: (message, extra) => emit('CRITICAL', message, extra),
    /** A logger whose entries all carry `more` too (a request's trace, a task's index). */
    child: (more) => createLogger({ fields: { ...fields, ...more }, format, write }),
  };
}

/** @typedef {ReturnType<typeof createLogger>} Logger */

/** Cuts long string fields (a request's path or User-Agent comes from the client) and marks them. */
function capStrings(entry) {
  for (const [key, value] of Object.entries(entry)) {
    if (typeof value !== 'string' || key === 'stack_trace') continue;
    const max = key === 'message' ? MAX_MESSAGE_CHARS : MAX_FIELD_CHARS;
    if (value.length > max) {
      entry[key] = value.slice(0, max);
      entry[`${key}Truncated`] = true;
    }
  }
}

/**
 * JSON on one line. JSON.stringify leaves U+2028, U+2029 and U+0085 raw, and some log readers
 * split lines on them: they are escaped. A value JSON cannot hold (a cycle, a BigInt) or an entry
 * over Cloud Logging's size limit must not lose the entry: a short one says what happened.
 */
function serialize(entry) {
  let line;
  try {
    line = JSON.stringify(entry);
  } catch (error) {
    line = short(entry, `fields dropped: ${error.message}`);
  }
  if (Buffer.byteLength(line) > MAX_LINE_BYTES) line = short(entry, 'fields dropped: the entry was larger than 250 KB');
  return escapeLineSeparators(line);
}

function escapeLineSeparators(text) {
  return text.replace(/[\u2028\u2029\u0085]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function short(entry, logError) {
  return JSON.stringify({
    severity: entry.severity,
    message: String(entry.message).slice(0, 1024),
    time: entry.time,
    logError,
  });
}

/** For people: `12:00:00.000 INFO    message  key=value ...` on one line (no stack trace). */
function pretty({ severity, message, time, ...fields }) {
  delete fields.stack_trace;
  const pairs = Object.entries(fields)
    .filter(([, value]) => value !== undefined) // as in JSON, where they are left out
    .map(([key, value]) => `${key}=${prettyValue(value)}`);
  // JSON escapes keep control characters from a client (in a path, a header) on this one line.
  const text = JSON.stringify(String(message)).slice(1, -1);
  return escapeLineSeparators([`${time.slice(11, 23)} ${severity.padEnd(8)}${text}`, ...pairs].join('  '));
}

function prettyValue(value) {
  if (typeof value === 'string' && /^[\w./:@-]+$/.test(value)) return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
