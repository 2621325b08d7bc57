/**
 * Folders `--overwrite` never replaces: a home folder, the root, the working folder or any folder
 * above it, and any folder that holds this package. Replacing a home folder's contents is one typo
 * away (`~` for `./~`); no flag should make it possible. Checked before anything is touched.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';

export interface GuardContext {
  readonly cwd: string;
  /** Home folders to protect: $HOME and the account's home from the password database. */
  readonly homes: readonly string[];
  /** The folder of the running package (package.json, templates/). */
  readonly packageRoot: string;
}

/** Why `--overwrite` may not touch `target`, or undefined when it may. */
export function overwriteRefusal(target: string, context: GuardContext): string | undefined {
  const real = resolved(target);
  const inside = (folder: string) => {
    const relative = path.relative(real, resolved(folder));
    return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
  };
  const reason =
    real === path.parse(real).root
      ? 'it is the file-system root'
      : context.homes.some((home) => home && resolved(home) === real)
        ? 'it is your home directory'
        : inside(context.cwd)
          ? resolved(context.cwd) === real
            ? 'it is the current directory'
            : 'it contains the current directory'
          : inside(context.packageRoot)
            ? 'it contains create-cloudrun-app itself'
            : undefined;
  if (!reason) return undefined;
  return `refusing to --overwrite ${real}: ${reason}; to do it by hand, generate into a new folder and move the files you want yourself`;
}

/** The real path when it exists (links resolved), else the absolute path. */
function resolved(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return path.resolve(folder);
  }
}
