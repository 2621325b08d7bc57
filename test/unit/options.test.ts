import { describe, expect, it } from 'vitest';
import {
  isValidName,
  matchTemplates,
  parseType,
  parseVars,
  pickTemplate,
  resolveOptions,
  toCloudRunName,
  UsageError,
} from '../../src/options.js';
import { loadTemplate, listTemplates, type Template } from '../../src/templates/registry.js';
import { parseArgs, writeHelp } from '../../src/cli/args.js';
import { MINI_TEMPLATE_DIR, rawArgs } from '../support/generator.js';

const mini = await loadTemplate(MINI_TEMPLATE_DIR);
const fake = (id: string, language: string, framework: string, types: ('service' | 'job')[] = ['service', 'job']): Template => ({
  dir: `/templates/${id}`,
  manifest: { id, name: id, language, framework, types, variables: {}, executable: [], routes: [], nextSteps: [], install: [], default: false },
});
const catalogue = [
  fake('go-net-http', 'go', 'net-http'),
  fake('node-express', 'node', 'express'),
  fake('node-fastify', 'node', 'fastify'),
  fake('python-flask', 'python', 'flask'),
];

describe('Cloud Run names', () => {
  it.each(['a', 'my-api', 'a1', 'x'.repeat(49), 'a-b-c'])('accepts %s', (name) => expect(isValidName(name)).toBe(true));
  it.each(['', 'A', '1abc', '-abc', 'abc-', 'my_api', 'x'.repeat(50), 'my api', 'ünï'])('rejects %j', (name) =>
    expect(isValidName(name)).toBe(false),
  );
  it.each([
    ['My_App', 'my-app'],
    ['  Hello World!! ', 'hello-world'],
    ['123-service', 'service'],
    ['api--v2__', 'api-v2'],
    ['x'.repeat(60), 'x'.repeat(49)],
    [`${'a'.repeat(48)}-b`, 'a'.repeat(48)],
  ])('converts %j to %j', (input, expected) => {
    const converted = toCloudRunName(input);
    expect(converted).toBe(expected);
    expect(isValidName(converted!)).toBe(true);
  });
  it('gives up on names with no letters', () => expect(toCloudRunName('1234_%%')).toBeUndefined());
});

describe('template selection', () => {
  it('--framework implies the language', () => {
    expect(matchTemplates({ framework: 'flask' }, catalogue).map((t) => t.manifest.id)).toEqual(['python-flask']);
  });
  it('--language with one framework picks it', () => {
    expect(pickTemplate(matchTemplates({ language: 'go' }, catalogue), { language: 'go' }).manifest.id).toBe('go-net-http');
  });
  it('--language with several frameworks picks the one its manifest marks as the default', () => {
    const withDefault = catalogue.map((t) => (t.manifest.id === 'node-fastify' ? { ...t, manifest: { ...t.manifest, default: true } } : t));
    expect(pickTemplate(matchTemplates({ language: 'node' }, withDefault), { language: 'node' }).manifest.id).toBe('node-fastify');
  });
  it('--language with several frameworks and no default is ambiguous without a prompt', () => {
    const matches = matchTemplates({ language: 'node' }, catalogue);
    expect(matches).toHaveLength(2);
    expect(() => pickTemplate(matches, { language: 'node' })).toThrow(/several templates match \(node-express, node-fastify\)/);
  });
  it('no flags picks the default template', () => {
    expect(pickTemplate(catalogue, {}).manifest.id).toBe('node-express');
  });
  it.each([
    [{ language: 'go', framework: 'flask' }, /conflicting choices: no template matches --language go and --framework flask/],
    [{ template: 'node-express', language: 'python' }, /conflicting choices/],
    [{ template: 'rails' }, /unknown template "rails"/],
    [{ language: 'cobol' }, /unknown language "cobol" \(choose from: go, node, python\)/],
    [{ framework: 'django' }, /unknown framework "django"/],
  ])('%j is an error', (args, message) => {
    expect(() => matchTemplates(args, catalogue)).toThrow(UsageError);
    expect(() => matchTemplates(args, catalogue)).toThrow(message);
  });
  it('the built-in catalogue is discovered from disk, one template per folder', async () => {
    const ids = (await listTemplates()).map((t) => t.manifest.id);
    expect(ids.length).toBeGreaterThan(0);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('workload type', () => {
  it('defaults to the first supported type', () => expect(parseType(undefined, fake('a', 'x', 'y', ['job', 'service']))).toBe('job'));
  it('rejects unknown types', () => expect(() => parseType('worker', mini)).toThrow(/unknown --type "worker"/));
  it('rejects types the template does not support', () =>
    expect(() => parseType('job', fake('svc-only', 'x', 'y', ['service']))).toThrow(/does not support --type job/));
});

describe('--var', () => {
  it('types values by the declared variable', () => {
    expect(parseVars(['greeting=hi', 'workers=4', 'verbose=true'], mini)).toEqual({ greeting: 'hi', workers: 4, verbose: true });
  });
  it('keeps everything after the first =', () => {
    expect(() => parseVars(['greeting=hi=there'], mini)).toThrow(/--var greeting: must be one of hello, hi/);
  });
  it.each([
    [['nope=1'], /template "mini" has no variable "nope" \(it has: greeting, workers, verbose\)/],
    [['workers=many'], /--var workers: expected a number/],
    [['workers=9'], /--var workers: must be at most 8/],
    [['verbose=yes'], /--var verbose: expected a boolean/],
    [['=x'], /--var expects key=value/],
    [['greeting'], /--var expects key=value/],
  ])('%j is an error', (pairs, message) => expect(() => parseVars(pairs, mini)).toThrow(message));
});

describe('resolveOptions', () => {
  const cwd = '/work/projects';
  it('non-interactive defaults: service named cloudrun-service in ./cloudrun-service', () => {
    const options = resolveOptions(rawArgs(), {}, [mini], cwd);
    expect(options).toMatchObject({
      type: 'service',
      name: 'cloudrun-service',
      region: 'us-central1',
      project: '',
      targetDir: '/work/projects/cloudrun-service',
      displayDir: 'cloudrun-service',
      vars: { greeting: 'hello', workers: 2, verbose: false },
    });
    expect(Object.isFrozen(options)).toBe(true);
  });
  it('a job defaults to cloudrun-job', () => {
    expect(resolveOptions(rawArgs({ type: 'job' }), {}, [mini], cwd).name).toBe('cloudrun-job');
  });
  it('derives the name from the directory, converting it', () => {
    const options = resolveOptions(rawArgs({ directory: 'apps/My_App' }), {}, [mini], cwd);
    expect(options.name).toBe('my-app');
    expect(options.targetDir).toBe('/work/projects/apps/My_App');
  });
  it('"." uses the working directory name', () => {
    expect(resolveOptions(rawArgs({ directory: '.' }), {}, [mini], cwd)).toMatchObject({ name: 'projects', displayDir: '.' });
  });
  it('an explicit --name that does not fit is an error, not converted', () => {
    expect(() => resolveOptions(rawArgs({ name: 'My_App' }), {}, [mini], cwd)).toThrow(/invalid --name "My_App"/);
  });
  it('flags win over answers; answers fill the rest', () => {
    const options = resolveOptions(rawArgs({ name: 'from-flag' }), { name: 'from-prompt', directory: 'dir', type: 'job' }, [mini], cwd);
    expect(options).toMatchObject({ name: 'from-flag', type: 'job', displayDir: 'dir' });
  });
  it.each([
    [{ region: 'US-CENTRAL1' }, /invalid --region/],
    [{ region: 'mars' }, /invalid --region/],
    [{ project: 'Bad_Project' }, /invalid --project/],
    [{ project: 'short' }, /invalid --project/],
    [{ project: 'example:my-project' }, /invalid --project/],
    [{ project: 'example.com:' }, /invalid --project/],
    [{ project: ':my-project' }, /invalid --project/],
    [{ directory: '  ' }, /directory must not be empty/],
  ])('%j is an error', (overrides, message) => expect(() => resolveOptions(rawArgs(overrides), {}, [mini], cwd)).toThrow(message));
  it('accepts real regions and project ids', () => {
    const options = resolveOptions(rawArgs({ region: 'northamerica-northeast1', project: 'my-project-123' }), {}, [mini], cwd);
    expect(options).toMatchObject({ region: 'northamerica-northeast1', project: 'my-project-123' });
    expect(resolveOptions(rawArgs({ project: 'example.com:my-project' }), {}, [mini], cwd).project).toBe('example.com:my-project');
    expect(resolveOptions(rawArgs({ project: 'google.co.uk:a-b-c-d' }), {}, [mini], cwd).project).toBe('google.co.uk:a-b-c-d');
  });
});

describe('--ci / --no-ci', () => {
  const parsed = (argv: string[]) => {
    const result = parseArgs(argv, '0.0.0', () => {});
    if (result.kind !== 'run') throw new Error('expected a run');
    return result.args;
  };
  it('is on by default, off with --no-ci, on again with --ci', () => {
    expect(parsed([]).ci).toBe(true);
    expect(parsed(['--no-ci']).ci).toBe(false);
    expect(parsed(['--no-ci', '--ci']).ci).toBe(true);
  });
  it('reaches the options; a RawArgs without the field means on', () => {
    expect(resolveOptions(rawArgs({ ci: false }), {}, [mini], '/work').ci).toBe(false);
    expect(resolveOptions(rawArgs(), {}, [mini], '/work').ci).toBe(true);
  });
});

describe('--help comes from the catalogue', () => {
  const help = (templates: readonly Template[]) => {
    let text = '';
    expect(parseArgs(['--help'], '0.0.0', (out) => (text += out))).toEqual({ kind: 'help' });
    expect(text).toBe(''); // printed by writeHelp, with the catalogue
    writeHelp('0.0.0', templates, (out) => (text += out));
    return text.replace(/\s+/g, ' '); // as read, whatever the line wrapping
  };
  it('lists the languages, frameworks and templates it is given, and nothing else', () => {
    const text = help(catalogue);
    expect(text).toContain('go | node | python (its default template');
    expect(text).toContain('net-http | express | fastify | flask (implies the language)');
    for (const t of catalogue) expect(text).toContain(` ${t.manifest.id} `);
    const fewer = help(catalogue.filter((t) => t.manifest.language !== 'node'));
    expect(fewer).not.toMatch(/express|fastify|node-/);
    expect(fewer).not.toContain('ruby'); // no language is named in code
  });
});
