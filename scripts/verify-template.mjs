#!/usr/bin/env node
// The one command a template contributor runs before opening a pull request:
//
//   npm run verify -- ./my-template [--type service|job] [--keep-images]
//
// It runs the container tier of this repository's tests (test/containers/verify.test.ts: static
// checks, image, runtime as Cloud Run runs it, the project's own tests, and the mutants of the
// folder's verify.json when it has one) against that one template folder, prints one line per check with
// its measured figure, and exits non-zero if any check fails. A Docker engine is required here:
// without one the command fails rather than skipping (REQUIRE_DOCKER=1).
// See docs/verification.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const usage = `usage: npm run verify -- <template-folder> [--type service|job] [--keep-images]

Runs the verification suite (docs/verification.md) against one template folder and exits
non-zero if any check fails. The report is printed at the end and written to
.bench/verification.json.

  --type service|job   verify only that workload type (default: every type the manifest lists)
  --keep-images        keep the images built for the checks (tagged ccra-verify/...)
  --concurrency N      builds at a time (default 2)
`;

function fail(message) {
  process.stderr.write(`verify-template: ${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let folder = null;
let type = null;
let keepImages = false;
let concurrency = null;
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '-h' || arg === '--help') {
    process.stdout.write(usage);
    process.exit(0);
  } else if (arg === '--type') type = args[++i] ?? fail('--type needs service or job');
  else if (arg.startsWith('--type=')) type = arg.slice('--type='.length);
  else if (arg === '--keep-images') keepImages = true;
  else if (arg === '--concurrency') concurrency = args[++i] ?? fail('--concurrency needs a number');
  else if (arg.startsWith('-')) fail(`unknown option ${arg}\n${usage}`);
  else if (folder === null) folder = arg;
  else fail(`one template folder at a time (got ${folder} and ${arg})`);
}
if (folder === null) fail(`which template folder?\n${usage}`);
if (type !== null && type !== 'service' && type !== 'job') fail(`--type must be service or job, not ${type}`);
if (concurrency !== null && !/^[1-9]\d*$/.test(concurrency)) fail(`--concurrency must be a positive number, not ${concurrency}`);

// npm runs scripts from the package root; a relative folder is meant from where the user typed it.
const cwd = process.env.INIT_CWD ?? process.cwd();
const dir = path.resolve(cwd, folder);
const manifest = path.join(dir, 'template.json');
if (!existsSync(manifest)) fail(`${dir} has no template.json (is it a template folder?)`);
let id;
try {
  ({ id } = JSON.parse(readFileSync(manifest, 'utf8')));
} catch (err) {
  fail(`${manifest}: ${err.message}`);
}

// The generator runs from dist/: build it first, so the check always uses the current source.
const build = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/build.mjs')], { cwd: repoRoot, stdio: 'inherit' });
if (build.status !== 0) fail('building the generator (node scripts/build.mjs) failed');

process.stdout.write(`verify-template: ${id} from ${dir}${type ? ` (${type} only)` : ''}\n`);
const vitest = path.join(repoRoot, 'node_modules/vitest/vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', 'test/containers/verify.test.ts'], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: {
    ...process.env,
    VERIFY_TEMPLATE: dir,
    ...(type ? { VERIFY_TYPE: type } : {}),
    ...(keepImages ? { VERIFY_KEEP_IMAGES: '1' } : {}),
    ...(concurrency ? { VERIFY_CONCURRENCY: concurrency } : {}),
    REQUIRE_DOCKER: '1',
  },
});
if (result.error) fail(`could not run vitest: ${result.error.message}`);
process.exit(result.status ?? 1);
