# frozen_string_literal: true

# Trace correlation: Cloud Run passes the trace of every request in `traceparent` (W3C) and
# `X-Cloud-Trace-Context`. A log entry that names the same trace is shown under that request in
# Logs Explorer and Cloud Trace. The trace's resource name needs the project id.
TraceContext = Data.define(:trace_id, :span_id, :sampled)

class TraceContext
  TRACEPARENT = /\A([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?\z/
  CLOUD_TRACE_CONTEXT = %r{\A(\h{32})(?:/(\d{1,20}))?(?:;o=([01]))?}
  ZERO = /\A0+\z/

  # The trace a request belongs to, or nil when it carries none (or only malformed ones).
  # traceparent wins when both are present: it is the standard, and Cloud Run sends both.
  def self.from_headers(traceparent: nil, cloud_trace_context: nil)
    w3c = TRACEPARENT.match(traceparent.to_s.strip)
    if w3c && w3c[1] != "ff" && !ZERO.match?(w3c[2]) && !ZERO.match?(w3c[3])
      return new(trace_id: w3c[2], span_id: w3c[3], sampled: w3c[4].to_i(16).allbits?(1))
    end

    # TRACE_ID/SPAN_ID;o=OPTIONS, where SPAN_ID is a decimal number.
    cloud = CLOUD_TRACE_CONTEXT.match(cloud_trace_context.to_s.strip)
    return nil if cloud.nil? || ZERO.match?(cloud[1])

    new(trace_id: cloud[1].downcase, span_id: decimal_span_to_hex(cloud[2]), sampled: cloud[3] == "1")
  end

  # The same, from a Rack env.
  def self.from_rack_env(env)
    from_headers(traceparent: env["HTTP_TRACEPARENT"], cloud_trace_context: env["HTTP_X_CLOUD_TRACE_CONTEXT"])
  end

  # Cloud Logging wants the span id as 16 hex digits.
  def self.decimal_span_to_hex(decimal)
    return nil if decimal.nil?

    span = Integer(decimal, 10)
    return nil if span.zero? || span >= 2**64

    format("%016x", span)
  end

  # The special fields that tie a log entry to this trace; none when the project is unknown.
  def log_fields(project_id)
    return {} if project_id.nil? || project_id.empty?

    fields = {
      "logging.googleapis.com/trace" => "projects/#{project_id}/traces/#{trace_id}",
      "logging.googleapis.com/trace_sampled" => sampled
    }
    fields["logging.googleapis.com/spanId"] = span_id if span_id
    fields
  end
end
