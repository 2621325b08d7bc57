// The Express application: routes only. Listening, draining and signals live elsewhere, so the
// tests can run this app (or any other handler) in-process.
//
// Note for new routes: Cloud Run reserves paths that end in `z` (such as /healthz); the health
// endpoints of the probes are in health.js.

import express from 'express';
import { DEFAULT_MAX_BODY_BYTES } from './config.js';
import { healthRoutes } from './health.js';
import { errorBody, methodNotAllowed, sendError } from './http-errors.js';
import { jsonBody } from './json-body.js';
import { requestLog } from './request-log.js';

/** Bodies up to this size are logged whole; larger ones only by size. */
const LOGGED_BODY_BYTES = 4096;
/** JSON nested deeper than this is refused with 400 (a real event is a few levels deep). */
const MAX_JSON_DEPTH = 64;

/**
 * @param {object} options
 * @param {import('./log.js').Logger} options.log
 * @param {() => string | undefined} options.projectId the project, once known (for trace fields)
 * @param {{ service?: string, revision?: string, configuration?: string }} [options.runtime] K_* values
 * @param {number} [options.maxBodyBytes] larger request bodies are refused with 413 (MAX_BODY_BYTES)
 * @param {() => boolean} [options.isDraining] true once the drain has begun (/health/ready then answers 503)
 */
export function createApp({
  log,
  projectId,
  runtime = {},
  maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
  isDraining = () => false,
}) {
  const app = express();
  app.disable('x-powered-by');
  app.use(healthRoutes({ isDraining })); // before the request log: probes are not logged
  app.use(requestLog({ log, projectId }));

  app.get('/', (_req, res) => {
    res.json({
      message: 'Hello from Cloud Run!',
      // Undefined values are left out of the JSON, so a local run shows only the message.
      service: runtime.service,
      revision: runtime.revision,
      configuration: runtime.configuration,
    });
  });

  // An event delivered by push: a Pub/Sub push subscription, Eventarc, Cloud Scheduler, a webhook.
  // Every body is parsed as JSON, whatever its Content-Type, and read completely before answering.
  app.post('/', jsonBody({ limit: maxBodyBytes, maxDepth: MAX_JSON_DEPTH }), (req, res) => {
    const event = describeEvent(req);
    req.log.info(`received ${event.kind} event`, {
      event,
      ...(req.bodyBytes <= LOGGED_BODY_BYTES ? { body: req.body } : { bodyBytes: req.bodyBytes }),
    });
    // Any 2xx tells Pub/Sub and Eventarc the event was handled; anything else makes them retry.
    res.json({ received: true, kind: event.kind, id: event.id });
  });

  // A known path asked with another method: 405. Add a line like this for each of your paths.
  app.all('/', methodNotAllowed(['GET', 'HEAD', 'POST']));

  app.use((req, res) => {
    sendError(res, 404, `no route for ${req.method} ${req.path.slice(0, 200)}`);
  });

  // Express 5 sends errors thrown in (or rejected by) any handler here.
  app.use((error, req, res, next) => {
    if (res.headersSent) return next(error); // too late for a JSON answer: Express closes the connection
    const status = Number.isInteger(error.status) && error.status >= 400 ? error.status : 500;
    const logger = req.log ?? log;
    if (status >= 500) logger.error(`${req.method} ${req.path} failed`, { error });
    else logger.warn(`${req.method} ${req.path} refused: ${error.message}`);
    // Messages of client errors are safe to show; server errors are not.
    res
      .status(status)
      .json(errorBody(status, status < 500 && error.expose !== false ? error.message : 'internal error'));
  });

  return app;
}

/**
 * What kind of event arrived, so the log line says more than "a POST".
 * @param {import('express').Request} req
 */
function describeEvent(req) {
  // Eventarc delivers CloudEvents in binary mode: the attributes travel as ce-* headers.
  const ceId = req.get('ce-id');
  if (ceId) return { kind: 'cloudevent', id: ceId, type: req.get('ce-type'), source: req.get('ce-source') };
  const message = req.body?.message;
  if (typeof message?.messageId === 'string') {
    return { kind: 'pubsub', id: message.messageId, subscription: req.body.subscription };
  }
  return { kind: 'json', id: undefined };
}
