import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lookupProjectId, parseTraceContext, traceLogFields } from '../src/trace.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

test('traceparent (W3C) gives trace, span and sampling', () => {
  assert.deepEqual(parseTraceContext({ traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` }), {
    traceId: TRACE_ID,
    spanId: '00f067aa0ba902b7',
    sampled: true,
  });
  assert.equal(parseTraceContext({ traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-00` }).sampled, false);
});

test('X-Cloud-Trace-Context gives trace, span (converted to hex) and sampling', () => {
  assert.deepEqual(parseTraceContext({ cloudTraceContext: `${TRACE_ID.toUpperCase()}/1;o=1` }), {
    traceId: TRACE_ID,
    spanId: '0000000000000001',
    sampled: true,
  });
  assert.deepEqual(parseTraceContext({ cloudTraceContext: TRACE_ID }), {
    traceId: TRACE_ID,
    spanId: undefined,
    sampled: false,
  });
});

test('traceparent wins over X-Cloud-Trace-Context; malformed headers are ignored', () => {
  const other = 'a'.repeat(32);
  assert.equal(
    parseTraceContext({ traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`, cloudTraceContext: `${other}/1` }).traceId,
    TRACE_ID,
  );
  assert.equal(parseTraceContext({ traceparent: 'garbage', cloudTraceContext: `${other}/1` }).traceId, other);
  assert.equal(parseTraceContext({ traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` }), undefined);
  assert.equal(parseTraceContext({ cloudTraceContext: 'not-a-trace' }), undefined);
  assert.equal(parseTraceContext({}), undefined);
});

test('log fields name the trace only when the project is known', () => {
  const trace = parseTraceContext({ traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` });
  assert.deepEqual(traceLogFields('demo-project', trace), {
    'logging.googleapis.com/trace': `projects/demo-project/traces/${TRACE_ID}`,
    'logging.googleapis.com/spanId': '00f067aa0ba902b7',
    'logging.googleapis.com/trace_sampled': true,
  });
  assert.deepEqual(traceLogFields(undefined, trace), {});
  assert.deepEqual(traceLogFields('demo-project', undefined), {});
});

test('the project id comes from the metadata server, asked with Metadata-Flavor', async () => {
  let asked;
  const fetch = async (url, init) => {
    asked = { url, flavor: init.headers['Metadata-Flavor'] };
    return new Response('demo-project\n');
  };
  assert.equal(await lookupProjectId({ fetch }), 'demo-project');
  assert.deepEqual(asked, {
    url: 'http://metadata.google.internal/computeMetadata/v1/project/project-id',
    flavor: 'Google',
  });
  await assert.rejects(lookupProjectId({ fetch: async () => new Response('', { status: 404 }) }), /404/);
});
