# frozen_string_literal: true

# Loaded by every test file (`require "test_helper"`; Rakefile puts test/ on the load path).

# Sinatra's test environment, set before the app is loaded, as Sinatra's testing guide says.
ENV["APP_ENV"] = "test"

require "minitest/autorun"
require "json"
require "rbconfig"
require "socket"
require "stringio"
require "timeout"
require_relative "../lib/structured_logger"

ROOT = File.expand_path("..", __dir__)

module TestHelpers
  # A logger that writes into a StringIO, and the entries it wrote.
  def capture_log(level: "debug", format: "json")
    io = StringIO.new
    [StructuredLogger.new(io, level: level, format: format), io]
  end

  def entries(io)
    io.string.lines.map { |line| JSON.parse(line) }
  end

  def monotonic = Process.clock_gettime(Process::CLOCK_MONOTONIC)

  # Polls until the block returns a truthy value, which it returns.
  def wait_until(timeout: 5, interval: 0.01, message: "condition")
    deadline = monotonic + timeout
    loop do
      result = yield
      return result if result

      flunk "timed out after #{timeout} s waiting for #{message}" if monotonic > deadline

      sleep interval
    end
  end

  # Runs the block with the environment variables changed (nil deletes one), then restores them.
  def with_env(changes)
    saved = changes.keys.to_h { |key| [key, ENV.fetch(key, nil)] }
    changes.each { |key, value| value.nil? ? ENV.delete(key) : ENV.store(key, value) }
    yield
  ensure
    saved&.each { |key, value| value.nil? ? ENV.delete(key) : ENV.store(key, value) }
  end

  # A TCP port that was free a moment ago.
  def free_port
    server = TCPServer.new("127.0.0.1", 0)
    server.addr[1]
  ensure
    server&.close
  end
end

# A child process (the real program, started as the container starts it) whose stdout lines are
# collected as they arrive.
class ChildProcess
  attr_reader :pid

  def initialize(env, *command, chdir: ROOT)
    out_read, out_write = IO.pipe
    err_read, err_write = IO.pipe
    @pid = Process.spawn(env, *command, chdir: chdir, out: out_write, err: err_write, in: File::NULL)
    out_write.close
    err_write.close
    @lines = Queue.new
    @stdout = []
    @stderr = +""
    @readers = [
      Thread.new do
        out_read.each_line do |line|
          @stdout << line
          @lines << line
        end
      end,
      Thread.new { @stderr << err_read.read }
    ]
  end

  # Every stdout line so far, parsed as JSON (a line that is not JSON fails the test there).
  def entries = @stdout.map { |line| JSON.parse(line) }

  def stdout = @stdout.join

  def stderr
    @readers.last.join(1)
    @stderr
  end

  # Waits for a stdout line whose JSON entry satisfies the block; returns the entry.
  def wait_for_entry(timeout: 10)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout
    loop do
      remaining = deadline - Process.clock_gettime(Process::CLOCK_MONOTONIC)
      line = remaining.positive? ? @lines.pop(timeout: remaining) : nil
      raise "no matching log line within #{timeout} s; stdout:\n#{stdout}\nstderr:\n#{stderr}" if line.nil?

      entry = JSON.parse(line)
      return entry if yield(entry)
    end
  end

  def signal(name) = Process.kill(name, @pid)

  # Waits for the process to end; returns its Process::Status, or nil on timeout.
  def wait(timeout: 10)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout
    loop do
      _, status = Process.wait2(@pid, Process::WNOHANG)
      if status
        @readers.each { |reader| reader.join(2) }
        return status
      end
      return nil if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline

      sleep 0.01
    end
  end

  # Makes sure the process is gone (after a failed assertion, say).
  def kill
    Process.kill("KILL", @pid)
    Process.wait(@pid)
  rescue Errno::ESRCH, Errno::ECHILD
    nil
  end
end
