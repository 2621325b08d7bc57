/**
 * A test hook, inert unless CREATE_CLOUDRUN_APP_TEST_PAUSE is set. A write takes milliseconds, so
 * the tests that send a signal, swap in a link or start a second run at an exact point of it need
 * the write to wait there. The variable names a folder with two FIFOs: at each step the generator
 * writes the step's name into `at`, then blocks until the test writes to `go`. Blocking is the
 * point: signals that arrive meanwhile are handled when the step ends, deterministically.
 * Writing `exit` into `go` makes the generator call process.exit(0) there, as a library's own
 * Ctrl-C handler does (clack's spinner), to prove the write is undone even then.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const PAUSE_VARIABLE = 'CREATE_CLOUDRUN_APP_TEST_PAUSE';

export function pauseHook(env: Readonly<Record<string, string | undefined>>): ((step: string) => void) | undefined {
  const dir = env[PAUSE_VARIABLE];
  if (!dir) return undefined;
  return (step) => {
    writeFileSync(path.join(dir, 'at'), `${step}\n`);
    if (readFileSync(path.join(dir, 'go'), 'utf8') === 'exit') process.exit(0);
  };
}
