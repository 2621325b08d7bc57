#!/usr/bin/env node
// `npm run bench [-- options]`: compiles bench/main.ts together with the verification suite's
// suite it shares (verify/) into .bench/build with the project's TypeScript, then runs it.
// A plain Node script (Node 20 cannot run TypeScript itself); see bench/main.ts and README.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', path.join(repoRoot, 'bench/tsconfig.json')], { cwd: repoRoot, stdio: 'inherit' });
if (compiled.status !== 0) {
  process.stderr.write('bench: compiling bench/main.ts failed\n');
  process.exit(2);
}
const { main } = await import(pathToFileURL(path.join(repoRoot, '.bench/build/bench/main.js')).href);
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
}
