#!/usr/bin/env node
// Writes schema/template.schema.json and schema/language.schema.json from the schemas the generator
// validates with, so the JSON Schemas editors use and the loader can never disagree. `npm run
// schema`; a unit test fails when a committed file is stale. The schemas are read from the source
// (src/templates/schema.ts), compiled in memory: the built CLI is one bundle that
// exports nothing.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toJsonSchema } from '@valibot/to-json-schema';
import { build } from 'esbuild';

const compiled = await build({
  stdin: {
    contents: "export { ManifestSchema, LanguageManifestSchema } from './schema.ts';",
    resolveDir: fileURLToPath(new URL('../src/templates/', import.meta.url)),
    loader: 'ts',
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  write: false,
  logLevel: 'warning',
});
const { ManifestSchema, LanguageManifestSchema } = await import(`data:text/javascript;base64,${Buffer.from(compiled.outputFiles[0].text).toString('base64')}`);

function jsonSchema(schema, file, title) {
  const json = toJsonSchema(schema, { errorMode: 'ignore' });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `https://unpkg.com/create-cloudrun-app/schema/${file}`,
    title,
    ...Object.fromEntries(Object.entries(json).filter(([key]) => key !== '$schema')),
  };
}

export function manifestJsonSchema() {
  return jsonSchema(ManifestSchema, 'template.schema.json', 'create-cloudrun-app template manifest (template.json)');
}

export function languageJsonSchema() {
  return jsonSchema(LanguageManifestSchema, 'language.schema.json', 'create-cloudrun-app language layer manifest (templates/_languages/<language>/language.json)');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, schema] of [['template.schema.json', manifestJsonSchema()], ['language.schema.json', languageJsonSchema()]]) {
    const file = new URL(`../schema/${name}`, import.meta.url);
    writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
    console.log(`wrote ${file.pathname}`);
  }
}
