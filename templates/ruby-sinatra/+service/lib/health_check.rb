# frozen_string_literal: true

require "json"

# Health endpoints for Cloud Run's probes (service.yaml): the startup probe asks /health/ready
# before any request is routed to the instance, the liveness probe asks /health/live. A Rack
# middleware in front of the request logger (config.ru), so probes are never logged. (Cloud Run
# reserves paths that end in "z", such as /healthz.)
class HealthCheck
  READY_PATH = "/health/ready"
  LIVE_PATH = "/health/live"
  PATHS = [READY_PATH, LIVE_PATH].freeze

  @draining = false
  class << self
    # Called once SIGTERM has started the drain (lib/puma/plugin/cloud_run.rb).
    def start_draining! = (@draining = true)
    def draining? = @draining
  end

  # draining: a callable, true once the drain has begun (tests pass their own).
  def initialize(app, draining: -> { HealthCheck.draining? })
    @app = app
    @draining = draining
  end

  def call(env)
    path = env["PATH_INFO"]
    return @app.call(env) unless PATHS.include?(path)
    unless %w[GET HEAD].include?(env["REQUEST_METHOD"])
      return answer(405, error: { code: 405, status: "METHOD_NOT_ALLOWED", message: "#{env['REQUEST_METHOD']} is not allowed here" })
    end
    # Not ready while draining: the instance is on its way out and takes no new work. Alive as
    # long as the process answers at all.
    if path == READY_PATH && @draining.call
      return answer(503, error: { code: 503, status: "UNAVAILABLE", message: "draining" })
    end

    answer(200, status: "ok")
  end

  private

  def answer(status, body)
    headers = { "content-type" => "application/json" }
    headers["allow"] = "GET, HEAD" if status == 405
    [status, headers, [JSON.generate(body)]]
  end
end
