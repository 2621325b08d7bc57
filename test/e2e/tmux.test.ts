/**
 * The whole interactive flow in a real terminal (tmux), in temporary folders with a temporary
 * HOME: region and project defaults from a gcloud configuration folder (CLOUDSDK_CONFIG), the
 * folder question giving the Cloud Run name, git init with a first commit, and the dependency
 * install offered when the tool is on PATH (a stand-in npm that records its call) and a clear line
 * when it is not. PATH holds only what the run needs: node, git and, for the first case, npm.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { snapshotTree, tempDir } from '../support/generator.js';
import { TmuxSession } from '../support/tmux.js';

const sessions: TmuxSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
});

/** A folder for PATH with node and git, and optionally an npm that records its arguments and folder. */
async function binFolder(withNpm: boolean): Promise<{ bin: string; npmLog: string }> {
  const bin = await tempDir('ccra-bin-');
  const npmLog = path.join(bin, 'npm.log');
  await symlink(process.execPath, path.join(bin, 'node'));
  await symlink(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), path.join(bin, 'git'));
  if (withNpm) {
    await writeFile(path.join(bin, 'npm'), `#!/bin/sh\necho "$PWD $*" >> '${npmLog}'\nmkdir -p node_modules\necho '{}' > package-lock.json\necho "added 70 packages"\n`);
    await chmod(path.join(bin, 'npm'), 0o755);
  }
  return { bin, npmLog };
}

async function start(args: string[], options: { gcloud: Record<string, string>; withNpm: boolean }) {
  const cwd = await tempDir('ccra-tmux-');
  const home = await tempDir('ccra-home-');
  const gcloud = await tempDir('ccra-gcloud-');
  await mkdir(path.join(gcloud, 'configurations'));
  for (const [file, text] of Object.entries(options.gcloud)) await writeFile(path.join(gcloud, file), text);
  const { bin, npmLog } = await binFolder(options.withNpm);
  const env = { HOME: home, PATH: bin, CLOUDSDK_CONFIG: gcloud, GIT_CONFIG_NOSYSTEM: '1', LANG: 'C.UTF-8' };
  const session = await TmuxSession.start(args, { cwd, env, scratch: home });
  sessions.push(session);
  return { session, cwd, npmLog, env };
}

describe('the interactive flow in tmux', () => {
  it('gcloud defaults, folder -> name, git init and the install with the tool present', async () => {
    const { session, cwd, npmLog, env } = await start([], {
      withNpm: true,
      gcloud: { active_config: 'dev\n', 'configurations/config_dev': '[core]\nproject = fake-project-42\n\n[run]\nregion = europe-west4\n' },
    });
    await session.answer('Where should the project be created?', 'My_Api', 'Enter');
    await session.answer('Cloud Run service or job?', 'Enter');
    const templates = await session.waitFor('Which language and framework?');
    expect(templates).toMatch(/●\s+Node\.js \d+ · Express 5/); // one default everywhere: node-express
    await session.answer('Which language and framework?', 'Enter');
    await session.answer('Cloud Run name? ("My_Api" is not one', 'Enter'); // the converted name, my-api
    const region = await session.waitFor('Region? (from your gcloud configuration)');
    expect(region).toContain('europe-west4');
    await session.answer('Region? (from your gcloud configuration)', 'Enter');
    await session.answer('Google Cloud project? (from your gcloud configuration)', 'Enter');
    await session.answer('Initialise a git repository with a first commit?', 'Enter');
    await session.answer('Install dependencies now (npm install)?', 'Enter');
    expect(await session.exitCode()).toBe(0);
    const screen = await session.screen();

    const project = path.join(cwd, 'My_Api');
    const deploy = await readFile(path.join(project, 'deploy.sh'), 'utf8');
    expect(deploy).toContain('europe-west4');
    expect(deploy).toContain('fake-project-42');
    expect(JSON.parse(await readFile(path.join(project, 'package.json'), 'utf8')).name).toBe('my-api');

    const git = (...args: string[]) => execFileSync('git', args, { cwd: project, env, encoding: 'utf8' }).trim();
    expect(git('log', '--format=%s')).toBe('Initial commit from create-cloudrun-app');
    // The install ran first: the lockfile it wrote is in the first commit.
    expect(git('ls-files').split('\n')).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', 'deploy.sh', 'Dockerfile']));
    expect(git('status', '--porcelain')).toBe(''); // node_modules from the install is ignored, nothing left over

    expect((await readFile(npmLog, 'utf8')).trim()).toBe(`${project} install`);
    expect(screen).toContain('Installed dependencies (npm install)');
    expect(screen).toMatch(/git: initialised, first commit [0-9a-f]{7}/);
    const nextSteps = screen.slice(screen.indexOf('Next steps'));
    expect(nextSteps).toContain('cd My_Api');
    expect(nextSteps).toContain('npm run check');
    expect(nextSteps).not.toContain('npm install'); // done already
  }, 90_000);

  it('us-central1 and "set later" without a gcloud configuration; a clear line when npm is missing', async () => {
    const { session, cwd } = await start(['app', '--template', 'node-express', '--type', 'service'], { withNpm: false, gcloud: {} });
    const region = await session.waitFor('Region?');
    expect(region).not.toContain('from your gcloud configuration');
    expect(region).toContain('us-central1');
    await session.answer('Region?', 'Enter');
    const project = await session.waitFor('Google Cloud project?');
    expect(project).toContain('leave empty to set it later');
    await session.answer('Google Cloud project?', 'Enter');
    await session.answer('Initialise a git repository with a first commit?', 'Right', 'Enter'); // No
    expect(await session.exitCode()).toBe(0);
    const screen = await session.screen();
    expect(screen).not.toContain('Install dependencies now'); // nothing to offer without npm
    expect(screen).toContain('dependencies: not installed (npm is not on PATH); see the next steps');
    expect(screen.slice(screen.indexOf('Next steps'))).toContain('npm install');
    const files = await snapshotTree(path.join(cwd, 'app'));
    expect(files['.git/']).toBeUndefined();
    expect(await readFile(path.join(cwd, 'app/deploy.sh'), 'utf8')).toContain('us-central1');
  }, 90_000);

  it('Ctrl-C at the git question writes nothing and exits 130', async () => {
    const { session, cwd } = await start(['app', '--template', 'node-express', '--type', 'job', '--region', 'us-east1', '--project', 'my-project-1'], { withNpm: true, gcloud: {} });
    await session.answer('Initialise a git repository with a first commit?', 'C-c');
    expect(await session.exitCode()).toBe(130);
    expect(await snapshotTree(cwd)).toEqual({});
  }, 60_000);
});
