/**
 * Writing to stdout as a step that can fail. `--json > /dev/full` or a closed pipe must end the run
 * quietly with a non-zero status, and before the write is committed (see main.ts), so the error
 * is taken from the write's callback instead of crashing the process from an 'error' event.
 */
import type { Writable } from 'node:stream';

export class StdoutError extends Error {
  override name = 'StdoutError';
}

export function writeOut(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(new StdoutError(error.message)) : resolve()));
  });
}
