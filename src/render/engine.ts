/**
 * The Handlebars engine: an isolated instance (no global helpers leak in), `noEscape` because the
 * output is source code rather than HTML, and `strict` so a misspelt variable fails instead of
 * rendering as an empty string. Only template files are compiled; user input is always data.
 */
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { VariableValue, WorkloadType } from '../templates/manifest.js';
import { readTextFile, templateEntry, TemplateFileError } from '../templates/read.js';

export const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

/** Everything a template file can refer to. */
export interface RenderContext {
  readonly name: string;
  readonly type: WorkloadType;
  readonly isService: boolean;
  readonly isJob: boolean;
  readonly region: string;
  readonly project: string;
  readonly template: { readonly id: string; readonly name: string; readonly language: string; readonly framework: string };
  readonly vars: Readonly<Record<string, VariableValue>>;
}

export type Render = (source: string, context: RenderContext, file: string) => string;

/** Loads every `<name>.hbs` in the partials folders (later folders win) into a fresh engine. */
export async function createRenderer(partialDirs: readonly string[]): Promise<Render> {
  const engine = Handlebars.create();
  for (const dir of partialDirs) {
    const info = await lstat(dir).catch(() => undefined);
    if (!info) continue;
    if (!info.isDirectory()) throw new TemplateFileError(`${dir}: must be a folder (templates may not contain symbolic links)`);
    for (const entry of (await readdir(dir)).sort()) {
      const entryInfo = await templateEntry(path.join(dir, entry)); // a link or FIFO anywhere in it is refused
      if (!entry.endsWith('.hbs') || !entryInfo.isFile()) continue;
      const source = await readTextFile(path.join(dir, entry));
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
