/**
 * The dependency install offered after writing: the template's `install` commands (data in its
 * template.json), run inside the new project with the language's own tool, without a shell.
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { Options } from '../options.js';
import { createRenderer } from '../render/engine.js';
import { renderContext } from '../render/plan.js';
import { workloadOf } from '../templates/layers.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface InstallPlan {
  /** Each command as the words it runs, e.g. [['npm', 'install']]; empty when the template has none. */
  readonly commands: readonly (readonly string[])[];
  /** The program that must be on PATH: the first command's. */
  readonly tool: string | undefined;
  /** Its absolute path, or undefined when it is not on PATH (or was not looked for). */
  readonly toolPath: string | undefined;
}

/** `findTool`: whether to look for the program on PATH (only an install that may run needs it). */
export async function planInstall(options: Options, env: Env, findTool = true): Promise<InstallPlan> {
  const workload = workloadOf(options.template, options.type);
  const render = await createRenderer([], workload.layers.map((layer) => layer.dir));
  const context = renderContext(options); // {{packageManager}} in a template's install commands
  const commands = await Promise.all(
    workload.install.map(async (command, index) => (await render.text(command, context, `${workload.manifestName} install[${index}]`)).split(' ').filter(Boolean)),
  );
  const tool = commands[0]?.[0];
  return { commands, tool, toolPath: tool === undefined || !findTool ? undefined : findOnPath(tool, env) };
}

/** Like the shell's command lookup, without starting one: the first executable file on PATH. */
export function findOnPath(program: string, env: Env): string | undefined {
  if (program.includes('/')) return undefined; // a project-relative program (.venv/bin/pip) is not a tool to find
  const extensions = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const extension of extensions) {
      const candidate = path.join(dir, program + extension);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return undefined;
}

export function commandText(command: readonly string[]): string {
  return command.join(' ');
}

export type InstallOutcome =
  | { readonly status: 'done' }
  | { readonly status: 'failed'; readonly command: string; readonly reason: string; readonly output: string };

/**
 * Runs the commands in order in `cwd`, stopping at the first failure. Their output goes to `log`
 * when given (a script sees the tool's own progress on stderr), and is kept for the failure report.
 */
export async function runInstall(plan: InstallPlan, cwd: string, env: Env, log?: Writable): Promise<InstallOutcome> {
  for (const [program, ...args] of plan.commands) {
    const command = commandText([program!, ...args]);
    const result = await runCommand(program!, args, cwd, env, log);
    if (result.reason !== undefined) return { status: 'failed', command, reason: result.reason, output: result.output };
  }
  return { status: 'done' };
}

async function runCommand(program: string, args: readonly string[], cwd: string, env: Env, log?: Writable): Promise<{ reason?: string; output: string }> {
  const { spawn } = await import('node:child_process'); // loaded only when an install runs: a run without one is faster
  return new Promise((resolve) => {
    const child = spawn(program, args, { cwd, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-64 * 1024); // the end is what explains a failure
      log?.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => resolve({ reason: error.message, output }));
    child.on('close', (code, signal) =>
      resolve(code === 0 ? { output } : { reason: signal ? `stopped by ${signal}` : `exited with status ${code}`, output }),
    );
  });
}
