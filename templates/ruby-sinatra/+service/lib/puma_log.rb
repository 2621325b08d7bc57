# frozen_string_literal: true

require "json"
require_relative "error_shape"
require_relative "structured_logger"

# Puma's own output in Cloud Logging's format (used by config/puma.rb).
#
# Puma writes its start-up and shutdown lines ("* Listening on http://0.0.0.0:8080",
# "- Gracefully stopping, waiting for requests to finish", "- Goodbye!") through a formatter,
# which turns each into a JSON entry here. Its marker (`*`, `-`, `!`, `%`, `===`) becomes the
# severity. Puma's separate error reporter (malformed requests, crashes inside Puma) still
# writes plain text to stderr: Puma offers no hook for it.
module PumaLog
  LOG = StructuredLogger.new(fields: { logger: "puma" })

  # The formatter Puma calls with each line; returns the text (Puma adds the newline).
  def self.format(line, log: LOG)
    text = line.to_s.chomp
    severity = if text.start_with?("!", "ERROR") then "ERROR"
               elsif text.start_with?("%") then "DEBUG"
               else "INFO"
               end
    message = text.sub(/\A(?:[*\-!%]\s*|===\s*)/, "").sub(/\s*===\z/, "")
    log.line(severity, message)
  end

  # Once Puma serves requests. Cloud Run sets K_SERVICE, K_REVISION and K_CONFIGURATION.
  def self.ready(log: LOG, env: ENV)
    runtime = { service: env["K_SERVICE"], revision: env["K_REVISION"], configuration: env["K_CONFIGURATION"] }
    log.info("ready to serve requests", **runtime.reject { |_, value| value.to_s.empty? })
  end

  # Puma's answer when a request never reaches the app in one piece (a malformed request, a
  # request still running when the stop is cut short) or an exception escapes it: JSON like the
  # app's own errors, and a log entry.
  def self.lowlevel_error(error, env, status, log: LOG)
    status = 500 unless status.is_a?(Integer) && status.between?(400, 599)
    where = env && env["REQUEST_METHOD"] ? " #{env["REQUEST_METHOD"]} #{env["PATH_INFO"]}" : ""
    if status >= 500
      log.error("request failed in Puma#{where}: #{error.class}", status: status, error: error)
    else
      log.warn("request refused by Puma#{where}: #{error.class}", status: status)
    end
    [status, { "content-type" => "application/json" }, [JSON.generate(ErrorShape.body(status, message(status)))]]
  end

  def self.message(status)
    return "the server is shutting down" if status == 503

    status >= 500 ? "internal error" : "bad request"
  end
  private_class_method :message
end
