# frozen_string_literal: true

# Structured logging for Cloud Run: one JSON object per line on stdout. LOG_FORMAT=pretty (bin/dev
# sets it) writes one readable line per entry instead, for a terminal.
#
# Cloud Run hands every line to Cloud Logging, which reads `severity` and `message` (and the
# `logging.googleapis.com/*` fields) from it and keeps every other field in the entry's
# jsonPayload, where it can be filtered on. No logging library or API call is needed for that.
#
# Each entry is written with a single IO#write, so lines from concurrent threads never interleave,
# and no lock is taken (a lock such as ::Logger's cannot be taken inside a signal handler).

require "json"
require "time"

class StructuredLogger
  # Cloud Logging's severities, lowest first.
  SEVERITIES = %w[DEBUG INFO NOTICE WARNING ERROR CRITICAL].freeze
  # LOG_LEVEL accepts these names too.
  LEVEL_ALIASES = { "WARN" => "WARNING", "FATAL" => "CRITICAL" }.freeze
  # String fields longer than this are cut, and "<field>Truncated": true says so (a request's
  # path or User-Agent comes from the client).
  MAX_FIELD_CHARS = 1024
  MAX_MESSAGE_CHARS = 8192
  # Cloud Logging takes entries up to 256 KB; a larger one is replaced by a short one.
  MAX_LINE_BYTES = 250 * 1024
  # Some log readers split lines on these; inside a JSON string an escape means the same.
  LINE_SEPARATORS = { "\u2028" => "\\u2028", "\u2029" => "\\u2029", "\u0085" => "\\u0085" }.freeze
  FORMATS = %w[json pretty].freeze

  attr_reader :fields, :level

  # io: where lines go (stdout by default; tests pass a StringIO).
  # level: the lowest severity written, e.g. "info" (LOG_LEVEL).
  # format: "json" (Cloud Logging's, the default) or "pretty" (LOG_FORMAT).
  # fields: added to every entry (see #child).
  def initialize(io = $stdout, level: ENV.fetch("LOG_LEVEL", "info"), format: ENV.fetch("LOG_FORMAT", ""), fields: {})
    @io = io
    # Docker and Cloud Run read stdout through a pipe, which Ruby would otherwise buffer.
    @io.sync = true if @io.respond_to?(:sync=)
    @level = self.class.severity(level)
    @threshold = SEVERITIES.index(@level)
    @format = format.to_s.strip.downcase.then { |name| name.empty? ? "json" : name }
    raise ArgumentError, "LOG_FORMAT must be json or pretty, got #{format.inspect}" unless FORMATS.include?(@format)

    @fields = fields.freeze
  end

  # The Cloud Logging severity for a level name such as "warn" or "ERROR".
  def self.severity(name)
    upper = name.to_s.strip.upcase
    upper = LEVEL_ALIASES.fetch(upper, upper)
    unless SEVERITIES.include?(upper)
      raise ArgumentError, "LOG_LEVEL must be one of #{SEVERITIES.join(", ").downcase}, got #{name.inspect}"
    end

    upper
  end

  # A logger whose entries all carry `more` too (a request's trace, a task's index).
  def child(**more)
    self.class.new(@io, level: @level, format: @format, fields: @fields.merge(more))
  end

  # The methods take a message and optional fields: log.info("done", items: 3).
  # `error:` takes an exception; its message and backtrace are logged so that Error Reporting
  # groups the entry. A block instead of a message is called only when the entry is written,
  # as the Rack logger interface (env["rack.logger"]) expects.
  def debug(message = nil, **fields, &) = add("DEBUG", message, fields, &)
  def info(message = nil, **fields, &) = add("INFO", message, fields, &)
  def notice(message = nil, **fields, &) = add("NOTICE", message, fields, &)
  def warn(message = nil, **fields, &) = add("WARNING", message, fields, &)
  def error(message = nil, **fields, &) = add("ERROR", message, fields, &)
  def critical(message = nil, **fields, &) = add("CRITICAL", message, fields, &)
  alias warning warn
  alias fatal critical # the names Rack and ::Logger use
  alias unknown critical

  # ::Logger#add, which answers true: not a predicate.
  def add(severity, message = nil, fields = {}) # rubocop:disable Naming/PredicateMethod
    return true if SEVERITIES.index(severity) < @threshold

    message = yield if message.nil? && block_given?
    @io.write("#{line(severity, message, **fields)}\n")
    true
  end

  # The text of one entry, without the newline (for code that writes lines itself).
  def line(severity, message, **fields)
    entry = entry(severity, message, fields)
    @format == "pretty" ? pretty(entry) : serialize(entry)
  end

  private

  def entry(severity, message, fields)
    error = fields[:error]
    entry = { "severity" => severity, "message" => message.to_s, "time" => Time.now.utc.iso8601(6) }
    @fields.merge(fields).each { |key, value| entry[key.to_s] = value unless key == :error }
    # Fields named like these must not replace them.
    entry["severity"] = severity
    entry["message"] = message.to_s
    if error.is_a?(Exception)
      # Error Reporting reads the stack trace from `stack_trace`, in Ruby's own format.
      entry["error"] = "#{error.class}: #{error.message}"
      entry["stack_trace"] = (["#{error.class}: #{error.message}"] + (error.backtrace || [])).join("\n")
    elsif !error.nil?
      entry["error"] = error.to_s
    end
    cap_strings(entry)
  end

  def cap_strings(entry)
    entry.dup.each do |key, value|
      next unless value.is_a?(String) && key != "stack_trace"

      limit = key == "message" ? MAX_MESSAGE_CHARS : MAX_FIELD_CHARS
      next if value.length <= limit

      entry[key] = value[0, limit]
      entry["#{key}Truncated"] = true
    end
    entry
  end

  # JSON on one line; a value JSON cannot hold (invalid UTF-8, NaN, nesting too deep) or an entry over Cloud
  # Logging's limit must not lose the entry: a short one says what happened.
  def serialize(entry)
    line = JSON.generate(entry)
    line = short(entry, "fields dropped: the entry was larger than 250 KB") if line.bytesize > MAX_LINE_BYTES
    line.gsub(/[\u2028\u2029\u0085]/, LINE_SEPARATORS)
  rescue JSON::JSONError, Encoding::UndefinedConversionError, Encoding::CompatibilityError => e
    short(entry, "fields dropped: #{e.message.to_s.scrub[0, 200]}")
  end

  # "12:00:00.123 INFO    GET / 200 method=GET status=200": time, severity, message, other fields
  # (a value that is not a plain word is quoted, control characters escaped).
  def pretty(entry)
    fields = entry.except("severity", "message", "time", "stack_trace").map do |key, value|
      "#{key}=#{value.is_a?(String) && value.match?(/\A[[:graph:]]*\z/) ? value : value.inspect}"
    end
    message = entry["message"].scrub.gsub(/[[:cntrl:]\u2028\u2029]/) { |c| c.inspect[1..-2] }
    [entry["time"][11, 12], entry["severity"].ljust(8), message, *fields].join(" ")
  end

  def short(entry, log_error)
    JSON.generate(
      "severity" => entry["severity"],
      "message" => entry["message"].to_s.scrub[0, 1024],
      "time" => entry["time"],
      "logError" => log_error
    )
  end
end
