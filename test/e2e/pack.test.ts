/**
 * How `npm create cloudrun-app` really runs the generator: npm downloads the packed package and
 * runs its bin. The CLI is one bundle (scripts/build.mjs), so there is nothing else to install. Here the package is packed from this checkout and
 * run through `npx <tarball>`, and what it writes must equal, byte for byte and mode for mode, what
 * the checkout's own bin writes: nothing the generator needs may be missing from the tarball
 * (templates, partials, dist/, the schema), and npm's packing must not rename or drop a file.
 * `--ignore-scripts`: `npm test` has just built dist/, and rebuilding it here would race the
 * other test files that run the bin at the same time.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runBin, snapshotTree, tempDir } from '../support/generator.js';

const exec = promisify(execFile);
const TIMEOUT = 5 * 60_000;
let packDir: string;
let tarball: string;

beforeAll(async () => {
  packDir = await tempDir('ccra-pack-');
  await exec('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', packDir], { cwd: REPO_ROOT, timeout: TIMEOUT });
  const packed = (await readdir(packDir)).filter((name) => name.endsWith('.tgz'));
  expect(packed).toHaveLength(1);
  tarball = packed[0]!;
}, TIMEOUT);

describe('the packed package (npm pack, then npx <tarball>)', () => {
  it('is the bundled CLI with no runtime dependencies to download', async () => {
    const { stdout } = await exec('tar', ['-xzOf', path.join(packDir, tarball), 'package/package.json']);
    const manifest = JSON.parse(stdout) as Record<string, unknown>;
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies']) expect(manifest[field], field).toBeUndefined();
    const { stdout: listing } = await exec('tar', ['-tzf', path.join(packDir, tarball)]);
    const dist = listing.split('\n').filter((file) => file.startsWith('package/dist/'));
    expect(dist).toContain('package/dist/index.cjs');
    expect(dist).toContain('package/dist/THIRD-PARTY-LICENSES.txt');
    // The CLI, the bundles it requires when needed (the prompts, the manifest schema, Handlebars) and the
    // built-in templates' programs and manifests (precompiled/): nothing else, no node_modules anywhere.
    for (const file of dist) expect(file).toMatch(/^package\/dist\/((index|prompts|schema|handlebars)\.cjs|precompiled\/[\w.-]+\.(json|sources)|THIRD-PARTY-LICENSES\.txt|precompiled\/)$/);
    expect(listing).not.toMatch(/node_modules/);
  });


  it.each([
    ['express service', ['my-api', '--framework', 'express']],
    ['go job', ['my-job', '--language', 'go', '--type', 'job']],
  ])('generates the same %s as the checkout', async (_label, args) => {
    // Exactly the documented form, `npx ./<tarball> ...`, run beside the tarball (npx reads an
    // absolute path as a command, not a package).
    // --no-git: a repository's first commit carries its own time, the generated files must not.
    const npx = await exec('npx', ['--yes', `./${tarball}`, ...args, '--yes', '--no-git'], {
      cwd: packDir,
      timeout: TIMEOUT,
      env: { ...process.env, CI: 'true', npm_config_cache: path.join(packDir, '.npm-cache') },
    });
    expect(npx.stdout).toMatch(/^Created /m);

    const fromCheckout = await tempDir('ccra-local-');
    const local = await runBin([...args, '--yes', '--no-git'], { cwd: fromCheckout });
    expect(local.code, local.stderr).toBe(0);

    const written = await snapshotTree(path.join(packDir, args[0]!));
    expect(written['deploy.sh']).toMatch(/^755 /);
    expect(Object.keys(written)).toEqual(expect.arrayContaining(['.gitignore', '.dockerignore', '.gcloudignore', 'Dockerfile', '.github/workflows/ci.yml', '.github/dependabot.yml', args.includes('job') ? 'job.yaml' : 'service.yaml']));
    expect(written).toEqual(await snapshotTree(path.join(fromCheckout, args[0]!)));
  }, TIMEOUT);
});
