// The HTTP server around a request handler (the Express app, or a test's own handler), and how
// it drains: when Cloud Run stops an instance it sends SIGTERM and allows 10 seconds before
// SIGKILL, and every request already accepted should still get its answer.

import http from 'node:http';
import { errorBody } from './http-errors.js';

/** A client must send its request headers within this time (a stalled client is cut off with 408). */
export const HEADERS_TIMEOUT_MS = 10_000;

/**
 * @param {http.RequestListener} handler
 * @param {{ log?: import('./log.js').Logger }} [options]
 */
export function createHttpServer(handler, { log } = {}) {
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
  server.headersTimeout = HEADERS_TIMEOUT_MS;

  // A request Node's HTTP parser refuses before any route sees it (a malformed request, headers
  // over 16 KB, a client too slow to send them) gets the same JSON error shape as the routes'.
  server.on('clientError', (error, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const code = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    log?.warn(`request refused by the HTTP parser: ${code}`, { status: code, reason: error.code });
    const body = JSON.stringify(errorBody(code, http.STATUS_CODES[code] ?? 'bad request'));
    socket.end(
      `HTTP/1.1 ${code} ${http.STATUS_CODES[code]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
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
        // keep-alive timeout (5 s) and hold the drain up: close them now (server.close() does so
        // too). They carry no request, so none is lost: the client sees the close before it
        // sends another request, and opens a new connection, which is refused.
        server.closeIdleConnections();
      });
      return drained;
    },
  };
}

/** @typedef {ReturnType<typeof createHttpServer>} HttpServer */
