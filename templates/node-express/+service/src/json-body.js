// Reads a request body as JSON with limits, before any route sees it:
// - a body larger than `limit` is refused with 413 as soon as that is known: at once when its
//   Content-Length says so (nothing is read), or when the bytes received pass the limit (a
//   chunked upload). Then nothing more is read, so TCP flow control stops the client within a
//   few MB; the connection stays open LINGER_MS for the client to read the 413 (closing a socket
//   that has unread data makes the kernel reset the connection, and the reset can destroy the
//   413 before the client reads it), then it closes;
// - a body that is empty, not UTF-8, not JSON (NaN and Infinity are not JSON) or nested deeper
//   than `maxDepth` is refused with 400.
// express.json() reads an oversize body to its end before answering, hence this middleware.

import { sendError } from './http-errors.js';

const LINGER_MS = 1000;

/**
 * @param {{ limit: number, maxDepth: number }} options
 * @returns {import('express').RequestHandler}
 */
export function jsonBody({ limit, maxDepth }) {
  return (req, res, next) => {
    const refuse = (code, message) => {
      // Read no more of the body: TCP flow control holds the client back. (read(0) marks the
      // body as consumed, or Node would read the rest of it to reuse the connection.)
      req.pause();
      req.read(0);
      sendError(res, code, message);
      res.once('finish', () => {
        setTimeout(() => {
          if (!req.complete) req.socket.destroy();
        }, LINGER_MS).unref();
      });
    };
    const declared = Number(req.get('content-length'));
    if (declared > limit) return refuse(413, `request body larger than ${limit} bytes`);

    const chunks = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        chunks.length = 0;
        refuse(413, `request body larger than ${limit} bytes`);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      const result = parseJson(Buffer.concat(chunks), maxDepth);
      if (result.error) return refuse(400, result.error);
      req.body = result.value;
      req.bodyBytes = size;
      next();
    });
    // The request stream fails only when the client went away mid-body: there is no one left to
    // answer, and the request log says so ("client went away"); not a server error.
    req.on('error', () => {});
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * @param {Buffer} bytes
 * @param {number} maxDepth
 * @returns {{ value?: unknown, error?: string }}
 */
export function parseJson(bytes, maxDepth) {
  let text;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { error: 'the request body must be UTF-8 JSON' };
  }
  if (text.trim() === '') return { error: 'the request body must be JSON, and it is empty' };
  if (nestingDepth(text) > maxDepth) return { error: `the request body is nested deeper than ${maxDepth} levels` };
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: `the request body must be JSON: ${error.message.slice(0, 200)}` };
  }
}

/** How deep arrays and objects nest in JSON text (brackets inside strings do not count). */
export function nestingDepth(text) {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
    else if (c === ']' || c === '}') depth--;
  }
  return deepest;
}
