# frozen_string_literal: true

# The work of one task. Replace WORK_ITEMS and .process with the real thing: rows of a table,
# objects in a bucket, pages to fetch.
module Task
  WORK_ITEMS = Array.new(10) { |i| "item-#{i}" }.freeze

  # The failure FAIL_RATE simulates.
  class Failure < StandardError; end

  # Sharding: the tasks of one execution run the same container side by side, and each one must
  # take a different part of the work. Item i belongs to task i % count: every item is handled by
  # exactly one task, and the parts differ in size by at most one item.
  def self.shard(items, index, count)
    items.select.with_index { |_, i| i % count == index }
  end

  # Runs this task's share of the work and returns how many items it processed. Raises Failure
  # with the probability FAIL_RATE. SIGTERM interrupts it wherever it is, even in the middle of
  # `sleep`: Ruby raises SignalException in the main thread (see job.rb).
  def self.run(config, log:, random: -> { Random.rand })
    items = shard(WORK_ITEMS, config.task_index, config.task_count)
    log.info("this task handles #{items.size} of #{WORK_ITEMS.size} items", items: items)

    # Stands in for slow work.
    sleep(config.sleep_ms / 1000.0) if config.sleep_ms.positive?
    items.each { |item| process(item, log: log) }

    raise Failure, "simulated failure (FAIL_RATE=#{config.fail_rate})" if random.call < config.fail_rate

    items.size
  end

  def self.process(item, log:)
    log.info("processed #{item}", item: item)
  end
end
