/**
 * A smoke run of `npm run currency` against the real registries, limited to one template whose
 * references need no Debian package index (the npm registry and Debian's small Release file):
 * the table names every pin of that template and the script exits 0 whatever is behind.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/generator.js';

const exec = promisify(execFile);
const SCRIPT = path.join(REPO_ROOT, 'scripts/currency.mjs');

describe('npm run currency', () => {
  it('reports every pin of node-express with a reference version, and exits 0 (--json)', async () => {
    const { stdout } = await exec(process.execPath, [SCRIPT, '--template', 'node-express', '--json'], { timeout: 120_000 });
    const report = JSON.parse(stdout) as { date: string; rows: { kind: string; name: string; what: string; status: string; newest?: string }[] };
    expect(report.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const pins = report.rows.map((row) => `${row.kind} ${row.name} ${row.what}`);
    expect(pins).toEqual(expect.arrayContaining(['npm express npm', expect.stringMatching(/^image node:\d+-trixie-slim node$/), expect.stringMatching(/^image gcr\.io\/distroless\/nodejs\d+-debian13:nonroot debian$/)]));
    for (const row of report.rows) {
      expect(row.newest, `${row.name}: no reference version`).toBeTruthy();
      expect(['current', 'behind', 'ahead']).toContain(row.status);
    }
  }, 240_000);
  it('a bad argument is a usage error', async () => {
    await expect(exec(process.execPath, [SCRIPT, '--bogus'])).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/^usage: npm run currency/) });
  });
});
