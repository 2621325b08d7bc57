// Settings come from the environment. Cloud Run sets the CLOUD_RUN_* values on every task;
// SLEEP_MS and FAIL_RATE are yours (`./deploy.sh --env` or `gcloud run jobs update --set-env-vars`)
// to try retries and timeouts, as in Google's job samples.

import { parseLogFormat } from './log.js';

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ taskIndex: number, taskCount: number, taskAttempt: number, sleepMs: number, failRate: number, logFormat: string }}
 */
export function readConfig(env) {
  const config = {
    // Which task of the execution this is (0-based) and how many tasks there are in total.
    taskIndex: integer(env, 'CLOUD_RUN_TASK_INDEX', 0, 0),
    taskCount: integer(env, 'CLOUD_RUN_TASK_COUNT', 1, 1),
    // 0 on the first try, then 1, 2, ... when the task is retried (--max-retries).
    taskAttempt: integer(env, 'CLOUD_RUN_TASK_ATTEMPT', 0, 0),
    // Simulated work per task, in milliseconds.
    sleepMs: integer(env, 'SLEEP_MS', 0, 0),
    // Probability (0..1) that the task fails, to see retries at work.
    failRate: rate(env, 'FAIL_RATE'),
    // json for Cloud Logging; pretty for people (`npm run dev`). The logger reads it itself.
    logFormat: parseLogFormat(env.LOG_FORMAT),
  };
  if (config.taskIndex >= config.taskCount) {
    throw new Error(
      `CLOUD_RUN_TASK_INDEX (${config.taskIndex}) must be below CLOUD_RUN_TASK_COUNT (${config.taskCount})`,
    );
  }
  return config;
}

function integer(env, name, fallback, min) {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new Error(`${name} must be a whole number of at least ${min}, got "${text}"`);
  }
  return value;
}

function rate(env, name) {
  const text = env[name];
  if (text === undefined || text === '') return 0;
  const value = Number(text);
  if (Number.isNaN(value) || value < 0 || value > 1) {
    throw new Error(`${name} must be a number from 0 to 1, got "${text}"`);
  }
  return value;
}
