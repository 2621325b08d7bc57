/**
 * Command line -> RawArgs. Parsing only: no defaults beyond flags' own, no validation of values
 * (options.ts does that), and unknown flags or stray arguments are errors.
 */
import { Command, CommanderError, Option } from 'commander';
import { UsageError, type RawArgs } from '../options.js';
import { workloadOf } from '../templates/layers.js';
import type { Template } from '../templates/registry.js';

// 'help': --help was asked for; writeHelp() prints it with the catalogue. 'done': the version was printed.
export type ParsedArgs = { readonly kind: 'run'; readonly args: RawArgs } | { readonly kind: 'help' } | { readonly kind: 'done' };

export function parseArgs(argv: readonly string[], version: string, writeOut: (text: string) => void): ParsedArgs {
  // Reading the catalogue costs start-up time that only --help needs: it is printed by writeHelp().
  let printed = '';
  const program = createProgram(version, [], (text) => (printed += text));
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed') return { kind: 'help' }; // printed without the catalogue: dropped
      if (error.code === 'commander.version') return writeOut(printed), { kind: 'done' };
      throw new UsageError(error.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' '));
    }
    throw error;
  }
  const opts = program.opts();
  return {
    kind: 'run',
    args: {
      directory: program.args[0],
      template: opts.template,
      language: opts.language,
      framework: opts.framework,
      type: opts.type,
      name: opts.name,
      region: opts.region,
      project: opts.project,
      packageManager: opts.packageManager,
      vars: opts.var ?? [],
      git: opts.git as boolean | undefined,
      install: opts.install as boolean | undefined,
      yes: opts.yes === true,
      overwrite: opts.overwrite === true,
      ci: opts.ci !== false,
      dryRun: opts.dryRun === true,
      json: opts.json === true,
      listTemplates: opts.listTemplates === true,
    },
  };
}

/** --help, listing the catalogue's languages, frameworks, templates and jobs (none is named in code). */
export function writeHelp(version: string, templates: readonly Template[], writeOut: (text: string) => void): void {
  createProgram(version, templates, writeOut).outputHelp();
}

function createProgram(version: string, templates: readonly Template[], writeOut: (text: string) => void): Command {
  const languages = unique(templates.map((t) => t.manifest.language));
  const frameworks = unique(templates.map((t) => t.manifest.framework));
  return new Command('create-cloudrun-app')
    .description('Create a Cloud Run service or job whose container keeps the Cloud Run runtime contract.')
    .usage('[directory] [options]')
    .argument('[directory]', 'where to create the project (default: the service or job name)')
    .option('-t, --template <id|path>', 'template id (see --list-templates) or a local template folder')
    .option('-l, --language <id>', `${languages.join(' | ')} (its default template; the job is the language's)`)
    .option('-f, --framework <id>', `${frameworks.join(' | ')} (implies the language)`)
    .addOption(new Option('--type <type>', 'Cloud Run workload: service | job (default: service)'))
    .option('-n, --name <name>', 'Cloud Run service or job name (default: from the directory name)')
    .option('--region <region>', 'Cloud Run region (default: us-central1)')
    .option('--project <id>', 'Google Cloud project (default: the deploy script asks gcloud config)')
    .option('--package-manager <name>', 'Node.js templates: npm | pnpm (default: the one running this, else npm)')
    .option('--var <key=value>', "set a template variable (repeatable; see the template's template.json)", collect)
    .option('-y, --yes', 'never prompt; every unset option takes its default')
    .option('--git', 'git init and a first commit (default: yes; skipped inside a git repository)')
    .option('--no-git', 'do not initialise a git repository')
    .option('--install', "install dependencies with the language's tool (default: asked; no with --yes)")
    .option('--no-install', 'do not install dependencies')
    .option('--overwrite', 'allow a non-empty directory; its contents are replaced, .git is kept')
    .option('--ci', 'write .github/: CI/CD workflow (tests, keyless deploy) and dependabot.yml (default)')
    .option('--no-ci', 'leave .github/ out')
    .option('--dry-run', 'print what would be written; write nothing')
    .option('--json', 'print one JSON object describing the result on stdout')
    .option('--list-templates', 'list templates (as JSON with --json) and exit')
    .helpOption('-h, --help', 'show this help')
    .version(version, '-V, --version', 'show the version')
    .allowExcessArguments(false)
    .addHelpText(
      'after',
      `
${catalogueHelp(templates)}
Examples:
  npm create cloudrun-app@latest                       ask for everything
  npm create cloudrun-app@latest my-api -- --framework ${frameworks[0] ?? '<id>'} --yes
  npx create-cloudrun-app nightly-report --language ${languages.at(-1) ?? '<id>'} --type job --region europe-west1 --yes
  npx create-cloudrun-app --list-templates --json`,
    )
    .exitOverride()
    .configureOutput({ writeOut, writeErr: () => {} }); // errors are reported once, by main()
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

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
