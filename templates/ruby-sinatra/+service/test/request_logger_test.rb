# frozen_string_literal: true

require "test_helper"
require "rack/test"
require_relative "../lib/request_logger"

class RequestLoggerTest < Minitest::Test
  include Rack::Test::Methods
  include TestHelpers

  TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"

  def setup
    @log, @log_io = capture_log
    @project = "demo-project"
  end

  def app
    inner = lambda do |env|
      env["rack.logger"].info("inside the app")
      status = env["PATH_INFO"] == "/fail" ? 500 : 200
      [status, { "content-type" => "text/plain" }, ["ok"]]
    end
    RequestLogger.new(inner, log: @log, project_id: -> { @project })
  end

  def request_line = entries(@log_io).find { |e| e.key?("status") }

  def test_logs_one_line_per_request_with_method_path_status_and_latency
    get "/things?token=secret"

    line = request_line
    assert_equal "GET /things 200", line["message"]
    assert_equal "INFO", line["severity"]
    assert_equal "/things", line["path"]
    assert_kind_of Numeric, line["latencyMs"]
    refute_includes @log_io.string, "secret"
  end

  def test_server_errors_are_logged_as_errors
    get "/fail"

    assert_equal "ERROR", request_line["severity"]
  end

  def test_x_cloud_trace_context_puts_the_trace_on_every_line_of_the_request
    get "/", {}, "HTTP_X_CLOUD_TRACE_CONTEXT" => "#{TRACE_ID}/1;o=1"

    entries(@log_io).each do |entry|
      assert_equal "projects/demo-project/traces/#{TRACE_ID}", entry["logging.googleapis.com/trace"]
      assert_equal "0000000000000001", entry["logging.googleapis.com/spanId"]
      assert_equal true, entry["logging.googleapis.com/trace_sampled"]
    end
    assert_equal 2, entries(@log_io).size
  end

  def test_traceparent_is_used_too
    get "/", {}, "HTTP_TRACEPARENT" => "00-#{TRACE_ID}-00f067aa0ba902b7-00"

    assert_equal "projects/demo-project/traces/#{TRACE_ID}", request_line["logging.googleapis.com/trace"]
    assert_equal "00f067aa0ba902b7", request_line["logging.googleapis.com/spanId"]
    assert_equal false, request_line["logging.googleapis.com/trace_sampled"]
  end

  def test_no_trace_fields_while_the_project_is_unknown
    @project = nil
    get "/", {}, "HTTP_X_CLOUD_TRACE_CONTEXT" => "#{TRACE_ID}/1;o=1"

    refute request_line.key?("logging.googleapis.com/trace")
  end
end
