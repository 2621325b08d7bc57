/**
 * Image checks: the built image and its file system (user, platform, secrets, tests, build
 * tools, dev dependencies, layer cache, the project's own test stage).
 */
import path from 'node:path';
import { dependencySteps, type DockerfileModel } from '../dockerfile-rules.js';
import { buildImage, ensureBaseImages, exportImage, formatBytes, imageListing, inspectImage, tail, type BuildResult, type ImageInfo } from '../docker.js';
import { devDependencies, editSource, isTestFile, PLANT_MARKER, PLANTED, plantSecrets, sourceFiles, type Project } from '../project.js';
import { type CheckResult, fail, pass, seconds } from '../report.js';
import type { TarEntry } from '../tar.js';

export interface BuiltImage {
  readonly tag: string;
  readonly build: BuildResult;
  readonly info: ImageInfo | null;
  readonly standins: readonly string[];
}

export type BaseImages = Awaited<ReturnType<typeof ensureBaseImages>>;

/** Makes sure the base images the Dockerfile names exist (stand-ins built by scripts/standins/build.sh). */
export function prepareBaseImages(model: DockerfileModel): Promise<BaseImages> {
  return ensureBaseImages(model.externalImages);
}

/** Plants the secret files and builds the image (base images prepared first). */
export async function buildProjectImage(
  project: Project,
  model: DockerfileModel,
  tag: string,
  bases: BaseImages,
  options: { noCache?: boolean } = {},
): Promise<{ result: CheckResult; image: BuiltImage }> {
  await plantSecrets(project);
  if (!bases.ok) {
    const build: BuildResult = { ok: false, ms: 0, output: bases.log, timedOut: false };
    return {
      result: fail('image:build', `base image(s) missing: ${bases.missing.join(', ')}`, `no stand-in or local image for ${bases.missing.join(', ')}\n${tail(bases.log)}`),
      image: { tag, build, info: null, standins: bases.standins },
    };
  }
  const build = await buildImage({ context: project.dir, tag, noCache: options.noCache ?? false });
  const info = build.ok ? await inspectImage(tag) : null;
  const image: BuiltImage = { tag, build, info, standins: bases.standins };
  const standinNote = bases.standins.length ? `; stand-ins: ${bases.standins.join(', ')}` : '';
  if (!build.ok || !info) return { result: fail('image:build', build.timedOut ? 'build timed out' : 'build failed', tail(build.output, 40)), image };
  const base = model.finalBaseImage === 'scratch' ? null : await inspectImage(model.finalBaseImage);
  const above = base ? info.size - base.size : info.size;
  return {
    result: pass('image:build', `${seconds(build.ms)}, ${formatBytes(info.size)} (+${formatBytes(above)} above ${model.finalBaseImage})${standinNote}`, {
      buildSeconds: build.ms / 1000,
      sizeBytes: info.size,
      aboveBaseBytes: above,
    }),
    image,
  };
}

export function checkPlatform(info: ImageInfo): CheckResult {
  const platform = `${info.os}/${info.architecture}`;
  return platform === 'linux/amd64' ? pass('image:platform', platform) : fail('image:platform', platform, 'Cloud Run runs linux/amd64 images');
}

export function checkImageUser(info: ImageInfo): CheckResult {
  const user = info.user;
  const [uid = '', gid, ...rest] = user.split(':');
  if (user === '') return fail('image:user', 'no user set (runs as root)');
  if (!/^\d+$/.test(uid) || (gid !== undefined && !/^\d+$/.test(gid)) || rest.length) return fail('image:user', `"${user}" is not numeric`, 'the platform cannot tell a user name is not root');
  if (Number(uid) === 0) return fail('image:user', `"${user}" is root`);
  return pass('image:user', `"${user}"`);
}

/** Everything the image checks need from the exported file system. */
export interface ImageFiles {
  readonly entries: readonly TarEntry[];
  readonly base: ReadonlySet<string>;
}

const PLANTED_NAMES = new Set(PLANTED.map((p) => p.path));

export async function exportImageFiles(tag: string, model: DockerfileModel): Promise<ImageFiles> {
  const entries = await exportImage(tag, (p, size) => size < 1_000_000 && (PLANTED_NAMES.has(path.posix.basename(p)) || p === 'var/lib/dpkg/status'));
  const base = model.finalBaseImage === 'scratch' ? [] : await imageListing(model.finalBaseImage);
  return { entries, base: new Set(base.map((e) => e.path)) };
}

export function checkNoSecrets(files: ImageFiles): CheckResult {
  const leaked = files.entries.filter((e) => e.content?.toString('utf8').includes(PLANT_MARKER));
  const sameName = files.entries.filter((e) => PLANTED_NAMES.has(path.posix.basename(e.path)) && !files.base.has(e.path) && e.type !== 'directory');
  if (leaked.length === 0 && sameName.length === 0) return pass('image:no-secrets', `${PLANTED.length} planted (${PLANTED.map((p) => p.path).join(' ')}), 0 in image`);
  const paths = [...new Set([...leaked, ...sameName].map((e) => `/${e.path}`))];
  return fail('image:no-secrets', `${paths.length} in image: ${paths.join(', ')}`, 'the .dockerignore let planted secret files into the build context and a COPY put them in the image');
}

const COMPILER = /^(?:[a-z0-9_]+-linux-gnu-)?(?:gcc|g\+\+|c\+\+|cc|cpp|clang|clang\+\+|cc1|cc1plus|cc1obj|rustc|cargo|javac|go|gofmt|make|ld|ld\.bfd|ld\.gold|as)(?:-\d+(?:\.\d+)*)?$/;
const BUILD_PACKAGES = /^(build-essential|gcc(-\d+)?|g\+\+(-\d+)?|cpp(-\d+)?|clang(-\d+)?|make|binutils|libc6-dev|golang(-\d+\.\d+)?(-go)?|rustc|cargo)$/;

export function checkNoBuildTools(files: ImageFiles): CheckResult {
  const found: string[] = [];
  for (const e of files.entries) {
    if (e.type === 'directory') continue;
    const parts = e.path.split('/');
    const base = parts[parts.length - 1]!;
    const parent = parts[parts.length - 2] ?? '';
    if ((parent === 'bin' || parent === 'sbin' || parts.includes('gcc') || parts.includes('libexec')) && COMPILER.test(base)) found.push(`/${e.path}`);
    if (e.path.endsWith('pkg/tool/linux_amd64/compile')) found.push(`/${e.path} (Go toolchain)`);
  }
  const status = files.entries.find((e) => e.path === 'var/lib/dpkg/status')?.content?.toString('utf8') ?? '';
  const packages = status
    .split('\n\n')
    .map((block) => ({ name: /^Package: (.+)$/m.exec(block)?.[1] ?? '', state: /^Status: (.+)$/m.exec(block)?.[1] ?? '' }))
    .filter((p) => p.state.endsWith(' installed') && BUILD_PACKAGES.test(p.name))
    .map((p) => `dpkg:${p.name}`);
  const all = [...found, ...packages];
  if (all.length === 0) return pass('image:no-build-tools', `none among ${files.entries.length} files${status ? ' and dpkg status' : ''}`);
  return fail('image:no-build-tools', `${all.length} found: ${all.slice(0, 6).join(', ')}${all.length > 6 ? ', ...' : ''}`, all.join('\n'));
}

const DEPENDENCY_DIRS = ['node_modules', 'site-packages', 'dist-packages', 'gems', 'bundle', 'vendor', 'go'];

export function checkNoTests(project: Project, files: ImageFiles): CheckResult {
  const tests = project.files.filter(isTestFile);
  const found = new Set<string>();
  for (const e of files.entries) {
    if (e.type === 'directory' || files.base.has(e.path)) continue;
    const parts = e.path.split('/');
    if (parts.some((p) => DEPENDENCY_DIRS.includes(p))) continue;
    for (const t of tests) {
      const distinctive = isTestFile(path.posix.basename(t));
      if (`/${e.path}`.endsWith(`/${t}`) || (distinctive && path.posix.basename(e.path) === path.posix.basename(t))) found.add(`/${e.path}`);
    }
  }
  if (tests.length === 0) return pass('image:no-tests', 'the project has no test files (nothing to keep out)');
  if (found.size === 0) return pass('image:no-tests', `${tests.length} test files in the project, 0 in the image`);
  return fail('image:no-tests', `${found.size} in image: ${[...found].slice(0, 5).join(', ')}`, [...found].join('\n'));
}

export async function checkNoDevDependencies(project: Project, files: ImageFiles): Promise<CheckResult> {
  const declared = await devDependencies(project);
  const names = declared.flatMap((d) => d.names);
  if (declared.length === 0) return pass('image:no-dev-deps', 'no dev-dependency manifest (nothing to keep out)');
  const found: string[] = [];
  for (const d of declared) {
    for (const name of d.names) {
      const hit = files.entries.find((e) => !files.base.has(e.path) && d.matches(e.path, name));
      if (hit) found.push(`${name} (/${hit.path})`);
    }
  }
  const sources = declared.map((d) => `${d.source}: ${d.names.length ? d.names.join(' ') : 'none'}`).join('; ');
  if (found.length === 0) return pass('image:no-dev-deps', names.length ? `${names.length} declared, 0 in image (${sources})` : `none declared (${sources})`);
  return fail('image:no-dev-deps', `${found.length} in image: ${found.join(', ')}`, sources);
}

/** BuildKit `--progress=plain`: the step numbers whose output said CACHED. */
function cachedLabels(output: string): { seen: Map<string, string>; cached: Set<string> } {
  const seen = new Map<string, string>(); // label -> #N
  const cachedIds = new Set<string>();
  for (const l of output.split('\n')) {
    const words = l.split(' ');
    const id = words[0] ?? '';
    if (!id.startsWith('#')) continue;
    if (words[1] === 'CACHED') cachedIds.add(id);
    const open = l.indexOf(' [');
    const close = l.indexOf('] ', open);
    if (open === id.length && close !== -1) seen.set(l.slice(open + 1, close + 1), id);
  }
  const cached = new Set([...seen].filter(([, id]) => cachedIds.has(id)).map(([label]) => label));
  return { seen, cached };
}

/** Edits one source file, rebuilds, and checks that every dependency step came from the cache. */
export async function checkRebuildCache(project: Project, model: DockerfileModel, tag: string): Promise<CheckResult> {
  // A source file the final image is built from (one only the test stage copies would prove nothing).
  const candidates = sourceFiles(project);
  const edited = candidates.find((f) => dependencySteps(model, f).sourceCopies.length > 0) ?? candidates[0];
  if (!edited) return fail('image:rebuild-cache', 'no source file to edit');
  const analysis = dependencySteps(model, edited);
  if (analysis.steps.length === 0) {
    return fail('image:rebuild-cache', `no RUN step before ${edited} is copied`, 'the dependency install runs after the source is copied, so every source edit reinstalls the dependencies');
  }
  const restore = await editSource(project, edited);
  let build: BuildResult;
  try {
    build = await buildImage({ context: project.dir, tag });
  } finally {
    await restore();
  }
  if (!build.ok) return fail('image:rebuild-cache', 'rebuild failed', tail(build.output, 30));
  const { seen, cached } = cachedLabels(build.output);
  const rebuilt = analysis.steps.filter((s) => !cached.has(s.label));
  const describe = (s: { label: string; text: string }): string => `${s.label} ${s.text.split('\n')[0]!.slice(0, 60)}`;
  if (rebuilt.length === 0) {
    return pass('image:rebuild-cache', `rebuilt in ${seconds(build.ms)} after editing ${edited}; CACHED: ${analysis.steps.map((s) => s.label).join(' ')}`, { rebuildSeconds: build.ms / 1000 });
  }
  return fail(
    'image:rebuild-cache',
    `rebuilt in ${seconds(build.ms)} after editing ${edited}; ${rebuilt.length} dependency step(s) ran again: ${rebuilt.map((s) => s.label).join(' ')}`,
    rebuilt
      .map((s) => {
        const id = seen.get(s.label);
        if (!id) return `${describe(s)}: not in the build output`;
        // What BuildKit said about the step instead, for whoever has to find out why.
        const said = build.output.split('\n').filter((line) => line.startsWith(`${id} `)).slice(0, 12);
        return `${describe(s)}: not CACHED\n  ${said.join('\n  ')}`;
      })
      .join('\n'),
    { rebuildSeconds: build.ms / 1000 },
  );
}

/** The project's own test run (`docker build --target test`), dependency install included. */
const TEST_TARGET_TIMEOUT_MS = 8 * 60_000;

export async function checkTestTarget(project: Project, options: { noCache?: boolean } = {}): Promise<CheckResult> {
  // Bounded well below the build limit: a project test that hangs (waiting for an exit that never
  // comes, say) must fail this check, not hold the whole suite.
  const build = await buildImage({ context: project.dir, target: 'test', noCache: options.noCache ?? false, timeoutMs: TEST_TARGET_TIMEOUT_MS });
  if (build.ok) return pass('image:test-target', seconds(build.ms), { testBuildSeconds: build.ms / 1000 });
  return fail('image:test-target', build.timedOut ? `timed out after ${TEST_TARGET_TIMEOUT_MS / 60_000} min` : 'failed', tail(build.output, 40));
}
