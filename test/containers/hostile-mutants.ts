/**
 * Mutants of the hostile-traffic tier (test/support/hostile.ts): each breaks one row of the
 * behaviour table in one template, and the row's check must notice. Merged into MUTANTS by
 * template id. `GET / -> 200 JSON` must still pass: the mutant builds and serves (it has no
 * start-up time limit, so a slow machine does not make a mutant look dead).
 */
import type { MutantDefinition } from '../support/pipeline.js';

export const HOSTILE_MUTANTS: Readonly<Record<string, readonly MutantDefinition[]>> = {
  'node-express': [
    {
      id: 'no-body-limit',
      type: 'service',
      breaks: 'the request body limit is 1 GiB: oversize uploads are read (and buffered) whole',
      edits: [{ file: 'src/config.js', find: 'export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;', replace: 'export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024 * 1024;' }],
      mustFail: ['hostile:body-limit'],
      mustPass: ['runtime:get'],
    },
    {
      id: 'no-405',
      type: 'service',
      breaks: 'other methods on / fall through to the 404 handler',
      edits: [{ file: 'src/app.js', find: "  app.all('/', methodNotAllowed(['GET', 'HEAD', 'POST']));\n", replace: '' }],
      mustFail: ['hostile:routing'],
      mustPass: ['runtime:get'],
    },
  ],
  'ruby-sinatra': [
    {
      id: 'no-slow-client-bound',
      type: 'service',
      breaks: "Puma's threads read requests themselves (queue_requests false): slow clients hold all 5",
      edits: [{ file: 'config/puma.rb', find: 'workers 0\n', replace: 'workers 0\nqueue_requests false\n' }],
      mustFail: ['hostile:slow-clients'],
      mustPass: ['runtime:get'],
    },
    {
      id: 'no-body-limit',
      type: 'service',
      breaks: 'the request body limit is 1 GiB: Puma buffers oversize uploads (Content-Length and chunked) whole in /tmp',
      edits: [{ file: 'lib/error_shape.rb', find: 'DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024', replace: 'DEFAULT_MAX_BODY_BYTES = 1024 * 1024 * 1024' }],
      mustFail: ['hostile:body-limit'],
      mustPass: ['runtime:get'],
    },
  ],
  'python-flask': [
    {
      id: 'accepts-nan',
      type: 'service',
      breaks: 'json.loads takes NaN and Infinity',
      edits: [{ file: 'app/web.py', find: 'json.loads(body, parse_constant=_no_constants)', replace: 'json.loads(body)' }],
      mustFail: ['hostile:json'],
      mustPass: ['runtime:get'],
    },
    {
      id: 'uncapped-span',
      type: 'service',
      breaks: 'an X-Cloud-Trace-Context span of any length goes to int() (over 4300 digits: ValueError, 500)',
      edits: [{ file: 'app/trace.py', find: '(?:/(\\d{1,20})(?!\\d))?', replace: '(?:/(\\d+))?' }],
      mustFail: ['hostile:headers'],
      mustPass: ['runtime:get'],
    },
  ],
  'go-net-http': [
    {
      id: 'plain-text-errors',
      type: 'service',
      breaks: "the mux's 404 and 405 stay plain text",
      edits: [{ file: 'internal/server/handler.go', find: 'return LogRequests(JSONErrors(mux), logger, projectID)', replace: 'return LogRequests(mux, logger, projectID)' }],
      mustFail: ['hostile:error-shape'],
      mustPass: ['runtime:get'],
    },
    {
      id: 'uncapped-user-agent',
      type: 'service',
      breaks: 'the request log writes the User-Agent whole',
      edits: [{ file: 'internal/server/handler.go', find: 'attrs = append(attrs, capped("userAgent", r.UserAgent())...)', replace: 'attrs = append(attrs, "userAgent", r.UserAgent())' }],
      mustFail: ['hostile:logs'],
      mustPass: ['runtime:get'],
    },
    {
      id: 'drops-request-after-sigterm',
      type: 'service',
      breaks: 'a request read on a keep-alive connection during the drain is dropped (the handler aborts) instead of answered',
      edits: [
        { file: 'internal/server/drain.go', find: 'const quietPeriod = 100 * time.Millisecond', replace: 'const quietPeriod = 2 * time.Second' },
        { file: 'internal/server/drain.go', find: 'w.Header().Set("Connection", "close")', replace: 'panic(http.ErrAbortHandler)' },
      ],
      mustFail: ['hostile:keepalive-sigterm'],
      mustPass: ['runtime:get'],
    },
  ],
};
