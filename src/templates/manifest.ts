/**
 * The template manifest (`templates/<id>/template.json`): its type and the rules for its
 * variables' values. Its schema is schema.ts; read-manifest.ts reads one.
 */
import vm from 'node:vm';
import type { TemplateManifestData, TemplateVariable } from './schema.js';

export type { TemplateVariable } from './schema.js';

export const WORKLOAD_TYPES = ['service', 'job'] as const;
export type WorkloadType = (typeof WORKLOAD_TYPES)[number];
export type VariableValue = string | number | boolean;

export type TemplateManifest = Readonly<TemplateManifestData>;

/** A manifest problem, worded as `<file>: <field>: <what is wrong>`. */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

/** Why a value does not fit a declared variable, or undefined when it fits. */
export function checkVariableValue(variable: TemplateVariable, value: VariableValue): string | undefined {
  if (typeof value !== variable.type) return `expected a ${variable.type}`;
  if (variable.type === 'string') {
    const text = value as string;
    if (variable.choices && !variable.choices.includes(text)) return `must be one of ${variable.choices.join(', ')}`;
    if (variable.pattern) {
      const matches = matchesWhole(variable.pattern, text);
      if (matches === undefined) return `the pattern /${variable.pattern}/ took too long to check (it backtracks catastrophically; fix the template)`;
      if (!matches) return `must match /${variable.pattern}/`;
    }
  }
  if (variable.type === 'number') {
    const num = value as number;
    if (!Number.isFinite(num)) return 'expected a finite number';
    if (variable.choices && !variable.choices.includes(num)) return `must be one of ${variable.choices.join(', ')}`;
    if (variable.min !== undefined && num < variable.min) return `must be at least ${variable.min}`;
    if (variable.max !== undefined && num > variable.max) return `must be at most ${variable.max}`;
  }
  return undefined;
}

/** Converts the text of `--var key=value` (or a prompt answer) to the variable's type. */
export function parseVariableText(variable: TemplateVariable, text: string): VariableValue | undefined {
  switch (variable.type) {
    case 'string':
      return text;
    case 'number':
      return text.trim() === '' || Number.isNaN(Number(text)) ? undefined : Number(text);
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined;
  }
}

// A template's pattern is someone else's code: `(a+)+` against a crafted value would hang the
// run. Matching happens in a VM context with a time limit instead (no linear-time engine ships
// with Node). Real patterns take microseconds; the limit only stops catastrophic backtracking.
const PATTERN_TIME_LIMIT_MS = 250;
let patternContext: vm.Context | undefined;
let patternScript: vm.Script | undefined; // made on first use: most runs check no pattern

/** Whether the whole text matches; undefined when the pattern ran out of time. */
function matchesWhole(pattern: string, text: string): boolean | undefined {
  patternScript ??= new vm.Script('new RegExp(`^(?:${pattern})$`).test(text)');
  patternContext ??= vm.createContext({});
  patternContext.pattern = pattern;
  patternContext.text = text;
  try {
    return patternScript.runInContext(patternContext, { timeout: PATTERN_TIME_LIMIT_MS }) as boolean;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return undefined;
    throw error;
  }
}
