// Every error response of the service has one shape, Google's (AIP-193):
//   {"error": {"code": 413, "status": "PAYLOAD_TOO_LARGE", "message": "..."}}
// `code` is the HTTP status, `status` its canonical name, `message` text for a human.

/** Canonical names of the statuses this service sends. */
export const STATUS_NAMES = {
  400: 'INVALID_ARGUMENT',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  431: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/**
 * The JSON body of an error response.
 * @param {number} code
 * @param {string} message
 */
export function errorBody(code, message) {
  return { error: { code, status: STATUS_NAMES[code] ?? (code >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT'), message } };
}

/**
 * Sends an error response in the one shape.
 * @param {import('node:http').ServerResponse} res
 * @param {number} code
 * @param {string} message
 */
export function sendError(res, code, message) {
  const body = JSON.stringify(errorBody(code, message));
  res.statusCode = code;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

/**
 * Express route handler for a known path asked with a method it does not serve: 405 with the
 * methods it does serve in Allow.
 * @param {string[]} methods
 * @returns {import('express').RequestHandler}
 */
export function methodNotAllowed(methods) {
  const allow = methods.join(', ');
  return (req, res) => {
    res.setHeader('Allow', allow);
    sendError(res, 405, `${req.method} is not allowed here; allowed: ${allow}`);
  };
}
