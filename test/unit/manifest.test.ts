import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkedManifest } from '../../src/templates/checked.js';
import { checkVariableValue, ManifestError } from '../../src/templates/manifest.js';
import { readManifest } from '../../src/templates/read-manifest.js';
import { BUILTIN_TEMPLATES_DIR, listTemplates } from '../../src/templates/registry.js';
import { parseLanguageManifest, parseManifest } from '../../src/templates/schema.js';
import { tempDir } from '../support/generator.js';

const valid = { id: 'x-y', name: 'X', language: 'x', framework: 'y', types: ['service'] };

describe('template.json', () => {
  it('fills optional fields with empty defaults', () => {
    expect(parseManifest(valid, 'template.json')).toEqual({ ...valid, default: false, variables: {}, executable: [], routes: [], nextSteps: [], install: [] });
  });
  it.each([
    [{ ...valid, id: 'X Y' }, /t\.json: id: must be lower-case/],
    [{ ...valid, types: [] }, /t\.json: types: must list at least one/],
    [{ ...valid, types: ['worker'] }, /t\.json: types\.0: /],
    [{ ...valid, executable: ['../escape.sh'] }, /t\.json: executable\.0: must be a relative path inside the project/],
    [{ ...valid, executable: ['/etc/passwd'] }, /executable\.0: must be a relative path/],
    // install commands run without a shell: shell syntax would not mean what it says
    [{ ...valid, install: ['npm install && npm test'] }, /install\.0: must be plain words/],
    [{ ...valid, install: ['pip install -r $FILE'] }, /install\.0: must be plain words/],
    [{ ...valid, install: ['npm  install'] }, /install\.0: must be plain words/],
    [{ ...valid, install: [''] }, /install\.0: must not be empty/],
    [{ ...valid, colour: 'blue' }, /t\.json: colour: /],
    [{ ...valid, variables: { port: { type: 'number', default: 'x', description: 'p' } } }, /variables\.port\.default/],
    [{ ...valid, variables: { mode: { type: 'string', default: 'c', choices: ['a', 'b'], description: 'm' } } }, /variables\.mode\.default: must be one of a, b/],
    [{ name: 'X' }, /t\.json: id: .*; language: /],
    [{ ...valid, variables: { 'my-var': { type: 'boolean', default: true, description: 'v' } } }, /t\.json: variables\.my-var: invalid variable name: use a camelCase identifier/],
    [{ ...valid, variables: { toString: { type: 'boolean', default: true, description: 'v' } } }, /t\.json: variables\.toString: invalid variable name: it is a built-in property/],
    [{ ...valid, variables: { word: { type: 'string', default: 'a', pattern: 'a)|(b', description: 'w' } } }, /variables\.word\.pattern: must be a valid regular expression/],
  ])('reports %j by file and field', (data, message) => {
    expect(() => parseManifest(data, 't.json')).toThrow(ManifestError);
    expect(() => parseManifest(data, 't.json')).toThrow(message);
  });
  it('a variable pattern matches the whole value, and a catastrophic one is stopped in time', () => {
    const word = { type: 'string', default: 'a', pattern: '[a-z]+', description: 'w' } as const;
    expect(checkVariableValue(word, 'abc')).toBeUndefined();
    expect(checkVariableValue(word, 'abc!')).toBe('must match /[a-z]+/');
    const nested = { ...word, pattern: '(a+)+' };
    expect(checkVariableValue(nested, 'aaaa')).toBeUndefined();
    expect(checkVariableValue(nested, `${'a'.repeat(40)}!`)).toMatch(/^the pattern \/\(a\+\)\+\/ took too long to check/);
  });
  it('reads template.json only as a regular UTF-8 file', async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, 'template.json'), Buffer.from([0x7b, 0xff, 0x7d]));
    await expect(readManifest(path.join(dir, 'template.json'))).rejects.toThrow(/template\.json: not valid UTF-8 text/);
    await writeFile(path.join(dir, 'real.json'), JSON.stringify(valid));
    await symlink(path.join(dir, 'real.json'), path.join(dir, 'link.json'));
    await expect(readManifest(path.join(dir, 'link.json'))).rejects.toThrow(/link\.json: templates may not contain symbolic links/);
  });
  it('reports unreadable and malformed files by path', async () => {
    const dir = await tempDir();
    await expect(readManifest(path.join(dir, 'template.json'))).rejects.toThrow(/template\.json: cannot be read/);
    await writeFile(path.join(dir, 'template.json'), '{ nope');
    await expect(readManifest(path.join(dir, 'template.json'))).rejects.toThrow(/template\.json: not valid JSON/);
  });
  it('a built-in folder whose id differs from its name is refused', async () => {
    const root = await tempDir();
    await mkdir(path.join(root, 'folder-name'));
    await writeFile(path.join(root, 'folder-name', 'template.json'), JSON.stringify(valid));
    await expect(listTemplates(root)).rejects.toThrow(/id: "x-y" must equal the folder name "folder-name"/);
  });
});

describe('the built-in manifests checked by npm run build (src/templates/checked.ts)', () => {
  it('are every built-in manifest, each exactly what validating its text gives', async () => {
    const files = (await readdir(BUILTIN_TEMPLATES_DIR, { recursive: true })).filter((file) => /(^|\/)(template|language)\.json$/.test(file));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const text = await readFile(path.join(BUILTIN_TEMPLATES_DIR, file), 'utf8');
      const [kind, parse] = file.endsWith('template.json') ? (['templates', parseManifest] as const) : (['languages', parseLanguageManifest] as const);
      expect(checkedManifest(kind, text), file).toEqual(parse(JSON.parse(text), file));
    }
  });
  it('are found by exact text only: any other text is validated', async () => {
    const dir = await tempDir();
    const text = await readFile(path.join(BUILTIN_TEMPLATES_DIR, 'node-express/template.json'), 'utf8');
    expect(checkedManifest('templates', `${text} `)).toBeUndefined();
    await writeFile(path.join(dir, 'template.json'), text.replace('"name": "', '"name": " '));
    await expect(readManifest(path.join(dir, 'template.json'))).resolves.toMatchObject({ id: 'node-express' });
    await writeFile(path.join(dir, 'template.json'), text.replace('"types": [', '"colour": "blue", "types": ['));
    await expect(readManifest(path.join(dir, 'template.json'))).rejects.toThrow(/template\.json: colour: /);
  });
});
