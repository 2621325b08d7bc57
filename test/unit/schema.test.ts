import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../support/generator.js';
// Built by `npm run build` (npm test runs it first): the schema is generated from the compiled code.
import { languageJsonSchema, manifestJsonSchema } from '../../scripts/write-json-schema.mjs';

it('schema/template.schema.json is generated from the manifest schema (run npm run schema)', async () => {
  const committed = JSON.parse(await readFile(path.join(REPO_ROOT, 'schema/template.schema.json'), 'utf8'));
  expect(committed).toEqual(manifestJsonSchema());
});

it('schema/language.schema.json is generated from the language manifest schema (run npm run schema)', async () => {
  const committed = JSON.parse(await readFile(path.join(REPO_ROOT, 'schema/language.schema.json'), 'utf8'));
  expect(committed).toEqual(languageJsonSchema());
});

it('every built-in manifest points editors at the shipped schema', async () => {
  const { listTemplates } = await import('../../src/templates/registry.js');
  for (const template of await listTemplates()) {
    const raw = JSON.parse(await readFile(path.join(template.dir, 'template.json'), 'utf8'));
    expect(raw.$schema, template.manifest.id).toBe('../../schema/template.schema.json');
    if (template.language) {
      const language = JSON.parse(await readFile(path.join(template.language.dir, 'language.json'), 'utf8'));
      expect(language.$schema, template.manifest.language).toBe('../../../schema/language.schema.json');
    }
  }
});
