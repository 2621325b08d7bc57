/** Prompt defaults from the active gcloud configuration's files, read as gcloud resolves them. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { gcloudConfigDir, parseIni, readGcloudDefaults } from '../../src/gcloud-config.js';
import { tempDir } from '../support/generator.js';

async function configFolder(active: string | undefined, configs: Record<string, string>): Promise<string> {
  const dir = await tempDir('ccra-gcloud-');
  await mkdir(path.join(dir, 'configurations'));
  if (active !== undefined) await writeFile(path.join(dir, 'active_config'), active);
  for (const [name, text] of Object.entries(configs)) await writeFile(path.join(dir, 'configurations', `config_${name}`), text);
  return dir;
}

describe('readGcloudDefaults', () => {
  it('reads the active configuration: [core] project and [run] region', async () => {
    const dir = await configFolder('work', {
      default: '[core]\nproject = not-this-one\n',
      work: '[core]\naccount = me@example.com\nproject = my-project-1\n\n[run]\nregion = europe-west1\n[compute]\nregion = us-east1\n',
    });
    expect(readGcloudDefaults({ CLOUDSDK_CONFIG: dir })).toEqual({ project: 'my-project-1', region: 'europe-west1' });
  });
  it('falls back to [compute] region, and to the "default" configuration without active_config', async () => {
    const dir = await configFolder(undefined, { default: '[compute]\nregion = asia-east1\n' });
    expect(readGcloudDefaults({ CLOUDSDK_CONFIG: dir })).toEqual({ project: undefined, region: 'asia-east1' });
  });
  it('lets CLOUDSDK_ACTIVE_CONFIG_NAME and CLOUDSDK_<SECTION>_<PROPERTY> win, as gcloud does', async () => {
    const dir = await configFolder('default', { default: '[core]\nproject = p-default\n', other: '[core]\nproject = p-other\n[run]\nregion = us-west1\n' });
    expect(readGcloudDefaults({ CLOUDSDK_CONFIG: dir, CLOUDSDK_ACTIVE_CONFIG_NAME: 'other' })).toEqual({ project: 'p-other', region: 'us-west1' });
    expect(readGcloudDefaults({ CLOUDSDK_CONFIG: dir, CLOUDSDK_CORE_PROJECT: 'p-env', CLOUDSDK_RUN_REGION: 'me-west1' })).toEqual({ project: 'p-env', region: 'me-west1' });
  });
  it('has no defaults without a configuration, and never reads outside configurations/', async () => {
    expect(readGcloudDefaults({ CLOUDSDK_CONFIG: path.join(await tempDir(), 'missing') })).toEqual({ project: undefined, region: undefined });
    const dir = await configFolder('../escape', {});
    await writeFile(path.join(dir, 'escape'), '[core]\nproject = leaked-value\n');
    expect(readGcloudDefaults({ CLOUDSDK_CONFIG: path.join(dir, 'configurations') }).project).toBeUndefined();
  });
  it('finds the folder from CLOUDSDK_CONFIG, else HOME', () => {
    expect(gcloudConfigDir({ CLOUDSDK_CONFIG: '/x/gcloud', HOME: '/home/me' })).toBe('/x/gcloud');
    expect(gcloudConfigDir({ HOME: '/home/me' })).toBe(path.join('/home/me', '.config', 'gcloud'));
  });
});

describe('parseIni', () => {
  it('reads sections, "=" or ":" pairs, and skips comments', () => {
    expect(parseIni('# c\n[core]\n project = a \n; c\nverbosity: debug\n[run]\nregion=b\n')).toEqual({ core: { project: 'a', verbosity: 'debug' }, run: { region: 'b' } });
  });
});
