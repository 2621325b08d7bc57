#!/usr/bin/env node
// Writes schema/verify.schema.json from the schema the verification suite validates
// templates/**/verify.json with (verify/facts.ts), so editors and the suite never disagree.
// `npm run schema`; a unit test fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { toJsonSchema } from '@valibot/to-json-schema';
import { build } from 'esbuild';

// Compiled into the repository's .bench/ (gitignored): the suite finds the repository from where
// its code is, so it cannot run from a data: URL.
const outfile = fileURLToPath(new URL('../.bench/schema/facts.mjs', import.meta.url));
await build({
  entryPoints: [fileURLToPath(new URL('../verify/facts.ts', import.meta.url))],
  bundle: true,
  format: 'esm',
  platform: 'node',
  packages: 'external',
  outfile,
  logLevel: 'warning',
});
const { VerifyFactsSchema } = await import(pathToFileURL(outfile).href);

export function verifyJsonSchema() {
  const schema = toJsonSchema(VerifyFactsSchema, { errorMode: 'ignore' });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://unpkg.com/create-cloudrun-app/schema/verify.schema.json',
    title: 'create-cloudrun-app verification facts (verify.json of a template or a language layer)',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = new URL('../schema/verify.schema.json', import.meta.url);
  writeFileSync(file, `${JSON.stringify(verifyJsonSchema(), null, 2)}\n`);
  console.log(`wrote ${file.pathname}`);
}
