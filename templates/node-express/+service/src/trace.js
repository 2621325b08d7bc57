// Trace correlation: Cloud Run passes the trace of every request in `traceparent` (W3C) and
// `X-Cloud-Trace-Context`. A log entry that names the same trace is shown under that request in
// Logs Explorer and Cloud Trace. The trace's resource name needs the project id.

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;
const CLOUD_TRACE_CONTEXT = /^([0-9a-fA-F]{32})(?:\/(\d{1,20}))?(?:;o=([01]))?/;
const ZERO = /^0+$/;

/**
 * The trace a request belongs to, or undefined when it carries none (or only malformed ones).
 *
 * @param {{ traceparent?: string, cloudTraceContext?: string }} headers
 * @returns {{ traceId: string, spanId?: string, sampled: boolean } | undefined}
 */
export function parseTraceContext({ traceparent, cloudTraceContext }) {
  const w3c = TRACEPARENT.exec(traceparent?.trim() ?? '');
  if (w3c && w3c[1] !== 'ff' && !ZERO.test(w3c[2]) && !ZERO.test(w3c[3])) {
    return { traceId: w3c[2], spanId: w3c[3], sampled: (parseInt(w3c[4], 16) & 1) === 1 };
  }
  // TRACE_ID/SPAN_ID;o=OPTIONS, where SPAN_ID is a decimal number.
  const cloud = CLOUD_TRACE_CONTEXT.exec(cloudTraceContext?.trim() ?? '');
  if (cloud && !ZERO.test(cloud[1])) {
    return { traceId: cloud[1].toLowerCase(), spanId: decimalSpanToHex(cloud[2]), sampled: cloud[3] === '1' };
  }
  return undefined;
}

/** Cloud Logging wants the span id as 16 hex digits. */
function decimalSpanToHex(decimal) {
  if (decimal === undefined) return undefined;
  const span = BigInt(decimal);
  if (span === 0n || span >= 2n ** 64n) return undefined;
  return span.toString(16).padStart(16, '0');
}

/**
 * The special fields that tie a log entry to its trace; none when the project is unknown.
 *
 * @param {string | undefined} projectId
 * @param {ReturnType<typeof parseTraceContext>} trace
 */
export function traceLogFields(projectId, trace) {
  if (!projectId || !trace) return {};
  const fields = {
    'logging.googleapis.com/trace': `projects/${projectId}/traces/${trace.traceId}`,
    'logging.googleapis.com/trace_sampled': trace.sampled,
  };
  if (trace.spanId) fields['logging.googleapis.com/spanId'] = trace.spanId;
  return fields;
}

const METADATA_PROJECT_URL = 'http://metadata.google.internal/computeMetadata/v1/project/project-id';

/**
 * Asks the metadata server for the project id. Only call it on Cloud Run (K_SERVICE is set):
 * anywhere else there is no metadata server and the question would only cost a timeout.
 *
 * @param {{ fetch?: typeof globalThis.fetch, timeoutMs?: number }} [options]
 * @returns {Promise<string>}
 */
export async function lookupProjectId({ fetch = globalThis.fetch, timeoutMs = 3000 } = {}) {
  const response = await fetch(METADATA_PROJECT_URL, {
    headers: { 'Metadata-Flavor': 'Google' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`metadata server answered ${response.status}`);
  const projectId = (await response.text()).trim();
  if (!projectId) throw new Error('metadata server returned an empty project id');
  return projectId;
}
