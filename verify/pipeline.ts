/**
 * Runs every check of the container tier on one variant (template × type) from a fresh generation, and runs
 * named checks against a mutant. Builds and runtime phases are throttled by semaphores; results
 * go to a CheckBoard as they are measured, so tests can report each check on its own.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildProjectImage, checkImageUser, checkNoBuildTools, checkNoDevDependencies, checkNoSecrets, checkNoTests, checkPlatform, checkRebuildCache, checkTestTarget, exportImageFiles, prepareBaseImages } from './checks/image.js';
import { runJobChecks, runServiceDefaultPort, runServiceIdle, runServiceLoad, runServiceMain } from './checks/runtime.js';
import { checkCallCheck, checkDockerignore, checkRules, checkShellcheck, readDockerfile } from './checks/static.js';
import { checkClassicBuild, checkClassicRuntime } from './checks/classic.js';
import { inspectImage } from './docker.js';
import { runServiceHostile } from './checks/hostile.js';
import { Semaphore, withPort8080 } from './limit.js';
import { type ProbeConfig, readProjectProbes, runServiceProbes } from './checks/probes.js';
import { generateProject, projectName, removeProject, type Project } from './project.js';
import type { Variant } from './templates.js';
import { type CheckBoard, type CheckId, type CheckResult, fail } from './report.js';

export interface Limits {
  /** Generation, static checks and image builds. */
  readonly build: Semaphore;
  /** Containers whose timings are measured. */
  readonly runtime: Semaphore;
}

export function defaultLimits(): Limits {
  const n = Number(process.env.VERIFY_CONCURRENCY ?? 2);
  return { build: new Semaphore(Math.max(1, n)), runtime: new Semaphore(1) };
}

/** VERIFY_NO_CACHE=1: each variant's first build and its test stage ignore the layer cache (a CI-like cold run). */
const NO_CACHE = process.env.VERIFY_NO_CACHE === '1';

export interface VariantRun {
  readonly tags: string[];
  standins: string[];
  seconds: number;
}

const imageTag = (variant: Variant, runId: string, suffix = ''): string =>
  `ccra-verify/${variant.key.replace(/[/+]/g, '-')}${suffix}:${runId}`.toLowerCase();

/** Runs all checks of a variant, recording into `board`; never rejects. */
export async function verifyVariant(variant: Variant, board: CheckBoard, limits: Limits, runId: string, out: VariantRun): Promise<void> {
  const started = performance.now();
  let project: Project | null = null;
  try {
    let probes: ProbeConfig | null = null;
    let classic: string | null = null;
    const image = await limits.build.use(async () => {
      project = await generateProject(variant);
      const p: Project = project;
      const { text, model } = await readDockerfile(p);
      board.record(checkRules(text));
      board.record(await checkDockerignore(p));
      board.record(await checkShellcheck(p));
      const bases = await prepareBaseImages(model);
      out.standins = bases.standins;
      board.record(await checkCallCheck(p));
      const tag = imageTag(variant, runId);
      out.tags.push(tag);
      const built = await buildProjectImage(p, model, tag, bases, { noCache: NO_CACHE });
      board.record(built.result);
      if (!built.result.pass || !built.image.info) {
        board.close('the image did not build');
        return null;
      }
      const info = built.image.info;
      board.record(checkPlatform(info));
      board.record(checkImageUser(info));
      const files = await exportImageFiles(tag, model);
      board.record(checkNoSecrets(files));
      board.record(checkNoBuildTools(files));
      board.record(checkNoTests(p, files));
      board.record(await checkNoDevDependencies(p, files));
      board.record(await checkTestTarget(p, { noCache: NO_CACHE }));
      const editTag = imageTag(variant, runId, '-edit');
      out.tags.push(editTag);
      board.record(await checkRebuildCache(p, model, editTag));
      const classicTag = imageTag(variant, runId, '-classic');
      out.tags.push(classicTag);
      const classicBuild = await checkClassicBuild(p, classicTag, info);
      board.record(classicBuild);
      if (classicBuild.pass) classic = classicTag;
      if (variant.type === 'service') probes = await readProjectProbes(p);
      return tag;
    });
    if (!image) return;
    await limits.runtime.use(async () => {
      if (variant.type === 'service') {
        for (const r of await runServiceMain(image)) board.record(r);
        board.record(await runServiceIdle(image));
        board.record(await runServiceLoad(image));
        board.record(await runServiceDefaultPort(image));
        for (const r of await runServiceProbes(image, probes)) board.record(r);
        for (const r of await runServiceHostile(image, null, probes?.containerConcurrency)) board.record(r);
      } else {
        for (const r of await runJobChecks(image)) board.record(r);
      }
      if (classic) board.record(await checkClassicRuntime(classic, variant.type, probes));
    });
  } catch (err) {
    board.close(`the verification crashed: ${(err as Error).stack ?? String(err)}`);
  } finally {
    board.close('not run (an earlier step failed)');
    if (project) await removeProject(project);
    out.seconds = (performance.now() - started) / 1000;
  }
}

// ---------------------------------------------------------------------------------------------
// Mutants
// ---------------------------------------------------------------------------------------------

export interface TextEdit {
  /** Project-relative path of a generated file. */
  readonly file: string;
  /** Exact text that must occur exactly once in the generated file. */
  readonly find: string;
  readonly replace: string;
}

export interface MutantDefinition {
  readonly id: string;
  readonly type: 'service' | 'job';
  /** What the mutant breaks, in words. */
  readonly breaks: string;
  /** Exact edits, or (for the generated mutants) edits worked out from the generated project. */
  readonly edits: readonly TextEdit[] | ((project: Project) => Promise<readonly TextEdit[]>);
  /** Checks that must fail against the mutant. */
  readonly mustFail: readonly CheckId[];
  /** Checks that must still pass: proof the mutant builds and runs, so it fails for the right reason. */
  readonly mustPass: readonly CheckId[];
}

/** The mutated files (relative path -> text); throws if any `find` does not occur exactly once (the mutant would be silently void). */
async function mutatedFiles(project: Project, edits: readonly TextEdit[]): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const edit of edits) {
    let text = files.get(edit.file);
    if (text === undefined) {
      try {
        text = await readFile(path.join(project.dir, edit.file), 'utf8');
      } catch {
        throw new Error(`mutant edit: ${edit.file} is not in the generated project`);
      }
    }
    const count = text.split(edit.find).length - 1;
    if (count !== 1) throw new Error(`mutant edit did not apply: ${JSON.stringify(edit.find)} occurs ${count} times in ${edit.file} (expected exactly once)`);
    const mutated = text.replace(edit.find, () => edit.replace);
    if (mutated === text) throw new Error(`mutant edit changed nothing in ${edit.file}`);
    files.set(edit.file, mutated);
  }
  return files;
}

/** A mutant's edits for this generated project. */
export async function mutantEdits(project: Project, mutant: MutantDefinition): Promise<readonly TextEdit[]> {
  return typeof mutant.edits === 'function' ? mutant.edits(project) : mutant.edits;
}

/** Proves the mutant's edits would apply, without changing the project. */
export async function checkEdits(project: Project, mutant: MutantDefinition): Promise<void> {
  await mutatedFiles(project, await mutantEdits(project, mutant));
}

/** Applies the edits; throws, before writing anything, if one of them does not apply. */
export async function applyEdits(project: Project, edits: readonly TextEdit[]): Promise<void> {
  for (const [file, text] of await mutatedFiles(project, edits)) await writeFile(path.join(project.dir, file), text);
}

const STATIC_CHECKS = new Set<CheckId>(['static:rules', 'static:dockerignore', 'static:shellcheck', 'static:call-check']);

/** Runs the named checks on a generated (possibly mutated) project; returns one result per id. */
export async function runNamedChecks(project: Project, ids: readonly CheckId[], limits: Limits, tag: string): Promise<CheckResult[]> {
  const wanted = new Set(ids);
  const results = new Map<CheckId, CheckResult>();
  const { text, model } = await readDockerfile(project);
  await limits.build.use(async () => {
    if (wanted.has('static:rules')) results.set('static:rules', checkRules(text));
    if (wanted.has('static:dockerignore')) results.set('static:dockerignore', await checkDockerignore(project));
    if (wanted.has('static:shellcheck')) results.set('static:shellcheck', await checkShellcheck(project));
    if (wanted.has('static:call-check')) results.set('static:call-check', await checkCallCheck(project));
    if ([...wanted].some((id) => !STATIC_CHECKS.has(id))) {
      const bases = await prepareBaseImages(model);
      const built = await buildProjectImage(project, model, tag, bases);
      results.set('image:build', built.result);
    }
  });
  const build = results.get('image:build');
  if (build && !build.pass) {
    for (const id of wanted) if (!results.has(id)) results.set(id, fail(id, 'not run', 'the image did not build'));
    return ids.map((id) => results.get(id)!);
  }
  const info = build ? await inspectImage(tag) : null;
  if (info && wanted.has('image:user')) results.set('image:user', checkImageUser(info));
  if (info && wanted.has('image:platform')) results.set('image:platform', checkPlatform(info));
  if (info && [...wanted].some((id) => ['image:no-secrets', 'image:no-build-tools', 'image:no-tests', 'image:no-dev-deps'].includes(id))) {
    const files = await exportImageFiles(tag, model);
    results.set('image:no-secrets', checkNoSecrets(files));
    results.set('image:no-build-tools', checkNoBuildTools(files));
    results.set('image:no-tests', checkNoTests(project, files));
    results.set('image:no-dev-deps', await checkNoDevDependencies(project, files));
  }
  if (info) {
    await limits.runtime.use(async () => {
      if (wanted.has('runtime:default-8080')) results.set('runtime:default-8080', await runServiceDefaultPort(tag));
      // A mutant may bind 8080 whatever PORT says: keep 8080 to ourselves while it runs.
      await withPort8080(async () => {
        const main: CheckId[] = ['runtime:port', 'runtime:get', 'runtime:all-interfaces', 'runtime:pid1', 'runtime:trace', 'runtime:inflight-sigterm'];
        if (project.variant.type === 'service' && [...wanted].some((id) => main.includes(id) || id === 'runtime:logs-json')) {
          for (const r of await runServiceMain(tag, wanted)) results.set(r.check, r);
        }
        if (wanted.has('runtime:idle-sigterm')) results.set('runtime:idle-sigterm', await runServiceIdle(tag));
        if (wanted.has('runtime:load-sigterm')) results.set('runtime:load-sigterm', await runServiceLoad(tag));
        if (project.variant.type === 'service' && [...wanted].some((id) => id.startsWith('hostile:'))) {
          for (const r of await runServiceHostile(tag, wanted, (await readProjectProbes(project))?.containerConcurrency)) results.set(r.check, r);
        }
        if (project.variant.type === 'job' && [...wanted].some((id) => id.startsWith('runtime:'))) {
          for (const r of await runJobChecks(tag, wanted)) results.set(r.check, r);
        }
      });
    });
  }
  if (info && [...wanted].some((id) => id === 'image:classic-build' || id === 'runtime:classic-image')) {
    const classic = await limits.build.use(() => checkClassicBuild(project, `${tag}-classic`, info));
    results.set('image:classic-build', classic);
    if (wanted.has('runtime:classic-image')) {
      const probes = project.variant.type === 'service' ? await readProjectProbes(project) : null;
      results.set('runtime:classic-image', classic.pass ? await limits.runtime.use(() => checkClassicRuntime(`${tag}-classic`, project.variant.type, probes)) : fail('runtime:classic-image', 'not run', 'the classic build failed'));
    }
  }
  if (info && [...wanted].some((id) => id === 'runtime:probe-startup' || id === 'runtime:probe-liveness')) {
    const probes = await readProjectProbes(project);
    for (const r of await limits.runtime.use(() => runServiceProbes(tag, probes))) results.set(r.check, r);
  }
  if (wanted.has('image:rebuild-cache')) results.set('image:rebuild-cache', await checkRebuildCache(project, model, `${tag}-edit`));
  if (wanted.has('image:test-target')) results.set('image:test-target', await checkTestTarget(project));
  return ids.map((id) => results.get(id) ?? fail(id, 'not run', 'this check did not produce a result'));
}

export interface MutantRun {
  readonly caught: boolean;
  readonly results: readonly CheckResult[];
  readonly note: string;
}

/** Generates, mutates, builds and checks one mutant; `caught` when every mustFail failed and every mustPass passed. */
export async function runMutant(variant: Variant, mutant: MutantDefinition, limits: Limits, runId: string, tags: string[]): Promise<MutantRun> {
  // A name of their own gives mutants their own dependency manifest (package.json, go.mod carry
  // the name), so their builds never share a BuildKit step with the variant's own builds. A step
  // shared with a build running at the same moment can be reported without its CACHED line, which
  // made the variant's rebuild-cache check fail at random (seen with go-net-http/job).
  const project = await generateProject(variant, { prefix: 'ccra-mutant-', name: projectName(variant, '-mutant') });
  try {
    await applyEdits(project, await mutantEdits(project, mutant));
    const tag = `ccra-verify/${variant.template.id}-${variant.type}-mutant-${mutant.id}:${runId}`.toLowerCase();
    tags.push(tag, `${tag}-edit`, `${tag}-classic`);
    const ids = [...new Set([...mutant.mustPass, ...mutant.mustFail])];
    const results = await runNamedChecks(project, ids, limits, tag);
    const byId = new Map(results.map((r) => [r.check, r]));
    const escaped = mutant.mustFail.filter((id) => byId.get(id)?.pass);
    const dead = mutant.mustPass.filter((id) => !byId.get(id)?.pass);
    const caught = escaped.length === 0 && dead.length === 0;
    const note = caught
      ? 'caught'
      : [
          escaped.length ? `passed although they must fail: ${escaped.map((id) => `${id} (${byId.get(id)?.figure})`).join(', ')}` : '',
          dead.length ? `the mutant is not alive (must pass): ${dead.map((id) => `${id} (${byId.get(id)?.figure}: ${byId.get(id)?.detail ?? ''})`).join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ');
    return { caught, results, note };
  } finally {
    await removeProject(project);
  }
}
