# frozen_string_literal: true

# Puma's settings for Cloud Run. The container runs `bundle exec puma -C config/puma.rb`, which
# serves the Rack app in config.ru; a plain `bundle exec puma` finds this file by itself.

require_relative "../lib/error_shape"
require_relative "../lib/puma_log"
require_relative "../lib/puma/plugin/cloud_run"

# Cloud Run says which port to listen on in PORT (8080 unless configured otherwise). Puma does
# not read PORT itself (its default is 9292), hence this. 0.0.0.0: requests reach the container
# from outside its loopback interface.
port_text = ENV.fetch("PORT", "").strip
port_text = "8080" if port_text.empty?
unless port_text.match?(/\A\d{1,5}\z/) && port_text.to_i <= 65_535
  PumaLog::LOG.critical("PORT must be a TCP port number (0-65535), got #{ENV['PORT'].inspect}")
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

# No keep-alive: every response closes its connection (Connection: close), so requests are
# served in the order they arrive. Cloud Run sends up to 80 concurrent requests (its default)
# to these 5 threads; with keep-alive, Puma serves the next request of a busy connection ahead
# of requests waiting on others, which makes slow outliers (Puma's documentation of this
# setting explains the trade-off). It also sidesteps a Puma 6.6 drain problem: its keep-alive
# decision looks at the listening socket, which the drain has already closed, so under load a
# request the app had answered could reach the client as a 500. The price is a new TCP
# connection per request from Cloud Run's front end.
enable_keep_alives false

# Request bodies: one whose Content-Length is over MAX_BODY_BYTES (10 MiB by default) is
# refused with 413 before Puma reads any of it; otherwise Puma would write it to /tmp, which is
# memory on Cloud Run, before the app sees it. (From Puma 7 on, the limit also counts chunked
# bodies as they arrive, and the 413 goes through lowlevel_error_handler, as JSON.) Slow clients
# cost no thread: Puma's reactor buffers each request until it is complete (queue_requests, on
# by default), so 5 threads are never held by clients that send slowly.
begin
  http_content_length_limit ErrorShape.max_body_bytes(ENV.fetch("MAX_BODY_BYTES", ""))
rescue ArgumentError => e
  PumaLog::LOG.critical(e.message)
  exit 1
end

# Shutdown. Cloud Run sends SIGTERM, then SIGKILL 10 seconds later.
# - Exit 0 after the graceful stop. By default Puma re-raises SIGTERM once it has stopped, which
#   ends the process with status 143, or 1 when it is PID 1 in a container.
raise_exception_on_sigterm false
# - The listening socket closes at once. (Puma's drain_on_shutdown is left off on purpose: it
#   keeps accepting for as long as new connections keep arriving, so under steady traffic the
#   stop kept being put off: by up to 4.6 s in this project's load test.)
# - A stop still going after 7 seconds is cut short, with an answer for every client: requests
#   still running get 503 Service Unavailable (Puma interrupts their threads), clients still
#   sending a request get 408 Request Timeout.
force_shutdown_after 7
# - The cloud_run plugin (lib/puma/plugin/cloud_run.rb) makes a stop that was cut short exit
#   with status 1 instead of 0, makes a second SIGTERM/SIGINT exit 1 at once, and exits 1 at the
#   8-second deadline whatever is still running.
plugin :cloud_run

# Logs: Puma's own lines as JSON entries (lib/puma_log.rb). Request lines come from the app's
# RequestLogger (config.ru), so Puma's plain-text request log stays off (its default).
log_formatter { |line| PumaLog.format(line) }
lowlevel_error_handler { |error, env, status| PumaLog.lowlevel_error(error, env, status) }
