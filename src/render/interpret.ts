/**
 * Renders a program (program.ts) the way Handlebars renders its template with the engine's
 * options (`noEscape`, `strict`), for the ordinary case only: every value it prints exists as the
 * context's own property and is not a function, every partial is known and has a program. In any
 * other case it throws NotOrdinary, and the caller renders the source with Handlebars itself,
 * which then gives its own output or error. Nothing here has effects, so trying first is safe.
 *
 * A file's text is copied from its bytes as they are, so that rendering decodes and re-encodes
 * none of it: only the values are encoded.
 */
import type { Node } from './program.js';

export class NotOrdinary extends Error {
  override name = 'NotOrdinary';
}

/** A program and the bytes its text ranges refer to (none for a program made from a string). */
export interface Template {
  readonly program: readonly Node[];
  readonly bytes?: Buffer;
}

/** The template of a partial by name, as registered; undefined when it has no program. */
export type Partials = (name: string) => Template | undefined;

export function interpret(template: Template, context: unknown, partials: Partials): Output {
  const out = new Output();
  run(template.program, template.bytes, context, partials, out);
  return out;
}

function run(program: readonly Node[], bytes: Buffer | undefined, context: unknown, partials: Partials, out: Output): void {
  for (let i = 0; i < program.length; i += 1) {
    const node = program[i]!;
    if (typeof node === 'number') out.bytes(bytes!, node, program[(i += 1)] as number); // a range of the file's bytes
    else if (typeof node === 'string') out.text(node);
    else if ('value' in node) {
      // `{{a.b}}`: strict, a missing name is an error (Handlebars words it).
      const value = lookup(context, node.value, true);
      if (value != null) out.text('' + (value as string)); // Handlebars' `+`: 0 -> "0", [1, 2] -> "1,2"
    } else if ('if' in node) {
      // Handlebars' `if`: false for a missing value, false, 0, '', null and an empty array.
      const value = lookup(context, node.if, false);
      run((Array.isArray(value) ? value.length > 0 : Boolean(value)) ? node.then : node.else, bytes, context, partials, out);
    } else if ('partial' in node) {
      const partial = partials(node.partial) ?? notOrdinary();
      const partialContext = node.hash ? extend(context, node.hash) : context;
      if (!node.indent) run(partial.program, partial.bytes, partialContext, partials, out);
      else out.bytes(indent(interpret(partial, partialContext, partials).toBuffer(), node.indent));
    }
  }
}

/**
 * Rendered text as the pieces it was made of: byte ranges of the template files, and strings for
 * values. Adjacent strings are joined before they are encoded, as Handlebars joins them (two halves
 * of a character split across values stay one character). The ranges are kept as numbers and
 * copied once into the result: no Buffer object per piece.
 */
export class Output {
  private readonly pieces: (Buffer | string)[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  text(text: string): void {
    const last = this.pieces.length - 1;
    if (last >= 0 && typeof this.pieces[last] === 'string') this.pieces[last] += text;
    else this.add(text, 0, 0);
  }

  bytes(bytes: Buffer, start = 0, end = bytes.length): void {
    this.add(bytes, start, end);
  }

  toBuffer(): Buffer {
    let length = 0;
    this.pieces.forEach((piece, i) => (length += typeof piece === 'string' ? Buffer.byteLength(piece) : this.ends[i]! - this.starts[i]!));
    const out = Buffer.allocUnsafe(length);
    let at = 0;
    this.pieces.forEach((piece, i) => (at += typeof piece === 'string' ? out.write(piece, at) : piece.copy(out, at, this.starts[i], this.ends[i])));
    return out;
  }

  toString(): string {
    return this.pieces.map((piece, i) => (typeof piece === 'string' ? piece : piece.toString('utf8', this.starts[i], this.ends[i]))).join('');
  }

  private add(piece: Buffer | string, start: number, end: number): void {
    this.pieces.push(piece);
    this.starts.push(start);
    this.ends.push(end);
  }
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

const NEWLINE = 0x0a; // never part of a longer UTF-8 sequence

/**
 * A standalone partial's output with each line indented as its tag was, except the empty rest
 * after a final newline (as Handlebars' invokePartial does it on the text; here on its bytes).
 */
function indent(text: Buffer, prefix: string): Buffer {
  const pad = Buffer.from(prefix, 'utf8');
  const pieces: Buffer[] = [];
  for (let start = 0; start < text.length; ) {
    const end = text.indexOf(NEWLINE, start);
    const line = end < 0 ? text.length : end + 1;
    pieces.push(pad, text.subarray(start, line));
    start = line;
  }
  return Buffer.concat(pieces);
}

function notOrdinary(): never {
  throw new NotOrdinary();
}
