/**
 * The benchmark's side-by-side ratio: the median of the ratios of runs made back to back, not the
 * ratio of the two medians, with the middle half of the pairs' ratios beside it.
 */
import { describe, expect, it } from 'vitest';
import { pairedRow } from '../../bench/main.js';

describe('pairedRow', () => {
  it('takes the median of the pairs\' ratios, which the ratio of the medians is not', () => {
    // Ratios 0.5, 2 and 3: median 2. The medians are 3 (ours) and 2 (theirs): 1.5.
    const row = pairedRow([[1, 2], [4, 2], [3, 1]], { limit: 1, text: '≤ 1.0×' });
    expect(row.ratio).toBe(2);
    expect(row.ours.median).toBe(3);
    expect(row.theirs.median).toBe(2);
    expect(row.met).toBe(false);
  });

  it('shows the first to third quartile of the ratios, and meets a target at or under its limit', () => {
    const row = pairedRow([[1, 1], [2, 2], [9, 10], [11, 10], [3, 2], [1, 4], [1, 1], [5, 5]], { limit: 1, text: '≤ 1.0×' });
    // Sorted ratios: 0.25, 0.9, 1, 1, 1, 1, 1.1, 1.5.
    expect(row.spread).toEqual([0.9, 1.1]);
    expect(row.ratio).toBe(1);
    expect(row.met).toBe(true);
  });

  it('has no ratio and no verdict without pairs', () => {
    const row = pairedRow([], { limit: 1, text: '≤ 1.0×' });
    expect(row.ratio).toBeNull();
    expect(row.spread).toBeUndefined();
    expect(row.met).toBeUndefined();
  });
});
