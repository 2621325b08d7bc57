// Entry point of the job: `node src/job.js` (the container runs exactly this, as PID 1).
// One run is one task. The exit status is what Cloud Run records: 0 means the task succeeded,
// anything else means it failed and is retried while --max-retries allows.

import { constants } from 'node:os';
import { readConfig } from './config.js';
import { createLogger } from './log.js';
import { runTask } from './task.js';

/** After a signal, how long the work may take to stop before the process exits anyway. */
const STOP_GRACE_MS = 5000;

let log = createLogger();

// Node prints a crash as plain text; this also leaves a CRITICAL entry that Error Reporting sees.
process.on('uncaughtExceptionMonitor', (error, origin) => log.critical(`crashed (${origin})`, { error }));

let config;
try {
  config = readConfig(process.env);
} catch (error) {
  log.error(`invalid configuration: ${error.message}`);
  process.exit(1);
}

const { taskIndex, taskCount, taskAttempt } = config;
// Every line of this task carries its index, count and attempt: filter on them in Logs Explorer.
log = log.child({ taskIndex, taskCount, taskAttempt });
log.info(`starting task index ${taskIndex} of ${taskCount} task(s), attempt ${taskAttempt}`, {
  job: process.env.CLOUD_RUN_JOB,
  execution: process.env.CLOUD_RUN_EXECUTION,
  sleepMs: config.sleepMs,
  failRate: config.failRate,
});

// Cloud Run sends SIGTERM when the task times out or the execution is cancelled, and SIGKILL
// 10 seconds later. Stop the work and exit with 128 + the signal's number (143 for SIGTERM).
const stop = new AbortController();
let stopSignal;
const onSignal = (signal) => {
  if (stopSignal) return;
  stopSignal = signal;
  log.warn(`received ${signal}: stopping before the work is done`, { signal });
  stop.abort();
  // Work that ignores the signal must not hold the process until SIGKILL.
  setTimeout(() => process.exit(exitStatusFor(signal)), STOP_GRACE_MS).unref();
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

try {
  const { processed } = await runTask(config, { log, signal: stop.signal });
  log.info(`task ${taskIndex} done: ${processed} items processed`, { processed });
  process.exitCode = 0;
} catch (error) {
  if (stopSignal) {
    log.warn(`task ${taskIndex} stopped by ${stopSignal}`, { signal: stopSignal });
    process.exitCode = exitStatusFor(stopSignal);
  } else {
    log.error(`task ${taskIndex} failed: ${error.message}`, { error });
    process.exitCode = 1;
  }
}

function exitStatusFor(signal) {
  return 128 + constants.signals[signal];
}
