/**
 * Drives the built bin in a real terminal emulator (tmux), the way a person at a keyboard sees
 * it: the screen as rendered (not the raw byte stream), keys typed after a prompt shows. Each
 * session has its own tmux server (-L socket), so tests never touch anyone's tmux.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { BIN } from './generator.js';

const exec = promisify(execFile);
// By absolute path: the session's own PATH holds only what the generator run may find.
const which = (program: string) => execFileSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim();
const TMUX = which('tmux');
const SLEEP = which('sleep');
const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

export class TmuxSession {
  private constructor(
    private readonly socket: string,
    private readonly exitFile: string,
  ) {}

  /** Starts `node bin args` in `cwd` with exactly `env` (plus TERM), in a 120x40 terminal. */
  static async start(args: readonly string[], options: { cwd: string; env: Record<string, string>; scratch: string }): Promise<TmuxSession> {
    const socket = `ccra-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const exitFile = path.join(options.scratch, `${socket}.exit`);
    // The exit status goes to a file; the pane stays open afterwards so its last screen can be read.
    const command = `${[process.execPath, BIN, ...args].map(quote).join(' ')}; echo $? > ${quote(exitFile)}; ${SLEEP} 300`;
    await exec(TMUX, ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-x', '120', '-y', '40', '-c', options.cwd, '/bin/sh', '-c', command], {
      env: { ...options.env, TERM: 'xterm-256color' },
    });
    return new TmuxSession(socket, exitFile);
  }

  async screen(): Promise<string> {
    const { stdout } = await exec(TMUX, ['-L', this.socket, 'capture-pane', '-p', '-J', '-S', '-200']);
    return stdout;
  }

  /** Waits until the screen shows `text`. */
  async waitFor(text: string | RegExp, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      if (typeof text === 'string' ? screen.includes(text) : text.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)}; screen:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Waits for a prompt, then types keys (tmux key names such as Enter, Left, C-c, or literal text). */
  async answer(prompt: string | RegExp, ...keys: string[]): Promise<void> {
    await this.waitFor(prompt);
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the prompt switch the terminal to raw mode
    for (const key of keys) await exec(TMUX, ['-L', this.socket, 'send-keys', ...(/^(Enter|Left|Right|Up|Down|C-c|Escape)$/.test(key) ? [key] : ['-l', key])]);
  }

  /** The generator's exit status, once it has exited. */
  async exitCode(timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = await readFile(this.exitFile, 'utf8').catch(() => '');
      if (text.trim() !== '') return Number(text.trim());
      if (Date.now() > deadline) throw new Error(`the generator did not exit; screen:\n${await this.screen()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async close(): Promise<void> {
    await exec(TMUX, ['-L', this.socket, 'kill-server']).catch(() => {});
  }
}
