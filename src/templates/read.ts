/**
 * Reading a template folder safely: a template may come from anywhere (`--template PATH`), so
 * only regular files are read — never through a symbolic link, never a FIFO, socket or device
 * (opening one could block forever or read a host file into the project) — and text must be UTF-8.
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';

/** Folders that belong to a template's version control or tooling, never to a project. */
export const IGNORED_NAMES: ReadonlySet<string> = new Set(['.git', '.hg', '.svn', 'node_modules']);

/** A template's file or text that cannot be read or rendered: the template's fault, not the run's. */
export class TemplateFileError extends Error {
  override name = 'TemplateFileError';
}

// O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then rejects it.
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * The bytes of a regular file; anything else is an error that names the file. Synchronous calls
 * inside: template files are small and few, and a thread-pool round trip per call would cost more
 * CPU than the read itself.
 */
export async function readRegularFile(file: string): Promise<Buffer> {
  const fd = openTemplateFile(file);
  try {
    if (!fstatSync(fd).isFile()) throw new TemplateFileError(`${file}: not a regular file`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The bytes of a file that its folder's listing has just shown as a regular file (listFolder,
 * isFolder), without an fstat of its own: a run reads every file of three layers, and each fstat
 * makes a Stats object that costs more than the read. What the listing showed can still change
 * before the open: a link swapped in is refused all the same (O_NOFOLLOW), a FIFO cannot block
 * (O_NONBLOCK: it gives what is in it, or nothing), and making a device node takes root.
 */
export async function readListedFile(file: string): Promise<Buffer> {
  const fd = openTemplateFile(file);
  try {
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

function openTemplateFile(file: string): number {
  try {
    return openSync(file, READ_FLAGS);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new TemplateFileError(`${file}: templates may not contain symbolic links`);
    throw error;
  }
}

/** A regular file's text, which must be valid UTF-8 (never silently turned into U+FFFD). */
export async function readTextFile(file: string): Promise<string> {
  return utf8Text(await readRegularFile(file), file);
}

export function utf8Text(bytes: Buffer, file: string): string {
  // isUtf8 then toString rather than a fatal TextDecoder: the same answer (a byte-order mark
  // dropped, as TextDecoder does), several times cheaper.
  assertUtf8(bytes, file);
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Refuses bytes that are not valid UTF-8, without decoding them. */
export function assertUtf8(bytes: Buffer, file: string): void {
  if (!isUtf8(bytes)) throw new TemplateFileError(`${file}: not valid UTF-8 text`);
}

/** lstat that refuses a symbolic link and anything but a regular file or a folder. */
export async function templateEntry(file: string): Promise<Stats> {
  const info = lstatSync(file);
  refuseOtherTypes(info, () => file);
  return info;
}

/**
 * A template folder's entries, sorted by name. Each comes with its type from the listing itself
 * (no lstat per entry); isFolder() refuses the types a template may not hold.
 */
export function listFolder(dir: string): Dirent[] {
  return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Whether an entry of listFolder(dir) is a folder (else a regular file); a link, FIFO, socket or device is an error. */
export function isFolder(entry: Dirent, dir: string): boolean {
  refuseOtherTypes(entry, () => path.join(dir, entry.name)); // the path only for the message: joining costs
  return entry.isDirectory();
}

function refuseOtherTypes(info: Stats | Dirent, file: () => string): void {
  if (info.isSymbolicLink()) throw new TemplateFileError(`${file()}: templates may not contain symbolic links`);
  if (!info.isFile() && !info.isDirectory()) throw new TemplateFileError(`${file()}: not a regular file`);
}
