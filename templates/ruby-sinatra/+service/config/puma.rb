# frozen_string_literal: true

# Puma's settings for Cloud Run, each one of Puma's own documented settings (Puma::DSL). The
# container runs `bundle exec bin/server`, which starts Puma with this file and serves the Rack
# app in config.ru; a plain `bundle exec puma` reads this file too (with Puma's error reports as
# plain text).

require_relative "../lib/error_shape"
require_relative "../lib/puma_log"

# Cloud Run says which port to listen on in PORT (8080 unless configured otherwise). Puma does
# not read PORT itself (its default is 9292), hence this. 0.0.0.0: requests reach the container
# from outside its loopback interface.
port_text = ENV.fetch("PORT", "").strip
port_text = "8080" if port_text.empty?
unless port_text.match?(/\A\d{1,5}\z/) && port_text.to_i <= 65_535
  PumaLog::LOG.critical("PORT must be a TCP port number (0-65535), got #{ENV["PORT"].inspect}")
  exit 1
end
port port_text.to_i, "0.0.0.0"

# One process (no forked workers): Cloud Run scales out by adding instances, an instance has one
# vCPU by default, and Puma itself stays PID 1. Threads serve requests concurrently while others
# wait on I/O; 5 is Puma's default for CRuby. A fixed pool (min = max) avoids starting threads
# in the middle of a request, when Cloud Run may be throttling the CPU. PUMA_MAX_THREADS and
# PUMA_MIN_THREADS are Puma's own variables for this.
workers 0
max_threads = Integer(ENV.fetch("PUMA_MAX_THREADS", "5"))
threads Integer(ENV.fetch("PUMA_MIN_THREADS", max_threads.to_s)), max_threads

# Keep-alive stays on (Puma's default): Cloud Run's front end reuses its connections. Idle ones
# are kept longer than Google's front end (600 s) keeps them, so Puma is never the one closing a
# connection the front end is about to reuse. Puma serves at most max_keep_alive
# requests on one connection, and hands a busy connection back to the queue when no thread is
# free, so one client cannot hold a thread. Slow clients cost no thread either: Puma's reactor
# buffers each request until it is complete (queue_requests, on by default).
persistent_timeout 620
max_keep_alive 999

# Request bodies over MAX_BODY_BYTES (10 MiB by default) are refused with 413 by Puma itself,
# whether they declare a Content-Length (refused before any of the body is read) or arrive
# chunked (refused when the chunks add up to more). Puma buffers a large body in /tmp, which is
# memory on Cloud Run, so a limit in the app would come too late. Puma writes this one answer
# itself, as plain text ("Payload Too Large"); every other error is the app's JSON.
begin
  http_content_length_limit ErrorShape.max_body_bytes(ENV.fetch("MAX_BODY_BYTES", ""))
rescue ArgumentError => e
  PumaLog::LOG.critical(e.message)
  exit 1
end

# Any method reaches the app, which answers one it has no route for with 405 (or 404), as JSON;
# Puma's own list would answer an unknown method with a plain 501.
supported_http_methods :any

# Shutdown. Cloud Run sends SIGTERM, then SIGKILL 10 seconds later. Puma's SIGTERM handler closes
# the listening socket and the idle keep-alive connections at once (a readiness probe is refused
# from then on), finishes the requests in flight, answering them with `Connection: close`, and
# exits. Ctrl-C (SIGINT) does the same.
# - Exit 0 after the graceful stop. By default Puma re-raises SIGTERM once it has stopped, which
#   ends the process with status 143, or 1 when it is PID 1 in a container.
raise_exception_on_sigterm false
# - The listening socket closes at once (Puma's drain_on_shutdown, off by default, would keep
#   accepting for as long as new connections keep arriving).
# - A request still running 7 s after the signal is interrupted and answered 503, so the process
#   exits before Cloud Run's SIGKILL. (A thread that ignores the interrupt gets 5 s more from Puma.)
force_shutdown_after 7

# Logs: Puma's own lines as JSON entries (lib/puma_log.rb), and a line once it serves. Request
# lines come from the app's RequestLogger (config.ru), so Puma's plain-text request log stays off
# (its default). Errors Puma answers itself (a malformed request) get the one JSON error shape.
# (Puma's error reports are JSON through the LogWriter bin/server passes; no setting does that.)
log_formatter { |line| PumaLog.format(line) }
lowlevel_error_handler { |error, env, status| PumaLog.lowlevel_error(error, env, status) }
after_booted { PumaLog.ready }
