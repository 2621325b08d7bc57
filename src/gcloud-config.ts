/**
 * The active gcloud configuration's project and region, read from its files the way gcloud itself
 * resolves them, to offer as prompt defaults. No gcloud process (it takes a second or more to
 * start) and no network: a missing or unreadable file simply means "no default".
 *
 * gcloud keeps its configurations in CLOUDSDK_CONFIG (default ~/.config/gcloud, %APPDATA%\gcloud on
 * Windows): `active_config` names the active one (CLOUDSDK_ACTIVE_CONFIG_NAME overrides it), and
 * `configurations/config_<name>` is an INI file with `[core] project` and `[run] region` or
 * `[compute] region`. CLOUDSDK_<SECTION>_<PROPERTY> environment variables override the file.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface GcloudDefaults {
  readonly project?: string;
  readonly region?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function gcloudConfigDir(env: Env): string {
  if (env.CLOUDSDK_CONFIG) return env.CLOUDSDK_CONFIG;
  if (process.platform === 'win32' && env.APPDATA) return path.join(env.APPDATA, 'gcloud');
  return path.join(env.HOME || os.homedir(), '.config', 'gcloud');
}

export function readGcloudDefaults(env: Env): GcloudDefaults {
  const dir = gcloudConfigDir(env);
  const name = env.CLOUDSDK_ACTIVE_CONFIG_NAME || readText(path.join(dir, 'active_config'))?.trim() || 'default';
  // A configuration name is a plain word; anything else must not become a path.
  const ini = /^[\w.-]+$/.test(name) ? parseIni(readText(path.join(dir, 'configurations', `config_${name}`)) ?? '') : {};
  const property = (section: string, key: string): string | undefined =>
    env[`CLOUDSDK_${section.toUpperCase()}_${key.toUpperCase()}`] || ini[section]?.[key] || undefined;
  return {
    project: property('core', 'project'),
    region: property('run', 'region') ?? property('compute', 'region'),
  };
}

/** Sections of key = value lines, as Python's configparser (which gcloud uses) reads them. */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const sections: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([^\]]+)\]$/.exec(line);
    if (section) {
      current = sections[section[1]!.trim()] ??= {};
      continue;
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (pair && current) current[pair[1]!.toLowerCase()] = pair[2]!;
  }
  return sections;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
