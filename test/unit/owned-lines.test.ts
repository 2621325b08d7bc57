/**
 * The owned-lines rule `npm run bench` reports per variant (verify/owned-lines.ts), on a fixture
 * project whose count is known line by line, and on broken variants: a project over the target,
 * a route file the manifest forgets to list, and manifests whose `routes` are not project paths.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countCodeLines, isOwnedLinesTest, manifestRoutes, ownedLines } from '../../verify/owned-lines.js';
import { tempDir } from '../support/generator.js';

/** Each file with the number of lines the rule must count in it. */
const FIXTURE: Record<string, { text: string; lines: number }> = {
  'src/server.js': {
    text: ["// a comment", '', "import http from 'node:http';", '/**', ' * a block comment', ' */', 'const port = 8080; // trailing comment: code', '/* one-line block */', 'http.createServer().listen(port);', ''].join('\n'),
    lines: 3,
  },
  'src/app.js': { text: "export const app = () => 'routes';\n", lines: 0 }, // a route file (manifest routes)
  'src/app.test.js': { text: "import test from 'node:test';\n", lines: 0 },
  'test/helper.js': { text: 'export const x = 1;\n', lines: 0 },
  'app/main.py': { text: ['# comment', '"""a docstring is a string: code."""', '', 'import os', '    # indented comment', 'print(os.name)  # trailing'].join('\n'), lines: 3 },
  'tests/test_main.py': { text: 'def test(): pass\n', lines: 0 },
  'app/test_thing.py': { text: 'x = 1\n', lines: 0 },
  'lib/log.rb': { text: ['# frozen_string_literal: true', '=begin', 'a block comment', '=end', 'module Log', 'end'].join('\n'), lines: 2 },
  'lib/log_test.rb': { text: 'x = 1\n', lines: 0 },
  'main.go': { text: ['// Package main.', 'package main', '', '/*', 'block', '*/', 'func main() {}'].join('\n'), lines: 2 },
  'main_test.go': { text: 'package main\n', lines: 0 },
  'bin/server': { text: ['#!/usr/bin/env ruby', '# frozen_string_literal: true', '', 'require "puma"', 'run'].join('\n'), lines: 2 }, // a script: its #! names the language
  'bin/dev': { text: ['#!/bin/sh', 'exec ruby app.rb'].join('\n'), lines: 0 }, // a shell script is not application source
  'README.md': { text: 'not source\n', lines: 0 },
  'config.yaml': { text: 'a: 1\n', lines: 0 },
};

async function fixture(manifest: Record<string, unknown>, extra: Record<string, string> = {}): Promise<{ dir: string; template: string; files: string[] }> {
  const root = await tempDir('ccra-owned-');
  const dir = path.join(root, 'project');
  const template = path.join(root, 'template');
  await mkdir(template, { recursive: true });
  await writeFile(path.join(template, 'template.json'), JSON.stringify(manifest));
  const files = { ...Object.fromEntries(Object.entries(FIXTURE).map(([f, { text }]) => [f, text])), ...extra };
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return { dir, template, files: Object.keys(files) };
}

describe('owned lines', () => {
  it('counts non-blank, non-comment lines of application source, outside tests and the routes the manifest lists', async () => {
    const { dir, template, files } = await fixture({ routes: ['src/app.js'] });
    const owned = await ownedLines(dir, files, template);
    const expected = Object.values(FIXTURE).reduce((n, f) => n + f.lines, 0);
    expect(owned.lines).toBe(expected);
    expect(owned.files).toEqual({ 'app/main.py': 3, 'bin/server': 2, 'lib/log.rb': 2, 'main.go': 2, 'src/server.js': 3 });
    expect(owned.excluded.routes).toEqual(['src/app.js']);
    expect(owned.excluded.tests).toEqual(['app/test_thing.py', 'lib/log_test.rb', 'main_test.go', 'src/app.test.js', 'test/helper.js', 'tests/test_main.py']);
    expect(owned.met).toBe(true);
  });

  it('a manifest without routes excludes nothing: the route file counts', async () => {
    const { dir, template, files } = await fixture({});
    const owned = await ownedLines(dir, files, template);
    expect(owned.files['src/app.js']).toBe(1);
    expect(owned.excluded.routes).toEqual([]);
  });

  it('broken variant: a project over the target is reported as not met', async () => {
    const big = Array.from({ length: 300 }, (_, i) => `const v${i} = ${i};`).join('\n');
    const { dir, template, files } = await fixture({ routes: ['src/app.js'] }, { 'src/big.js': big });
    const owned = await ownedLines(dir, files, template);
    expect(owned.lines).toBe(312);
    expect(owned.met).toBe(false);
  });

  it('routes that are not project paths are refused with a line naming the manifest', () => {
    expect(() => manifestRoutes({ routes: 'src/app.js' }, 'x/template.json')).toThrow(/^x\/template\.json: routes must be a list of project paths/);
    expect(() => manifestRoutes({ routes: ['../app.js'] }, 'x/template.json')).toThrow(/routes: "\.\.\/app\.js" must be a plain path inside the project/);
    expect(() => manifestRoutes({ routes: ['/src/app.js'] }, 'x/template.json')).toThrow(/must be a plain path/);
    expect(() => manifestRoutes({ routes: ['./src/app.js'] }, 'x/template.json')).toThrow(/must be a plain path/);
    expect(manifestRoutes({ routes: ['src/app.js'] }, 'x')).toEqual(['src/app.js']);
  });

  it('each language keeps its own comment syntax (a # line is code in JavaScript, a // line in Python)', () => {
    expect(countCodeLines('# not a JS comment\n', '.js')).toBe(1);
    expect(countCodeLines('// not a Python comment\n', '.py')).toBe(1);
    expect(countCodeLines('x\n', '.md')).toBe(0);
    expect(isOwnedLinesTest('internal/server/server_test.go')).toBe(true);
    expect(isOwnedLinesTest('src/contest.js')).toBe(false);
  });
});
