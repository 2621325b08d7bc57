#!/usr/bin/env node
// Writes schema/template.schema.json from the manifest schema the generator validates with, so the
// JSON Schema editors use and the loader can never disagree. `npm run schema` after `npm run build`;
// a unit test fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { toJsonSchema } from '@valibot/to-json-schema';
import { ManifestSchema } from '../dist/templates/manifest.js';

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
