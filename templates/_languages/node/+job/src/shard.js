// Sharding: the tasks of one execution run the same container side by side, and each one must
// take a different part of the work. Item i belongs to task i % count: every item is handled by
// exactly one task, and the parts differ in size by at most one item.

/**
 * @template T
 * @param {readonly T[]} items
 * @param {number} index this task's CLOUD_RUN_TASK_INDEX
 * @param {number} count CLOUD_RUN_TASK_COUNT
 * @returns {T[]}
 */
export function shard(items, index, count) {
  return items.filter((_, i) => i % count === index);
}
