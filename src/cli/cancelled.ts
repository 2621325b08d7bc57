/**
 * Ctrl-C or Escape at a prompt; main() reports it and exits 130 without writing. In its own module
 * so main() can recognise it without loading the prompt library.
 */
export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor() {
    super('cancelled; nothing was written');
  }
}
