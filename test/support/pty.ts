/**
 * Drives the built bin through a real pseudo-terminal (util-linux `script`), the way a person at a
 * keyboard does: wait for a prompt to appear, then type keys.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN } from './generator.js';

export const KEY = { enter: '\r', down: '\x1b[B', ctrlC: '\x03' } as const;

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-B]|\x1b[78=>]/g;

export class TerminalSession {
  private readonly child: ChildProcess;
  private screen = '';
  private readonly exited: Promise<number | null>;

  constructor(args: readonly string[], cwd: string, env: Record<string, string | undefined> = {}) {
    const command = [process.execPath, BIN, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
    // A pty made by `script` from a pipe starts at 0x0 columns; give it a real terminal's size.
    this.child = spawn('script', ['-qfec', `stty cols 120 rows 40; exec ${command}`, '/dev/null'], {
      cwd,
      env: { ...process.env, CI: undefined, TERM: 'xterm-256color', COLUMNS: '120', LINES: '40', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.screen += chunk.toString('utf8').replace(ANSI, '')));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.screen += chunk.toString('utf8').replace(ANSI, '')));
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  get output(): string {
    return this.screen;
  }

  /** Waits until `text` appears after `from` characters of output; returns where it ended. */
  async waitFor(text: string | RegExp, from = 0, timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.screen.slice(from);
      const match = typeof text === 'string' ? rest.indexOf(text) : rest.search(text);
      if (match >= 0) return this.screen.length;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; screen:\n${this.screen}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Waits for a prompt, then types. */
  async answer(prompt: string | RegExp, keys: string): Promise<void> {
    await this.waitFor(prompt, this.mark);
    this.mark = this.screen.length;
    await new Promise((resolve) => setTimeout(resolve, 60)); // let the prompt put the terminal in raw mode
    this.child.stdin!.write(keys);
  }
  private mark = 0;

  /** Types keys now, without waiting for a prompt. */
  async type(keys: string): Promise<void> {
    this.child.stdin!.write(keys);
  }

  async exitCode(timeoutMs = 10_000): Promise<number | null> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
      this.child.stdin!.end();
    }
  }
}
