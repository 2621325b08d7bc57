#!/usr/bin/env node
// Checked before anything else is loaded: on an older Node a dependency would die with a stack
// trace instead. Plain JavaScript that any Node parses; keep it in step with "engines" in package.json.
const NEEDED = [20, 12];
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < NEEDED[0] || (major === NEEDED[0] && minor < NEEDED[1])) {
  process.stderr.write(`create-cloudrun-app needs Node.js >= ${NEEDED.join('.')}; this is ${process.versions.node}\n`);
  process.exit(1);
}
require('../dist/index.cjs');
