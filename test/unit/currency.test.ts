/**
 * `npm run currency` (scripts/currency.mjs): the parsing and comparison it rests on, with fixed
 * inputs. (test/e2e/currency.test.ts runs the script itself against the real registries.)
 */
import { describe, expect, it } from 'vitest';
import {
  baseImages,
  compareToNewest,
  dependencyPins,
  imagePins,
  newestNodeLts,
  newestOf,
  newestToolchain,
  parsePackages,
  parseRelease,
  reportText,
  upstreamVersion,
  versionParts,
} from '../../scripts/currency.mjs';

describe('versions', () => {
  it.each([
    ['3.1.3', [3, 1, 3]],
    ['1:3.1.3-1+b2', [3, 1, 3]],
    ['1.27.4-1~bpo13+1', [1, 27, 4]],
    ['3.15.0~rc1-1', [3, 15, 0]],
    ['2.20.0+dfsg-2', [2, 20, 0]],
    ['24', [24]],
    ['nonroot', []],
  ])('%s has the parts %j', (version, parts) => expect(versionParts(version)).toEqual(parts));
  it.each([
    ['24', '24.11.1', 'current'],
    ['24', '26.12.1', 'behind'],
    ['1.26', '1.27.4', 'behind'],
    ['1.27', '1.27.4', 'current'],
    ['3.1.3', '3.1.4', 'behind'],
    ['3.1.10', '3.1.9', 'ahead'],
    ['3.4', '3.3.8', 'ahead'],
    ['13', '13', 'current'],
    ['latest', '1.0.0', 'unknown'],
  ] as const)('%s against %s is %s', (pinned, newest, status) => expect(compareToNewest(pinned, newest)).toBe(status));
  it('picks the newest, numerically (1.10 after 1.9)', () => {
    expect(newestOf(['1.9.0', '1.10.0', undefined, '1.2.3'])).toBe('1.10.0');
    expect(newestOf([])).toBeUndefined();
  });
  it('Debian versions lose epoch and revision', () => {
    expect(upstreamVersion('1:8.0.2-3')).toBe('8.0.2');
    expect(upstreamVersion('1.27.4-1~bpo13+1')).toBe('1.27.4');
  });
  it('the Node reference is the newest even (LTS) major', () => {
    expect(newestNodeLts(['24.11.1', '25.2.0', '26.12.1', '27.3.0', '28.0.0-nightly'])).toBe('26.12.1');
  });
});

describe('Debian indexes', () => {
  const PACKAGES = [
    'Package: golang-1.26-go', 'Version: 1.26.11-1', '',
    'Package: golang-1.27-go', 'Version: 1.27.3-1', '',
    'Package: golang-1.27-go', 'Version: 1.27.4-1~bpo13+1', '',
    'Package: python3.15', 'Version: 3.15.2-1', '',
    'Package: ruby-sinatra', 'Version: 4.2.1-5', '',
    'Package: unrelated', 'Version: 9.9', '',
  ].join('\n');
  it('keeps the newest version of each wanted package', () => {
    const packages = parsePackages(PACKAGES, (name) => name !== 'unrelated');
    expect(Object.fromEntries(packages)).toEqual({
      'golang-1.26-go': '1.26.11-1',
      'golang-1.27-go': '1.27.4-1~bpo13+1',
      'python3.15': '3.15.2-1',
      'ruby-sinatra': '4.2.1-5',
    });
    expect(newestToolchain(packages, /^golang-(\d+\.\d+)-go$/)).toBe('1.27.4');
    expect(newestToolchain(packages, /^python(3\.\d+)$/)).toBe('3.15.2');
    expect(newestToolchain(packages, /^ruby(\d+\.\d+)$/)).toBeUndefined();
  });
  it('reads the stable release', () => {
    expect(parseRelease('Origin: Debian\nSuite: stable\nVersion: 13.7\nCodename: trixie\n')).toEqual({ codename: 'trixie', version: '13' });
    expect(parseRelease('Origin: Debian\n')).toBeUndefined();
  });
});

describe('pins in template files', () => {
  it('base images and what their tags pin', () => {
    const dockerfile = 'FROM --platform=$BUILDPLATFORM golang:1.26-trixie AS source\nFROM source AS test\nFROM gcr.io/distroless/static-debian13:nonroot\n';
    expect(baseImages(dockerfile)).toEqual(['golang:1.26-trixie', 'gcr.io/distroless/static-debian13:nonroot']);
    expect(imagePins('golang:1.26-trixie').map((p) => [p.what, p.version])).toEqual([['go', '1.26'], ['debian', 'trixie']]);
    expect(imagePins('node:24-trixie-slim').map((p) => [p.what, p.version])).toEqual([['node', '24'], ['debian', 'trixie']]);
    expect(imagePins('gcr.io/distroless/nodejs24-debian13:nonroot').map((p) => [p.what, p.version])).toEqual([['node', '24'], ['debian', '13']]);
    expect(imagePins('python:3.14-slim').map((p) => [p.what, p.version])).toEqual([['python', '3.14']]);
  });
  it('dependency files of each ecosystem', () => {
    const names = (file: string, text: string) => dependencyPins(file, text).map((p) => `${p.ecosystem} ${p.name} ${p.version}`);
    expect(names('package.json.hbs', '{ "engines": { "node": ">=24" },\n "dependencies": { "express": "5.3.0" },\n "devDependencies": { "eslint": "^9.1.0" } }')).toEqual([
      'npm express 5.3.0',
      'npm eslint 9.1.0',
    ]);
    expect(names('+service/requirements.txt', '# pins\nFlask==3.1.3\ngunicorn==26.2.0  # server\n-r other.txt\n')).toEqual(['pip flask 3.1.3', 'pip gunicorn 26.2.0']);
    expect(names('Gemfile', 'source "https://rubygems.org"\ngem "puma", "6.6.0"\n  gem "rake", "13.2.1"\ngem "loose"\n')).toEqual(['gem puma 6.6.0', 'gem rake 13.2.1']);
    expect(names('go.mod.hbs', 'module example.com/x\n\ngo 1.26\n\nrequire github.com/a/b v1.2.3\n')).toEqual(['toolchain go 1.26', 'gomod github.com/a/b 1.2.3']);
    expect(names('README.md', 'flask==1.0')).toEqual([]);
  });
});

describe('the report', () => {
  it('one table per template, BEHIND in capitals, and a summary', () => {
    const row = (template: string, name: string, version: string, newest: string, status: string) =>
      ({ template, kind: 'npm', name, what: 'npm', version, newest, source: 'npm registry', status, note: '' });
    const text = reportText({ date: '2026-12-01', notes: ['Debian sid: HTTP 404'], rows: [row('a', 'express', '5.2.0', '5.3.0', 'behind'), row('b', 'zod', '4.0.0', '4.0.0', 'current')] });
    expect(text).toBe(
      [
        "Currency of the templates' pins, 2026-12-01 (behind: a newer version is available)",
        '',
        'a',
        'status  kind  name     pinned  newest  source        note',
        'BEHIND  npm   express  5.2.0   5.3.0   npm registry',
        '',
        'b',
        'status   kind  name  pinned  newest  source        note',
        'current  npm   zod   4.0.0   4.0.0   npm registry',
        '',
        '2 pins: 1 behind, 0 ahead of the reference, 0 unknown.',
        'note: Debian sid: HTTP 404',
        '',
      ].join('\n'),
    );
  });
});
