# frozen_string_literal: true

# The Rack application Puma serves (Puma loads this file): the Sinatra app behind the health
# endpoints and the request logger, which gives each request a logger that carries its trace.

require_relative "app"
require_relative "lib/health_check"
require_relative "lib/project_id"
require_relative "lib/puma_log"
require_relative "lib/request_logger"
require_relative "lib/structured_logger"

log = StructuredLogger.new
project_id = ProjectId.new(log: log).start

# The probes' health endpoints first: they are answered before the request logger sees them.
service = Rack::Builder.app do
  use HealthCheck
  use RequestLogger, log: log, project_id: project_id
  run App
end
# Puma's error handler serves with it a request Puma read but could not queue (lib/puma_log.rb).
PumaLog.app = service
run service
