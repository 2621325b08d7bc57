/**
 * `npm run bench` must keep working as the code around it changes. This runs its cheapest form
 * (the generator's own figures and the side-by-side run of create-vite, which it installs from the
 * npm registry; one run, no containers, no npm pack) and checks the shape of what it prints and
 * writes; the figures themselves are for people comparing runs, not for assertions.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../support/generator.js';

const exec = promisify(execFile);

describe('npm run bench', () => {
  it('prints the generator table and writes it as JSON', async () => {
    const dir = await tempDir('ccra-bench-');
    const { stdout } = await exec(process.execPath, ['bench/bench.mjs', '--no-containers', '--no-package', '--runs', '1'], {
      cwd: REPO_ROOT,
      env: { ...process.env, BENCH_DIR: dir },
      timeout: 170_000,
    });
    expect(stdout).toMatch(/^create-cloudrun-app benchmark/m);
    expect(stdout).toMatch(/Generator/);
    expect(stdout).toMatch(/^Side by side with create-vite/m);
    expect(stdout).toMatch(/^Owned lines \(application source outside routes and tests/m);
    expect(stdout).toMatch(/^\| go-net-http\/service \| \d+ \| \d+ \| .* \| ≤ 300 (met|NOT met) \|$/m);
    expect(stdout).toMatch(/^\| generate \(CPU\) \| [\d.]+ s \| [\d.]+ s \| ×[\d.]+ \| ×[\d.]+ – ×[\d.]+ \| ≤ 1\.0× (met|NOT met) \|$/m);
    const latest = JSON.parse(await readFile(path.join(dir, 'latest.json'), 'utf8')) as {
      generator: Record<string, { median: number | null; runs: number[] }>;
      ownedLines: Record<string, { lines: number; files: Record<string, number> }>;
      comparison: { rows: Record<string, { ours: { median: number; runs: number[] }; theirs: { median: number; runs: number[] }; ratio: number; spread: number[] }> };
    };
    for (const row of ['generate (CPU)', 'generate (wall)', '--help (CPU)', '--help (wall)']) {
      const { ours, theirs, ratio, spread } = latest.comparison.rows[row]!;
      expect([ours.median, theirs.median, ratio].every((n) => n > 0), row).toBe(true);
      // One pair: its ratio, and the middle half is that one ratio.
      expect(ratio, row).toBeCloseTo(ours.runs[0]! / theirs.runs[0]!, 9);
      expect(spread, row).toEqual([ratio, ratio]);
    }
    // Every variant has its count, and the count is the sum of its files.
    expect(Object.keys(latest.ownedLines)).toEqual(expect.arrayContaining(['node-express/service', 'node-express/service+pnpm', 'go-net-http/job']));
    for (const [key, owned] of Object.entries(latest.ownedLines)) {
      expect(owned.lines, key).toBe(Object.values(owned.files).reduce((a, b) => a + b, 0));
      expect(owned.lines, key).toBeGreaterThan(0);
    }
    const figures = Object.values(latest.generator);
    expect(figures.length).toBeGreaterThan(0);
    for (const figure of figures) {
      expect(figure.runs).toHaveLength(1);
      expect(figure.median).toBeGreaterThan(0);
    }
  }, 180_000);

  it('refuses a bad option with one line and status 2', async () => {
    const failed = await exec(process.execPath, ['bench/bench.mjs', '--runs', 'many'], { cwd: REPO_ROOT }).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failed && failed.code).toBe(2);
    expect((failed as { stderr: string }).stderr).toMatch(/^bench: --runs needs a positive number\n$/m);
  }, 60_000); // bench.mjs compiles itself with tsc first: slow on a busy machine
});
