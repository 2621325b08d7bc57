# frozen_string_literal: true

require "test_helper"
require_relative "../lib/shutdown_guard"

class ShutdownGuardTest < Minitest::Test
  include TestHelpers

  def setup
    @log, @log_io = capture_log
    @stops = 0
    @exits = Queue.new
    @now = 100.0
  end

  def guard(deadline: 5, force_after: 7)
    @guard = ShutdownGuard.new(stop: -> { @stops += 1 }, log: @log, force_after: force_after, deadline: deadline,
                               exit: ->(status) { @exits << status }, clock: -> { @now })
  end

  def teardown
    @guard&.stopped # ends the deadline timer
  end

  def last_entry = entries(@log_io).last

  def test_the_first_signal_starts_the_graceful_stop
    guard.on_signal("SIGTERM")

    assert_equal 1, @stops
    assert @guard.stopping?
    assert_equal "INFO", last_entry["severity"]
    assert_match(/received SIGTERM/, last_entry["message"])
    assert_empty @exits
  end

  def test_a_stop_that_finished_in_time_exits_normally
    guard.on_signal("SIGTERM")
    @now += 1.5
    @guard.stopped

    assert_nil @exits.pop(timeout: 0.1)
  end

  def test_a_second_signal_exits_1_at_once
    guard.on_signal("SIGTERM")
    @guard.on_signal("SIGINT")

    assert_equal 1, @exits.pop(timeout: 1)
    assert_equal 1, @stops
    assert_equal "ERROR", last_entry["severity"]
  end

  def test_a_stop_that_puma_cut_short_exits_1
    guard(force_after: 7).on_signal("SIGTERM")
    @now += 7.2
    @guard.stopped

    assert_equal 1, @exits.pop(timeout: 1)
    assert_match(/cut short/, last_entry["message"])
  end

  def test_the_deadline_exits_1_when_the_stop_takes_too_long
    guard(deadline: 0.05).on_signal("SIGTERM")

    assert_equal 1, @exits.pop(timeout: 2)
    assert_match(/still in flight/, last_entry["message"])
  end

  def test_stopped_ends_the_deadline_timer
    guard(deadline: 0.1).on_signal("SIGTERM")
    @guard.stopped

    assert_nil @exits.pop(timeout: 0.3)
  end

  def test_install_handles_sigterm_and_sigint
    previous = guard.install
    begin
      assert_equal %w[TERM INT], previous.keys
      Process.kill("TERM", Process.pid)
      wait_until(message: "the handler to run") { @stops == 1 }
    ensure
      previous.each { |name, handler| Signal.trap(name, handler || "DEFAULT") }
    end
  end

  def test_the_deadline_is_inside_cloud_runs_ten_seconds
    assert_operator ShutdownGuard::DEADLINE_SECONDS, :<, 10
  end
end
