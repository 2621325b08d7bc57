/**
 * A streaming reader for the tar archives `docker export` and `docker save` write (ustar with PAX
 * and GNU long-name headers). It lists every entry and keeps the content of the few entries a
 * caller asks for, without writing anything to disk. Distroless images have no shell, so their
 * file system is inspected from outside this way.
 */
import type { Readable } from 'node:stream';

export interface TarEntry {
  /** Path without a leading `./` or `/`. */
  readonly path: string;
  /** '0' file, '1' hard link, '2' symlink, '5' directory, ... */
  readonly type: string;
  readonly size: number;
  readonly mode: number;
  readonly linkname: string;
  /** The bytes, when `keep(path)` asked for them. */
  readonly content?: Buffer;
}

function field(block: Buffer, offset: number, length: number): string {
  const raw = block.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

function octal(block: Buffer, offset: number, length: number): number {
  const raw = block.subarray(offset, offset + length);
  if (raw[0]! & 0x80) {
    // GNU base-256 for large values
    let value = 0;
    for (let i = 1; i < raw.length; i++) value = value * 256 + raw[i]!;
    return value;
  }
  const text = field(block, offset, length).trim();
  return text ? Number.parseInt(text, 8) : 0;
}

function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const length = Number.parseInt(data.subarray(pos, space).toString('utf8'), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = data.subarray(space + 1, pos + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq !== -1) out.set(record.slice(0, eq), record.slice(eq + 1));
    pos += length;
  }
  return out;
}

function normalize(p: string): string {
  return p.replace(/^\.\//, '').replace(/^\/+/, '');
}

/** Reads a tar stream to the end; `keep` decides which entries' content to collect (keep them small). */
export async function readTar(stream: Readable, keep: (path: string, size: number) => boolean = () => false): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  let buffer: Buffer = Buffer.alloc(0);
  let state: 'header' | 'data' = 'header';
  let remaining = 0; // bytes of data (plus padding) still to consume
  let dataSize = 0;
  let collected: Buffer[] | null = null;
  let pending: { path: string; type: string; size: number; mode: number; linkname: string } | null = null;
  let longName = null as string | null;
  let longLink = null as string | null;
  let pax = null as Map<string, string> | null;
  let metaKind: string | null = null; // 'x' | 'g' | 'L' | 'K' while reading a meta entry's data
  let done = false;

  const finishData = (): void => {
    const data = collected ? Buffer.concat(collected).subarray(0, dataSize) : undefined;
    if (metaKind) {
      if (metaKind === 'x' && data) pax = parsePax(data);
      if (metaKind === 'L' && data) longName = field(data, 0, data.length);
      if (metaKind === 'K' && data) longLink = field(data, 0, data.length);
      metaKind = null;
    } else if (pending) {
      entries.push(data ? { ...pending, content: data } : pending);
      pending = null;
    }
    collected = null;
  };

  for await (const chunk of stream) {
    if (done) continue;
    buffer = buffer.length ? Buffer.concat([buffer, chunk as Buffer]) : (chunk as Buffer);
    for (;;) {
      if (state === 'data') {
        if (buffer.length === 0) break;
        const take = Math.min(remaining, buffer.length);
        const dataLeft = Math.max(0, dataSize - ((collected ? collected.reduce((n, b) => n + b.length, 0) : 0)));
        if (collected && dataLeft > 0) collected.push(buffer.subarray(0, Math.min(take, dataLeft)));
        buffer = buffer.subarray(take);
        remaining -= take;
        if (remaining === 0) {
          finishData();
          state = 'header';
        }
        continue;
      }
      if (buffer.length < 512) break;
      const block = buffer.subarray(0, 512);
      buffer = buffer.subarray(512);
      if (block.every((b) => b === 0)) {
        done = true;
        break;
      }
      const type = String.fromCharCode(block[156]!) === '\0' ? '0' : String.fromCharCode(block[156]!);
      const size = octal(block, 124, 12);
      const padded = Math.ceil(size / 512) * 512;
      if (type === 'x' || type === 'g' || type === 'L' || type === 'K') {
        metaKind = type;
        collected = [];
      } else {
        const prefix = field(block, 345, 155);
        const name = field(block, 0, 100);
        const paxMap: Map<string, string> | null = pax;
        const path = normalize(paxMap?.get('path') ?? longName ?? (prefix ? `${prefix}/${name}` : name));
        const linkname = paxMap?.get('linkpath') ?? longLink ?? field(block, 157, 100);
        const realSize = paxMap?.get('size') ? Number(paxMap.get('size')) : size;
        pending = { path: path.replace(/\/$/, ''), type, size: realSize, mode: octal(block, 100, 8), linkname };
        pax = null;
        longName = null;
        longLink = null;
        collected = type === '0' && keep(pending.path, realSize) ? [] : null;
      }
      dataSize = size;
      remaining = padded;
      if (remaining === 0) finishData();
      else state = 'data';
    }
  }
  return entries;
}
