# frozen_string_literal: true

require "test_helper"
require "puma"
require "puma/configuration"
require_relative "../lib/puma_log"

# config/puma.rb as Puma reads it.
class PumaConfigTest < Minitest::Test
  include TestHelpers

  CONFIG = File.join(ROOT, "config", "puma.rb")

  def options(env = {})
    with_env({ "PORT" => nil, "PUMA_MAX_THREADS" => nil, "PUMA_MIN_THREADS" => nil }.merge(env)) do
      Puma::Configuration.new(config_files: [CONFIG]).tap(&:load).tap(&:clamp).options
    end
  end

  def test_listens_on_all_interfaces_at_port_8080_by_default
    assert_equal ["tcp://0.0.0.0:8080"], options[:binds]
  end

  def test_listens_on_port_from_the_port_variable
    assert_equal ["tcp://0.0.0.0:18345"], options("PORT" => "18345")[:binds]
  end

  def test_one_process_with_a_fixed_pool_of_threads
    assert_equal 0, options[:workers]
    assert_equal [5, 5], [options[:min_threads], options[:max_threads]]
    eight = options("PUMA_MAX_THREADS" => "8")
    assert_equal [8, 8], [eight[:min_threads], eight[:max_threads]]
  end

  def test_bodies_over_max_body_bytes_are_refused_by_puma
    assert_equal 10 * 1024 * 1024, options[:http_content_length_limit]
    assert_equal 1024, options("MAX_BODY_BYTES" => "1024")[:http_content_length_limit]
  end

  def test_shutdown_settings_fit_cloud_runs_ten_seconds
    opts = options
    assert_equal false, opts[:raise_exception_on_sigterm]
    refute opts[:drain_on_shutdown] # it would keep accepting while connections keep arriving
    assert_operator opts[:force_shutdown_after], :<, 8
    assert_operator opts[:force_shutdown_after], :>, 0
  end

  def test_keep_alive_outlasts_googles_front_end_and_any_method_reaches_the_app
    opts = options
    refute_equal false, opts[:enable_keep_alives]
    assert_operator opts[:persistent_timeout], :>, 600
    assert_equal :any, opts[:supported_http_methods]
  end

  def test_puma_lines_become_json_entries
    formatter = options[:log_formatter]

    listening = JSON.parse(formatter.call("* Listening on http://0.0.0.0:8080"))
    assert_equal "INFO", listening["severity"]
    assert_equal "Listening on http://0.0.0.0:8080", listening["message"]
    assert_equal "puma", listening["logger"]
    assert_equal "Goodbye!", JSON.parse(formatter.call("- Goodbye!"))["message"]
    assert_equal "ERROR", JSON.parse(formatter.call("! Unable to load application: x"))["severity"]
    assert_match(/\Apuma shutdown: /, JSON.parse(formatter.call("=== puma shutdown: now ==="))["message"])
  end

  def test_puma_level_errors_answer_json_and_are_logged
    handler = options[:lowlevel_error_handler]
    response = nil
    out, = capture_subprocess_io do
      response = handler.call(RuntimeError.new("x"), { "REQUEST_METHOD" => "GET", "PATH_INFO" => "/" }, 400)
    end
    status, headers, body = response

    assert_equal 400, status
    assert_equal "application/json", headers["content-type"]
    assert_equal({ "error" => { "code" => 400, "status" => "INVALID_ARGUMENT", "message" => "bad request" } },
                 JSON.parse(body.join))
    assert_equal "WARNING", JSON.parse(out)["severity"]
  end

  # bin/server's LogWriter: Puma's error reports as JSON entries, the client's errors as warnings.
  def test_puma_error_reports_are_json_entries
    out = StringIO.new
    log = StructuredLogger.new(out, format: "json")
    writer = PumaLog::Writer.new(log: log, stdout: StringIO.new, stderr: StringIO.new)
    request = Struct.new(:env).new({ "REQUEST_METHOD" => "GET", "PATH_INFO" => "/x" })

    writer.parse_error(Puma::HttpParserError.new("bad header"), request)
    writer.unknown_error(RuntimeError.new("boom"), nil, "Read")
    warning, error = out.string.lines.map { |line| JSON.parse(line) }

    assert_equal ["WARNING", "malformed request: Puma::HttpParserError", "GET", "/x"],
                 warning.values_at("severity", "message", "method", "path")
    assert_equal "Puma::HttpParserError: bad header", warning["error"]
    assert_nil warning["stack_trace"]
    assert_equal ["ERROR", "Read: RuntimeError", "RuntimeError: boom"], error.values_at("severity", "message", "error")
    assert_includes error["stack_trace"], "RuntimeError: boom"
    assert_equal "", writer.stderr.string
  end

  # Puma hands the handler a complete request it could not queue as it stopped: the app serves it.
  def test_a_request_puma_could_not_queue_is_served_by_the_app
    closed = false
    body = Rack::BodyProxy.new(["served"]) { closed = true }
    app = ->(env) { [200, { "content-type" => "text/plain" }, env["PATH_INFO"] == "/late" ? body : ["?"]] }
    unqueued = RuntimeError.new("Unable to add work while shutting down")
    env = { "REQUEST_METHOD" => "GET", "PATH_INFO" => "/late" }

    assert_equal [200, { "content-type" => "text/plain" }, ["served"]],
                 PumaLog.lowlevel_error(unqueued, env, 500, app: app)
    assert closed, "the body is closed, so the request is logged"
    capture_subprocess_io do
      assert_equal 500, PumaLog.lowlevel_error(RuntimeError.new("other"), env, 500, app: app).first
      assert_equal 500, PumaLog.lowlevel_error(unqueued, env, 500, app: nil).first
    end
  end
end
