# frozen_string_literal: true

# A Puma plugin (`plugin :cloud_run` in config/puma.rb) that gives Puma Cloud Run's shutdown
# behaviour; plugins are how Puma hands its launcher to outside code.
#
# Puma's own SIGTERM handler drains gracefully but blocks inside the signal handler until the
# drain is over, so a second signal cannot cut it short, and its exit status does not say
# whether the drain had to be forced. Once Puma has booted (and installed its handlers),
# ShutdownGuard replaces the SIGTERM and SIGINT handlers: the first signal asks the launcher for
# the same graceful stop without blocking; a second one, a forced stop or the 8-second deadline
# exits with status 1.

require "puma/plugin"
require_relative "../../health_check"
require_relative "../../shutdown_guard"
require_relative "../../structured_logger"

Puma::Plugin.create do
  def start(launcher)
    # Where Puma writes its own lines (stdout), as JSON entries of the same kind.
    log = StructuredLogger.new(launcher.log_writer.stdout, fields: { logger: "puma" })
    # force_shutdown_after (config/puma.rb): -1 means "wait forever".
    force_after = launcher.options[:force_shutdown_after]
    force_after = nil unless force_after.is_a?(Numeric) && force_after >= 0
    # The drain: /health/ready answers 503 from now on, and Puma stops accepting.
    stop = lambda do
      HealthCheck.start_draining!
      launcher.stop
    end
    guard = ShutdownGuard.new(stop: stop, log: log, force_after: force_after)
    launcher.events.on_booted do
      guard.install
      # Cloud Run sets K_SERVICE, K_REVISION and K_CONFIGURATION on every instance.
      runtime = { service: ENV.fetch("K_SERVICE", nil), revision: ENV.fetch("K_REVISION", nil),
                  configuration: ENV.fetch("K_CONFIGURATION", nil) }.reject { |_, value| value.to_s.empty? }
      log.info("ready to serve requests", ports: launcher.connected_ports, **runtime)
    end
    # Fired once the server has stopped: exits 1 if Puma had to cut the stop short.
    launcher.events.on_stopped { guard.stopped }
  end
end
