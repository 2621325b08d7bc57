/**
 * Concurrency limits for the container tier: a semaphore (builds and runtime phases run a few at
 * a time), and a lock on port 8080 shared by every process on this machine (the "8080 when PORT
 * is unset" check and the ignores-PORT mutant both need 8080 to themselves, and another test run
 * may be going on at the same time).
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sleep } from './net.js';

export class Semaphore {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly size: number) {}

  async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

const LOCK_DIR = path.join(os.tmpdir(), 'ccra-locks');

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `work` holding a machine-wide lock named `name` (a file created with O_EXCL that records
 * the holder's pid; a lock left by a dead process is taken over). Waits at most `timeoutMs`.
 */
export async function withMachineLock<T>(name: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  mkdirSync(LOCK_DIR, { recursive: true });
  const file = path.join(LOCK_DIR, `${name}.lock`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = 0;
      try {
        holder = Number(readFileSync(file, 'utf8'));
      } catch {
        /* released meanwhile */
      }
      if (holder && !processAlive(holder)) rmSync(file, { force: true });
      else if (Date.now() > deadline) throw new Error(`could not take the ${name} lock within ${Math.round(timeoutMs / 1000)} s (held by pid ${holder})`);
      else await sleep(100);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(file, { force: true });
  }
}

/** In-process queue in front of the machine lock, so one process's checks do not poll each other. */
const localPort8080 = new Semaphore(1);
export function withPort8080<T>(work: () => Promise<T>): Promise<T> {
  return localPort8080.use(() => withMachineLock('port-8080', 5 * 60_000, work));
}
