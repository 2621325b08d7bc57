# frozen_string_literal: true

require "test_helper"
require_relative "../lib/trace_context"

class TraceContextTest < Minitest::Test
  TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"

  def parse(**headers) = TraceContext.from_headers(**headers)

  def test_parses_x_cloud_trace_context
    trace = parse(cloud_trace_context: "#{TRACE_ID.upcase}/12345;o=1")

    assert_equal TRACE_ID, trace.trace_id
    assert_equal "0000000000003039", trace.span_id
    assert trace.sampled
  end

  def test_parses_x_cloud_trace_context_without_span_or_options
    trace = parse(cloud_trace_context: TRACE_ID)

    assert_equal TRACE_ID, trace.trace_id
    assert_nil trace.span_id
    refute trace.sampled
  end

  def test_parses_traceparent_and_prefers_it
    trace = parse(traceparent: "00-#{TRACE_ID}-00f067aa0ba902b7-01", cloud_trace_context: "#{"a" * 32}/1")

    assert_equal TRACE_ID, trace.trace_id
    assert_equal "00f067aa0ba902b7", trace.span_id
    assert trace.sampled
  end

  def test_ignores_malformed_or_zero_ids
    assert_nil parse(traceparent: "00-#{"0" * 32}-00f067aa0ba902b7-01")
    assert_nil parse(traceparent: "ff-#{TRACE_ID}-00f067aa0ba902b7-01")
    assert_nil parse(traceparent: "garbage")
    assert_nil parse(cloud_trace_context: "#{"0" * 32}/1")
    assert_nil parse(cloud_trace_context: "xyz")
    assert_nil parse
  end

  def test_falls_back_to_x_cloud_trace_context_when_traceparent_is_malformed
    trace = parse(traceparent: "00-bad", cloud_trace_context: "#{TRACE_ID}/1;o=0")

    assert_equal TRACE_ID, trace.trace_id
  end

  def test_log_fields_need_the_project_id
    trace = parse(cloud_trace_context: "#{TRACE_ID}/1;o=1")

    assert_equal({}, trace.log_fields(nil))
    assert_equal "projects/p/traces/#{TRACE_ID}", trace.log_fields("p")["logging.googleapis.com/trace"]
  end
end
