# frozen_string_literal: true

require "test_helper"
require_relative "../lib/job_config"
require_relative "../lib/task"

class TaskTest < Minitest::Test
  include TestHelpers

  def config(**values) = JobConfig.from_env({}).with(**values)

  def test_item_i_belongs_to_task_i_mod_count
    assert_equal %w[item-1 item-4 item-7], Task.shard(Task::WORK_ITEMS, 1, 3)
  end

  def test_every_item_goes_to_exactly_one_task
    [1, 2, 3, 4, 10, 11].each do |count|
      shards = Array.new(count) { |index| Task.shard(Task::WORK_ITEMS, index, count) }
      assert_equal Task::WORK_ITEMS.sort, shards.flatten.sort, "count #{count}"
      assert_operator shards.map(&:size).minmax.reduce(:-).abs, :<=, 1
    end
  end

  def test_run_processes_this_tasks_items
    log, io = capture_log
    processed = Task.run(config(task_index: 1, task_count: 3), log: log)

    assert_equal 3, processed
    assert_equal(%w[item-1 item-4 item-7], entries(io).filter_map { |e| e["item"] })
  end

  def test_fail_rate_makes_the_task_fail_with_that_probability
    log, = capture_log
    assert_raises(Task::Failure) { Task.run(config(fail_rate: 1.0), log: log) }
    assert_equal 10, Task.run(config(fail_rate: 0.0), log: log)
    assert_equal 10, Task.run(config(fail_rate: 0.4), log: log, random: -> { 0.5 })
    assert_raises(Task::Failure) { Task.run(config(fail_rate: 0.6), log: log, random: -> { 0.5 }) }
  end
end
