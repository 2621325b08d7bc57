/** The interactive mode in a real pseudo-terminal: clack asks only what the flags left open. */
import { lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MINI_TEMPLATE_DIR, runBin, snapshotTree, tempDir } from '../support/generator.js';
import { KEY, TerminalSession } from '../support/pty.js';

const mini = ['--template', MINI_TEMPLATE_DIR];
// The questions here do not depend on the machine's own gcloud configuration: an empty one.
const noGcloud = async () => ({ CLOUDSDK_CONFIG: await tempDir('ccra-gcloud-') });
const settled = ['--region', 'us-east1', '--project', 'my-project-1', '--no-git'];

describe('interactive mode (pseudo-terminal)', () => {
  it('asks for what flags left open, then writes the project and shows next steps', async () => {
    const cwd = await tempDir();
    const session = new TerminalSession([...mini, '--region', 'europe-west1'], cwd, await noGcloud());
    await session.answer('Where should the project be created?', `my-dir${KEY.enter}`);
    await session.answer('Cloud Run service or job?', `${KEY.down}${KEY.enter}`);
    await session.answer('Google Cloud project?', KEY.enter); // empty: set later
    await session.answer('Greeting word', `${KEY.down}${KEY.enter}`);
    await session.answer('Worker count', `4${KEY.enter}`);
    await session.answer('Verbose logs', KEY.enter);
    await session.answer('Initialise a git repository', `n${KEY.enter}`);
    expect(await session.exitCode()).toBe(0);
    expect(session.output).toContain('Next steps');
    expect(session.output).toContain('Cloud Run name: my-dir (from the folder'); // fits, so not asked
    expect(session.output).not.toContain('Cloud Run name?');
    expect(session.output).not.toMatch(/Region/i); // given by flag, so never asked
    expect(session.output).not.toContain('Install dependencies'); // the template has no install commands
    expect(await readFile(path.join(cwd, 'my-dir/run.sh'), 'utf8')).toContain('hi from my-dir (job) in europe-west1 project= workers=4 verbose=false');
  });

  it('skips every question a flag answered', async () => {
    const cwd = await tempDir();
    const session = new TerminalSession(['app', ...mini, ...settled, '--type', 'service', '--name', 'app', '--var', 'greeting=hi', '--var', 'workers=1', '--var', 'verbose=true'], cwd);
    expect(await session.exitCode()).toBe(0);
    expect(session.output).not.toContain('?');
    expect((await lstat(path.join(cwd, 'app/run.sh'))).mode & 0o777).toBe(0o755);
  });

  it('Ctrl-C at a prompt writes nothing and exits non-zero', async () => {
    const cwd = await tempDir();
    const session = new TerminalSession([...mini], cwd, await noGcloud());
    await session.answer('Where should the project be created?', `Cancelled_App${KEY.enter}`);
    await session.answer('Cloud Run service or job?', KEY.enter);
    await session.answer('Cloud Run name? ("Cancelled_App" is not one', KEY.ctrlC); // asked: the folder name had to change
    expect(await session.exitCode()).toBe(130);
    expect(session.output).toContain('Cancelled; nothing was written.');
    expect(await snapshotTree(cwd)).toEqual({});
  });

  it('a non-empty folder asks before replacing, and the default answer cancels', async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, 'app'));
    await writeFile(path.join(cwd, 'app/notes.txt'), 'mine');
    const before = await snapshotTree(cwd);
    const session = new TerminalSession(['app', ...mini, ...settled, '--type', 'job', '--name', 'app', '--var', 'greeting=hi', '--var', 'workers=1', '--var', 'verbose=true'], cwd);
    await session.answer('is not empty', KEY.enter);
    expect(await session.exitCode()).toBe(130);
    expect(await snapshotTree(cwd)).toEqual(before);
  });

  it('offers every built-in template when no flag narrows the choice', async () => {
    const list = JSON.parse((await runBin(['--list-templates', '--json'], { cwd: await tempDir() })).stdout) as { name: string }[];
    expect(list.length).toBeGreaterThan(1);
    const cwd = await tempDir();
    const session = new TerminalSession([], cwd);
    await session.answer('Where should the project be created?', KEY.enter);
    await session.answer('Cloud Run service or job?', KEY.enter);
    await session.answer('Which language and framework?', KEY.ctrlC);
    expect(await session.exitCode()).toBe(130);
    for (const template of list) expect(session.output).toContain(template.name);
    expect(await snapshotTree(cwd)).toEqual({});
  });

  it('for a job it asks for the language: one job per language, named for it', async () => {
    const list = JSON.parse((await runBin(['--list-templates', '--json'], { cwd: await tempDir() })).stdout) as { job?: string }[];
    const jobs = [...new Set(list.map((t) => t.job).filter((job) => job !== undefined))];
    expect(jobs).toContain('Python 3.14 job');
    const cwd = await tempDir();
    const session = new TerminalSession(['app', '--type', 'job'], cwd);
    await session.answer('Which language?', KEY.ctrlC);
    expect(await session.exitCode()).toBe(130);
    for (const job of jobs) expect(session.output).toContain(job);
    expect(session.output).not.toContain('Express');
  });
});
