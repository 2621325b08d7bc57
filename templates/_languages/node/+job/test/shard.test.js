import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shard } from '../src/shard.js';

const items = Array.from({ length: 10 }, (_, i) => i);

test('item i belongs to task i % count', () => {
  assert.deepEqual(shard(items, 1, 3), [1, 4, 7]);
  assert.deepEqual(shard(items, 0, 1), items);
});

test('every item goes to exactly one task, and shares differ by at most one item', () => {
  for (const count of [1, 2, 3, 4, 7, 10, 11]) {
    const shares = Array.from({ length: count }, (_, index) => shard(items, index, count));
    assert.deepEqual(
      shares.flat().sort((a, b) => a - b),
      items,
      `count ${count}`,
    );
    const sizes = shares.map((share) => share.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `count ${count}: ${sizes}`);
  }
});
