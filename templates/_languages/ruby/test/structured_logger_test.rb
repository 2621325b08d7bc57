# frozen_string_literal: true

require "test_helper"

class StructuredLoggerTest < Minitest::Test
  include TestHelpers

  def test_writes_one_json_object_per_line_with_severity_message_and_time
    log, io = capture_log
    log.info("hello", items: 3)
    log.warn("careful")

    first, second = entries(io)
    assert_equal "INFO", first["severity"]
    assert_equal "hello", first["message"]
    assert_equal 3, first["items"]
    assert_match(/\A\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\z/, first["time"])
    assert_equal "WARNING", second["severity"]
    assert_equal 2, io.string.lines.size
  end

  def test_log_format_pretty_writes_one_readable_line_per_entry
    log, io = capture_log(format: "pretty")
    log.child(traceId: "abc").warn("GET /x 404", status: 404, userAgent: "curl 8\nforged")

    line = io.string
    assert_equal 1, line.lines.size
    assert_match(%r{\A\d\d:\d\d:\d\d\.\d{3} WARNING  GET /x 404 traceId=abc status=404 userAgent="curl 8\\nforged"\n\z},
                 line)
  end

  def test_log_format_defaults_to_json_and_refuses_unknown_names
    with_env("LOG_FORMAT" => nil) do
      io = StringIO.new
      StructuredLogger.new(io).info("x")
      assert_equal "x", JSON.parse(io.string)["message"]
    end
    error = assert_raises(ArgumentError) { StructuredLogger.new(StringIO.new, format: "yaml") }
    assert_match(/LOG_FORMAT must be json or pretty/, error.message)
  end

  def test_uses_cloud_logging_severities
    log, io = capture_log
    log.debug("d")
    log.notice("n")
    log.error("e")
    log.critical("c")
    log.fatal("f")

    assert_equal(%w[DEBUG NOTICE ERROR CRITICAL CRITICAL], entries(io).map { |e| e["severity"] })
  end

  def test_child_loggers_add_fields_to_every_entry
    log, io = capture_log
    log.child(taskIndex: 2).child(attempt: 1).info("x")

    entry = entries(io).first
    assert_equal 2, entry["taskIndex"]
    assert_equal 1, entry["attempt"]
  end

  def test_fields_cannot_replace_severity_or_message
    log, io = capture_log
    log.child(severity: "DEBUG").info("real", message: "fake")

    entry = entries(io).first
    assert_equal "INFO", entry["severity"]
    assert_equal "real", entry["message"]
  end

  def test_errors_carry_their_stack_trace_for_error_reporting
    log, io = capture_log
    begin
      raise ArgumentError, "boom"
    rescue ArgumentError => e
      log.error("failed", error: e)
    end

    entry = entries(io).first
    assert_equal "ArgumentError: boom", entry["error"]
    assert_match(/\AArgumentError: boom\n.*structured_logger_test\.rb/, entry["stack_trace"])
  end

  def test_entries_below_the_level_are_skipped
    log, io = capture_log(level: "warning")
    log.info("quiet")
    log.debug { flunk "a skipped entry's block must not run" }
    log.error("loud")

    assert_equal(["loud"], entries(io).map { |e| e["message"] })
  end

  def test_a_block_gives_the_message_as_rack_loggers_do
    log, io = capture_log
    log.info { "from a block" }

    assert_equal "from a block", entries(io).first["message"]
  end

  def test_rejects_an_unknown_level
    error = assert_raises(ArgumentError) { StructuredLogger.new(StringIO.new, level: "loud") }
    assert_match(/LOG_LEVEL/, error.message)
    assert_equal "WARNING", StructuredLogger.new(StringIO.new, level: "warn").level
  end

  def test_a_value_json_cannot_hold_does_not_lose_the_entry
    log, io = capture_log
    log.info("still here", bad: "\xff".b.force_encoding("UTF-8"), nan: Float::NAN)

    entry = entries(io).first
    assert_equal "still here", entry["message"]
    assert_equal "INFO", entry["severity"]
    assert entry.key?("logError")
  end

  def test_long_fields_are_cut_and_marked_and_line_separators_escaped
    io = StringIO.new
    StructuredLogger.new(io).info("a\u2028b", userAgent: "u" * 5000)
    line = io.string.chomp

    refute_match(/[\u2028\u2029\u0085]/, line)
    entry = JSON.parse(line)
    assert_equal "a\u2028b", entry["message"]
    assert_equal StructuredLogger::MAX_FIELD_CHARS, entry["userAgent"].length
    assert entry["userAgentTruncated"]
  end

  def test_an_entry_over_250_kb_is_replaced_by_a_short_one
    io = StringIO.new
    StructuredLogger.new(io).info("big", nested: { text: "x" * (300 * 1024) })
    entry = JSON.parse(io.string)

    assert_operator io.string.bytesize, :<, 2048
    assert_equal "big", entry["message"]
    assert_match(/larger than 250 KB/, entry["logError"])
  end
end
