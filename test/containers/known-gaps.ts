/**
 * Rows of the behaviour table a built-in template does not meet yet, each with the measured
 * reason. A check listed here must FAIL for that template (the test asserts it), so the day it
 * passes the entry has to go: a gap can neither hide a regression nor outlive its fix. The
 * README's behaviour table names the same gaps.
 */
import type { CheckId } from '../support/report.js';

export const KNOWN_GAPS: Readonly<Record<string, Partial<Record<CheckId, string>>>> = {
  'ruby-sinatra': {
    'hostile:body-limit':
      "Puma 6.6 applies http_content_length_limit to Content-Length only: a chunked upload is written whole to /tmp (memory on Cloud Run) before the app runs (Puma 7+ counts chunked bodies against the same limit). And Puma closes the connection as soon as its 413 is written, so a client still sending can get a reset instead of the 413 (1 of 4 in some runs)",
    'hostile:error-shape': "Puma 6.6 answers its own 413 as plain text; from Puma 7 on it goes through lowlevel_error_handler, which answers JSON",
    'hostile:logs':
      "Puma's error logger writes plain-text lines to stderr (a malformed request, headers over Puma's limit, a full /tmp while a chunked upload is spooled) and offers no public hook to format them",
  },
};
