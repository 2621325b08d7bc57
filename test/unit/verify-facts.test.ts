/**
 * Verification facts as data (verify/facts.ts): the committed JSON schema matches the one the
 * suite validates with, every built-in facts file is valid, a bad file is refused with one line
 * naming the file and the field, and the generated user mutants edit the final stage only.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// Compiled by the script itself (esbuild, into .bench/): the schema comes from verify/facts.ts.
import { verifyJsonSchema } from '../../scripts/write-verify-schema.mjs';
import { FACTS_FILE, LANGUAGES_DIR, readFactsFile, templateFacts } from '../../verify/facts.js';
import { finalUserEdit } from '../../verify/mutants.js';
import { BUILTIN_TEMPLATES_DIR, REPO_ROOT } from '../../verify/paths.js';
import type { Project } from '../../verify/project.js';
import type { TemplateInfo } from '../../verify/templates.js';
import { tempDir } from '../support/generator.js';

describe('verify.json', () => {
  it('schema/verify.schema.json is generated from the facts schema (run npm run schema)', async () => {
    const committed = JSON.parse(await readFile(path.join(REPO_ROOT, 'schema/verify.schema.json'), 'utf8'));
    expect(committed).toEqual(await verifyJsonSchema());
  });

  it('every facts file of a built-in template or language is valid and points editors at the schema', async () => {
    const files = [
      ...(await readdir(BUILTIN_TEMPLATES_DIR)).filter((d) => !d.startsWith('_')).map((d) => [path.join(BUILTIN_TEMPLATES_DIR, d, FACTS_FILE), '../../schema/verify.schema.json']),
      ...(await readdir(LANGUAGES_DIR)).map((d) => [path.join(LANGUAGES_DIR, d, FACTS_FILE), '../../../schema/verify.schema.json']),
    ];
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const [file, schema] of files) {
      expect(() => readFactsFile(file!), file).not.toThrow();
      expect(JSON.parse(await readFile(file!, 'utf8')).$schema, file).toBe(schema);
    }
  });

  it('every built-in template with a service says how its development loop runs (devLoop)', async () => {
    const { listTemplates } = await import('../../src/templates/registry.js');
    for (const template of await listTemplates()) {
      if (!template.manifest.types.includes('service')) continue;
      expect(templateFacts({ dir: template.dir, language: template.manifest.language }).devLoop, template.manifest.id).not.toBeNull();
    }
  });

  it('a template inherits its language layer: the job mutants, package managers and dependency folders', () => {
    const facts = templateFacts({ dir: path.join(BUILTIN_TEMPLATES_DIR, 'node-express'), language: 'node' });
    expect(facts.packageManagers).toEqual(['npm', 'pnpm']);
    expect(facts.dependencyFolders.map((d) => d.what)).toContain('node_modules');
    expect(facts.mutants.some((m) => m.type === 'job' && m.id === 'ignores-sigterm')).toBe(true);
    expect(facts.mutants.some((m) => m.type === 'service' && m.id === 'ignores-port')).toBe(true);
  });

  it('packageManagers of the language make the variants: node-express with npm (plain key) and pnpm, go-net-http once', async () => {
    const { variantsOf } = await import('../../verify/templates.js');
    const template = (id: string, language: string): TemplateInfo => ({ id, name: id, language, types: ['service'], dir: path.join(BUILTIN_TEMPLATES_DIR, id), builtIn: true, templateArg: id });
    const keys = variantsOf([template('node-express', 'node'), template('go-net-http', 'go')]).map((v) => `${v.key} ${(v.args ?? []).join(' ')}`.trim());
    expect(keys).toEqual(['node-express/service --package-manager npm', 'node-express/service+pnpm --package-manager pnpm', 'go-net-http/service']);
  });

  it('a bad facts file is refused with one line naming the file and the field', async () => {
    const dir = await tempDir('ccra-facts-');
    const file = path.join(dir, FACTS_FILE);
    await writeFile(file, JSON.stringify({ mutants: [{ id: 'x', type: 'service', breaks: 'b', edits: [{ file: 'a', find: 'b', replace: 'c' }], mustFail: ['runtime:prot'], mustPass: [] }] }));
    expect(() => readFactsFile(file)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: mutants\\.0\\.mustFail\\.0: Invalid type`));
    await writeFile(file, JSON.stringify({ knownGap: {} }));
    expect(() => readFactsFile(file)).toThrow(/: knownGap: Invalid key/);
    await writeFile(file, '{ not json');
    expect(() => readFactsFile(file)).toThrow(/verify\.json: /);
    expect(readFactsFile(path.join(dir, 'absent.json'))).toEqual({});
  });

  it('user-root replaces the USER of the final stage, not an earlier stage with the same line', async () => {
    const dir = await tempDir('ccra-user-');
    const dockerfile = ['FROM debian:trixie-slim AS build', 'USER 65532:65532', 'RUN true', '', 'FROM debian:trixie-slim AS runtime', 'USER 65532:65532', 'CMD ["/app"]', ''].join('\n');
    await writeFile(path.join(dir, 'Dockerfile'), dockerfile);
    const project = { dir, variant: { key: 'fixture/service' } } as unknown as Project;
    const edit = await finalUserEdit(project, 'root');
    expect(dockerfile.split(edit.find)).toHaveLength(2);
    expect(dockerfile.replace(edit.find, edit.replace)).toBe(dockerfile.replace('USER 65532:65532\nCMD', 'USER root\nCMD'));
    await writeFile(path.join(dir, 'Dockerfile'), 'FROM debian:trixie-slim\nCMD ["/app"]\n');
    await expect(finalUserEdit(project, 'root')).rejects.toThrow(/final stage of the Dockerfile has no USER/);
  });

  it('a template folder without its own verify.json has no mutants (a contributed one), a built-in one lacks the required ones', async () => {
    const { missingRequiredMutants, mutantsFor } = await import('../../verify/mutants.js');
    const dir = await tempDir('ccra-nofacts-');
    const template: TemplateInfo = { id: 'x', name: 'x', language: 'node', types: ['service', 'job'], dir, builtIn: false, templateArg: dir };
    expect(mutantsFor(template)).toEqual([]);
    expect(missingRequiredMutants(template, [])).toEqual(['service:ignores-sigterm', 'service:ignores-port', 'service:user-root', 'service:user-0', 'service:loopback-only', 'job:ignores-sigterm', 'job:user-root']);
  });
});
