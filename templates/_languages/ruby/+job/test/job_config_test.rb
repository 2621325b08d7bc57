# frozen_string_literal: true

require "test_helper"
require_relative "../lib/job_config"

class JobConfigTest < Minitest::Test
  def test_defaults_when_run_outside_cloud_run
    config = JobConfig.from_env({})

    assert_equal [0, 1, 0, 0, 0.0],
                 config.to_h.values_at(:task_index, :task_count, :task_attempt, :sleep_ms, :fail_rate)
  end

  def test_reads_the_cloud_run_variables
    config = JobConfig.from_env(
      "CLOUD_RUN_TASK_INDEX" => "2", "CLOUD_RUN_TASK_COUNT" => "5", "CLOUD_RUN_TASK_ATTEMPT" => "1",
      "SLEEP_MS" => "250", "FAIL_RATE" => "0.5"
    )

    assert_equal [2, 5, 1, 250, 0.5],
                 config.to_h.values_at(:task_index, :task_count, :task_attempt, :sleep_ms, :fail_rate)
  end

  def test_rejects_invalid_values_naming_the_variable
    {
      "CLOUD_RUN_TASK_COUNT" => "0",
      "CLOUD_RUN_TASK_INDEX" => "-1",
      "SLEEP_MS" => "soon",
      "FAIL_RATE" => "1.5"
    }.each do |name, value|
      error = assert_raises(ArgumentError) { JobConfig.from_env(name => value) }
      assert_includes error.message, name
    end
  end

  def test_the_index_must_be_below_the_count
    error = assert_raises(ArgumentError) do
      JobConfig.from_env("CLOUD_RUN_TASK_INDEX" => "3", "CLOUD_RUN_TASK_COUNT" => "3")
    end
    assert_match(/must be below/, error.message)
  end
end
