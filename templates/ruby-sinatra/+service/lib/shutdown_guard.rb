# frozen_string_literal: true

# What happens on SIGTERM (Cloud Run stopping the instance; it sends SIGKILL 10 seconds later)
# and SIGINT (Ctrl-C):
#
# - the first signal starts a graceful stop (`stop`: Puma closes the listening socket and
#   finishes the requests in flight); when they are done, the process exits 0;
# - a second signal ends the process at once with status 1;
# - a stop that Puma had to cut short (force_shutdown_after in config/puma.rb: requests still
#   running get 503, requests still arriving get 408) exits with status 1, not 0;
# - and whatever happens, the process exits with status 1 at the deadline (8 s, comfortably
#   inside Cloud Run's 10), so it is never killed.
#
# `stop` must not block: a signal handler that blocks would hold back the next signal (Ruby runs
# one handler at a time), and the second signal could not force the exit. Puma's own SIGTERM
# handler does block, which is why this replaces it (see lib/puma/plugin/cloud_run.rb).
class ShutdownGuard
  DEADLINE_SECONDS = 8
  SIGNALS = %w[TERM INT].freeze
  MONOTONIC = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }

  # stop: starts the graceful stop and returns at once.
  # log: a StructuredLogger.
  # force_after: seconds after which the stop is cut short (Puma's force_shutdown_after), or nil.
  # exit: ends the process with a status, at once (without running at_exit handlers or waiting
  #   for threads, which may be the very things that are stuck).
  def initialize(stop:, log:, force_after: nil, deadline: DEADLINE_SECONDS,
                 exit: ->(status) { Process.exit!(status) }, clock: MONOTONIC)
    @stop = stop
    @log = log
    @force_after = force_after
    @deadline = deadline
    @exit = exit
    @clock = clock
    @signal = nil
  end

  def stopping? = !@signal.nil?

  # Installs the handlers for SIGTERM and SIGINT; returns the previous ones (name => handler).
  def install
    SIGNALS.to_h { |name| [name, Signal.trap(name) { on_signal("SIG#{name}") }] }
  end

  def on_signal(signal)
    if stopping?
      @log.error("received #{signal} again: exiting without waiting for requests in flight", signal: signal)
      @exit.call(1)
      return
    end

    @signal = signal
    @signalled_at = @clock.call
    @log.info("received #{signal}: no new connections, finishing the requests in flight", signal: signal)
    @watchdog = Thread.new do
      sleep @deadline
      @log.error("requests still in flight #{@deadline} s after #{signal}: exiting", signal: signal)
      @exit.call(1)
    end
    @stop.call
  end

  # Called once the server has stopped. Exits 1 when the stop had to be cut short.
  def stopped
    @watchdog&.kill
    return unless stopping? && @force_after

    elapsed = @clock.call - @signalled_at
    return if elapsed < @force_after

    @log.error("requests still in flight #{@force_after} s after #{@signal} were cut short: exiting",
               signal: @signal, elapsedSeconds: elapsed.round(3))
    @exit.call(1)
  end
end
