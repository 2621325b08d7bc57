/**
 * Which Node.js package manager a generated project uses: `--package-manager`, else the one that
 * ran the generator (`npm create` / `pnpm create` set `npm_config_user_agent`), else npm.
 * Pure: the caller passes the environment variable's value, so every rule is unit-tested directly.
 */

export const PACKAGE_MANAGERS = ['npm', 'pnpm'] as const;
export type PackageManager = (typeof PACKAGE_MANAGERS)[number];
export const DEFAULT_PACKAGE_MANAGER: PackageManager = 'npm';

/** Package managers are a Node.js matter: other languages bring their own tool (pip, bundler, go). */
export const PACKAGE_MANAGER_LANGUAGE = 'node';

export interface DetectedPackageManager {
  readonly packageManager: PackageManager;
  /** One line for the user when the generator ran under a package manager the templates do not support. */
  readonly note?: string;
}

/**
 * Reads `npm_config_user_agent`, e.g. `pnpm/10.4.1 npm/? node/v24.1.0 linux x64`: its first
 * word names the tool. yarn, bun and others fall back to npm, with a note saying so.
 */
export function detectPackageManager(userAgent: string | undefined): DetectedPackageManager {
  const tool = /^\s*([a-z][\w.-]*)\//i.exec(userAgent ?? '')?.[1]?.toLowerCase();
  if (tool === undefined) return { packageManager: DEFAULT_PACKAGE_MANAGER };
  if (isPackageManager(tool)) return { packageManager: tool };
  return {
    packageManager: DEFAULT_PACKAGE_MANAGER,
    note: `${tool} is not supported by the Node.js templates yet: the project uses npm (choose with --package-manager ${PACKAGE_MANAGERS.join('|')})`,
  };
}

export function isPackageManager(text: string): text is PackageManager {
  return (PACKAGE_MANAGERS as readonly string[]).includes(text);
}
