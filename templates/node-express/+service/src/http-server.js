// The HTTP server around a request handler (the Express app, or a test's own handler), and how
// it drains: when Cloud Run stops an instance it sends SIGTERM and allows 10 seconds before
// SIGKILL, and every request already accepted should still get its answer.

import http from 'node:http';

/**
 * @param {http.RequestListener} handler
 */
export function createHttpServer(handler) {
  /** Responses not yet finished: the requests in flight. */
  const inFlight = new Set();
  let draining = false;
  /** @type {Promise<void> | undefined} */
  let drained;

  const server = http.createServer((req, res) => {
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      // Its keep-alive connection is idle now: close it rather than wait for another request.
      if (draining) server.closeIdleConnections();
    });
    // A request that still arrives on an open keep-alive connection is served, but it is the last.
    if (draining) res.setHeader('Connection', 'close');
    handler(req, res);
  });

  return {
    server,

    /** Number of requests being served right now. */
    get inFlight() {
      return inFlight.size;
    },

    /**
     * Listens on host:port; resolves with the bound address (port 0 picks a free port).
     * @param {number} port
     * @param {string} host
     * @returns {Promise<import('node:net').AddressInfo>}
     */
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(/** @type {import('node:net').AddressInfo} */ (server.address()));
        });
      });
    },

    /**
     * Stops accepting connections and resolves once every request in flight has been answered
     * and every connection is closed. Calling it again returns the same promise.
     * @returns {Promise<void>}
     */
    drain() {
      drained ??= new Promise((resolve, reject) => {
        draining = true;
        if (!server.listening) return resolve();
        // Stop accepting; the callback runs when the last connection has closed.
        server.close((error) => (error ? reject(error) : resolve()));
        // Responses still being prepared tell their keep-alive client not to send another
        // request on this connection; Node closes it once the response is sent.
        for (const res of inFlight) {
          if (!res.headersSent) res.setHeader('Connection', 'close');
        }
        // Keep-alive connections with no request on them would otherwise stay open until the
        // keep-alive timeout (5 s) and hold the drain up: close them now.
        server.closeIdleConnections();
      });
      return drained;
    },
  };
}

/** @typedef {ReturnType<typeof createHttpServer>} HttpServer */
