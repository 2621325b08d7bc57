# frozen_string_literal: true

# The Sinatra application: routes only. Serving, draining and signals are Puma's job (see
# config/puma.rb), so the tests can run this app, or any other Rack app, in-process.
#
# Note for new routes: Cloud Run reserves paths that end in `z` (such as /healthz); the probes'
# health endpoints are in lib/health_check.rb.

require "json"
require "sinatra/base"
require_relative "lib/error_shape"
require_relative "lib/structured_logger"

class App < Sinatra::Base
  # Larger request bodies are refused with 413 (MAX_BODY_BYTES; Pub/Sub push messages are at
  # most 10 MB). Puma refuses a body whose Content-Length is over it before reading any of it
  # (http_content_length_limit in config/puma.rb); this check covers the rest.
  MAX_BODY_BYTES = ErrorShape.max_body_bytes(ENV.fetch("MAX_BODY_BYTES", ""))
  # Bodies up to this size are logged whole; larger ones only by size.
  LOGGED_BODY_BYTES = 4096

  # Set by Cloud Run on every instance; absent when running locally.
  set :runtime, {
    service: ENV.fetch("K_SERVICE", nil),
    revision: ENV.fetch("K_REVISION", nil),
    configuration: ENV.fetch("K_CONFIGURATION", nil)
  }.reject { |_, value| value.to_s.empty? }.freeze

  # Logging is RequestLogger's job (config.ru): nil leaves env["rack.logger"] alone.
  set :logging, nil
  # Errors are answered with JSON and logged by the `error` handler below, in every
  # environment: no HTML error pages, no plain-text backtraces on stderr, no exceptions
  # escaping to Puma.
  set :show_exceptions, false
  set :raise_errors, false
  set :dump_errors, false
  # A JSON API: no template views.
  set :default_content_type, "application/json"

  get "/" do
    json message: "Hello from Cloud Run!", **settings.runtime
  end

  # An event delivered by push: a Pub/Sub push subscription, Eventarc, Cloud Scheduler, a webhook.
  # Every body is parsed as JSON, whatever its Content-Type, and read completely before answering.
  post "/" do
    raw = request.body&.read(MAX_BODY_BYTES + 1).to_s
    error!(413, "request body larger than #{MAX_BODY_BYTES} bytes") if raw.bytesize > MAX_BODY_BYTES

    body = parse_json(raw)
    event = describe_event(body)
    logged = raw.bytesize <= LOGGED_BODY_BYTES ? { body: body } : { bodyBytes: raw.bytesize }
    log.info("received #{event[:kind]} event", event: event, **logged)
    # Any 2xx tells Pub/Sub and Eventarc the event was handled; anything else makes them retry.
    json received: true, kind: event[:kind], id: event[:id]
  end

  # No route for the path and method: 405 (with Allow) when another method has a route for the
  # path, 404 otherwise. Routes added to the app are taken into account without more code.
  not_found do
    allowed = self.class.routes.filter_map do |verb, routes|
      verb if routes.any? { |pattern, *| pattern.params(request.path_info) }
    end
    if allowed.empty?
      error_json(404, "no route for #{request.request_method} #{request.path_info[0, 200]}")
    else
      status 405
      headers "Allow" => allowed.join(", ")
      error_json(405, "#{request.request_method} is not allowed here; allowed: #{allowed.join(", ")}")
    end
  end

  # A request Sinatra cannot parse (bad query string encoding, say): its message is safe to show.
  error Sinatra::BadRequest do
    error_json(400, env["sinatra.error"].message)
  end

  # An exception in a route. The message of a server error may hold internals, so the client
  # gets a generic one and the log gets the details (Error Reporting picks up the stack trace).
  error 500 do
    log.error("#{request.request_method} #{request.path_info} failed", error: env["sinatra.error"])
    error_json(500, "internal error")
  end

  helpers do
    def json(value)
      content_type :json
      JSON.generate(value)
    end

    # The body of an error response, in the one shape every error of the service has.
    def error_json(code, message)
      json ErrorShape.body(code, message)
    end

    # Ends the request with an error response.
    def error!(code, message)
      halt code, error_json(code, message)
    end

    # The request's logger (it carries the trace), or a plain one when the app runs without
    # RequestLogger in front of it.
    def log
      env["rack.logger"] || (@log ||= StructuredLogger.new)
    end

    # JSON.parse refuses NaN and Infinity, and nesting deeper than 100 levels.
    def parse_json(raw)
      text = raw.dup.force_encoding(Encoding::UTF_8)
      error!(400, "the request body must be UTF-8 JSON") unless text.valid_encoding?
      error!(400, "the request body must be JSON, and it is empty") if text.strip.empty?
      JSON.parse(text)
    rescue JSON::ParserError => e
      log.warn("#{request.request_method} #{request.path_info} refused: invalid JSON")
      error!(400, "invalid JSON: #{e.message.lines.first.to_s.strip[0, 200]}")
    end

    # What kind of event arrived, so the log line says more than "a POST".
    def describe_event(body)
      # Eventarc delivers CloudEvents in binary mode: the attributes travel as ce-* headers.
      if (ce_id = request.env["HTTP_CE_ID"])
        return { kind: "cloudevent", id: ce_id, type: request.env["HTTP_CE_TYPE"],
                 source: request.env["HTTP_CE_SOURCE"] }
      end

      message = body.is_a?(Hash) ? body["message"] : nil
      if message.is_a?(Hash) && message["messageId"].is_a?(String)
        return { kind: "pubsub", id: message["messageId"], subscription: body["subscription"] }
      end

      { kind: "json", id: nil }
    end
  end
end
