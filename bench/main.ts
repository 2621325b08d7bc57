/**
 * `npm run bench`: what users care about, measured on this machine.
 *
 * Per template × type: image size (total and above its base image), container start to first
 * 200, idle SIGTERM to exit, SIGTERM-under-load drain time, build time (no layer cache) and
 * rebuild time after a source-only edit; for jobs, start to exit of a task and SIGTERM to exit
 * mid-SLEEP_MS instead of the HTTP figures. Plus the generator's own figures: time to generate a
 * project non-interactively, CLI start-up (`--help`), packed size, installed size and dependency
 * count of the npm package. And per variant the lines of application source a user owns outside
 * their routes and tests (verify/owned-lines.ts; no containers needed).
 *
 * Each timing is repeated (default 5 runs, 3 for builds) and the median reported; every figure is
 * also shown as a ratio to the best variant in the same run. The table is printed and written as
 * JSON to .bench/bench-<timestamp>.json and .bench/latest.json.
 *
 * The container helpers are the verification suite's own (verify/); bench/bench.mjs
 * compiles this file and them with tsc and runs it.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { prepareBaseImages } from '../verify/checks/image.js';
import { runServiceLoad } from '../verify/checks/runtime.js';
import { readDockerfile } from '../verify/checks/static.js';
import { dependencySteps } from '../verify/dockerfile-rules.js';
import { buildImage, Container, engineStatus, inspectImage, removeImages, removeLeftoverContainers, run, tail } from '../verify/docker.js';
import { freePort, sleep, waitFor200 } from '../verify/net.js';
import { type OwnedLines, ownedLines, OWNED_LINES_TARGET } from '../verify/owned-lines.js';
import { BIN, REPO_ROOT } from '../verify/paths.js';
import { editSource, generateProject, removeProject, sourceFiles } from '../verify/project.js';
import { templatesToVerify, type Variant, variantsOf } from '../verify/templates.js';

interface Options {
  runs: number;
  genRuns: number;
  compare: boolean;
  buildRuns: number;
  loadRuns: number;
  only: string[];
  type: string | null;
  skipPackage: boolean;
  skipContainers: boolean;
}

/** The reference: a small, bundled `npm create` tool, pinned so runs compare over time. */
const CREATE_VITE_VERSION = '9.3.0';

const USAGE = `usage: npm run bench -- [--runs N] [--gen-runs N] [--build-runs N] [--load-runs N] [--template ID]... [--type service|job]
                        [--quick] [--no-package] [--no-containers] [--no-compare]

  --runs N         repetitions of each timing (default 5; also sets --gen-runs); the median is reported
  --gen-runs N     repetitions of the generator's own timings and of the side-by-side pairs (default 20)
  --build-runs N   repetitions of each image build (default 3)
  --load-runs N    repetitions of the SIGTERM-under-load drain (default 3)
  --template ID    only this template (repeatable); default: every template --list-templates shows
  --type T         only services or only jobs
  --quick          --runs 2 --build-runs 1 --load-runs 1
  --no-package     skip npm pack / install of the package
  --no-containers  only the generator's own figures
  --no-compare     skip the side-by-side run of create-vite ${CREATE_VITE_VERSION} (it is installed from the npm registry)
`;

function parseArgs(argv: string[]): Options {
  const o: Options = { runs: 5, genRuns: 20, compare: true, buildRuns: 3, loadRuns: 3, only: [], type: null, skipPackage: false, skipContainers: false };
  const num = (v: string | undefined, flag: string): number => {
    if (!v || !/^[1-9]\d*$/.test(v)) throw new Error(`${flag} needs a positive number`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--runs') o.runs = o.genRuns = num(argv[++i], a);
    else if (a === '--gen-runs') o.genRuns = num(argv[++i], a);
    else if (a === '--no-compare') o.compare = false;
    else if (a === '--build-runs') o.buildRuns = num(argv[++i], a);
    else if (a === '--load-runs') o.loadRuns = num(argv[++i], a);
    else if (a === '--template') o.only.push(argv[++i] ?? '');
    else if (a === '--type') o.type = argv[++i] ?? null;
    else if (a === '--quick') Object.assign(o, { runs: 2, genRuns: 3, buildRuns: 1, loadRuns: 1 });
    else if (a === '--no-package') o.skipPackage = true;
    else if (a === '--no-containers') o.skipContainers = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (o.type !== null && o.type !== 'service' && o.type !== 'job') throw new Error('--type must be service or job');
  return o;
}

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

export interface Metric {
  readonly unit: 's' | 'MB' | 'count';
  readonly median: number | null;
  readonly runs: readonly number[];
  readonly note?: string;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const metric = (unit: Metric['unit'], runs: number[], note?: string): Metric => ({ unit, median: median(runs), runs, ...(note ? { note } : {}) });

async function repeat(n: number, once: () => Promise<number | null>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = await once();
    if (v !== null) out.push(v);
  }
  return out;
}

const log = (line: string): void => {
  process.stderr.write(`bench: ${line}\n`);
};

// ---------------------------------------------------------------------------------------------
// The generator's own figures
// ---------------------------------------------------------------------------------------------

function timeNode(args: string[], cwd: string): number | null {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd, stdio: 'ignore', env: { ...process.env, CI: 'true' }, timeout: 60_000 });
  return result.status === 0 ? (performance.now() - started) / 1000 : null;
}

async function dirSize(dir: string): Promise<number> {
  const du = await run('du', ['-sb', dir], { timeoutMs: 60_000 });
  return Number(du.stdout.split('\t')[0]);
}

/** Installs a package tarball (or registry spec) the way `npm create` does; its size and dependency count. */
async function installedFigures(spec: string, installDir: string): Promise<Record<string, Metric>> {
  const out: Record<string, Metric> = {};
  await mkdir(installDir, { recursive: true });
  await writeFile(path.join(installDir, 'package.json'), '{"name":"bench-install","version":"1.0.0","private":true}\n');
  const started = performance.now();
  const install = await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', spec], { timeoutMs: 300_000, cwd: installDir });
  if (install.code !== 0) {
    log(`npm install ${spec} failed: ${tail(install.stderr, 5)}`);
    return out;
  }
  out['package: npm install time'] = metric('s', [(performance.now() - started) / 1000], 'one run, network and npm cache dependent');
  out['package: installed size'] = metric('MB', [(await dirSize(path.join(installDir, 'node_modules'))) / 1e6]);
  const lock = JSON.parse(await readFile(path.join(installDir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const installed = Object.keys(lock.packages).filter((k) => k.startsWith('node_modules/'));
  out['package: packages installed'] = metric('count', [installed.length]);
  out['package: dependencies (transitive)'] = metric('count', [installed.length - 1]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Side by side with create-vite
// ---------------------------------------------------------------------------------------------

/** Targets for the generator against create-vite, as ratios (ours / theirs), plus absolute limits. */
const TARGETS = { generateCpu: 1.0, helpCpu: 1.2, installedMB: 2, dependencies: 0 } as const;

interface ProcessTime {
  readonly wall: number;
  readonly cpu: number;
}

/**
 * Whole-process wall and CPU time (user + system of the process and its children) of one run,
 * measured by bash's `times` builtin around it, so start-up, module loading and exit count too.
 */
async function timeProcess(args: readonly string[], cwd: string): Promise<ProcessTime | null> {
  const script = '"$@" >/dev/null 2>&1; status=$?; times; exit $status';
  const started = performance.now();
  const result = await run('bash', ['-c', script, 'bench', ...args], { timeoutMs: 60_000, cwd, env: { ...process.env, CI: 'true' } });
  const wall = (performance.now() - started) / 1000;
  if (result.code !== 0) return null;
  // times prints the shell's own user/system, then its children's: "0m0.120s 0m0.040s".
  const children = result.stdout.trim().split('\n').pop() ?? '';
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return seconds.length === 2 ? { wall, cpu: seconds[0]! + seconds[1]! } : null;
}

export interface Comparison {
  readonly createVite: string;
  readonly rows: Record<string, ComparisonRow>;
}

export interface ComparisonRow {
  readonly ours: Metric;
  readonly theirs: Metric;
  /** ours / theirs: for timings, the median of the per-pair ratios. */
  readonly ratio: number | null;
  /** Timings: the middle half of the per-pair ratios (first to third quartile). */
  readonly spread?: readonly [number, number];
  readonly target?: string;
  readonly met?: boolean;
}

/**
 * A timing of both tools as pairs run back to back, compared pair by pair: the machine's drift
 * (another tenant, a throttled core) hits both runs of a pair alike and cancels in its ratio, where
 * the ratio of two medians would carry it.
 */
export function pairedRow(pairs: ReadonlyArray<readonly [number, number]>, target?: { limit: number; text: string }): ComparisonRow {
  const ratios = pairs.map(([ours, theirs]) => ours / theirs).sort((a, b) => a - b);
  const ratio = median(ratios);
  const last = ratios.length - 1;
  return {
    ours: metric('s', pairs.map((pair) => pair[0])),
    theirs: metric('s', pairs.map((pair) => pair[1])),
    ratio,
    // Nearest ranks, as far from each end: the first and third quartiles.
    ...(ratios.length > 0 ? { spread: [ratios[Math.floor(last * 0.25)]!, ratios[Math.ceil(last * 0.75)]!] as const } : {}),
    ...(target && ratio !== null ? { target: target.text, met: ratio <= target.limit } : {}),
  };
}

async function compareWithCreateVite(o: Options, ours: Record<string, Metric>): Promise<Comparison | null> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'ccra-bench-vite-'));
  try {
    log(`installing create-vite@${CREATE_VITE_VERSION} from the npm registry`);
    const theirsPackage = await installedFigures(`create-vite@${CREATE_VITE_VERSION}`, path.join(tmp, 'install'));
    const viteBin = path.join(tmp, 'install/node_modules/create-vite/index.js');
    if (!theirsPackage['package: installed size']) return null;

    log(`${o.genRuns} x generate and --help, create-cloudrun-app and create-vite in turn`);
    const generate: Array<readonly [ProcessTime, ProcessTime]> = [];
    const help: Array<readonly [ProcessTime, ProcessTime]> = [];
    const pair = (a: ProcessTime | null, b: ProcessTime | null) => (a && b ? [[a, b] as const] : []);
    for (let i = 0; i < o.genRuns; i++) {
      generate.push(
        ...pair(
          await timeProcess([process.execPath, BIN, `ours-${i}`, '--template', 'node-express', '--yes', '--no-git'], tmp),
          await timeProcess([process.execPath, viteBin, `theirs-${i}`, '--template', 'vanilla', '--no-interactive'], tmp),
        ),
      );
      help.push(...pair(await timeProcess([process.execPath, BIN, '--help'], tmp), await timeProcess([process.execPath, viteBin, '--help'], tmp)));
    }
    const cpu = (pairs: typeof generate) => pairs.map(([a, b]) => [a.cpu, b.cpu] as const);
    const wall = (pairs: typeof generate) => pairs.map(([a, b]) => [a.wall, b.wall] as const);
    const row = (a: Metric, b: Metric): ComparisonRow => ({ ours: a, theirs: b, ratio: a.median !== null && b.median ? a.median / b.median : null });
    const size = ours['package: installed size'];
    const deps = ours['package: dependencies (transitive)'];
    const rows: Comparison['rows'] = {
      'generate (CPU)': pairedRow(cpu(generate), { limit: TARGETS.generateCpu, text: `≤ ${TARGETS.generateCpu.toFixed(1)}×` }),
      'generate (wall)': pairedRow(wall(generate)),
      '--help (CPU)': pairedRow(cpu(help), { limit: TARGETS.helpCpu, text: `≤ ${TARGETS.helpCpu.toFixed(1)}×` }),
      '--help (wall)': pairedRow(wall(help)),
    };
    if (size && deps) {
      rows['installed size'] = { ...row(size, theirsPackage['package: installed size']!), target: `≤ ${TARGETS.installedMB} MB`, met: (size.median ?? Infinity) <= TARGETS.installedMB };
      rows['runtime dependencies (transitive)'] = {
        ...row(deps, theirsPackage['package: dependencies (transitive)']!),
        ratio: null,
        target: String(TARGETS.dependencies),
        met: deps.median === TARGETS.dependencies,
      };
      rows['npm install time'] = row(ours['package: npm install time']!, theirsPackage['package: npm install time']!);
    }
    return { createVite: CREATE_VITE_VERSION, rows };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function comparisonTable(c: Comparison): string {
  const lines = [
    `| | create-cloudrun-app | create-vite ${c.createVite} | ratio | middle half of the ratios | target |`,
    '|---|---|---|---|---|---|',
    ...Object.entries(c.rows).map(
      ([name, r]) =>
        `| ${name} | ${fmt(r.ours)} | ${fmt(r.theirs)} | ${r.ratio === null ? '–' : `×${r.ratio.toFixed(2)}`} | ${r.spread ? `×${r.spread[0].toFixed(2)} – ×${r.spread[1].toFixed(2)}` : ''} | ${r.target === undefined ? '' : `${r.target} ${r.met ? 'met' : 'NOT met'}`} |`,
    ),
  ];
  const how = 'same machine, same run; medians; CPU = user + system of the whole process; a timing\'s ratio is the median of the ratios of runs made back to back';
  return `Side by side with create-vite (${how})\n\n${lines.join('\n')}\n`;
}

async function generatorFigures(o: Options, variants: readonly Variant[]): Promise<Record<string, Metric>> {
  const out: Record<string, Metric> = {};
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'ccra-bench-gen-'));
  try {
    log('CLI start-up (--help)');
    out['CLI start-up (--help)'] = metric('s', await repeat(o.genRuns, async () => timeNode([BIN, '--help'], tmp)));
    for (const template of [...new Set(variants.map((v) => v.template))]) {
      log(`generate ${template.id}`);
      let n = 0;
      out[`generate ${template.id} (--yes --no-git)`] = metric(
        's',
        await repeat(o.genRuns, async () =>
          timeNode([BIN, path.join(tmp, `${template.id}-${n++}`), '--template', template.templateArg, '--type', template.types[0]!, '--yes', '--no-git'], tmp),
        ),
      );
    }
    log('generate with git init and a first commit');
    let g = 0;
    out['generate node-express (--yes, git init + commit)'] = metric('s', await repeat(o.genRuns, async () => timeNode([BIN, path.join(tmp, `git-${g++}`), '--yes'], tmp)));
    if (!o.skipPackage) {
      log('npm pack --dry-run --json');
      const packed = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { timeoutMs: 120_000, cwd: REPO_ROOT });
      try {
        const [info] = JSON.parse(packed.stdout) as { size: number; unpackedSize: number; entryCount: number }[];
        out['package: packed size'] = metric('MB', [info!.size / 1e6]);
        out['package: unpacked size'] = metric('MB', [info!.unpackedSize / 1e6]);
        out['package: files'] = metric('count', [info!.entryCount]);
      } catch {
        log(`npm pack --dry-run failed: ${tail(packed.stderr, 5)}`);
      }
      log('npm pack + npm install --omit=dev of the tarball');
      const packDir = path.join(tmp, 'pack');
      await mkdir(packDir);
      const pack = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir, '--json'], { timeoutMs: 120_000, cwd: REPO_ROOT });
      const tarball = pack.code === 0 ? path.join(packDir, (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename) : null;
      if (tarball) Object.assign(out, await installedFigures(tarball, path.join(tmp, 'install')));
      else log(`npm pack failed: ${tail(pack.stderr, 5)}`);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Per variant
// ---------------------------------------------------------------------------------------------

/** Owned lines of each variant's freshly generated project. */
async function ownedLinesOf(variants: readonly Variant[]): Promise<Record<string, OwnedLines>> {
  const out: Record<string, OwnedLines> = {};
  for (const variant of variants) {
    const project = await generateProject(variant, { prefix: 'ccra-bench-owned-' });
    try {
      out[variant.key] = await ownedLines(project.dir, project.files, variant.template.dir);
    } finally {
      await removeProject(project);
    }
  }
  return out;
}

function ownedLinesTable(rows: Record<string, OwnedLines>): string {
  const lines = [
    '| | owned lines | files | routes left out | target |',
    '|---|---|---|---|---|',
    ...Object.entries(rows).map(
      ([key, r]) => `| ${key} | ${r.lines} | ${Object.keys(r.files).length} | ${r.excluded.routes.join(', ') || '–'} | ≤ ${r.target} ${r.met ? 'met' : 'NOT met'} |`,
    ),
  ];
  return `Owned lines (application source outside routes and tests, not blank, not comment-only; target ≤ ${OWNED_LINES_TARGET})\n\n${lines.join('\n')}\n`;
}

async function variantFigures(o: Options, variant: Variant, tags: string[], standins: Set<string>): Promise<Record<string, Metric>> {
  const out: Record<string, Metric> = {};
  const project = await generateProject(variant, { prefix: 'ccra-bench-' });
  const tag = `ccra-bench/${variant.template.id}-${variant.type}:latest-run`;
  tags.push(tag);
  try {
    const { model } = await readDockerfile(project);
    const bases = await prepareBaseImages(model);
    bases.standins.forEach((s) => standins.add(s));
    if (!bases.ok) throw new Error(`base images missing: ${bases.missing.join(', ')}`);

    log(`${variant.key}: ${o.buildRuns} build(s) without layer cache`);
    const builds = await repeat(o.buildRuns, async () => {
      const b = await buildImage({ context: project.dir, tag, noCache: true });
      if (!b.ok) throw new Error(`build failed:\n${tail(b.output)}`);
      // Each uncached build leaves the previous one untagged: remember it, to remove it at the end.
      const id = (await inspectImage(tag))?.id;
      if (id) tags.push(id);
      return b.ms / 1000;
    });
    out['build (no layer cache)'] = metric('s', builds);

    const edited = sourceFiles(project).find((f) => dependencySteps(model, f).sourceCopies.length > 0) ?? sourceFiles(project)[0];
    if (edited) {
      log(`${variant.key}: ${o.buildRuns} rebuild(s) after editing ${edited}`);
      const rebuilds = await repeat(o.buildRuns, async () => {
        const restore = await editSource(project, edited, `bench edit ${Math.random()}`);
        try {
          const b = await buildImage({ context: project.dir, tag: `${tag}-edit` });
          const id = (await inspectImage(`${tag}-edit`))?.id;
          if (id) tags.push(id);
          return b.ok ? b.ms / 1000 : null;
        } finally {
          await restore();
        }
      });
      tags.push(`${tag}-edit`);
      out['rebuild after source edit'] = metric('s', rebuilds, edited);
    }
    const final = await buildImage({ context: project.dir, tag });
    if (!final.ok) throw new Error(`build failed:\n${tail(final.output)}`);
    const info = await inspectImage(tag);
    const base = model.finalBaseImage === 'scratch' ? null : await inspectImage(model.finalBaseImage);
    if (info) {
      out['image size'] = metric('MB', [info.size / 1e6]);
      out['image above base'] = metric('MB', [(info.size - (base?.size ?? 0)) / 1e6], model.finalBaseImage);
    }

    if (variant.type === 'service') {
      log(`${variant.key}: ${o.runs} x start -> first 200 -> idle SIGTERM -> exit`);
      const ready: number[] = [];
      const idle: number[] = [];
      for (let i = 0; i < o.runs; i++) {
        const port = await freePort();
        const container = await Container.start(tag, { PORT: String(port) });
        try {
          const first = await waitFor200('127.0.0.1', port, 15_000, () => false, 5);
          if (!first.ok) continue;
          ready.push((performance.now() - container.startedAt) / 1000);
          await sleep(300);
          const killedAt = await container.signal('TERM');
          const exit = await container.waitExit(12_000);
          if (exit) idle.push((exit.at - killedAt) / 1000);
        } finally {
          await container.remove();
        }
      }
      out['start -> first 200'] = metric('s', ready, 'docker run -d to the first 200 on $PORT');
      out['idle SIGTERM -> exit'] = metric('s', idle);
      log(`${variant.key}: ${o.loadRuns} x SIGTERM under keep-alive load`);
      const drains: number[] = [];
      for (let i = 0; i < o.loadRuns; i++) {
        const r = await runServiceLoad(tag);
        if (r.values?.drainSeconds !== undefined) drains.push(r.values.drainSeconds);
        if (!r.pass) log(`${variant.key}: load run ${i + 1}: ${r.figure}`);
      }
      out['SIGTERM under load -> exit'] = metric('s', drains, '4 keep-alive connections');
    } else {
      log(`${variant.key}: ${o.runs} x task run and SIGTERM mid-SLEEP_MS`);
      const task: number[] = [];
      const term: number[] = [];
      for (let i = 0; i < o.runs; i++) {
        const c = await Container.start(tag, { CLOUD_RUN_TASK_INDEX: '0', CLOUD_RUN_TASK_COUNT: '1' });
        try {
          const exit = await c.waitExit(60_000);
          if (exit?.code === 0) task.push((exit.at - c.startedAt) / 1000);
        } finally {
          await c.remove();
        }
        const s = await Container.start(tag, { SLEEP_MS: '60000' });
        try {
          await sleep(1000);
          const killedAt = await s.signal('TERM');
          const exit = await s.waitExit(12_000);
          if (exit) term.push((exit.at - killedAt) / 1000);
        } finally {
          await s.remove();
        }
      }
      out['task: start -> exit 0'] = metric('s', task, 'docker run -d to exit, SLEEP_MS=0');
      out['task: SIGTERM -> exit'] = metric('s', term, 'mid SLEEP_MS=60000');
    }
  } finally {
    await removeProject(project);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const fmt = (m: Metric | undefined): string => {
  if (!m || m.median === null) return '–';
  if (m.unit === 's') return `${m.median.toFixed(m.median < 10 ? 2 : 1)} s`;
  if (m.unit === 'MB') return `${m.median.toFixed(1)} MB`;
  return String(m.median);
};

/** Below these the best value is too small for a ratio to mean anything (0.0 MB above base, say). */
const RATIO_FLOOR: Record<Metric['unit'], number> = { s: 0.05, MB: 0.5, count: 1 };

/**
 * Ratio of each variant's median to the smallest median of that metric among `rows` (one table:
 * services with services, jobs with jobs). No ratio where the best is below RATIO_FLOOR.
 */
function ratios(rows: Record<string, Record<string, Metric>>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const names = new Set(Object.values(rows).flatMap((r) => Object.keys(r)));
  for (const name of names) {
    const values = Object.entries(rows)
      .map(([k, r]) => [k, r[name]?.median, r[name]?.unit] as const)
      .filter((e): e is readonly [string, number, Metric['unit']] => typeof e[1] === 'number' && e[2] !== undefined);
    if (values.length === 0) continue;
    const best = Math.min(...values.map(([, v]) => v));
    if (best < RATIO_FLOOR[values[0]![2]]) continue;
    for (const [k, v] of values) (out[k] ??= {})[name] = v / best;
  }
  return out;
}

function table(title: string, rows: Record<string, Record<string, Metric>>, columns: string[], rowRatios: Record<string, Record<string, number>>): string {
  const head = ['', ...columns];
  const body = Object.entries(rows).map(([key, r]) => [
    key,
    ...columns.map((c) => {
      const ratio = rowRatios[key]?.[c];
      return r[c] && r[c]!.median !== null ? `${fmt(r[c])}${ratio !== undefined && Object.keys(rows).length > 1 ? ` (×${ratio.toFixed(2)})` : ''}` : '–';
    }),
  ]);
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)];
  return `${title}\n\n${lines.join('\n')}\n`;
}

async function machine(): Promise<Record<string, string | number>> {
  const engine = await engineStatus();
  const buildx = await run('docker', ['buildx', 'version'], { timeoutMs: 20_000 });
  return {
    host: os.hostname(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGB: Math.round(os.totalmem() / 1e9),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    docker: engine.ok ? engine.version : `none (${engine.reason})`,
    buildx: buildx.stdout.trim(),
  };
}

export async function main(argv: string[]): Promise<number> {
  const o = parseArgs(argv);
  const started = new Date();
  const templates = templatesToVerify().filter((t) => o.only.length === 0 || o.only.includes(t.id));
  if (o.type) process.env.VERIFY_TYPE = o.type;
  const variants = variantsOf(templates);
  const info = await machine();
  log(`${variants.length} variant(s), ${o.runs} runs per timing, ${o.buildRuns} per build, on ${info.cpu} × ${info.cores}`);

  const generator = await generatorFigures(o, variants);
  log('owned lines of each variant');
  const owned = await ownedLinesOf(variants);
  const comparison = o.compare ? await compareWithCreateVite(o, generator) : null;
  if (o.compare && !comparison) log(`create-vite@${CREATE_VITE_VERSION} could not be installed: no side-by-side figures`);
  const rows: Record<string, Record<string, Metric>> = {};
  const errors: Record<string, string> = {};
  const standins = new Set<string>();
  const tags: string[] = [];
  const engine = await engineStatus();
  if (!o.skipContainers && !engine.ok) log(`no Docker engine (${engine.reason}): container figures skipped`);
  if (!o.skipContainers && engine.ok) {
    try {
      for (const variant of variants) {
        try {
          rows[variant.key] = await variantFigures(o, variant, tags, standins);
        } catch (err) {
          errors[variant.key] = (err as Error).message;
          log(`${variant.key}: ${(err as Error).message}`);
        }
      }
    } finally {
      await removeImages(tags);
      await removeLeftoverContainers();
    }
  }

  const serviceCols = ['image size', 'image above base', 'start -> first 200', 'idle SIGTERM -> exit', 'SIGTERM under load -> exit', 'build (no layer cache)', 'rebuild after source edit'];
  const jobCols = ['image size', 'image above base', 'task: start -> exit 0', 'task: SIGTERM -> exit', 'build (no layer cache)', 'rebuild after source edit'];
  const services = Object.fromEntries(Object.entries(rows).filter(([k]) => k.endsWith('/service')));
  const jobs = Object.fromEntries(Object.entries(rows).filter(([k]) => k.endsWith('/job')));
  const rowRatios = { ...ratios(services), ...ratios(jobs) };
  const genRows = Object.fromEntries(Object.entries(generator).map(([k, m]) => [k, { value: m }]));
  const finished = new Date();
  const text = [
    `create-cloudrun-app benchmark — ${finished.toISOString()}`,
    `machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGB} GB, ${info.os}; node ${info.node}; docker ${info.docker}`,
    `medians of ${o.runs} runs (builds: ${o.buildRuns}, load drains: ${o.loadRuns}); (×N) = ratio to the best variant of the same table in this run`,
    `(no ratio where the best value is under ${RATIO_FLOOR.MB} MB or ${RATIO_FLOOR.s} s; "no layer cache" builds keep cache mounts such as Go's build cache and npm's download cache)`,
    standins.size ? `base images were local stand-ins, not the registry images (sizes above base are the comparable figure): ${[...standins].sort().join(', ')}` : '',
    '',
    Object.keys(services).length ? table('Services', services, serviceCols, rowRatios) : '',
    Object.keys(jobs).length ? table('Jobs', jobs, jobCols, rowRatios) : '',
    ownedLinesTable(owned),
    table('Generator', genRows, ['value'], {}),
    comparison ? comparisonTable(comparison) : '',
    Object.keys(errors).length ? `errors:\n${Object.entries(errors).map(([k, e]) => `  ${k}: ${e.split('\n')[0]}`).join('\n')}\n` : '',
  ]
    .filter((l) => l !== '')
    .join('\n');
  process.stdout.write(`${text}\n`);

  const json = {
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    seconds: (finished.getTime() - started.getTime()) / 1000,
    machine: info,
    options: o,
    standins: [...standins].sort(),
    generator,
    ownedLines: owned,
    comparison,
    variants: rows,
    ratios: rowRatios,
    errors,
  };
  // BENCH_DIR: where the results go (the smoke test keeps its run out of the real history).
  const dir = process.env.BENCH_DIR ?? path.join(REPO_ROOT, '.bench');
  await mkdir(dir, { recursive: true });
  const stamp = started.toISOString().replace(/[:.]/g, '-');
  const file = path.join(dir, `bench-${stamp}.json`);
  await writeFile(file, `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(path.join(dir, 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
  await writeFile(path.join(dir, 'latest.md'), `${text}\n`);
  const shown = (p: string): string => (p.startsWith(REPO_ROOT) ? path.relative(REPO_ROOT, p) : p);
  log(`written ${shown(file)} and ${shown(path.join(dir, 'latest.json'))} (${json.seconds.toFixed(0)} s)`);
  return Object.keys(errors).length ? 1 : 0;
}
