/**
 * Renders a program (program.ts) the way Handlebars renders its template with the engine's
 * options (`noEscape`, `strict`), for the ordinary case only: every value it prints exists as the
 * context's own property and is not a function, every partial is known and has a program. In any
 * other case it throws NotOrdinary, and the caller renders the source with Handlebars itself,
 * which then gives its own output or error. Nothing here has effects, so trying first is safe.
 */
import type { Node } from './program.js';

export class NotOrdinary extends Error {
  override name = 'NotOrdinary';
}

/** The program of a partial by name, as registered; undefined when it has none. */
export type PartialPrograms = (name: string) => readonly Node[] | undefined;

export function interpret(program: readonly Node[], context: unknown, partials: PartialPrograms): string {
  let out = '';
  for (const node of program) {
    if (typeof node === 'string') out += node;
    else if ('value' in node) {
      // `{{a.b}}`: strict, a missing name is an error (Handlebars words it).
      const value = lookup(context, node.value, true);
      if (value != null) out += value; // `+` as Handlebars' generated code does: 0 -> "0", [1, 2] -> "1,2"
    } else if ('if' in node) {
      // Handlebars' `if`: false for a missing value, false, 0, '', null and an empty array.
      const value = lookup(context, node.if, false);
      out += interpret((Array.isArray(value) ? value.length > 0 : Boolean(value)) ? node.then : node.else, context, partials);
    } else {
      const body = partials(node.partial) ?? notOrdinary();
      let text = interpret(body, node.hash ? extend(context, node.hash) : context, partials);
      if (node.indent) text = indent(text, node.indent);
      out += text;
    }
  }
  return out;
}

/**
 * The value at `parts` of the context, through own properties only (Handlebars denies inherited
 * ones). Missing at the end: undefined for an `if`, NotOrdinary where Handlebars' strict mode
 * throws; missing on the way, an inherited name, or a function (a lambda Handlebars would call):
 * NotOrdinary.
 */
function lookup(context: unknown, parts: readonly string[], strict: boolean): unknown {
  let value = context;
  for (let i = 0; i < parts.length; i += 1) {
    if (typeof value !== 'object' || value === null) notOrdinary();
    const part = parts[i]!;
    if (!Object.hasOwn(value, part)) {
      if (strict || i < parts.length - 1 || part in value) notOrdinary();
      return undefined;
    }
    value = (value as Record<string, unknown>)[part];
  }
  if (typeof value === 'function') notOrdinary();
  return value;
}

/** Handlebars' Utils.extend({}, context, hash): a partial's context with its `key=value` pairs. */
function extend(context: unknown, hash: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const source of [context as Record<string, unknown>, hash]) {
    for (const key in source) if (Object.hasOwn(source, key)) out[key] = source[key];
  }
  return out;
}

/** A standalone partial's output, each line indented as its tag was (as Handlebars' invokePartial does). */
function indent(text: string, prefix: string): string {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    if (!lines[i] && i + 1 === lines.length) break;
    lines[i] = prefix + lines[i];
  }
  return lines.join('\n');
}

function notOrdinary(): never {
  throw new NotOrdinary();
}
