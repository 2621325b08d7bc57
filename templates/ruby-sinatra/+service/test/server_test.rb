# frozen_string_literal: true

require "test_helper"
require "net/http"
require "puma"
require "puma/configuration"
require "puma/launcher"
require "puma/log_writer"

# Puma configured by config/puma.rb, in this process, serving a handler the test chooses: this is
# how a slow request is put in flight to check the drain on SIGTERM. The signals are real ones,
# sent to this process.
class ServerTest < Minitest::Test
  include TestHelpers

  CONFIG = File.join(ROOT, "config", "puma.rb")
  # Puma installs handlers for these; they are put back after each test.
  TRAPPED = %w[TERM INT HUP USR1 USR2].freeze
  OK = ->(_env) { [200, { "content-type" => "text/plain" }, ["ok"]] }

  def setup
    @saved_traps = TRAPPED.to_h do |name|
      previous = Signal.trap(name, "DEFAULT")
      Signal.trap(name, previous)
      [name, previous]
    end
  end

  def teardown
    if @server_thread&.alive?
      @launcher.stop
      @server_thread.join(10)
    end
    @saved_traps.each { |name, handler| Signal.trap(name, handler || "DEFAULT") }
  end

  # Starts Puma with config/puma.rb and `app` as the Rack application; PORT=0 picks a free port.
  def start_server(app)
    @log_writer = Puma::LogWriter.strings
    config = Puma::Configuration.new(config_files: [CONFIG]) { |user| user.app(app) }
    @launcher = with_env("PORT" => "0") { Puma::Launcher.new(config, log_writer: @log_writer) }
    @server_thread = Thread.new { @launcher.run }
    wait_until(message: "Puma to boot") { puma_entries.any? { |e| e["message"] == "Use Ctrl-C to stop" } }
    @port = @launcher.connected_ports.first
  end

  # Puma's own lines; each must be a JSON entry.
  def puma_entries = @log_writer.stdout.string.lines.map { |line| JSON.parse(line) }

  def sigterm = Process.kill("TERM", Process.pid)

  # Whether a new connection is turned away (refused, or reset while the listener closes).
  def refused?(port)
    TCPSocket.new("127.0.0.1", port).close
    false
  rescue Errno::ECONNREFUSED, Errno::ECONNRESET
    true
  end

  def test_a_request_in_flight_when_sigterm_arrives_completes
    entered = Queue.new
    start_server(lambda do |_env|
      entered << true
      sleep 1
      [200, { "content-type" => "text/plain" }, ["slow done"]]
    end)
    response = Thread.new { Net::HTTP.get_response(URI("http://127.0.0.1:#{@port}/")) }
    assert entered.pop(timeout: 5), "the request never reached the app"

    sigterm
    # No new connections while the request in flight finishes.
    wait_until(timeout: 0.9, message: "the listener to close") { refused?(@port) }
    assert_equal "200", response.value.code
    assert_equal "slow done", response.value.body
    assert @server_thread.join(5), "Puma did not stop"
    assert(puma_entries.any? { |e| e["message"] == "Goodbye!" })
  end

  def test_a_request_still_sending_its_body_when_sigterm_arrives_completes
    start_server(lambda { |env|
      [200, { "content-type" => "text/plain" }, ["got #{env["rack.input"].read.bytesize} bytes"]]
    })
    body = JSON.generate(event: "x" * 100)
    socket = TCPSocket.new("127.0.0.1", @port)
    socket.write("POST / HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n" \
                 "Content-Length: #{body.bytesize}\r\n\r\n#{body[0, 10]}")
    sleep 0.3 # Puma now holds the headers and part of the body
    # Puma's SIGTERM handler runs in this (the main) thread until the drain is over, so the rest
    # of the body is sent from another thread.
    writer = Thread.new do
      sleep 0.5
      socket.write(body[10..])
    end

    sigterm
    writer.join
    response = Timeout.timeout(5) { socket.read }

    assert_match(%r{\AHTTP/1\.1 200 }, response)
    assert_includes response, "got #{body.bytesize} bytes"
    assert_match(/^connection: close\r$/i, response) # the connection is not kept for another request
    assert @server_thread.join(5), "Puma did not stop"
  ensure
    socket&.close
  end

  def test_an_idle_server_stops_at_once
    start_server(OK)
    started = monotonic

    sigterm
    assert @server_thread.join(2), "Puma did not stop"
    assert_operator monotonic - started, :<, 0.5
  end

  def test_connections_are_kept_alive_while_serving
    start_server(OK)
    response = Net::HTTP.get_response(URI("http://127.0.0.1:#{@port}/"))

    refute_equal "close", response["connection"]
  end

  def test_under_steady_load_every_request_the_app_answered_reaches_its_client
    answered = 0
    lock = Mutex.new
    start_server(lambda do |_env|
      lock.synchronize { answered += 1 }
      [200, { "content-type" => "text/plain" }, ["ok"]]
    end)
    results = Queue.new
    clients = Array.new(8) do
      Thread.new do
        http = Net::HTTP.new("127.0.0.1", @port)
        http.max_retries = 0 # count every failure, retry nothing
        loop do
          results << http.request(Net::HTTP::Get.new("/", "Connection" => "keep-alive")).code
        rescue Errno::ECONNREFUSED
          break # the listener is closed: this client is done
        rescue IOError, SystemCallError, Net::ReadTimeout => e
          results << e.class.name # a connection the server closed before reading a request
        end
      end
    end
    # Load first (however slow the machine), then the signal.
    deadline = monotonic + 30
    sleep 0.01 until results.size >= 20 || monotonic > deadline

    started = monotonic
    sigterm
    assert @server_thread.join(5), "Puma did not stop"
    # It stopped accepting at once, although the clients kept connecting.
    assert_operator monotonic - started, :<, 1
    assert(clients.all? { |client| client.join(5) })
    outcomes = Array.new(results.size) { results.pop }
    answers = outcomes.grep(/\A\d+\z/)

    assert_operator answers.size, :>=, 20
    assert_equal ["200"], answers.uniq, "statuses: #{answers.tally}"
    assert_equal answered, answers.size, "requests the app answered vs responses received; others: #{outcomes.tally}"
  end
end
