package logging

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// Fields that make Cloud Logging group a request's log lines under its trace
// (https://cloud.google.com/logging/docs/structured-logging#special-payload-fields).
const (
	TraceKey        = "logging.googleapis.com/trace"
	SpanIDKey       = "logging.googleapis.com/spanId"
	TraceSampledKey = "logging.googleapis.com/trace_sampled"
)

// Trace identifies the trace a request belongs to, as propagated by Cloud Run's front end.
type Trace struct {
	ID      string // 32 lower-case hex digits
	SpanID  string // 16 lower-case hex digits, or "" when unknown
	Sampled bool
}

// TraceFromHeader reads the W3C traceparent header, else Google's X-Cloud-Trace-Context.
func TraceFromHeader(h http.Header) (Trace, bool) {
	if t, ok := ParseTraceparent(h.Get("traceparent")); ok {
		return t, true
	}
	return ParseCloudTraceContext(h.Get("X-Cloud-Trace-Context"))
}

// ParseTraceparent parses "00-<trace-id>-<parent-id>-<flags>"
// (https://www.w3.org/TR/trace-context/#traceparent-header).
func ParseTraceparent(value string) (Trace, bool) {
	parts := strings.Split(strings.TrimSpace(value), "-")
	if len(parts) < 4 || !isHex(parts[0], 2) || parts[0] == "ff" || (parts[0] == "00" && len(parts) != 4) {
		return Trace{}, false
	}
	id, span, flags := parts[1], parts[2], parts[3]
	if !isHex(id, 32) || isZero(id) || !isHex(span, 16) || isZero(span) || !isHex(flags, 2) {
		return Trace{}, false
	}
	bits, _ := strconv.ParseUint(flags, 16, 8)
	return Trace{ID: id, SpanID: span, Sampled: bits&1 == 1}, true
}

// ParseCloudTraceContext parses "TRACE_ID/SPAN_ID;o=OPTIONS", where SPAN_ID is decimal
// (https://cloud.google.com/trace/docs/trace-context#legacy-http-header).
func ParseCloudTraceContext(value string) (Trace, bool) {
	value, options, _ := strings.Cut(strings.TrimSpace(value), ";")
	id, span, _ := strings.Cut(value, "/")
	id = strings.ToLower(id)
	if !isHex(id, 32) || isZero(id) {
		return Trace{}, false
	}
	t := Trace{ID: id, Sampled: strings.TrimSpace(options) == "o=1"}
	if n, err := strconv.ParseUint(span, 10, 64); err == nil && n != 0 {
		t.SpanID = fmt.Sprintf("%016x", n) // Cloud Logging wants the span id in hex
	}
	return t, true
}

// Attrs returns the log fields for t; the trace field needs the project id, so without one
// there is nothing to correlate and no field is returned.
func (t Trace) Attrs(projectID string) []slog.Attr {
	if projectID == "" || t.ID == "" {
		return nil
	}
	attrs := []slog.Attr{slog.String(TraceKey, "projects/"+projectID+"/traces/"+t.ID)}
	if t.SpanID != "" {
		attrs = append(attrs, slog.String(SpanIDKey, t.SpanID))
	}
	return append(attrs, slog.Bool(TraceSampledKey, t.Sampled))
}

// isHex reports whether s is exactly n lower-case hex digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func isZero(s string) bool { return strings.Trim(s, "0") == "" }
