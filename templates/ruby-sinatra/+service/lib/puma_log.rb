# frozen_string_literal: true

require "json"
require "puma/log_writer"
require_relative "error_shape"
require_relative "structured_logger"

# Puma's own output in Cloud Logging's format (used by config/puma.rb).
#
# Puma writes its start-up and shutdown lines ("* Listening on http://0.0.0.0:8080",
# "- Gracefully stopping, waiting for requests to finish", "- Goodbye!") through a formatter,
# which turns each into a JSON entry here. Its marker (`*`, `-`, `!`, `%`, `===`) becomes the
# severity. Puma's error reports (malformed requests, crashes inside Puma) go through the
# LogWriter bin/server gives Puma, PumaLog::Writer, and become JSON entries too.
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
  def self.lowlevel_error(error, env, status, log: LOG, app: self.app)
    return serve(app, env) if app && unqueued?(error, env)

    error_response(error, env, status, log)
  end

  def self.error_response(error, env, status, log)
    status = 500 unless status.is_a?(Integer) && status.between?(400, 599)
    where = env && env["REQUEST_METHOD"] ? " #{env["REQUEST_METHOD"]} #{env["PATH_INFO"]}" : ""
    if status >= 500
      log.error("request failed in Puma#{where}: #{error.class}", status: status, error: error)
    else
      log.warn("request refused by Puma#{where}: #{error.class}", status: status)
    end
    [status, { "content-type" => "application/json" }, [JSON.generate(ErrorShape.body(status, message(status)))]]
  end

  # The Rack application config.ru builds, for the one request Puma reads but does not run (below).
  class << self
    attr_accessor :app
  end

  # Puma 8.0.2 reads the next request on a keep-alive connection and, if the stop began in the
  # meantime, cannot queue it: it calls this handler with this error and would answer 500
  # (https://github.com/puma/puma/issues/4015). The request is complete and this is the thread
  # that read it, so it is served here, as Puma serves a back-to-back request itself when a thread
  # is free; Puma then closes the connection, and Writer logs no error. Remove this
  # once a Puma release fixes it: the keep-alive load check of the container tests catches it.
  UNQUEUED = "Unable to add work while shutting down"

  def self.unqueued_error?(error) = error.instance_of?(RuntimeError) && error.message == UNQUEUED
  def self.unqueued?(error, env) = unqueued_error?(error) && env.is_a?(Hash) && env.key?("REQUEST_METHOD")

  # The app's response with its body read, closed (which logs the request) and returned whole.
  def self.serve(app, env)
    status, headers, body = app.call(env)
    [status, headers, body.enum_for(:each).to_a]
  ensure
    body.close if body.respond_to?(:close)
  end
  private_class_method :error_response, :unqueued?, :serve

  # Puma's LogWriter with its error reports as JSON entries: Puma's own writes them to stderr as
  # plain text, past log_formatter. A malformed request or a body over the limit is the client's
  # error (WARNING); anything else is an ERROR with its stack trace. Puma's other lines still go
  # to stdout through log_formatter. bin/server hands it to Puma::Launcher.
  class Writer < Puma::LogWriter
    def initialize(log: LOG, stdout: $stdout, stderr: $stderr, env: ENV)
      super(stdout, stderr, env: env)
      @log = log
    end

    def parse_error(error, req) = report("WARNING", "malformed request", error, req)
    def connection_error(error, req, text = "connection error") = report("WARNING", text, error, req)
    def ssl_error(error, _ssl_socket) = report("WARNING", "TLS error", error, nil)
    def debug_error(error, req = nil, text = "error") = debug? && report("DEBUG", text, error, req)

    def unknown_error(error, req = nil, text = "error")
      # Not an error when the app served the request after all (PumaLog.lowlevel_error).
      return if PumaLog.app && PumaLog.unqueued_error?(error)

      report("ERROR", text, error, req)
    end

    # A start-up failure, after which Puma exits.
    def error(text)
      @log.critical(text.to_s)
      exit 1
    end

    private

    def report(severity, text, error, req)
      env = req.respond_to?(:env) ? req.env : {}
      cause = severity == "ERROR" ? error : "#{error.class}: #{error.message}"
      fields = { error: cause, method: env["REQUEST_METHOD"], path: env["PATH_INFO"] }.compact
      @log.add(severity, "#{text}: #{error.class}", fields)
    end
  end

  def self.message(status)
    return "the server is shutting down" if status == 503

    status >= 500 ? "internal error" : "bad request"
  end
  private_class_method :message
end
