// Entry point of the service: `node src/server.js` (the container runs exactly this, as PID 1).
// It wires the pieces together: configuration, logger, Express app, HTTP server and signals.

import { createApp } from './app.js';
import { readConfig } from './config.js';
import { createHttpServer } from './http-server.js';
import { createLogger } from './log.js';
import { exitOnSignal } from './shutdown.js';
import { lookupProjectId } from './trace.js';

const log = createLogger();

// Node prints a crash as plain text; this also leaves a CRITICAL entry that Error Reporting sees.
process.on('uncaughtExceptionMonitor', (error, origin) => log.critical(`crashed (${origin})`, { error }));

let config;
try {
  config = readConfig(process.env);
} catch (error) {
  log.critical(error.message);
  process.exit(1);
}

let projectId = config.projectId;
if (!projectId && config.service) {
  // On Cloud Run (K_SERVICE is set) the metadata server knows the project. Asked in the
  // background: requests are served meanwhile, their log lines just carry no trace yet.
  lookupProjectId().then(
    (id) => {
      projectId = id;
    },
    (error) =>
      log.warn('project id unknown: set GOOGLE_CLOUD_PROJECT to correlate logs with traces', {
        reason: error.cause?.code ?? error.cause?.message ?? error.message, // fetch hides the cause
      }),
  );
}

// Set when SIGTERM starts the drain: the startup probe's /health/ready then answers 503.
let draining = false;
const app = createApp({
  log,
  projectId: () => projectId,
  runtime: config,
  maxBodyBytes: config.maxBodyBytes,
  isDraining: () => draining,
});
const http = createHttpServer(app, { log });

// 0.0.0.0: Cloud Run (and `docker run -p`) reach the container from outside its loopback.
const host = '0.0.0.0';
try {
  const { port } = await http.listen(config.port, host);
  log.info(`listening on http://${host}:${port}`, {
    port,
    service: config.service,
    revision: config.revision,
    configuration: config.configuration,
  });
} catch (error) {
  log.critical(`cannot listen on ${host}:${config.port}: ${error.code ?? error.message}`, { error });
  process.exit(1);
}

exitOnSignal(
  () => {
    draining = true;
    return http.drain();
  },
  { log, inFlight: () => http.inFlight },
);
