/**
 * What leaves the machine with `gcloud builds submit` / `gcloud run deploy --source .`: the real
 * gcloud's `gcloud meta list-files-for-upload` (offline) lists the files it would upload to Cloud
 * Build, honouring `.gcloudignore`. In every generated project, with secrets planted the way a
 * developer leaves them lying around, none of them may be listed, while what the remote build
 * needs (Dockerfile, .dockerignore, the source) is. Two broken variants prove the check can fail:
 * a `.gcloudignore` without the secret patterns, and a project with neither `.gcloudignore` nor
 * `.gitignore` (gcloud then uploads everything).
 *
 * Needs gcloud (scripts/ci/install-gcloud.sh); SKIP_GCLOUD_TESTS=1 skips it explicitly.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listedTemplates as listTemplates } from '../../verify/templates.js';
import { cleanupRendered, copyProject, type RenderedProject, renderProject } from './render.js';

const SKIP = process.env.SKIP_GCLOUD_TESTS === '1';
const GCLOUD = spawnSync('bash', ['-c', 'command -v gcloud'], { encoding: 'utf8' }).stdout.trim();

/** Secrets as they end up in project folders, at the top and one folder down. */
const PLANTED = [
  'key.json', 'credentials.json', 'sa-1234.json', 'service-account.json', 'my-project-key.json', 'id_rsa', 'id_ed25519.pub', '.netrc', '.npmrc',
  '.env', '.env.local', '.env.production', 'x.pem', 'x.key', 'cert.p12', 'application_default_credentials.json',
  'config/.env', 'config/credentials.json', 'certs/tls.key', 'deploy/sa-99.json',
];

async function plant(dir: string): Promise<void> {
  for (const file of PLANTED) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), 'PLANTED-SECRET\n', { mode: 0o600 });
  }
}

function listUpload(dir: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, CLOUDSDK_CONFIG: path.join(dir, '.gcloud-config-test'), CLOUDSDK_CORE_DISABLE_PROMPTS: '1' };
    execFile(GCLOUD, ['meta', 'list-files-for-upload', '.'], { cwd: dir, env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`gcloud meta list-files-for-upload failed: ${stderr}`));
      else resolve(stdout.split('\n').filter(Boolean).filter((f) => !f.startsWith('.gcloud-config-test')).sort());
    });
  });
}

const leaked = (files: string[]) => files.filter((f) => PLANTED.includes(f));

const targets = listTemplates().flatMap((t) => t.types.map((type) => ({ label: `${t.id} ${type}`, template: t.id, type })));
afterAll(cleanupRendered);

describe.skipIf(SKIP)('the Cloud Build upload (real gcloud meta list-files-for-upload)', () => {
  it('gcloud is installed (or SKIP_GCLOUD_TESTS=1)', () => {
    expect(GCLOUD, 'install google-cloud-cli (scripts/ci/install-gcloud.sh)').not.toBe('');
    expect(targets.length, 'templates to generate').toBeGreaterThan(0);
  });

  it.concurrent.each(targets)('$label: no planted secret is uploaded; the Dockerfile, .dockerignore and the YAML are', async ({ template, type }) => {
    const project = await renderProject({ type, template, name: `upload-${type}` });
    await plant(project.dir);
    const files = await listUpload(project.dir);
    expect(leaked(files)).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['Dockerfile', '.dockerignore', `${type}.yaml`, 'deploy.sh']));
    expect(files).not.toContain('.gcloudignore');
    // The same list keeps them out of git: .gitignore is rendered from it.
    const gitignore = await readFile(path.join(project.dir, '.gitignore'), 'utf8');
    const gcloudignore = await readFile(path.join(project.dir, '.gcloudignore'), 'utf8');
    const dockerignore = await readFile(path.join(project.dir, '.dockerignore'), 'utf8');
    const secretLines = (text: string) => text.split('\n').filter((l) => l.startsWith('**/'));
    expect(secretLines(gitignore).length).toBeGreaterThan(20);
    expect(secretLines(gcloudignore)).toEqual(secretLines(gitignore));
    expect(secretLines(dockerignore)).toEqual(secretLines(gitignore));
  }, 120_000);

  it('broken variants are caught: without the secret patterns, or without .gcloudignore and .gitignore', async () => {
    const [first] = targets;
    expect(first).toBeDefined();
    const project: RenderedProject = await renderProject({ type: first!.type, template: first!.template, name: 'upload-broken' });
    await plant(project.dir);
    const stripped = await copyProject(project);
    const text = await readFile(path.join(stripped.dir, '.gcloudignore'), 'utf8');
    await writeFile(path.join(stripped.dir, '.gcloudignore'), text.split('\n').filter((l) => !l.startsWith('**/')).join('\n'));
    expect(leaked(await listUpload(stripped.dir))).toEqual(expect.arrayContaining(['key.json', 'sa-1234.json', 'id_rsa', '.netrc', '.env', 'x.pem']));
    const bare = await copyProject(project);
    await rm(path.join(bare.dir, '.gcloudignore'));
    await rm(path.join(bare.dir, '.gitignore'));
    expect(leaked(await listUpload(bare.dir)).length).toBe(PLANTED.length);
  }, 120_000);
});
