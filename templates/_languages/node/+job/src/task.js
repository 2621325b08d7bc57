// The work of one task. Replace WORK_ITEMS and processItem with the real thing: rows of a
// table, objects in a bucket, pages to fetch.

import { setTimeout as sleep } from 'node:timers/promises';
import { shard } from './shard.js';

export const WORK_ITEMS = Object.freeze(Array.from({ length: 10 }, (_, i) => `item-${i}`));

export class TaskFailure extends Error {
  name = 'TaskFailure';
}

/**
 * Runs this task's share of the work. Rejects with TaskFailure (simulated by FAIL_RATE) or,
 * once `signal` is aborted (SIGTERM), with an AbortError at the next point where it can stop.
 *
 * @param {ReturnType<typeof import('./config.js').readConfig>} config
 * @param {object} options
 * @param {import('./log.js').Logger} options.log
 * @param {AbortSignal} options.signal
 * @param {() => number} [options.random] source of randomness for FAIL_RATE
 * @returns {Promise<{ processed: number }>}
 */
export async function runTask(config, { log, signal, random = Math.random }) {
  const items = shard(WORK_ITEMS, config.taskIndex, config.taskCount);
  log.info(`this task handles ${items.length} of ${WORK_ITEMS.length} items`, { items });

  if (config.sleepMs > 0) {
    // Stands in for slow work; the signal makes it stop at once on SIGTERM.
    await sleep(config.sleepMs, undefined, { signal });
  }
  for (const item of items) {
    signal.throwIfAborted();
    await processItem(item, { log, signal });
  }

  if (random() < config.failRate) {
    throw new TaskFailure(`simulated failure (FAIL_RATE=${config.failRate})`);
  }
  return { processed: items.length };
}

async function processItem(item, { log }) {
  log.info(`processed ${item}`, { item });
}
