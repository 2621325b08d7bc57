/** src/fs/iso-time.ts writes what Date.prototype.toISOString() writes, without its time-zone set-up. */
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/fs/iso-time.js';

describe('isoTime', () => {
  it('matches toISOString from 1970 to 2100, leap days and the last millisecond of a day included', () => {
    const edges = [0, -1, 86_399_999, 951_782_400_000, 951_868_799_999, 1_709_164_800_000, 4_102_444_799_999];
    const spread = Array.from({ length: 2000 }, (_, i) => Math.floor((i / 2000) * 4_102_444_800_000) + i * 7919);
    for (const ms of [...edges, ...spread]) expect(isoTime(ms), String(ms)).toBe(new Date(ms).toISOString());
  });
  it('is now by default', () => {
    const before = Date.now();
    const now = Date.parse(isoTime());
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
