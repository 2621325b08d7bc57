/**
 * Mutants: deliberately broken copies of each built-in template's generated project. Each is
 * made by exact text edits of generated files; the mutant test first proves that
 * every edit applied (its `find` text occurs exactly once), so a template change cannot silently
 * turn a mutant into a no-op. Then the checks in `mustFail` are run against the mutant and must
 * fail, and those in `mustPass` must pass, proving the mutant built and ran and failed for the
 * reason it was made for.
 *
 * Keyed by template id. Every built-in template must have, for each type it supports, the mutants
 * in REQUIRED_MUTANTS; a built-in template without them fails the suite.
 */
import type { MutantDefinition } from '../support/pipeline.js';
import { HOSTILE_MUTANTS } from './hostile-mutants.js';

export const REQUIRED_MUTANTS = {
  service: ['ignores-sigterm', 'ignores-port', 'user-root', 'user-0', 'loopback-only'],
  job: ['ignores-sigterm', 'user-root'],
} as const;

/** `USER root` / `USER 0` mutants: the same for every template, given its Dockerfile's USER line. */
function userMutants(type: 'service' | 'job', userLine: string): MutantDefinition[] {
  // `userLine` may carry the start of the next line to make it unique; only USER ... is replaced.
  const rest = userLine.slice(userLine.indexOf('\n') === -1 ? userLine.length : userLine.indexOf('\n'));
  return [
    {
      id: 'user-root',
      type,
      breaks: 'the final stage runs as root (by name)',
      edits: [{ file: 'Dockerfile', find: userLine, replace: `USER root${rest}` }],
      mustFail: ['static:rules', 'image:user'],
      mustPass: ['image:build'],
    },
    ...(type === 'service'
      ? [
          {
            id: 'user-0',
            type,
            breaks: 'the final stage runs as uid 0',
            edits: [{ file: 'Dockerfile', find: userLine, replace: `USER 0${rest}` }],
            mustFail: ['static:rules', 'image:user'],
            mustPass: ['image:build'],
          } satisfies MutantDefinition,
        ]
      : []),
  ];
}

export const MUTANTS: Readonly<Record<string, readonly MutantDefinition[]>> = {
  'python-flask': [
    ...(HOSTILE_MUTANTS['python-flask'] ?? []),
    {
      id: 'ignores-sigterm',
      type: 'service',
      breaks: "gunicorn's master ignores SIGTERM",
      edits: [{ file: 'app/server.py', find: 'signal.signal(signal.SIGTERM, on_stop_signal)', replace: 'signal.signal(signal.SIGTERM, signal.SIG_IGN)' }],
      mustFail: ['runtime:idle-sigterm', 'runtime:inflight-sigterm'],
      mustPass: ['runtime:port'],
    },
    {
      id: 'ignores-port',
      type: 'service',
      breaks: 'binds 8080 whatever PORT says',
      edits: [{ file: 'gunicorn.conf.py', find: "bind = f\"0.0.0.0:{os.environ.get('PORT', '8080')}\"", replace: "bind = f\"0.0.0.0:{os.environ.get('NOT_PORT', '8080')}\"" }],
      mustFail: ['runtime:port'],
      mustPass: ['runtime:default-8080'],
    },
    {
      id: 'loopback-only',
      type: 'service',
      breaks: 'binds 127.0.0.1 instead of every interface',
      edits: [{ file: 'gunicorn.conf.py', find: "bind = f\"0.0.0.0:{os.environ.get('PORT', '8080')}\"", replace: "bind = f\"127.0.0.1:{os.environ.get('PORT', '8080')}\"" }],
      mustFail: ['runtime:all-interfaces'],
      mustPass: ['runtime:port'],
    },
    ...userMutants('service', 'USER 10001:10001\n# Exec form'),
    {
      id: 'ships-dev-deps',
      type: 'service',
      breaks: 'the runtime image gets the test stage virtualenv (pytest and friends)',
      edits: [{ file: 'Dockerfile', find: 'COPY --from=deps /venv /venv', replace: 'COPY --from=test /venv /venv' }],
      mustFail: ['image:no-dev-deps'],
      mustPass: ['image:build'],
    },
    {
      id: 'lint-error',
      type: 'service',
      breaks: 'an unused import (ruff F401) fails the test stage; the code still runs',
      edits: [{ file: 'main.py', find: 'from app.web import create_app\n', replace: 'import os\n\nfrom app.web import create_app\n' }],
      mustFail: ['image:test-target'],
      mustPass: ['image:build'],
    },
    {
      id: 'format-error',
      type: 'service',
      breaks: "code `ruff format` would change fails the test stage",
      edits: [{ file: 'main.py', find: 'app = create_app()', replace: 'app = create_app( )' }],
      mustFail: ['image:test-target'],
      mustPass: ['image:build'],
    },
    {
      id: 'ignores-sigterm',
      type: 'job',
      breaks: 'the task ignores SIGTERM and sleeps on',
      edits: [{ file: 'main.py', find: 'signal.signal(signal.SIGTERM, stop)', replace: 'signal.signal(signal.SIGTERM, signal.SIG_IGN)' }],
      mustFail: ['runtime:job-sigterm'],
      mustPass: ['runtime:job-task'],
    },
    ...userMutants('job', 'USER 10001:10001\n# Exec form'),
  ],
  'ruby-sinatra': [
    ...(HOSTILE_MUTANTS['ruby-sinatra'] ?? []),
    {
      id: 'ignores-sigterm',
      type: 'service',
      breaks: "Puma's SIGTERM handler is replaced by one that ignores the signal, once Puma has booted",
      edits: [{ file: 'config/puma.rb', find: 'after_booted { PumaLog.ready }', replace: 'after_booted { PumaLog.ready; Signal.trap("TERM", "IGNORE") }' }],
      mustFail: ['runtime:idle-sigterm', 'runtime:inflight-sigterm'],
      mustPass: ['runtime:port'],
    },
    {
      id: 'ignores-port',
      type: 'service',
      breaks: 'listens on 8080 whatever PORT says',
      edits: [{ file: 'config/puma.rb', find: 'port_text = ENV.fetch("PORT", "").strip', replace: 'port_text = ENV.fetch("NOT_PORT", "").strip' }],
      mustFail: ['runtime:port'],
      mustPass: ['runtime:default-8080'],
    },
    {
      id: 'loopback-only',
      type: 'service',
      breaks: 'binds 127.0.0.1 instead of every interface',
      edits: [{ file: 'config/puma.rb', find: 'port port_text.to_i, "0.0.0.0"', replace: 'port port_text.to_i, "127.0.0.1"' }],
      mustFail: ['runtime:all-interfaces'],
      mustPass: ['runtime:port'],
    },
    ...userMutants('service', 'USER 65532:65532'),
    {
      id: 'shell-as-pid1',
      type: 'service',
      breaks: 'a shell is PID 1 and puma its child (the `; exit` keeps dash from exec-ing puma)',
      edits: [{ file: 'Dockerfile', find: 'CMD ["bundle", "exec", "puma", "-C", "config/puma.rb"]', replace: 'CMD ["sh", "-c", "bundle exec puma -C config/puma.rb; exit $?"]' }],
      mustFail: ['runtime:pid1', 'static:rules'],
      mustPass: ['runtime:port'],
    },
    {
      id: 'dockerignore-keeps-env',
      type: 'service',
      breaks: '.env is sent to the build, and `COPY . .` puts it in the image',
      edits: [{ file: '.dockerignore', find: '\n**/.env\n', replace: '\n' }],
      mustFail: ['static:dockerignore', 'image:no-secrets'],
      mustPass: ['image:build'],
    },
    {
      id: 'ships-tests',
      type: 'service',
      breaks: 'the test folder stays in the image',
      edits: [{ file: 'Dockerfile', find: 'RUN rm -rf test Rakefile', replace: 'RUN rm -f Rakefile' }],
      mustFail: ['image:no-tests'],
      mustPass: ['image:build'],
    },
    {
      id: 'ships-compiler',
      type: 'service',
      breaks: 'the final stage is built on the stage with build-essential',
      edits: [{ file: 'Dockerfile', find: 'FROM ruby:3.4-slim-trixie AS runtime\n', replace: 'FROM build AS runtime\n' }],
      mustFail: ['image:no-build-tools'],
      mustPass: ['image:build'],
    },
    {
      id: 'lint-error',
      type: 'service',
      breaks: 'a useless assignment: RuboCop (`rake`, the check) fails the test stage; the code still runs',
      edits: [{ file: 'lib/health_check.rb', find: '    method = env["REQUEST_METHOD"]\n', replace: '    method = env["REQUEST_METHOD"]\n    unused = method\n' }],
      mustFail: ['image:test-target'],
      mustPass: ['image:build'],
    },
    {
      id: 'format-error',
      type: 'service',
      breaks: "a string in single quotes: RuboCop's Style/StringLiterals fails the test stage",
      edits: [{ file: 'lib/health_check.rb', find: 'PATHS = ["/health/ready", "/health/live"].freeze', replace: "PATHS = ['/health/ready', \"/health/live\"].freeze" }],
      mustFail: ['image:no-build-tools'],
      mustPass: ['image:build'],
    },
    {
      id: 'ignores-sigterm',
      type: 'job',
      breaks: 'the task ignores SIGTERM and sleeps on',
      edits: [{ file: 'job.rb', find: 'log = StructuredLogger.new\n', replace: 'Signal.trap("TERM", "IGNORE")\nlog = StructuredLogger.new\n' }],
      mustFail: ['runtime:job-sigterm'],
      mustPass: ['runtime:job-task'],
    },
    ...userMutants('job', 'USER 65532:65532'),
  ],
  'node-express': [
    ...(HOSTILE_MUTANTS['node-express'] ?? []),
    {
      id: 'ignores-sigterm',
      type: 'service',
      breaks: 'no SIGTERM handler (node as PID 1 then ignores SIGTERM)',
      edits: [{ file: 'src/shutdown.js', find: "signals.on('SIGTERM', onSignal);", replace: "signals.on('SIGUSR2', onSignal);" }],
      mustFail: ['runtime:idle-sigterm', 'runtime:inflight-sigterm'],
      mustPass: ['runtime:port'],
    },
    {
      id: 'ignores-port',
      type: 'service',
      breaks: 'listens on 8080 whatever PORT says',
      edits: [{ file: 'src/config.js', find: 'port: parsePort(env.PORT),', replace: 'port: parsePort(env.NOT_PORT),' }],
      mustFail: ['runtime:port'],
      mustPass: ['runtime:default-8080'],
    },
    {
      id: 'loopback-only',
      type: 'service',
      breaks: 'binds 127.0.0.1 instead of every interface',
      edits: [{ file: 'src/server.js', find: "const host = '0.0.0.0';", replace: "const host = '127.0.0.1';" }],
      mustFail: ['runtime:all-interfaces'],
      mustPass: ['runtime:port'],
    },
    ...userMutants('service', 'USER 65532:65532'),
    // Beyond the required kinds: one mutant per check that the required ones never fail, so
    // every check of the suite is seen to fail at least once (see the coverage test).
    {
      id: 'drain-exits-1',
      type: 'service',
      breaks: 'the drain ends with exit status 1',
      edits: [{ file: 'src/shutdown.js', find: 'exit(0);', replace: 'exit(1);' }],
      mustFail: ['runtime:idle-sigterm', 'runtime:inflight-sigterm', 'runtime:load-sigterm'],
      mustPass: ['runtime:port'],
    },
    {
      id: 'text-plain',
      type: 'service',
      breaks: 'GET / answers 200 with text/plain instead of JSON',
      edits: [{ file: 'src/app.js', find: "app.get('/', (_req, res) => {\n    res.json({", replace: "app.get('/', (_req, res) => {\n    res.type('text/plain');\n    res.send({" }],
      mustFail: ['runtime:get'],
      mustPass: ['runtime:port'],
    },
    {
      id: 'default-9090',
      type: 'service',
      breaks: 'listens on 9090 when PORT is unset',
      edits: [{ file: 'src/config.js', find: 'export const DEFAULT_PORT = 8080;', replace: 'export const DEFAULT_PORT = 9090;' }],
      mustFail: ['runtime:default-8080'],
      mustPass: ['runtime:port'],
    },
    {
      id: 'no-trace',
      type: 'service',
      breaks: 'reads the trace from a header nobody sends',
      edits: [{ file: 'src/request-log.js', find: "cloudTraceContext: req.get('x-cloud-trace-context'),", replace: "cloudTraceContext: req.get('x-no-such-header')," }],
      mustFail: ['runtime:trace'],
      mustPass: ['runtime:port'],
    },
    {
      id: 'plain-text-log',
      type: 'service',
      breaks: 'prints one plain-text line at start-up',
      edits: [{ file: 'src/server.js', find: 'const log = createLogger();\n', replace: "const log = createLogger();\nconsole.log('server starting');\n" }],
      mustFail: ['runtime:logs-json'],
      mustPass: ['runtime:port'],
    },
    {
      id: 'source-before-deps',
      type: 'service',
      breaks: 'copies the whole project before npm ci, so a source edit reinstalls the dependencies',
      edits: [{ file: 'Dockerfile', find: 'COPY package.json package-lock.json ./', replace: 'COPY . ./' }],
      mustFail: ['image:rebuild-cache'],
      mustPass: ['image:build'],
    },
    {
      id: 'failing-test',
      type: 'service',
      breaks: "one of the project's own tests fails",
      edits: [{ file: 'test/log.test.js', find: "assert.equal(info.severity, 'INFO');", replace: "assert.equal(info.severity, 'NOT-INFO');" }],
      mustFail: ['image:test-target'],
      mustPass: ['image:build'],
    },
    {
      id: 'lint-warning',
      type: 'service',
      breaks: "a Dockerfile lint warning (FromAsCasing); with `check=error=true` the build fails too",
      edits: [{ file: 'Dockerfile', find: 'FROM node:24-trixie-slim AS build', replace: 'FROM node:24-trixie-slim as build' }],
      mustFail: ['static:call-check', 'image:build'],
      mustPass: ['static:rules'],
    },
    {
      id: 'shellcheck-finding',
      type: 'service',
      breaks: 'an unquoted expansion in deploy.sh (SC2086)',
      edits: [{ file: 'deploy.sh', find: `log "service $NAME is at $url$note" && printf '%s\\n' "$url"`, replace: `log "service $NAME is at $url$note" && printf '%s\\n' $url` }],
      mustFail: ['static:shellcheck'],
      mustPass: ['static:rules'],
    },
    // Probes, the project's own drain test of /health/ready, and the classic builder.
    {
      id: 'probe-path-misspelt',
      type: 'service',
      breaks: "service.yaml's startup probe asks a path the service does not have",
      edits: [{ file: 'service.yaml', find: 'path: /health/ready', replace: 'path: /health/reddy' }],
      mustFail: ['runtime:probe-startup'],
      mustPass: ['runtime:port', 'runtime:probe-liveness'],
    },
    {
      id: 'liveness-path-misspelt',
      type: 'service',
      breaks: "service.yaml's liveness probe asks a path the service does not have",
      edits: [{ file: 'service.yaml', find: 'path: /health/live', replace: 'path: /health/alive' }],
      mustFail: ['runtime:probe-liveness'],
      mustPass: ['runtime:probe-startup'],
    },
    {
      id: 'health-routes-removed',
      type: 'service',
      breaks: 'the health endpoints are not mounted',
      edits: [{ file: 'src/app.js', find: '  app.use(healthRoutes({ isDraining })); // before the request log: probes are not logged\n', replace: '' }],
      mustFail: ['runtime:probe-startup', 'runtime:probe-liveness'],
      mustPass: ['runtime:port'],
    },
    {
      id: 'ready-ignores-drain',
      type: 'service',
      breaks: '/health/ready keeps answering 200 while draining (the project tests catch it)',
      edits: [{ file: 'src/health.js', find: 'if (isDraining()) {', replace: 'if (isDraining() && false) {' }],
      mustFail: ['image:test-target'],
      mustPass: ['image:build'],
    },
    {
      id: 'buildkit-only',
      type: 'service',
      breaks: 'a RUN --mount cache, which the classic builder rejects',
      edits: [{ file: 'Dockerfile', find: 'RUN npm ci --omit=dev', replace: 'RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev' }],
      mustFail: ['image:classic-build'],
      mustPass: ['image:build'],
    },
    {
      id: 'lint-error',
      type: 'service',
      breaks: 'a `debugger` statement: Biome (`npm run lint`, part of `npm run check`) fails the test stage; the code still runs',
      edits: [{ file: 'src/server.js', find: "const host = '0.0.0.0';", replace: "const host = '0.0.0.0';\ndebugger;" }],
      mustFail: ['image:test-target'],
      mustPass: ['image:build'],
    },
    {
      id: 'format-error',
      type: 'service',
      breaks: 'a string in double quotes: Biome\'s format check fails the test stage',
      edits: [{ file: 'src/server.js', find: "const host = '0.0.0.0';", replace: 'const host = "0.0.0.0";' }],
      mustFail: ['image:test-target'],
      mustPass: ['image:build'],
    },
    {
      id: 'ignores-task-index',
      type: 'job',
      breaks: 'always runs task 0',
      edits: [{ file: 'src/config.js', find: "taskIndex: integer(env, 'CLOUD_RUN_TASK_INDEX', 0, 0),", replace: "taskIndex: integer(env, 'NOT_TASK_INDEX', 0, 0)," }],
      mustFail: ['runtime:job-task'],
      mustPass: ['runtime:job-sigterm'],
    },
    {
      id: 'ignores-fail-rate',
      type: 'job',
      breaks: 'never fails, whatever FAIL_RATE says',
      edits: [{ file: 'src/config.js', find: "failRate: rate(env, 'FAIL_RATE'),", replace: "failRate: rate(env, 'NOT_FAIL_RATE')," }],
      mustFail: ['runtime:job-fail'],
      mustPass: ['runtime:job-task'],
    },
    {
      id: 'ignores-sigterm',
      type: 'job',
      breaks: 'no SIGTERM handler (node as PID 1 then ignores SIGTERM)',
      edits: [{ file: 'src/job.js', find: "process.on('SIGTERM', onSignal);", replace: "process.on('SIGUSR2', onSignal);" }],
      mustFail: ['runtime:job-sigterm'],
      mustPass: ['runtime:job-task'],
    },
    ...userMutants('job', 'USER 65532:65532'),
  ],
  'go-net-http': [
    ...(HOSTILE_MUTANTS['go-net-http'] ?? []),
    {
      id: 'ignores-sigterm',
      type: 'service',
      breaks: 'SIGTERM no longer starts the drain (it is still caught, so the process just keeps serving)',
      edits: [
        {
          file: 'main.go',
          find: 'signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)',
          replace: 'signal.NotifyContext(context.Background(), syscall.SIGINT)',
        },
      ],
      mustFail: ['runtime:idle-sigterm', 'runtime:inflight-sigterm'],
      mustPass: ['runtime:port'],
    },
    {
      id: 'ignores-port',
      type: 'service',
      breaks: 'listens on 8080 whatever PORT says',
      edits: [{ file: 'main.go', find: 'server.Addr(os.Getenv("PORT"))', replace: 'server.Addr(os.Getenv("NOT_PORT"))' }],
      mustFail: ['runtime:port'],
      mustPass: ['runtime:default-8080'],
    },
    {
      id: 'loopback-only',
      type: 'service',
      breaks: 'binds 127.0.0.1 instead of every interface',
      edits: [{ file: 'internal/server/server.go', find: 'return net.JoinHostPort("", port)', replace: 'return net.JoinHostPort("127.0.0.1", port)' }],
      mustFail: ['runtime:all-interfaces'],
      mustPass: ['runtime:port'],
    },
    ...userMutants('service', 'USER 65532:65532'),
    {
      id: 'classic-builds-windows',
      type: 'service',
      breaks: 'without BuildKit TARGETOS is empty and the default is wrong: the classic image holds a Windows binary',
      edits: [{ file: 'Dockerfile', find: 'GOOS=${TARGETOS:-linux}', replace: 'GOOS=${TARGETOS:-windows}' }],
      mustFail: ['runtime:classic-image'],
      mustPass: ['image:classic-build', 'runtime:port'],
    },
    {
      id: 'vet-error',
      type: 'service',
      breaks: 'a self-assignment (go vet: assign) fails the test stage; the code still compiles and runs',
      edits: [{ file: 'main.go', find: '\trev := server.RevisionFromEnv(os.Getenv)\n', replace: '\trev := server.RevisionFromEnv(os.Getenv)\n\trev = rev\n' }],
      mustFail: ['image:test-target'],
      mustPass: ['image:build'],
    },
    {
      id: 'format-error',
      type: 'service',
      breaks: 'code gofmt would change fails the test stage',
      edits: [{ file: 'internal/server/server.go', find: 'return net.JoinHostPort("", port)', replace: 'return  net.JoinHostPort("", port)' }],
      mustFail: ['image:test-target'],
      mustPass: ['image:build'],
    },
    {
      id: 'ignores-sigterm',
      type: 'job',
      breaks: 'the task ignores SIGTERM and sleeps on',
      edits: [
        {
          file: 'main.go',
          find: 'ctx, stop := notifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)',
          replace: 'signal.Ignore(syscall.SIGTERM)\n\tctx, stop := notifyContext(context.Background(), syscall.SIGINT)',
        },
      ],
      mustFail: ['runtime:job-sigterm'],
      mustPass: ['runtime:job-task'],
    },
    ...userMutants('job', 'USER 65532:65532'),
  ],
};

/**
 * Checks no mutant fails, each with the reason. Every other check must be in some mutant's
 * mustFail (test/containers/verify.test.ts checks this), so no check can be weakened unnoticed.
 */
export const NOT_MUTATION_TESTED: Readonly<Record<string, string>> = {
  'image:platform': 'an image for another platform cannot be built here without emulation; the check reads the image config',
  'runtime:job-no-listen': 'making a job listen would need new code, not an edit; the socket table reader it uses is tested in support.test.ts',
};
