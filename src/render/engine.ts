/**
 * The Handlebars engine: an isolated instance (no global helpers leak in), `noEscape` because the
 * output is source code rather than HTML, and `strict` so a misspelt variable fails instead of
 * rendering as an empty string. Only template files are compiled; user input is always data.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { PackageManager } from '../package-manager.js';
import type { VariableValue, WorkloadType } from '../templates/manifest.js';

export const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

/** Everything a template file can refer to. */
export interface RenderContext {
  readonly name: string;
  readonly type: WorkloadType;
  readonly isService: boolean;
  readonly isJob: boolean;
  readonly region: string;
  readonly project: string;
  /** `npm` or `pnpm`: the Node.js package manager (templates of other languages ignore it). */
  readonly packageManager: PackageManager;
  /** `packageManager === 'pnpm'`, for `{{#if usesPnpm}}` (Handlebars has no comparison built in). */
  readonly usesPnpm: boolean;
  readonly template: { readonly id: string; readonly name: string; readonly language: string; readonly framework: string };
  readonly vars: Readonly<Record<string, VariableValue>>;
}

export type Render = (source: string, context: RenderContext, file: string) => string;

/** Loads every `<name>.hbs` in the partials folders (later folders win) into a fresh engine. */
export async function createRenderer(partialDirs: readonly string[]): Promise<Render> {
  const engine = Handlebars.create();
  for (const dir of partialDirs) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const entry of entries.filter((e) => e.endsWith('.hbs')).sort()) {
      const source = await readFile(path.join(dir, entry), 'utf8');
      engine.registerPartial(entry.slice(0, -'.hbs'.length), engine.compile(source, COMPILE_OPTIONS));
    }
  }
  return (source, context, file) => {
    try {
      return engine.compile(source, COMPILE_OPTIONS)(context);
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message.split('\n')[0]}`);
    }
  };
}
