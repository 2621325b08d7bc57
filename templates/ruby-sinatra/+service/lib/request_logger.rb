# frozen_string_literal: true

require "rack/body_proxy"
require_relative "trace_context"

# Rack middleware: gives every request a logger that carries its trace, as env["rack.logger"]
# (Sinatra's `logger` helper returns it), and logs one line once the response has been sent.
class RequestLogger
  # log: the StructuredLogger to derive request loggers from.
  # project_id: a callable returning the project id, or nil while unknown (see ProjectId).
  def initialize(app, log:, project_id: -> {})
    @app = app
    @log = log
    @project_id = project_id
  end

  def call(env)
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    trace = TraceContext.from_rack_env(env)
    log = trace ? @log.child(**trace.log_fields(@project_id.call)) : @log
    env["rack.logger"] = log

    status, headers, body = @app.call(env)
    # The body is written after `call` returns; BodyProxy runs the block when the server has
    # sent it and closes it, so the latency covers the whole response.
    body = Rack::BodyProxy.new(body) { log_response(log, env, status, started) }
    [status, headers, body]
  rescue Exception => e # rubocop:disable Lint/RescueException -- logged, then re-raised
    log_response(log || @log, env, 500, started, error: e)
    raise
  end

  private

  def log_response(log, env, status, started, error: nil)
    method = env["REQUEST_METHOD"]
    # The path without its query string: a query can carry tokens that logs must not keep.
    path = env["PATH_INFO"].to_s.empty? ? "/" : env["PATH_INFO"]
    severity = { 5 => :error, 4 => :warn }.fetch(status / 100, :info)
    fields = {
      method: method,
      path: path,
      status: status,
      latencyMs: ((Process.clock_gettime(Process::CLOCK_MONOTONIC) - started) * 1000).round(3),
      # Capped by the logger (a client controls it), like the path.
      userAgent: env["HTTP_USER_AGENT"]
    }
    fields[:error] = error if error
    log.public_send(severity, "#{method} #{path} #{status}", **fields)
  end
end
