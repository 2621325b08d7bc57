# frozen_string_literal: true

require "test_helper"

# The real thing: `ruby job.rb`, the command the container runs, as a child process.
class JobProcessTest < Minitest::Test
  include TestHelpers

  def teardown
    @child&.kill
  end

  def run_job(env = {})
    @child = ChildProcess.new(env, RbConfig.ruby, "job.rb")
  end

  def test_succeeds_and_reports_its_task_first
    run_job("CLOUD_RUN_TASK_INDEX" => "1", "CLOUD_RUN_TASK_COUNT" => "3", "CLOUD_RUN_TASK_ATTEMPT" => "2")

    assert_equal 0, @child.wait&.exitstatus, @child.stderr
    first = @child.entries.first
    assert_equal "INFO", first["severity"]
    assert_match(/task index 1 of 3/, first["message"])
    assert_equal [1, 3, 2], first.values_at("taskIndex", "taskCount", "taskAttempt")
    assert_equal(%w[item-1 item-4 item-7], @child.entries.filter_map { |e| e["item"] })
    assert_empty @child.stderr
  end

  def test_fail_rate_1_fails_with_an_error_line_and_status_1
    run_job("FAIL_RATE" => "1")

    assert_equal 1, @child.wait&.exitstatus
    assert_equal "ERROR", @child.entries.last["severity"]
    assert_match(/simulated failure/, @child.entries.last["message"])
  end

  def test_sigterm_in_the_middle_of_the_work_stops_it_at_once_with_143
    run_job("SLEEP_MS" => "60000")
    @child.wait_for_entry { |e| e["message"].start_with?("this task handles") }
    started = monotonic

    @child.signal("TERM")
    status = @child.wait(timeout: 5)

    assert_equal 143, status&.exitstatus
    assert_operator monotonic - started, :<, 1
    assert_equal "WARNING", @child.entries.last["severity"]
    assert_equal "SIGTERM", @child.entries.last["signal"]
  end

  def test_invalid_settings_fail_with_status_1
    run_job("FAIL_RATE" => "often")

    assert_equal 1, @child.wait&.exitstatus
    assert_match(/FAIL_RATE/, @child.entries.first["message"])
  end
end
