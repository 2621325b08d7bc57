/**
 * Rows of the behaviour table a built-in template does not meet yet, each with the measured
 * reason. A check listed here must FAIL for that template (the test asserts it), so the day it
 * passes the entry has to go: a gap can neither hide a regression nor outlive its fix. The
 * README's behaviour table names the same gaps.
 */
import type { CheckId } from '../support/report.js';

export const KNOWN_GAPS: Readonly<Record<string, Partial<Record<CheckId, string>>>> = {
  'python-flask': {
    'hostile:slow-clients':
      "gunicorn's gthread worker reads a request on one of its 8 threads with a blocking socket and no timeout: 8 clients that trickle their headers or body hold every thread, and gunicorn has no public setting that bounds it (a server change is needed: an event-loop worker such as gunicorn's own asgi worker with an ASGI framework)",
  },
  'ruby-sinatra': {
    'hostile:error-shape':
      "Puma 8.0 writes its own 413 (a body over http_content_length_limit) as plain text `Payload Too Large`: unlike its other errors, that one does not go through lowlevel_error_handler",
    'hostile:logs':
      "Puma's error logger writes plain-text lines to stderr (a malformed request, a body over its limit, headers over its limit) and offers no public hook to format them",
  },
};
