/**
 * A Handlebars template as data: what scripts/build.mjs makes of each built-in template at build
 * time, so that a run renders it with interpret.ts instead of loading Handlebars and compiling the
 * template's JavaScript (most of a generation's CPU time).
 *
 * toProgram() takes the syntax tree of Handlebars' own parser (which has already applied the
 * whitespace rules: standalone tags, `~`, partial indentation) and keeps only what the built-in
 * templates use: text, `{{a.b}}`, `{{#if a}}` / `{{#unless a}}` with `{{else}}`, and partials
 * `{{> name key="literal"}}`. Anything else (helpers with arguments, `{{#each}}`, `@data`, `../`,
 * sub-expressions, partial blocks) gives undefined: that template is left to Handlebars.
 */

/**
 * One piece of output. Text is the source's own bytes where the program was made from a file
 * (the run has those bytes already): two numbers in a row, `start` and `end` of the range (kept
 * flat rather than as a pair: a program has hundreds, and each pair would be an object to load);
 * else the text itself.
 */
export type Node = string | number | Value | Condition | Partial;

/** Bytes `[start, end)` of the template file. */
type Range = readonly [start: number, end: number];

/** `{{a.b}}`: the value at that path of the context. */
export interface Value {
  readonly value: readonly string[];
}

/** `{{#if a}}then{{else}}else{{/if}}`; `{{#unless a}}` is the same with the branches swapped. */
export interface Condition {
  readonly if: readonly string[];
  readonly then: readonly Node[];
  readonly else: readonly Node[];
}

/** `{{> name key="value"}}`, standalone on its line when `indent` is set. */
export interface Partial {
  readonly partial: string;
  readonly hash?: Readonly<Record<string, string | number | boolean>>;
  readonly indent?: string;
}

/** The parts of Handlebars' syntax tree read here (handlebars' own typings of it are loose). */
interface SyntaxNode {
  readonly type: string;
  readonly [field: string]: unknown;
}
interface PathNode extends SyntaxNode {
  readonly data: boolean;
  readonly depth: number;
  readonly parts: readonly string[];
  readonly original: string;
}

/**
 * Handlebars' built-in helpers: `{{log}}` alone calls one rather than reading the context. The
 * engine registers no others (engine.ts).
 */
const HELPERS: ReadonlySet<string> = new Set(['if', 'unless', 'each', 'with', 'log', 'lookup', 'helperMissing', 'blockHelperMissing']);

/**
 * The program of a parsed template (`Handlebars.parse(source)`), or undefined when it uses more
 * than this supports. With `source` (a file's text), text comes out as byte ranges of it.
 */
export function toProgram(ast: { readonly body: readonly object[] }, source?: string): Node[] | undefined {
  try {
    return statements(ast.body as SyntaxNode[], source === undefined ? undefined : new Text(source));
  } catch (error) {
    if (error instanceof NotSupported) return undefined;
    throw error;
  }
}

class NotSupported extends Error {}

function statements(body: readonly SyntaxNode[], text: Text | undefined): Node[] {
  const nodes: Node[] = [];
  for (const statement of body) {
    const node = toNode(statement, text);
    if (Array.isArray(node)) nodes.push(...(node as Range));
    else if (node !== undefined && node !== '') nodes.push(node as Node);
  }
  return nodes;
}

function toNode(statement: SyntaxNode, text: Text | undefined): Node | Range | undefined {
  switch (statement.type) {
    case 'ContentStatement':
      return statement.value === '' ? undefined : (text?.range(statement) ?? (statement.value as string));
    case 'CommentStatement':
      return undefined;
    case 'MustacheStatement': {
      const path = plainPath(statement.path as SyntaxNode);
      // `{{name}}` alone may also name a helper, and lookups that reach Object.prototype are denied by Handlebars.
      if ((statement.params as unknown[]).length > 0 || statement.hash || (path.length === 1 && HELPERS.has(path[0]!))) throw new NotSupported();
      return { value: path };
    }
    case 'BlockStatement': {
      const helper = plainPath(statement.path as SyntaxNode).join('.');
      const params = statement.params as SyntaxNode[];
      const program = statement.program as { body: SyntaxNode[]; blockParams?: unknown } | undefined;
      const inverse = statement.inverse as { body: SyntaxNode[]; blockParams?: unknown } | undefined;
      if ((helper !== 'if' && helper !== 'unless') || params.length !== 1 || statement.hash || !program || program.blockParams || inverse?.blockParams) {
        throw new NotSupported();
      }
      const [then, otherwise] = [statements(program.body, text), statements(inverse?.body ?? [], text)];
      return { if: plainPath(params[0]!), ...(helper === 'if' ? { then, else: otherwise } : { then: otherwise, else: then }) };
    }
    case 'PartialStatement': {
      const name = statement.name as SyntaxNode;
      if (name.type !== 'PathExpression' || (statement.params as unknown[]).length > 0) throw new NotSupported();
      const partial = (name as PathNode).original;
      plainPath(name); // a plain name: no `../`, `@`, `this`
      const hash = statement.hash ? literals(statement.hash as SyntaxNode) : undefined;
      const indent = statement.indent as string | undefined;
      return { partial, ...(hash ? { hash } : {}), ...(indent ? { indent } : {}) };
    }
    default:
      throw new NotSupported();
  }
}

/** The parts of `a.b`; not `this`, `../a`, `@index`, nor a name every object has (`constructor`). */
function plainPath(node: SyntaxNode): string[] {
  if (node.type !== 'PathExpression') throw new NotSupported();
  const { data, depth, parts, original } = node as PathNode;
  if (data || depth > 0 || parts.length === 0 || /^\.|this\b/.test(original) || parts.some((part) => part in Object.prototype)) throw new NotSupported();
  return [...parts];
}

/** `key="text" n=16 on=true`: literal values only. */
function literals(hash: SyntaxNode): Record<string, string | number | boolean> {
  const values: Record<string, string | number | boolean> = {};
  for (const pair of hash.pairs as { key: string; value: SyntaxNode }[]) {
    const { type, value } = pair.value as { type: string; value: unknown };
    if ((type !== 'StringLiteral' && type !== 'NumberLiteral' && type !== 'BooleanLiteral') || pair.key in Object.prototype) throw new NotSupported();
    values[pair.key] = value as string | number | boolean;
  }
  return values;
}

/**
 * Where a text statement's value lies in the source, in bytes. Handlebars gives the line and
 * column (UTF-16 units) of the text as written (`original`); its whitespace rules only trim that
 * at either end, so the value is a piece of it. Undefined when the two cannot be matched up
 * (an escaped `\{{`, say): the text is then kept as a string.
 */
class Text {
  private readonly lineStarts = [0];

  constructor(private readonly source: string) {
    // Line breaks as Handlebars' lexer counts them: \r\n, \r or \n.
    for (const match of source.matchAll(/\r\n?|\n/g)) this.lineStarts.push(match.index + match[0].length);
  }

  range(statement: SyntaxNode): Range | undefined {
    const { original, value, loc } = statement as unknown as { original: string; value: string; loc: { start: { line: number; column: number } } };
    const at = this.lineStarts[loc.start.line - 1]! + loc.start.column;
    const inner = original.indexOf(value);
    if (this.source.slice(at, at + original.length) !== original || inner < 0) return undefined;
    const start = Buffer.byteLength(this.source.slice(0, at + inner));
    return [start, start + Buffer.byteLength(value)];
  }
}
