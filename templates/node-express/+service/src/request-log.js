// Express middleware: gives every request a logger that carries its trace (`req.log`) and logs
// one line when the response has been sent. The logger caps the fields a client controls (path,
// User-Agent) and marks them as truncated.

import { parseTraceContext, traceLogFields } from './trace.js';

/**
 * @param {{ log: import('./log.js').Logger, projectId: () => string | undefined }} options
 * @returns {import('express').RequestHandler}
 */
export function requestLog({ log, projectId }) {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const trace = parseTraceContext({
      traceparent: req.get('traceparent'),
      cloudTraceContext: req.get('x-cloud-trace-context'),
    });
    req.log = log.child(traceLogFields(projectId(), trace));

    res.on('finish', () => {
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      // The path without its query string: a query can carry tokens that logs must not keep.
      req.log[level](`${req.method} ${req.path} ${status}`, {
        method: req.method,
        path: req.path,
        status,
        latencyMs: Math.round(Number(process.hrtime.bigint() - started) / 1e3) / 1e3,
        userAgent: req.get('user-agent'),
      });
    });
    res.on('close', () => {
      if (!res.writableFinished) {
        req.log.warn(`${req.method} ${req.path}: client went away before the response was sent`, {
          method: req.method,
          path: req.path,
        });
      }
    });
    next();
  };
}
