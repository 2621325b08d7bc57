/**
 * Programs (src/render/program.ts) rendered by src/render/interpret.ts against Handlebars itself,
 * with the engine's options: the same text whenever Handlebars renders, NotOrdinary (so that the
 * engine hands the source to Handlebars) whenever Handlebars fails or does something else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/options.js';
import { COMPILE_OPTIONS, type RenderContext } from '../../src/render/engine.js';
import { interpret, NotOrdinary, type Template } from '../../src/render/interpret.js';
import { renderContext } from '../../src/render/plan.js';
import { type Node, toProgram } from '../../src/render/program.js';
import { workloadOf } from '../../src/templates/layers.js';
import { listTemplates } from '../../src/templates/registry.js';
import { rawArgs } from '../support/generator.js';

type Outcome = { text: string } | { fails: true };

/**
 * Handlebars' rendering and the interpreter's, each as its text or "fails"; the interpreter's
 * twice, from a program made from the text (text kept as strings) and from a file (text as ranges
 * of its bytes), which must agree. Undefined from the interpreter when there is no program.
 */
function both(source: string, context: unknown, partials: Readonly<Record<string, string>> = {}): { handlebars: Outcome; interpreted: Outcome | undefined } {
  const engine = Handlebars.create();
  for (const [name, partial] of Object.entries(partials)) engine.registerPartial(name, engine.compile(partial, { ...COMPILE_OPTIONS }));
  let handlebars: Outcome;
  try {
    handlebars = { text: engine.compile(source, { ...COMPILE_OPTIONS })(context) };
  } catch {
    handlebars = { fails: true };
  }
  const asText = (text: string): Template | undefined => {
    const program = toProgram(Handlebars.parse(text));
    return program && { program };
  };
  const asFile = (text: string): Template | undefined => {
    const program = toProgram(Handlebars.parse(text), text);
    return program && { program, bytes: Buffer.from(text) };
  };
  const outcomes = [asText, asFile].map((make) => {
    const template = make(source);
    if (!template) return undefined;
    const programs = new Map(Object.entries(partials).map(([name, partial]) => [name, make(partial)]));
    try {
      const output = interpret(template, context, (name) => programs.get(name));
      const [text, bytes] = [output.toString(), output.toBuffer().toString('utf8')];
      expect(bytes).toBe(text);
      return { text };
    } catch (error) {
      if (!(error instanceof NotOrdinary)) throw error;
      return { fails: true as const };
    }
  });
  expect(outcomes[1]).toEqual(outcomes[0]);
  return { handlebars, interpreted: outcomes[0] };
}

describe('interpret', () => {
  const context = { name: 'api', unicode: 'Zoë ∑ 😀', n: 0, list: [1, 2], none: [], empty: '', nothing: null, on: true, off: false, nested: { deep: 'yes' }, object: {} };
  it.each([
    ['text only\n'],
    ['{{name}}-{{{name}}} {{n}} {{list}} {{on}} {{off}} {{nothing}} {{nested.deep}} {{object}}'],
    ['{{#if name}}a{{else}}b{{/if}}{{#if n}}c{{else}}d{{/if}}{{#if list}}e{{/if}}{{#if none}}f{{else}}g{{/if}}{{#if empty}}h{{/if}}{{#if missing}}i{{else}}j{{/if}}'],
    ['{{#unless on}}a{{else}}b{{/unless}}{{#unless off}}c{{/unless}}{{#if object}}k{{/if}}'],
    ['line\n{{#if on}}\n  kept\n{{else}}\n  dropped\n{{/if}}\nend {{~#if on}} tight {{/if~}} end\n'],
    ['{{! a comment }}{{!-- another --}}x'],
    ['{{#if on}}{{#if nested.deep}}{{nested.deep}}{{/if}}{{/if}}'],
    ['{{#if on}}a{{else if off}}b{{else}}c{{/if}}'],
    ['é {{name}} — {{#if on}}ü{{/if}} 💡 {{unicode}}\n'],
    ['a\r\n{{#if on}}\r\n  b\r\n{{/if}}\r\nc\r{{#if off}}\rx{{/if}}\rd'],
    ['\\{{name}} {{name}} \\\\{{name}}'],
  ])('%j renders as Handlebars renders it', (source) => {
    const { handlebars, interpreted } = both(source, context);
    expect(interpreted).toEqual(handlebars);
    expect(handlebars).toHaveProperty('text');
  });

  it('indents a standalone partial, nested ones too, and passes key=value pairs', () => {
    const partials = { outer: 'o1 {{name}}\n  {{> inner}}\no2\n', inner: 'i1 {{kind}}\ni2\n', hashed: '{{kind}} {{n}} {{name}}', empty: '', blank: '\n\n', tail: 'x\ny', unicode: 'é — {{kind}}\n\n€\n' };
    const sources = ['a\n  {{> outer kind="k"}}\nb\n', '{{> hashed kind="x" n=16}}|{{> hashed kind=true}}', '  {{> empty}}\nx', '- {{> inner kind="inline"}}', '\t{{> blank}}\n', '  {{> tail}}\n', '  {{> unicode kind="ü"}}\n'];
    for (const source of sources) {
      const { handlebars, interpreted } = both(source, context, partials);
      expect(interpreted, source).toEqual(handlebars);
      expect(handlebars, source).toHaveProperty('text');
    }
  });

  it.each([
    ['{{missing}}', context],
    ['{{nested.missing}}', context],
    ['{{missing.deep}}', context],
    ['{{#if missing.deep}}x{{/if}}', context],
    ['{{name.length}}', context],
    ['{{fn}}', { fn: () => 'called' }],
    ['{{#if fn}}x{{/if}}', { fn: () => false }],
    ['{{inherited}}', Object.create({ inherited: 'from the prototype' }) as unknown],
    ['{{> unknown}}', context],
  ])('%j is left to Handlebars', (source, data) => {
    expect(both(source, data).interpreted).toEqual({ fails: true });
  });

  it.each([['{{#each list}}{{this}}{{/each}}'], ['{{lookup nested "deep"}}'], ['{{log name}}'], ['{{../name}}'], ['{{@root.name}}'], ['{{this.name}}'], ['{{#if name includeZero=true}}x{{/if}}'], ['{{> (whichPartial)}}'], ['{{#> layout}}x{{/layout}}'], ['{{constructor}}'], ['{{> p kind=name}}']])(
    '%j has no program',
    (source) => expect(toProgram(Handlebars.parse(source))).toBeUndefined(),
  );
});

describe('every built-in template', () => {
  const layerPrograms = new Map<string, readonly Node[]>();
  const read = (dir: string, found: Map<string, string> = new Map(), relative = ''): Map<string, string> => {
    for (const entry of readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      const rel = path.join(relative, entry.name);
      if (entry.isDirectory()) read(dir, found, rel);
      else if (entry.name.endsWith('.hbs')) found.set(rel, readFileSync(path.join(dir, rel), 'utf8'));
    }
    return found;
  };

  it('renders every source of its layers as Handlebars does, for each workload and option', async () => {
    const variants = [{}, { packageManager: 'pnpm' as const }, { ci: false }, { project: 'my-project-123', region: 'europe-west1', name: 'x-1' }];
    let rendered = 0;
    for (const template of await listTemplates()) {
      for (const type of template.manifest.types) {
        const workload = workloadOf(template, type);
        // Partials as the engine registers them: every layer's _partials, later layers win.
        const partials: Record<string, string> = {};
        for (const layer of workload.layers) {
          for (const [file, source] of read(layer.dir)) if (file.startsWith(`_partials${path.sep}`)) partials[path.basename(file, '.hbs')] = source;
        }
        const sources = [...workload.layers.flatMap((layer) => [...read(layer.dir).values()]), ...workload.nextSteps, ...workload.install];
        for (const variant of variants) {
          const options = { ...resolveOptions(rawArgs({ type, directory: 'app' }), { templateId: template.manifest.id }, [template], '/tmp'), ...variant };
          const context: RenderContext = renderContext(options);
          for (const source of sources) {
            if (!layerPrograms.has(source)) layerPrograms.set(source, toProgram(Handlebars.parse(source))!);
            const { handlebars, interpreted } = both(source, context, partials);
            expect(interpreted, `${template.manifest.id}/${type} ${JSON.stringify(variant)}: ${source.slice(0, 80)}`).toEqual(handlebars);
            rendered += 1;
          }
        }
      }
    }
    expect(rendered).toBeGreaterThan(500);
    expect([...layerPrograms.values()].every(Boolean)).toBe(true); // every built-in source has a program
  });
});
