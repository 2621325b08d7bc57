/**
 * The command-line parser (src/cli/args.ts) and the help layout (src/cli/help.ts): the rules the
 * CLI has always followed, pinned one by one.
 */
import { describe, expect, it } from 'vitest';
import { parseArgs, writeHelp } from '../../src/cli/args.js';
import { formatHelp, wrap } from '../../src/cli/help.js';
import { listTemplates } from '../../src/templates/registry.js';

const parse = (argv: string[]) => {
  let out = '';
  try {
    return { result: parseArgs(argv, '1.2.3', (text) => (out += text)), out };
  } catch (error) {
    return { error: (error as Error).message, out };
  }
};
const args = (argv: string[]) => {
  const { result, error } = parse(argv);
  if (result?.kind !== 'run') throw new Error(`expected a run, got ${error ?? result?.kind}`);
  return result.args;
};

describe('parseArgs', () => {
  it('reads values as the next argument, after =, or attached to a short flag', () => {
    expect(args(['app', '--template', 'node-express', '-n', 'api'])).toMatchObject({ directory: 'app', template: 'node-express', name: 'api' });
    expect(args(['--region=us-east1', '-tgo-net-http', '--var=a=b'])).toMatchObject({ region: 'us-east1', template: 'go-net-http', vars: ['a=b'] });
    expect(args(['--name', '-x']).name).toBe('-x'); // a value may look like a flag
  });
  it('combines short flags, repeats --var, keeps the last of anything else', () => {
    expect(args(['-yt', 'x'])).toMatchObject({ yes: true, template: 'x' });
    expect(args(['--var', 'a=1', '--var', 'b=2']).vars).toEqual(['a=1', 'b=2']);
    expect(args(['--region', 'a', '--region', 'b']).region).toBe('b');
  });
  it('--no-<flag> turns the flag off; neither leaves it unset', () => {
    expect(args([])).toMatchObject({ git: undefined, install: undefined, ci: true, yes: false });
    expect(args(['--no-git', '--install'])).toMatchObject({ git: false, install: true });
    expect(args(['--git', '--no-git', '--no-ci'])).toMatchObject({ git: false, ci: false });
  });
  it('-- ends the flags; a negative number is an argument', () => {
    expect(args(['--', '--json']).directory).toBe('--json');
    expect(args(['-5']).directory).toBe('-5');
  });
  it('prints the version at once, and asks for the help even after an unknown flag', () => {
    expect(parse(['-yV', '--bogus'])).toEqual({ result: { kind: 'done' }, out: '1.2.3\n' });
    expect(parse(['--bogus', '-yh']).result).toEqual({ kind: 'help' });
    expect(parse(['--name', '--help']).result?.kind).toBe('run'); // the name's value
  });
  it.each([
    [['--bogus'], "unknown option '--bogus'"],
    [['--tempalte', 'x'], "unknown option '--tempalte' (Did you mean --template?)"],
    [['--no-gi'], "unknown option '--no-gi' (Did you mean one of --no-ci, --no-git?)"],
    [['-yx'], "unknown option '-x'"],
    [['--yes=1'], "unknown option '--yes=1' (Did you mean --yes?)"],
    [['--language'], "option '-l, --language <id>' argument missing"],
    [['a', 'b'], 'too many arguments. Expected 1 argument but got 2.'],
  ])('%j: %s', (argv, message) => expect(parse(argv).error).toBe(message));
});

describe('help layout', () => {
  it('wraps at spaces, keeps a longer word whole, and leaves narrow columns alone', () => {
    expect(wrap('aaa bbb ccc', 40)).toBe('aaa bbb ccc');
    expect(wrap(`${'a '.repeat(25)}b`, 40).split('\n').map((line) => line.length)).toEqual([39, 11]);
    expect(wrap('x'.repeat(50), 40)).toBe('x'.repeat(50));
    expect(wrap('a b', 39)).toBe('a b');
  });
  it('aligns descriptions beside the longest term', () => {
    const page = formatHelp({ usage: 'tool [options]', description: 'Does things.', sections: [['Options:', [['-a', 'first'], ['--bb <x>', 'second']]]] });
    expect(page).toBe('Usage: tool [options]\n\nDoes things.\n\nOptions:\n  -a        first\n  --bb <x>  second\n');
  });
  it('fits the terminal width it is given, 80 columns otherwise', async () => {
    const templates = await listTemplates();
    const help = (width?: number) => {
      let text = '';
      writeHelp('1.2.3', templates, (out) => (text += out), width);
      return text;
    };
    const widest = (text: string) => Math.max(...text.split('\nTemplates')[0]!.split('\n').map((line) => line.length));
    expect(widest(help())).toBeLessThanOrEqual(80);
    expect(help(80)).toBe(help());
    expect(widest(help(120))).toBeGreaterThan(80);
  });
});
