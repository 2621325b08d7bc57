// Health endpoints for Cloud Run's probes (service.yaml): the startup probe asks /health/ready
// before any request is routed to the instance, the liveness probe asks /health/live. They are
// mounted before the request log, so probes never fill the logs. (Cloud Run reserves paths that
// end in `z`, such as /healthz.)

import { Router } from 'express';

export const READY_PATH = '/health/ready';
export const LIVE_PATH = '/health/live';

/**
 * @param {{ isDraining: () => boolean }} options isDraining: true once SIGTERM has started the drain
 * @returns {import('express').Router}
 */
export function healthRoutes({ isDraining }) {
  const router = Router();
  // Not ready while draining: the instance is on its way out and takes no new work.
  router.get(READY_PATH, (_req, res) => {
    if (isDraining()) {
      res.status(503).json({ error: { code: 503, status: 'UNAVAILABLE', message: 'draining' } });
      return;
    }
    res.json({ status: 'ok' });
  });
  // Alive as long as the process answers at all, draining or not.
  router.get(LIVE_PATH, (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.all([READY_PATH, LIVE_PATH], (req, res) => {
    res.set('Allow', 'GET, HEAD');
    res
      .status(405)
      .json({ error: { code: 405, status: 'METHOD_NOT_ALLOWED', message: `${req.method} is not allowed here` } });
  });
  return router;
}
