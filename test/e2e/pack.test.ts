/**
 * How `npm create cloudrun-app` really runs the generator: npm downloads the packed package,
 * installs its dependencies and runs its bin. Here the package is packed from this checkout and
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
  it.each([
    ['express service', ['my-api', '--framework', 'express']],
    ['go job', ['my-job', '--language', 'go', '--type', 'job']],
  ])('generates the same %s as the checkout', async (_label, args) => {
    // Exactly the documented form, `npx ./<tarball> ...`, run beside the tarball (npx reads an
    // absolute path as a command, not a package).
    const npx = await exec('npx', ['--yes', `./${tarball}`, ...args, '--yes'], {
      cwd: packDir,
      timeout: TIMEOUT,
      env: { ...process.env, CI: 'true', npm_config_cache: path.join(packDir, '.npm-cache') },
    });
    expect(npx.stdout).toMatch(/^Created /m);

    const fromCheckout = await tempDir('ccra-local-');
    const local = await runBin([...args, '--yes'], { cwd: fromCheckout });
    expect(local.code, local.stderr).toBe(0);

    const written = await snapshotTree(path.join(packDir, args[0]!));
    expect(written['deploy.sh']).toMatch(/^755 /);
    expect(Object.keys(written)).toEqual(expect.arrayContaining(['.gitignore', '.dockerignore', '.gcloudignore', 'Dockerfile', args.includes('job') ? 'job.yaml' : 'service.yaml']));
    expect(written).toEqual(await snapshotTree(path.join(fromCheckout, args[0]!)));
  }, TIMEOUT);
});
