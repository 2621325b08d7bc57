# frozen_string_literal: true

require "json"
require_relative "error_shape"

# Health endpoints for Cloud Run's probes (service.yaml): the startup probe asks /health/ready
# before any request is routed to the instance, the liveness probe asks /health/live. A Rack
# middleware in front of the request logger (config.ru), so probes are never logged. (Cloud Run
# reserves paths that end in "z", such as /healthz.)
#
# Once SIGTERM starts the drain, Puma closes the listening socket and the idle connections at
# once, so a probe is refused from then on: a draining instance is never reported ready.
class HealthCheck
  PATHS = ["/health/ready", "/health/live"].freeze

  def initialize(app)
    @app = app
  end

  def call(env)
    return @app.call(env) unless PATHS.include?(env["PATH_INFO"])

    method = env["REQUEST_METHOD"]
    if %w[GET HEAD].include?(method)
      [200, { "content-type" => "application/json" }, [JSON.generate(status: "ok")]]
    else
      [405, { "content-type" => "application/json", "allow" => "GET, HEAD" },
       [JSON.generate(ErrorShape.body(405, "#{method} is not allowed here"))]]
    end
  end
end
