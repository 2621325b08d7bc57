/**
 * Reads the tar archives `docker export` and `docker save` write, with tar-stream: it lists every
 * entry and keeps the content of the few entries a caller asks for, without writing anything to
 * disk. Distroless images have no shell, so their file system is inspected from outside this way.
 */
import type { Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';

export interface TarEntry {
  /** Path without a leading `./` or `/` and without a trailing `/`. */
  readonly path: string;
  readonly type: Header['type'];
  readonly size: number;
  readonly mode: number;
  readonly linkname: string;
  /** The bytes, when `keep(path, size)` asked for them. */
  readonly content?: Buffer;
}

function normalize(name: string): string {
  return name.replace(/^(\.\/|\/)+/, '').replace(/\/$/, '');
}

export async function readTar(stream: Readable, keep: (path: string, size: number) => boolean = () => false): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const reader = extract();
  stream.pipe(reader);
  for await (const entry of reader) {
    const { header } = entry;
    const path = normalize(header.name);
    const size = header.size ?? 0;
    const base = { path, type: header.type, size, mode: header.mode ?? 0, linkname: header.linkname ?? '' };
    if (header.type === 'file' && keep(path, size)) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      entries.push({ ...base, content: Buffer.concat(chunks) });
    } else {
      entry.resume();
      entries.push(base);
    }
  }
  return entries;
}
