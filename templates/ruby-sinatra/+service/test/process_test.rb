# frozen_string_literal: true

require "test_helper"
require "net/http"

# The real thing: the command the container runs, as a child process, with real signals.
class ProcessTest < Minitest::Test
  include TestHelpers

  COMMAND = %w[bundle exec bin/server].freeze
  TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"

  def teardown
    @child&.kill
  end

  def start(env = {}, *)
    @port = free_port
    @child = ChildProcess.new({ "PORT" => @port.to_s, "GOOGLE_CLOUD_PROJECT" => "demo-project" }.merge(env), *COMMAND,
                              *)
    @child.wait_for_entry { |e| e["message"] == "ready to serve requests" }
  end

  def test_serves_on_port_logs_json_and_exits_0_at_once_on_sigterm
    start
    response = Net::HTTP.get_response(URI("http://127.0.0.1:#{@port}/"), "X-Cloud-Trace-Context" => "#{TRACE_ID}/1;o=1")
    assert_equal "200", response.code
    request_log = @child.wait_for_entry { |e| e["message"] == "GET / 200" }

    started = monotonic
    @child.signal("TERM")
    status = @child.wait(timeout: 5)

    assert_equal 0, status&.exitstatus, "exit status; stderr:\n#{@child.stderr}"
    assert_operator monotonic - started, :<, 2
    assert_equal "projects/demo-project/traces/#{TRACE_ID}", request_log["logging.googleapis.com/trace"]
    messages = @child.entries.map { |e| e.fetch("message") }
    assert_includes messages, "Listening on http://0.0.0.0:#{@port}"
    assert_includes messages, "Goodbye!"
    @child.entries.each { |e| assert_includes StructuredLogger::SEVERITIES, e["severity"] }
  end

  def test_a_post_still_sending_its_body_when_sigterm_arrives_gets_200_then_exit_0
    start
    body = JSON.generate(message: { messageId: "42", data: "aGVsbG8=" }, subscription: "s")
    socket = TCPSocket.new("127.0.0.1", @port)
    socket.write("POST / HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n" \
                 "Content-Length: #{body.bytesize}\r\n\r\n#{body[0, 12]}")
    sleep 0.5
    @child.signal("TERM")
    sleep 1
    socket.write(body[12..])
    response = Timeout.timeout(5) { socket.read }

    assert_match(%r{\AHTTP/1\.1 200 }, response)
    assert_includes response, '"kind":"pubsub"'
    assert_equal 0, @child.wait(timeout: 5)&.exitstatus
  ensure
    socket&.close
  end

  def test_a_request_still_running_7_seconds_after_sigterm_gets_503_and_puma_exits
    start({}, "test/fixtures/slow.ru")
    response = Thread.new { Net::HTTP.get_response(URI("http://127.0.0.1:#{@port}/")) }
    @child.wait_for_entry { |e| e["message"] == "slow request started" }

    started = monotonic
    @child.signal("TERM")
    status = @child.wait(timeout: 10)

    # Puma's exit status does not tell a stop it had to cut short from a clean one.
    assert_equal 0, status&.exitstatus
    assert_operator monotonic - started, :>=, 7
    assert_operator monotonic - started, :<, 8.5
    assert_equal "503", response.value.code
    assert_equal "UNAVAILABLE", JSON.parse(response.value.body).dig("error", "status")
  end

  # Puma reports a malformed request itself; bin/server makes the report a JSON entry.
  def test_puma_error_reports_are_json_entries_not_stderr_text
    start
    socket = TCPSocket.new("127.0.0.1", @port)
    socket.write("NOT HTTP\r\n\r\n")
    response = Timeout.timeout(5) { socket.read }
    entry = @child.wait_for_entry { |e| e["message"].start_with?("malformed request") }
    @child.signal("TERM")
    @child.wait(timeout: 5)

    assert_match(%r{\AHTTP/1\.[01] 400 }, response)
    assert_equal "WARNING", entry["severity"]
    assert_match(/HttpParserError/, entry["error"])
    assert_empty @child.stderr
  ensure
    socket&.close
  end

  def test_an_invalid_port_is_a_clear_error
    @child = ChildProcess.new({ "PORT" => "http" }, *COMMAND)

    assert_equal 1, @child.wait(timeout: 10)&.exitstatus
    assert_match(/PORT must be a TCP port number/, @child.entries.first["message"])
  end
end
