/**
 * Rules for the paths a template produces. npm drops or renames some files when it packs a
 * package (`.gitignore` becomes `.npmignore`), so templates ship them under safe names.
 */
import path from 'node:path';

const SHIPPED_NAMES: Readonly<Record<string, string>> = {
  _gitignore: '.gitignore',
  _dockerignore: '.dockerignore',
  _gcloudignore: '.gcloudignore',
};

export const TEMPLATE_SUFFIX = '.hbs';

/** `+service/`, `+job/`: files that apply only to that workload type and replace shared ones. */
export const OVERLAY_PREFIX = '+';

/** Output path (posix, relative) for a file's path inside a template folder or overlay. */
export function outputPath(templatePath: string): string {
  const folder = templatePath.lastIndexOf('/') + 1;
  let file = templatePath.slice(folder);
  if (file.endsWith(TEMPLATE_SUFFIX)) file = file.slice(0, -TEMPLATE_SUFFIX.length);
  return templatePath.slice(0, folder) + (SHIPPED_NAMES[file] ?? file);
}

/** An empty or `..` segment, with / or \ as the separator. */
const ESCAPING_SEGMENT = /(?:^|[\\/])(?:\.\.)?(?:[\\/]|$)/;

/** True when a relative path stays inside the folder it is relative to. */
export function isContainedPath(relative: string): boolean {
  if (relative === '' || path.posix.isAbsolute(relative) || path.win32.isAbsolute(relative)) return false;
  // A test rather than splitting into segments: splitting by a regular expression makes a new one per call.
  return !ESCAPING_SEGMENT.test(relative);
}

/**
 * `dir` (absolute, normalized) joined with a relative posix path that isContainedPath() accepts:
 * what path.join gives, without normalizing again. A run joins a few hundred such paths, and
 * path.join's normalizing is then enough work for V8 to compile it optimized in the background,
 * which costs more CPU than all the joins themselves.
 */
export function inside(dir: string, relative: string): string {
  return `${dir}${path.sep}${path.sep === '/' ? relative : relative.replaceAll('/', path.sep)}`;
}
