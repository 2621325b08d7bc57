/**
 * Command line -> RawArgs. Parsing only: no defaults beyond flags' own, no validation of values
 * (options.ts does that), and unknown flags or stray arguments are errors.
 *
 * A small parser of its own rather than a library: a CLI library was most of the code loaded
 * at start-up, and `node:util` parseArgs reads some arguments differently (a negative number as the
 * directory, an unknown letter inside `-yx`, `--no-<flag>` before Node 20.16). The rules here are
 * the conventional ones this CLI has always had:
 * - a flag that takes a value takes the next argument, whatever it looks like (`--name -x`), or
 *   `--flag=value`, or for a short flag the rest of the argument (`-tnode-express`);
 * - short flags without values combine (`-y -t x` as `-yt x`);
 * - `--no-git` turns `--git` off, the last of the two wins; a repeated flag keeps the last value,
 *   except `--var`, which adds one each time;
 * - `--` ends the flags; `-V` prints the version at once; `-h`/`--help` anywhere after an unknown
 *   flag still shows the help; a negative number is an argument, not a flag.
 */
import { UsageError, type RawArgs } from '../options.js';
import { workloadOf } from '../templates/layers.js';
import type { Template } from '../templates/registry.js';
import { formatHelp } from './help.js';
import { suggestFlag } from './suggest.js';

// 'help': --help was asked for; writeHelp() prints it with the catalogue. 'done': the version was printed.
export type ParsedArgs = { readonly kind: 'run'; readonly args: RawArgs } | { readonly kind: 'help' } | { readonly kind: 'done' };

const NAME = 'create-cloudrun-app';
const HELP_FLAGS: readonly string[] = ['-h', '--help'];
const VERSION_FLAG = '--version';
const REPEATABLE = '--var';
const NEGATIVE_NUMBER = /^-(\d+|\d*\.\d+)(e[+-]?\d+)?$/;

/** The catalogue's languages and frameworks, which two flags' help names. */
interface Catalogue {
  readonly languages: readonly string[];
  readonly frameworks: readonly string[];
}

interface Flag {
  readonly short?: string;
  readonly long: string;
  /** How --help shows the flag's value (`<id>`); absent for a flag without one. */
  readonly value?: string;
  /** The RawArgs field it sets: `--dry-run` sets `dryRun`, `--no-git` sets `git` (to false). */
  readonly field: string;
  readonly negated?: true;
  /** What it does, for --help. */
  readonly help: string | ((catalogue: Catalogue) => string);
}

/** Every flag, in the order --help lists them. */
const FLAGS: readonly Flag[] = [
  { short: '-t', long: '--template', value: '<id|path>', field: 'template', help: 'template id (see --list-templates) or a local template folder' },
  { short: '-l', long: '--language', value: '<id>', field: 'language', help: (c) => `${c.languages.join(' | ')} (its default template; the job is the language's)` },
  { short: '-f', long: '--framework', value: '<id>', field: 'framework', help: (c) => `${c.frameworks.join(' | ')} (implies the language)` },
  { long: '--type', value: '<type>', field: 'type', help: 'Cloud Run workload: service | job (default: service)' },
  { short: '-n', long: '--name', value: '<name>', field: 'name', help: 'Cloud Run service or job name (default: from the directory name)' },
  { long: '--region', value: '<region>', field: 'region', help: 'Cloud Run region (default: us-central1)' },
  { long: '--project', value: '<id>', field: 'project', help: 'Google Cloud project (default: the deploy script asks gcloud config)' },
  { long: '--package-manager', value: '<name>', field: 'packageManager', help: 'Node.js templates: npm | pnpm (default: the one running this, else npm)' },
  { long: '--var', value: '<key=value>', field: 'var', help: "set a template variable (repeatable; see the template's template.json)" },
  { short: '-y', long: '--yes', field: 'yes', help: 'never prompt; every unset option takes its default' },
  { long: '--git', field: 'git', help: 'git init and a first commit (default: yes; skipped inside a git repository)' },
  { long: '--no-git', field: 'git', negated: true, help: 'do not initialise a git repository' },
  { long: '--install', field: 'install', help: "install dependencies with the language's tool (default: asked; no with --yes)" },
  { long: '--no-install', field: 'install', negated: true, help: 'do not install dependencies' },
  { long: '--overwrite', field: 'overwrite', help: 'allow a non-empty directory; its contents are replaced, .git is kept' },
  { long: '--ci', field: 'ci', help: 'write .github/: CI/CD workflow (tests, keyless deploy) and dependabot.yml (default)' },
  { long: '--no-ci', field: 'ci', negated: true, help: 'leave .github/ out' },
  { long: '--dry-run', field: 'dryRun', help: 'print what would be written; write nothing' },
  { long: '--json', field: 'json', help: 'print one JSON object describing the result on stdout' },
  { long: '--list-templates', field: 'listTemplates', help: 'list templates (as JSON with --json) and exit' },
  { short: '-V', long: '--version', field: 'version', help: 'show the version' },
  { short: '-h', long: '--help', field: 'help', help: 'show this help' },
];

/** As --help and error messages show it: `-l, --language <id>`. */
const flagText = (flag: Flag) => `${flag.short ? `${flag.short}, ` : ''}${flag.long}${flag.value ? ` ${flag.value}` : ''}`;

// The help flags are not among them: like an unknown flag they are collected, and asked about at the end.
const PARSED_FLAGS = FLAGS.filter((flag) => !HELP_FLAGS.includes(flag.long));
const findFlag = (arg: string) => PARSED_FLAGS.find((flag) => flag.short === arg || flag.long === arg);
const looksLikeFlag = (arg: string) => arg.length > 1 && arg[0] === '-';

export function parseArgs(argv: readonly string[], version: string, writeOut: (text: string) => void): ParsedArgs {
  const values: Record<string, string | boolean | string[]> = {};
  const operands: string[] = [];
  const unknown: string[] = []; // the first unknown flag and every argument after it that is not a known flag
  let dest = operands;
  let group: string | undefined; // what is left of a group of short flags, `-yt x` -> `-t`
  let i = 0;
  while (i < argv.length || group !== undefined) {
    const arg = group ?? argv[i++]!;
    group = undefined;
    if (arg === '--') {
      if (dest === unknown) dest.push(arg);
      dest.push(...argv.slice(i));
      break;
    }
    let flag = looksLikeFlag(arg) ? findFlag(arg) : undefined;
    let value: string | undefined;
    if (flag) {
      if (flag.value) {
        value = argv[i++];
        if (value === undefined) throw new UsageError(`option '${flagText(flag)}' argument missing`);
      }
    } else if (arg.length > 2 && arg[0] === '-' && arg[1] !== '-' && (flag = findFlag(arg.slice(0, 2)))) {
      if (flag.value) value = arg.slice(2);
      else group = `-${arg.slice(2)}`;
    } else {
      const equals = arg.indexOf('=');
      flag = arg.startsWith('--') && equals > 2 ? findFlag(arg.slice(0, equals)) : undefined;
      if (flag?.value) value = arg.slice(equals + 1);
      else {
        if (dest === operands && looksLikeFlag(arg) && !NEGATIVE_NUMBER.test(arg)) dest = unknown;
        dest.push(arg);
        continue;
      }
    }
    if (flag.long === VERSION_FLAG) return writeOut(`${version}\n`), { kind: 'done' };
    if (flag.long === REPEATABLE) values[flag.field] = [...((values[flag.field] as string[] | undefined) ?? []), value!];
    else values[flag.field] = value ?? !flag.negated;
  }
  if (unknown.some((arg) => HELP_FLAGS.includes(arg))) return { kind: 'help' };
  if (unknown.length > 0) {
    const message = `unknown option '${unknown[0]}'${suggestFlag(unknown[0]!, FLAGS.map((flag) => flag.long))}`;
    throw new UsageError(message.replace(/\s*\n\s*/g, ' ')); // one line, whatever the argument held
  }
  if (operands.length > 1) throw new UsageError(`too many arguments. Expected 1 argument but got ${operands.length}.`);
  const text = (field: string) => values[field] as string | undefined;
  const toggle = (field: string) => values[field] as boolean | undefined;
  return {
    kind: 'run',
    args: {
      directory: operands[0],
      template: text('template'),
      language: text('language'),
      framework: text('framework'),
      type: text('type'),
      name: text('name'),
      region: text('region'),
      project: text('project'),
      packageManager: text('packageManager'),
      vars: (values.var as string[] | undefined) ?? [],
      git: toggle('git'),
      install: toggle('install'),
      yes: toggle('yes') === true,
      overwrite: toggle('overwrite') === true,
      ci: toggle('ci') !== false,
      dryRun: toggle('dryRun') === true,
      json: toggle('json') === true,
      listTemplates: toggle('listTemplates') === true,
    },
  };
}

/**
 * --help, listing the catalogue's languages, frameworks, templates and jobs (none is named in
 * code). `width`: the terminal's columns when the help goes to one.
 */
export function writeHelp(version: string, templates: readonly Template[], writeOut: (text: string) => void, width?: number): void {
  const languages = unique(templates.map((t) => t.manifest.language));
  const frameworks = unique(templates.map((t) => t.manifest.framework));
  const page = formatHelp(
    {
      usage: `${NAME} [directory] [options]`,
      description: 'Create a Cloud Run service or job whose container keeps the Cloud Run runtime contract.',
      sections: [
        ['Arguments:', [['directory', 'where to create the project (default: the service or job name)']]],
        ['Options:', FLAGS.map((flag) => [flagText(flag), typeof flag.help === 'string' ? flag.help : flag.help({ languages, frameworks })] as const)],
      ],
    },
    width,
  );
  writeOut(`${page}
${catalogueHelp(templates)}
Examples:
  npm create cloudrun-app@latest                       ask for everything
  npm create cloudrun-app@latest my-api -- --framework ${frameworks[0] ?? '<id>'} --yes
  npx create-cloudrun-app nightly-report --language ${languages.at(-1) ?? '<id>'} --type job --region europe-west1 --yes
  npx create-cloudrun-app --list-templates --json
`);
}

/** The templates and the jobs, as --help lists them. */
function catalogueHelp(templates: readonly Template[]): string {
  const width = Math.max(0, ...templates.map((t) => t.manifest.id.length));
  const lines = templates.map(({ manifest }) => `  ${manifest.id.padEnd(width)}  ${manifest.name}${manifest.default ? ` (--language ${manifest.language})` : ''}`);
  const jobs = unique(templates.filter((t) => t.manifest.types.includes('job')).map((t) => workloadOf(t, 'job').title));
  return `Templates (--template <id>; service by default):\n${lines.join('\n')}\n${jobs.length ? `Jobs (--type job, one per language): ${jobs.join(', ')}\n` : ''}`;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
