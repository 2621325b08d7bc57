/** The error-shape rule of the hostile tier, on good and bad responses (no engine needed). */
import { describe, expect, it } from 'vitest';
import { errorShapeProblem } from '../../verify/checks/hostile.js';

const json = { 'content-type': 'application/json; charset=utf-8' };

describe('errorShapeProblem', () => {
  it('accepts the one shape', () => {
    expect(errorShapeProblem({ status: 404, headers: json, body: '{"error":{"code":404,"status":"NOT_FOUND","message":"no route"}}' })).toBeNull();
  });
  it.each([
    ['text/plain', { status: 404, headers: { 'content-type': 'text/plain' }, body: '404 page not found' }, /content-type/],
    ['no content type', { status: 413, headers: {}, body: 'Payload Too Large' }, /content-type "none"/],
    ['a bare string error', { status: 404, headers: json, body: '{"error":"not found"}' }, /not \{"error"/],
    ['extra top-level keys', { status: 400, headers: json, body: '{"error":{"code":400,"status":"INVALID_ARGUMENT","message":"x"},"x":1}' }, /not \{"error"/],
    ['a code that is not the status', { status: 405, headers: json, body: '{"error":{"code":404,"status":"NOT_FOUND","message":"x"}}' }, /error.code 404/],
    ['a wrong canonical name', { status: 413, headers: json, body: '{"error":{"code":413,"status":"TOO_BIG","message":"x"}}' }, /PAYLOAD_TOO_LARGE/],
    ['no message', { status: 400, headers: json, body: '{"error":{"code":400,"status":"INVALID_ARGUMENT"}}' }, /message/],
    ['HTML', { status: 400, headers: { 'content-type': 'text/html' }, body: '<html>Bad Request</html>' }, /content-type/],
  ])('refuses %s', (_, response, problem) => {
    expect(errorShapeProblem(response)).toMatch(problem);
  });
});
