#!/usr/bin/env node
// Writes schema/template.schema.json from the manifest schema the generator validates with, so the
// JSON Schema editors use and the loader can never disagree. `npm run schema`; a unit test fails
// when the committed file is stale. The schema is read from the source (src/templates/manifest.ts),
// compiled in memory: the built CLI is one bundle that exports nothing.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toJsonSchema } from '@valibot/to-json-schema';
import { build } from 'esbuild';

const compiled = await build({
  entryPoints: [fileURLToPath(new URL('../src/templates/manifest.ts', import.meta.url))],
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
  logLevel: 'warning',
});
const { ManifestSchema } = await import(`data:text/javascript;base64,${Buffer.from(compiled.outputFiles[0].text).toString('base64')}`);

export function manifestJsonSchema() {
  const schema = toJsonSchema(ManifestSchema, { errorMode: 'ignore' });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://unpkg.com/create-cloudrun-app/schema/template.schema.json',
    title: 'create-cloudrun-app template manifest (template.json)',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = new URL('../schema/template.schema.json', import.meta.url);
  writeFileSync(file, `${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
  console.log(`wrote ${file.pathname}`);
}
