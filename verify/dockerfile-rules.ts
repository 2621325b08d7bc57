/**
 * Rules on the parsed Dockerfile (dockerfile-ast), covering hadolint's important checks and the
 * Dockerfile part of the template contract (CONTRIBUTING.md). Nothing here looks at the
 * Dockerfile with regular expressions: instructions, flags, JSON forms, stages and comments come
 * from the parser, and RUN scripts go through the small shell tokenizer in ./shell.ts.
 *
 * A finding can be allowed with hadolint's own pragma on the comment line(s) right above the
 * instruction, `# hadolint ignore=DL3008` (comma-separated ids); allowed findings are returned
 * with `ignored: true` so a report can list them as the explicit, justified allow-list.
 *
 * The same model also answers the questions the image checks ask: which external images the
 * Dockerfile names (for the stand-ins), what the final stage is based on, and which RUN steps
 * must come from the cache after a source-only edit.
 */
import { DockerfileParser, type Dockerfile, type From, type Instruction, type Run } from 'dockerfile-ast';
import { commandName, effectiveCommand, parseShell } from './shell.js';

export const RULES = {
  DL3002: 'the final stage ends with a USER that is numeric and not root (uid[:gid], uid != 0) (DL3002/DL3066-style)',
  DL3025: 'CMD and ENTRYPOINT use the exec (JSON) form',
  DL3006: 'every FROM of an image (not an earlier stage, not scratch) names a tag or digest',
  DL3007: 'no FROM uses the `latest` tag',
  DL3029: 'no FROM --platform with a constant value ($BUILDPLATFORM / $TARGETPLATFORM are fine)',
  DL3008: 'apt-get install pins package versions (pkg=version)',
  DL3009: 'a RUN that uses apt-get update/install deletes /var/lib/apt/lists/* (or keeps them in a cache mount)',
  DL3014: 'apt-get install runs with -y',
  DL3015: 'apt-get install runs with --no-install-recommends',
  DL3042: 'pip install runs with --no-cache-dir (or PIP_NO_CACHE_DIR, or a cache mount)',
  DL4006: 'a RUN with a pipe runs under a SHELL with `-o pipefail` (or sets it first)',
  DL3064: 'no ARG/ENV name looks like a secret (*PASSWORD*, *PASSWD*, *SECRET*, *TOKEN*, *_KEY)',
  DL3000: 'WORKDIR paths are absolute',
  DL3003: 'RUN uses WORKDIR instead of `cd`',
  DL3004: 'RUN never uses sudo',
  DL3020: 'ADD only for URLs and archives; COPY for files and folders',
  DL3045: 'COPY to a relative destination only after a WORKDIR',
  DL4000: 'no MAINTAINER (deprecated)',
  STAGES: 'multi-stage, with a `test` stage that is not the final stage',
  ALPINE: 'Debian-based images: no alpine tag',
  PID1: 'the final CMD/ENTRYPOINT starts the program itself (no shell, no npm/yarn/pnpm/rake/go run wrapper)',
} as const;
export type RuleId = keyof typeof RULES;

export interface Finding {
  readonly rule: RuleId;
  /** 1-based line of the instruction. */
  readonly line: number;
  readonly message: string;
  /** Allowed by a `# hadolint ignore=<rule>` comment right above the instruction. */
  readonly ignored: boolean;
}

export interface Step {
  /** The label BuildKit prints, e.g. `[deps 3/4]`. */
  readonly label: string;
  readonly stage: Stage;
  readonly instruction: Instruction;
  /** 1-based line. */
  readonly line: number;
  readonly text: string;
}

export interface Stage {
  readonly index: number;
  /** `AS name`, lower-cased, or null. */
  readonly name: string | null;
  /** BuildKit's name for the stage in progress output: the AS name or `stage-<index>`. */
  readonly label: string;
  readonly from: From;
  /** The image named after FROM with build args resolved (or the earlier stage's name). */
  readonly image: string;
  /** The earlier stage this one is built on, if FROM names one. */
  readonly parent: Stage | null;
  /** Instructions after FROM, up to the next FROM. */
  readonly instructions: readonly Instruction[];
  /** Instructions BuildKit turns into steps (FROM, RUN, COPY, ADD, WORKDIR), in order, FROM first. */
  readonly steps: readonly Step[];
}

export interface DockerfileModel {
  readonly dockerfile: Dockerfile;
  readonly stages: readonly Stage[];
  readonly finalStage: Stage;
  /** Images pulled by FROM (not stages, not scratch), de-duplicated, resolved. */
  readonly externalImages: readonly string[];
  /** The external image (or `scratch`) the final stage is ultimately built on. */
  readonly finalBaseImage: string;
  /** ARGs declared before the first FROM with their default values. */
  readonly globalArgs: ReadonlyMap<string, string | null>;
}

const STEP_KEYWORDS = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'WORKDIR']);

/** Replaces `$VAR`, `${VAR}`, `${VAR:-default}` from `vars`; unknown variables stay as written. */
export function expandVariables(text: string, vars: ReadonlyMap<string, string | null>): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    let name = '';
    let fallback: string | null = null;
    let end = i;
    if (text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      if (close === -1) {
        out += c;
        continue;
      }
      const inner = text.slice(i + 2, close);
      const sep = inner.indexOf(':-');
      name = sep === -1 ? inner : inner.slice(0, sep);
      fallback = sep === -1 ? null : inner.slice(sep + 2);
      end = close;
    } else {
      let k = i + 1;
      while (k < text.length && /[A-Za-z0-9_]/.test(text[k]!)) k++;
      name = text.slice(i + 1, k);
      end = k - 1;
    }
    const value = vars.get(name);
    if (value !== undefined && value !== null && value !== '') out += value;
    else if (fallback !== null) out += fallback;
    else out += text.slice(i, end + 1);
    i = end;
  }
  return out;
}

function keyword(instruction: Instruction): string {
  return instruction.getKeyword().toUpperCase();
}

function line(instruction: Instruction): number {
  return instruction.getRange().start.line + 1;
}

function jsonStrings(instruction: Instruction): string[] | null {
  const json = instruction as unknown as { getOpeningBracket?: () => unknown; getJSONStrings?: () => { getJSONValue(): string }[] };
  if (!json.getOpeningBracket || !json.getJSONStrings || json.getOpeningBracket() === null) return null;
  return json.getJSONStrings().map((s) => s.getJSONValue());
}

function flags(instruction: Instruction): { name: string; value: string | null }[] {
  const modifiable = instruction as unknown as { getFlags?: () => { getName(): string; getValue(): string | null }[] };
  return (modifiable.getFlags?.() ?? []).map((f) => ({ name: f.getName().toLowerCase(), value: f.getValue() }));
}

/** Arguments of COPY/ADD without flags, as written (exec or shell form). */
function copyArguments(instruction: Instruction): string[] {
  return jsonStrings(instruction) ?? instruction.getArguments().map((a) => a.getValue());
}

export function parseDockerfile(text: string): DockerfileModel {
  const dockerfile = DockerfileParser.parse(text);
  const globalArgs = new Map<string, string | null>();
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (property) globalArgs.set(property.getName(), property.getValue());
  }
  const stages: Stage[] = [];
  const byName = new Map<string, Stage>();
  let current: { from: From; instructions: Instruction[] } | null = null;
  const groups: { from: From; instructions: Instruction[] }[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (keyword(instruction) === 'FROM') {
      current = { from: instruction as From, instructions: [] };
      groups.push(current);
    } else if (current) current.instructions.push(instruction);
  }
  if (groups.length === 0) throw new Error('the Dockerfile has no FROM');
  groups.forEach((group, index) => {
    const name = group.from.getBuildStage()?.toLowerCase() ?? null;
    const image = expandVariables(group.from.getImage() ?? '', globalArgs);
    const parent = byName.get(image.toLowerCase()) ?? null;
    const label = name ?? `stage-${index}`;
    // BuildKit counts FROM as a step only when it pulls an image, not when it names a stage.
    const stepInstructions = [...(parent ? [] : [group.from as Instruction]), ...group.instructions.filter((i) => STEP_KEYWORDS.has(keyword(i)))];
    const steps: Step[] = [];
    const stage: Stage = { index, name, label, from: group.from, image, parent, instructions: group.instructions, steps };
    stepInstructions.forEach((instruction, k) =>
      steps.push({ label: `[${label} ${k + 1}/${stepInstructions.length}]`, stage, instruction, line: line(instruction), text: instruction.getTextContent() }),
    );
    stages.push(stage);
    if (name) byName.set(name, stage);
  });
  const fromImages = stages.filter((s) => !s.parent && s.image.toLowerCase() !== 'scratch').map((s) => s.image);
  // COPY --from=<image> names an image too when it is neither a stage name nor a stage index.
  const copyFromImages = stages.flatMap((s) =>
    s.instructions
      .filter((i) => keyword(i) === 'COPY')
      .map((i) => flags(i).find((f) => f.name === 'from')?.value ?? null)
      .filter((v): v is string => v !== null && !byName.has(v.toLowerCase()) && !/^\d+$/.test(v))
      .map((v) => expandVariables(v, globalArgs)),
  );
  const externalImages = [...new Set([...fromImages, ...copyFromImages])];
  const finalStage = stages[stages.length - 1]!;
  let base: Stage = finalStage;
  while (base.parent) base = base.parent;
  return { dockerfile, stages, finalStage, externalImages, finalBaseImage: base.image, globalArgs };
}

/** `# hadolint ignore=...` ids from the comment lines directly above each instruction line. */
function ignoresByLine(model: DockerfileModel, text: string): Map<number, Set<string>> {
  const lines = text.split('\n');
  const commentLines = new Map<number, string>();
  for (const comment of model.dockerfile.getComments()) commentLines.set(comment.getRange().start.line, comment.getContent() ?? '');
  // dockerfile-ast reads a comment on the first line as a possible parser directive.
  if (lines[0]?.trimStart().startsWith('#') && !commentLines.has(0)) commentLines.set(0, lines[0].trimStart().slice(1).trim());
  const result = new Map<number, Set<string>>();
  for (const instruction of model.dockerfile.getInstructions()) {
    const ids = new Set<string>();
    for (let l = instruction.getRange().start.line - 1; l >= 0 && commentLines.has(l); l--) {
      const words = commentLines.get(l)!.trim().split(/\s+/);
      if (words[0] !== 'hadolint') continue;
      for (const word of words.slice(1)) {
        if (word.startsWith('ignore=')) for (const id of word.slice('ignore='.length).split(',')) if (id) ids.add(id.trim());
      }
    }
    result.set(line(instruction), ids);
  }
  return result;
}

interface RunScript {
  readonly commands: readonly (readonly string[])[];
  readonly hasPipe: boolean;
}

/** The commands a RUN executes: exec form as one command, shell form and heredoc scripts tokenized. */
export function runScript(run: Instruction): RunScript {
  const exec = jsonStrings(run);
  if (exec) {
    const shell = ['sh', 'bash', 'dash', 'ash', 'zsh'].includes(commandName(exec));
    const c = exec.indexOf('-c');
    if (shell && c !== -1 && exec[c + 1] !== undefined) return parseShell(exec[c + 1]!);
    return { commands: [exec], hasPipe: false };
  }
  const content = run.getArgumentsContent() ?? '';
  const heredocs = (run as Run).getHeredocs?.() ?? [];
  if (heredocs.length === 0) return parseShell(content, { oneLogicalLine: true });
  // `RUN <<EOT` (the heredoc is the script) or `RUN cmd <<EOT` (the heredoc is cmd's input).
  const [first = '', ...rest] = content.split('\n');
  const delimiters = new Set(heredocs.map((h) => h.getName()));
  const firstLine = parseShell(first);
  const firstCommands = firstLine.commands.map((words) => words.filter((w) => !w.startsWith('<<')));
  const body: string[] = [];
  const after: string[] = [];
  let inBody = true;
  for (const l of rest) {
    if (inBody && delimiters.has(l.trim())) {
      inBody = false;
      continue;
    }
    (inBody ? body : after).push(l);
  }
  const scriptIsBody = firstCommands.every((words) => words.length === 0);
  const parts = [scriptIsBody ? parseShell(body.join('\n')) : { commands: firstCommands.filter((w) => w.length > 0), hasPipe: firstLine.hasPipe }, parseShell(after.join('\n'))];
  return { commands: parts.flatMap((p) => p.commands), hasPipe: parts.some((p) => p.hasPipe) };
}

function aptGetInstall(words: readonly string[]): { sub: string; options: string[]; packages: string[] } | null {
  const cmd = effectiveCommand(words);
  const name = commandName(cmd);
  if (name !== 'apt-get' && name !== 'apt') return null;
  const options: string[] = [];
  const operands: string[] = [];
  for (let k = 1; k < cmd.length; k++) {
    const w = cmd[k]!;
    if (w.startsWith('-')) {
      options.push(w);
      if (['-o', '-t', '-c', '--option', '--target-release', '--config-file', '--default-release'].includes(w) && cmd[k + 1] !== undefined) {
        options.push(cmd[++k]!);
      }
    } else operands.push(w);
  }
  const [sub = '', ...packages] = operands;
  return { sub, options, packages };
}

function hasYes(options: readonly string[]): boolean {
  return options.some(
    (o) => o === '--yes' || o === '--assume-yes' || o === '-qq' || o === '-q=2' || o === '--quiet=2' || (/^-[a-z]+$/.test(o) && o.includes('y')),
  );
}

function pipInstall(words: readonly string[]): string[] | null {
  const cmd = effectiveCommand(words);
  const name = commandName(cmd);
  let rest: readonly string[];
  if (/^pip(\d+(\.\d+)?)?$/.test(name)) rest = cmd.slice(1);
  else if (/^python(\d+(\.\d+)?)?$/.test(name) && cmd[1] === '-m' && /^pip(\d+(\.\d+)?)?$/.test(cmd[2] ?? '')) rest = cmd.slice(3);
  else if (name === 'uv' && cmd[1] === 'pip') return null; // uv has no per-user cache in the image by default
  else return null;
  const sub = rest.find((w) => !w.startsWith('-'));
  return sub === 'install' ? [...rest] : null;
}

function isSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  return ['PASSWORD', 'PASSWD', 'SECRET', 'TOKEN'].some((s) => upper.includes(s)) || upper.endsWith('_KEY') || upper === 'KEY';
}

/** The stage and the stages it is built on, oldest first. */
function chain(stage: Stage): Stage[] {
  const out: Stage[] = [];
  for (let s: Stage | null = stage; s; s = s.parent) out.unshift(s);
  return out;
}

function mountTargets(instruction: Instruction): string[] {
  const targets: string[] = [];
  for (const flag of flags(instruction)) {
    if (flag.name !== 'mount' || !flag.value) continue;
    const fields = new Map(flag.value.split(',').map((kv) => [kv.split('=')[0]!, kv.slice(kv.indexOf('=') + 1)] as const));
    const type = fields.get('type') ?? 'bind';
    if (type === 'cache' || type === 'tmpfs') targets.push(fields.get('target') ?? fields.get('dst') ?? fields.get('destination') ?? '');
  }
  return targets;
}

function isUrlOrArchive(source: string): boolean {
  return /^(https?|git):\/\//.test(source) || source.startsWith('git@') || /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$/.test(source);
}

export function lintDockerfile(text: string): Finding[] {
  const model = parseDockerfile(text);
  const ignores = ignoresByLine(model, text);
  const findings: Finding[] = [];
  const add = (rule: RuleId, instruction: Instruction, message: string): void => {
    const at = line(instruction);
    if (findings.some((f) => f.rule === rule && f.line === at && f.message === message)) return;
    findings.push({ rule, line: at, message, ignored: ignores.get(at)?.has(rule) ?? false });
  };
  const stageNames = new Set(model.stages.map((s) => s.name).filter((n): n is string => n !== null));

  // --- FROM: tags, latest, --platform, alpine ------------------------------------------------
  for (const stage of model.stages) {
    const from = stage.from;
    const platform = flags(from).find((f) => f.name === 'platform');
    if (platform && !(platform.value ?? '').includes('$')) add('DL3029', from, `FROM --platform=${platform.value} is a constant platform`);
    if (stage.parent || stage.image.toLowerCase() === 'scratch') continue;
    if (stageNames.has(stage.image.toLowerCase())) continue; // a later stage name: not an image either
    if (stage.image.includes('$')) {
      add('DL3006', from, `FROM ${stage.image}: the image name depends on a build arg without a default`);
      continue;
    }
    const resolved = DockerfileParser.parse(`FROM ${stage.image}`).getFROMs()[0]!;
    const tag = resolved.getImageTag();
    const digest = resolved.getImageDigest();
    if (!tag && !digest) add('DL3006', from, `FROM ${stage.image} names no tag`);
    if (tag === 'latest') add('DL3007', from, `FROM ${stage.image} uses the latest tag`);
    if (tag?.includes('alpine') || resolved.getImageName()?.split('/').pop() === 'alpine') add('ALPINE', from, `FROM ${stage.image} is alpine-based`);
  }

  // --- stages: multi-stage with a test stage ----------------------------------------------------
  const testStage = model.stages.find((s) => s.name === 'test');
  if (model.stages.length < 2) add('STAGES', model.finalStage.from, 'the Dockerfile has a single stage');
  if (!testStage) add('STAGES', model.finalStage.from, 'there is no `test` stage (`docker build --target test .`)');
  else if (testStage === model.finalStage) add('STAGES', testStage.from, 'the `test` stage is the final stage: tests would ship in the image');

  // --- final stage: USER, PID 1 ------------------------------------------------------------------
  const finalChain = chain(model.finalStage);
  const users = finalChain.flatMap((s) => s.instructions.filter((i) => keyword(i) === 'USER'));
  const lastUser = users[users.length - 1];
  if (!lastUser) add('DL3002', model.finalStage.from, 'the final stage sets no USER (it must be a numeric non-root uid)');
  else {
    const value = expandVariables(lastUser.getArgumentsContent()?.trim() ?? '', model.globalArgs);
    const [uid = '', gid, ...extra] = value.split(':');
    if (!/^\d+$/.test(uid) || (gid !== undefined && !/^\d+$/.test(gid)) || extra.length > 0) {
      add('DL3002', lastUser, `USER ${value} is not numeric (uid[:gid]); the platform cannot tell it is not root`);
    } else if (Number(uid) === 0) add('DL3002', lastUser, `USER ${value} is root`);
  }
  const finalEntrypoints = finalChain.flatMap((s) => s.instructions.filter((i) => keyword(i) === 'ENTRYPOINT'));
  const finalCmds = finalChain.flatMap((s) => s.instructions.filter((i) => keyword(i) === 'CMD'));
  const entrypoint = finalEntrypoints[finalEntrypoints.length - 1];
  const cmd = finalCmds[finalCmds.length - 1];
  const startInstruction = entrypoint ?? cmd;
  if (!startInstruction) add('PID1', model.finalStage.from, 'the final stage has no CMD or ENTRYPOINT');
  else {
    const argv = jsonStrings(startInstruction) ?? ['/bin/sh', '-c'];
    const program = commandName(argv);
    if (['sh', 'bash', 'dash', 'ash', 'zsh'].includes(program)) add('PID1', startInstruction, `PID 1 would be a shell (${program})`);
    // `bundle exec` is not listed: it loads a Ruby executable into its own process (no child), and
    // the runtime check (PID 1 holds the listening socket) proves what PID 1 really is.
    else if (['npm', 'npx', 'yarn', 'pnpm', 'rake', 'make', 'foreman', 'go', 'nodemon', 'pm2'].includes(program)) {
      add('PID1', startInstruction, `PID 1 would be ${program}, a wrapper that does not pass signals on reliably`);
    } else if (program === 'env' || program === 'su' || program === 'sudo') add('PID1', startInstruction, `PID 1 would be ${program}`);
  }

  // --- every instruction ---------------------------------------------------------------------
  const workdirSeen = new Map<Stage, boolean>();
  for (const stage of model.stages) {
    let workdir = stage.parent ? (workdirSeen.get(stage.parent) ?? false) : false;
    let pipefail = false;
    let pipNoCache = false;
    for (const s of chain(stage).slice(0, -1)) {
      for (const i of s.instructions) {
        if (keyword(i) === 'SHELL') pipefail = shellHasPipefail(jsonStrings(i) ?? []);
        if (keyword(i) === 'ENV' && envSetsPipNoCache(i)) pipNoCache = true;
      }
    }
    for (const instruction of stage.instructions) {
      switch (keyword(instruction)) {
        case 'CMD':
        case 'ENTRYPOINT':
          if (!jsonStrings(instruction)) add('DL3025', instruction, `${keyword(instruction)} is in shell form: the program would not be PID 1 and would miss SIGTERM`);
          break;
        case 'SHELL':
          pipefail = shellHasPipefail(jsonStrings(instruction) ?? []);
          break;
        case 'WORKDIR': {
          const dir = expandVariables(instruction.getArgumentsContent()?.trim() ?? '', model.globalArgs);
          if (!dir.startsWith('/') && !dir.startsWith('$')) add('DL3000', instruction, `WORKDIR ${dir} is relative`);
          workdir = true;
          break;
        }
        case 'MAINTAINER':
          add('DL4000', instruction, 'MAINTAINER is deprecated (use a LABEL)');
          break;
        case 'ARG':
        case 'ENV': {
          const properties = (instruction as unknown as { getProperties(): { getName(): string }[] }).getProperties();
          for (const p of properties) if (isSecretName(p.getName())) add('DL3064', instruction, `${keyword(instruction)} ${p.getName()} looks like a secret`);
          if (keyword(instruction) === 'ENV' && envSetsPipNoCache(instruction)) pipNoCache = true;
          break;
        }
        case 'ADD': {
          const args = copyArguments(instruction);
          const sources = args.slice(0, -1);
          if (sources.some((s) => !isUrlOrArchive(s))) add('DL3020', instruction, 'ADD of local files: use COPY');
          if (!workdir && !(args[args.length - 1] ?? '/').startsWith('/')) add('DL3045', instruction, 'ADD to a relative destination before any WORKDIR');
          break;
        }
        case 'COPY': {
          const args = copyArguments(instruction);
          const dest = args[args.length - 1] ?? '/';
          if (!workdir && !dest.startsWith('/') && !dest.startsWith('$')) add('DL3045', instruction, `COPY to the relative destination ${dest} before any WORKDIR`);
          break;
        }
        case 'RUN':
          lintRun(instruction, { pipefail, pipNoCache }, add);
          break;
        default:
          break;
      }
    }
    workdirSeen.set(stage, workdir);
  }
  // ARGs before the first FROM
  for (const arg of model.dockerfile.getInitialARGs()) {
    const name = arg.getProperty()?.getName();
    if (name && isSecretName(name)) add('DL3064', arg, `ARG ${name} looks like a secret`);
  }
  return findings.sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
}

function shellHasPipefail(argv: readonly string[]): boolean {
  return argv.some((w, k) => /^-[a-zA-Z]*o$/.test(w) && argv[k + 1] === 'pipefail');
}

function envSetsPipNoCache(instruction: Instruction): boolean {
  const properties = (instruction as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties();
  return properties.some((p) => p.getName() === 'PIP_NO_CACHE_DIR' && !['0', 'false', 'no', 'off', ''].includes((p.getValue() ?? '').toLowerCase()));
}

function lintRun(run: Instruction, context: { pipefail: boolean; pipNoCache: boolean }, add: (rule: RuleId, i: Instruction, message: string) => void): void {
  const script = runScript(run);
  const mounts = mountTargets(run);
  let setsPipefail = false;
  let usesApt = false;
  let cleansApt = false;
  for (const words of script.commands) {
    const cmd = effectiveCommand(words);
    const name = commandName(cmd);
    if (name === 'set' && shellHasPipefail(cmd)) setsPipefail = true;
    if (name === 'cd') add('DL3003', run, 'cd in RUN: use WORKDIR');
    if (words.some((w) => w === 'sudo') || name === 'sudo') add('DL3004', run, 'sudo in RUN');
    if (name === 'rm' && cmd.some((w) => w.startsWith('/var/lib/apt/lists'))) cleansApt = true;
    const apt = aptGetInstall(words);
    if (apt && (apt.sub === 'update' || apt.sub === 'install' || apt.sub === 'upgrade' || apt.sub === 'dist-upgrade')) usesApt = true;
    if (apt?.sub === 'install') {
      if (!hasYes(apt.options)) add('DL3014', run, `${commandName(effectiveCommand(words))} install without -y`);
      const noRecommends = apt.options.includes('--no-install-recommends') || apt.options.some((o) => o.replace(/^-o/, '') === 'APT::Install-Recommends=false');
      if (!noRecommends) add('DL3015', run, 'apt-get install without --no-install-recommends');
      const unpinned = apt.packages.filter((p) => !p.includes('=') && !p.endsWith('.deb') && !p.startsWith('/') && !p.startsWith('./'));
      if (unpinned.length > 0) add('DL3008', run, `apt-get install of unpinned package(s): ${unpinned.join(' ')}`);
    }
    const pip = pipInstall(words);
    if (pip && !pip.includes('--no-cache-dir') && !context.pipNoCache && !mounts.some((m) => m.includes('.cache/pip') || m.includes('.cache'))) {
      add('DL3042', run, 'pip install without --no-cache-dir');
    }
  }
  if (usesApt && !cleansApt && !mounts.some((m) => m.startsWith('/var/lib/apt'))) {
    add('DL3009', run, 'apt-get lists are left in the layer (rm -rf /var/lib/apt/lists/*)');
  }
  if (script.hasPipe && !context.pipefail && !setsPipefail) add('DL4006', run, 'a pipe without `set -o pipefail` (SHELL ["/bin/bash", "-o", "pipefail", "-c"])');
}

// ---------------------------------------------------------------------------------------------
// Dependency steps: what a source-only edit must not rebuild
// ---------------------------------------------------------------------------------------------

/** Does a COPY/ADD source (as written, context-relative) include the file at `relative`? */
export function copySourceIncludes(source: string, relative: string): boolean {
  let pattern = source.replace(/^\.\//, '').replace(/^\/+/, '').replace(/\/+$/, '');
  if (pattern === '' || pattern === '.') return true;
  if (!/[*?[]/.test(pattern)) return relative === pattern || relative.startsWith(`${pattern}/`);
  pattern = pattern.replace(/\/\.$/, '');
  let regex = '^';
  for (let k = 0; k < pattern.length; k++) {
    const c = pattern[k]!;
    if (c === '*') regex += '[^/]*';
    else if (c === '?') regex += '[^/]';
    else if (c === '[') {
      const close = pattern.indexOf(']', k + 1);
      if (close === -1) regex += '\\[';
      else {
        regex += `[${pattern.slice(k + 1, close).replace(/^!/, '^')}]`;
        k = close;
      }
    } else regex += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  const re = new RegExp(`${regex}$`);
  const parts = relative.split('/');
  return parts.some((_, n) => re.test(parts.slice(0, n + 1).join('/')));
}

export interface DependencyAnalysis {
  /** RUN steps of stages that make up the final image and run before `editedFile` is copied in. */
  readonly steps: readonly Step[];
  /** The COPY/ADD steps that bring `editedFile` into a stage of the final image. */
  readonly sourceCopies: readonly Step[];
}

/**
 * Which RUN steps must come from the cache when only `editedFile` (context-relative) changes:
 * every RUN in a stage that the final image is built from (FROM parents and COPY --from
 * sources, transitively) that runs before that stage, or a stage it builds on, copies the file.
 */
export function dependencySteps(model: DockerfileModel, editedFile: string): DependencyAnalysis {
  const byName = new Map(model.stages.filter((s) => s.name).map((s) => [s.name!, s] as const));
  const steps: Step[] = [];
  const sourceCopies: Step[] = [];
  const visited = new Map<Stage, boolean>(); // stage -> has the edited file been copied by its end
  const visit = (stage: Stage): boolean => {
    const known = visited.get(stage);
    if (known !== undefined) return known;
    visited.set(stage, false);
    let copied = stage.parent ? visit(stage.parent) : false;
    for (const step of stage.steps) {
      const kw = keyword(step.instruction);
      if (kw === 'RUN' && !copied) steps.push(step);
      if (kw === 'COPY' || kw === 'ADD') {
        const from = flags(step.instruction).find((f) => f.name === 'from')?.value?.toLowerCase();
        if (from !== undefined) {
          const source = byName.get(from) ?? model.stages[Number(from)];
          if (source && visit(source)) copied = true;
        } else {
          const sources = copyArguments(step.instruction).slice(0, -1);
          if (sources.some((s) => copySourceIncludes(s, editedFile))) {
            copied = true;
            sourceCopies.push(step);
          }
        }
      }
    }
    visited.set(stage, copied);
    return copied;
  };
  visit(model.finalStage);
  return { steps, sourceCopies };
}
