/**
 * Unit tests of the verification suite's own machinery that need no Docker engine: the
 * .dockerignore matcher (Docker's semantics), the tar reader, the HTTP/1.1 client and the
 * loopback probe that proves "listens on all interfaces" (calibrated here against real sockets
 * bound to 0.0.0.0 and to 127.0.0.1).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { DockerIgnore, missingIgnores, nestedGaps } from '../../verify/dockerignore.js';
import { templateFacts } from '../../verify/facts.js';
import { BUILTIN_TEMPLATES_DIR } from '../../verify/paths.js';
import { readTar } from '../../verify/tar.js';
import { freePort, httpRequest, listeningSockets, probeAddress } from '../../verify/net.js';

describe('.dockerignore with Docker semantics', () => {
  const cases: [string, string, boolean][] = [
    // pattern, path, ignored
    ['.env', '.env', true],
    ['.env', 'config/.env', false], // root only, unlike .gitignore
    ['**/.env', 'config/.env', true],
    ['/.env', '.env', true],
    ['./.env', '.env', true],
    ['.env.*', '.env.production', true],
    ['.env.*', '.env', false],
    ['*.pem', 'key.pem', true],
    ['*.pem', 'certs/key.pem', false],
    ['**/*.pem', 'certs/deep/key.pem', true],
    ['node_modules', 'node_modules/express/index.js', true], // a parent directory matches
    ['node_modules/', 'node_modules/a', true],
    ['id_rsa*', 'id_rsa.pub', true],
    ['?.txt', 'a.txt', true],
    ['?.txt', 'ab.txt', false],
    ['[ab].txt', 'b.txt', true],
    ['docs/**', 'docs/a/b.md', true],
    ['docs/**', 'docs', false],
    ['*/x', 'a/x', true],
    ['*/x', 'a/b/x', false],
    ['a.b', 'axb', false], // `.` is literal
  ];
  it.each(cases)('%s vs %s -> ignored=%s', (pattern, file, ignored) => {
    expect(new DockerIgnore(pattern).ignores(file)).toBe(ignored);
  });
  it('a later ! pattern re-includes, a still later pattern excludes again', () => {
    const m = new DockerIgnore('*.md\n!README.md\nREADME.md\n');
    expect(m.ignores('CHANGES.md')).toBe(true);
    expect(m.ignores('README.md')).toBe(true);
    expect(new DockerIgnore('*.md\n!README.md\n').ignores('README.md')).toBe(false);
  });
  it('comments, blank lines, surrounding spaces and unclean patterns are read as Docker reads them', () => {
    const m = new DockerIgnore('# .git\n\n  .env  \n*.md\n ! keep.md \n/abs/../x\n');
    expect([m.ignores('.git/HEAD'), m.ignores('.env'), m.ignores('a.md'), m.ignores('keep.md'), m.ignores('x'), m.ignores('abs/x')]).toEqual([false, true, true, false, true, false]);
  });
  it('reports what the contract requires and a file fails to ignore', () => {
    const partial = '.git\n.env\n*.pem\n';
    const node = templateFacts({ dir: path.join(BUILTIN_TEMPLATES_DIR, 'node-express'), language: 'node' });
    const missing = missingIgnores(partial, node.dependencyFolders).map((m) => m.what);
    expect(missing).toEqual(expect.arrayContaining(['.env.*', '*.key', 'service-account JSON', '.npmrc', '.netrc', 'id_rsa*', 'node_modules']));
    expect(missing).not.toContain('.git');
    expect(nestedGaps(partial)).toContain('certs/key.pem');
  });
});

describe('tar reader', () => {
  it('lists files, directories, links and long names and keeps requested content', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ccra-tar-'));
    const long = `${'d'.repeat(120)}/${'f'.repeat(110)}.txt`;
    await mkdir(path.join(dir, 'root', path.dirname(long)), { recursive: true });
    await writeFile(path.join(dir, 'root', long), 'long');
    await writeFile(path.join(dir, 'root', '.env'), 'SECRET=1\n');
    await writeFile(path.join(dir, 'root', 'big.bin'), Buffer.alloc(70_000, 7));
    execFileSync('ln', ['-s', '.env', path.join(dir, 'root', 'link')]);
    for (const format of ['gnu', 'posix']) {
      const archive = execFileSync('tar', ['-C', path.join(dir, 'root'), `--format=${format}`, '-cf', '-', '.'], { maxBuffer: 1 << 24 });
      const entries = await readTar(Readable.from([archive.subarray(0, 1000), archive.subarray(1000)]), (p) => p === '.env');
      const byPath = new Map(entries.map((e) => [e.path, e]));
      expect(byPath.get('.env')?.content?.toString()).toBe('SECRET=1\n');
      expect(byPath.get('big.bin')).toMatchObject({ type: 'file', size: 70_000 });
      expect(byPath.get(long)).toMatchObject({ type: 'file', size: 4 });
      expect(byPath.get('link')).toMatchObject({ type: 'symlink', linkname: '.env' });
      expect(byPath.get(long.split('/')[0]!)).toMatchObject({ type: 'directory' });
    }
  });
});

describe('loopback probes', () => {
  const listen = (host: string): Promise<net.Server> =>
    new Promise((resolve) => {
      const server = http.createServer((_req, res) => res.end('ok')).listen(0, host, () => resolve(server));
    });
  it('a server bound to 0.0.0.0 answers on 127.0.0.2; one bound to 127.0.0.1 refuses it', async () => {
    const all = await listen('0.0.0.0');
    const lo = await listen('127.0.0.1');
    try {
      const allPort = (all.address() as net.AddressInfo).port;
      const loPort = (lo.address() as net.AddressInfo).port;
      expect(await probeAddress('127.0.0.2', allPort)).toMatchObject({ answered: true });
      expect(await probeAddress('127.0.0.2', loPort)).toMatchObject({ answered: false });
      expect(listeningSockets(allPort).map((s) => s.address)).toEqual(['0.0.0.0']);
      expect(listeningSockets(loPort).map((s) => s.address)).toEqual(['127.0.0.1']);
    } finally {
      all.close();
      lo.close();
    }
  });
  it('freePort gives a port nobody listens on', async () => {
    const port = await freePort();
    expect(listeningSockets(port)).toEqual([]);
  });
  it('the HTTP client reads Content-Length and chunked bodies over one keep-alive connection', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/chunked') {
        res.write('a');
        res.end('b');
      } else res.end(JSON.stringify({ ok: true }));
    });
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const first = await httpRequest({ host: '127.0.0.1', port, path: '/' });
      expect(first).toMatchObject({ status: 200, complete: true });
      expect(JSON.parse(first.body)).toEqual({ ok: true });
      expect(await httpRequest({ host: '127.0.0.1', port, path: '/chunked' })).toMatchObject({ status: 200, body: 'ab', complete: true });
    } finally {
      server.close();
    }
  });
});
