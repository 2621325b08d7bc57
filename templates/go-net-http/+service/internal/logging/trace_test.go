package logging

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
)

const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"

func TestParseTraceparent(t *testing.T) {
	got, ok := ParseTraceparent("00-" + traceID + "-00f067aa0ba902b7-01")
	want := Trace{ID: traceID, SpanID: "00f067aa0ba902b7", Sampled: true}
	if !ok || got != want {
		t.Fatalf("got %+v %v, want %+v", got, ok, want)
	}
	for _, bad := range []string{
		"",
		"00-" + traceID + "-00f067aa0ba902b7", // no flags
		"00-00000000000000000000000000000000-00f067aa0ba902b7-01", // zero trace id
		"00-" + traceID + "-0000000000000000-01",                  // zero span id
		"ff-" + traceID + "-00f067aa0ba902b7-01",                  // invalid version
		"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper case
		"00-" + traceID + "-00f067aa0ba902b7-01-extra",            // extra field in version 00
	} {
		if got, ok := ParseTraceparent(bad); ok {
			t.Errorf("ParseTraceparent(%q) = %+v, want rejected", bad, got)
		}
	}
}

func TestParseCloudTraceContext(t *testing.T) {
	got, ok := ParseCloudTraceContext(traceID + "/1;o=1")
	want := Trace{ID: traceID, SpanID: "0000000000000001", Sampled: true}
	if !ok || got != want {
		t.Fatalf("got %+v %v, want %+v", got, ok, want)
	}
	got, ok = ParseCloudTraceContext(traceID)
	if want := (Trace{ID: traceID}); !ok || got != want {
		t.Errorf("trace id alone: got %+v %v, want %+v", got, ok, want)
	}
	for _, bad := range []string{"", "abc/1;o=1", "/1", "00000000000000000000000000000000/1"} {
		if got, ok := ParseCloudTraceContext(bad); ok {
			t.Errorf("ParseCloudTraceContext(%q) = %+v, want rejected", bad, got)
		}
	}
}

func TestTraceFromHeaderPrefersTraceparent(t *testing.T) {
	h := http.Header{}
	h.Set("X-Cloud-Trace-Context", "11111111111111111111111111111111/7;o=0")
	got, ok := TraceFromHeader(h)
	if !ok || got.ID != "11111111111111111111111111111111" || got.SpanID != "0000000000000007" {
		t.Errorf("X-Cloud-Trace-Context only: got %+v %v", got, ok)
	}
	h.Set("traceparent", "00-"+traceID+"-00f067aa0ba902b7-00")
	if got, _ := TraceFromHeader(h); got.ID != traceID {
		t.Errorf("with traceparent: got %+v, want trace %s", got, traceID)
	}
	if _, ok := TraceFromHeader(http.Header{}); ok {
		t.Error("no header: got a trace")
	}
}

func TestTraceAttrsAreLogged(t *testing.T) {
	var buf bytes.Buffer
	logger := New(&buf, slog.LevelInfo)
	trace := Trace{ID: traceID, SpanID: "00f067aa0ba902b7", Sampled: true}
	logger.InfoContext(WithAttrs(context.Background(), trace.Attrs("demo-project")...), "traced")

	entry := decodeLines(t, &buf)[0]
	if got, want := entry[TraceKey], "projects/demo-project/traces/"+traceID; got != want {
		t.Errorf("%s = %v, want %s", TraceKey, got, want)
	}
	if entry[SpanIDKey] != "00f067aa0ba902b7" || entry[TraceSampledKey] != true {
		t.Errorf("span/sampled fields wrong: %v", entry)
	}
	if attrs := trace.Attrs(""); attrs != nil {
		t.Errorf("without a project id: got %v, want no fields", attrs)
	}
}

func TestProjectID(t *testing.T) {
	metadata := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/computeMetadata/v1/project/project-id" || r.Header.Get("Metadata-Flavor") != "Google" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		_, _ = w.Write([]byte("from-metadata"))
	}))
	defer metadata.Close()
	host := metadata.Listener.Addr().String()

	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"variable wins", map[string]string{"GOOGLE_CLOUD_PROJECT": "from-env", "K_SERVICE": "svc", "GCE_METADATA_HOST": host}, "from-env"},
		{"metadata server on Cloud Run", map[string]string{"K_SERVICE": "svc", "GCE_METADATA_HOST": host}, "from-metadata"},
		{"unknown off Cloud Run, metadata server not asked", map[string]string{"GCE_METADATA_HOST": "127.0.0.1:1"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ProjectID(context.Background(), func(k string) string { return c.env[k] })
			if err != nil || got != c.want {
				t.Errorf("got %q, %v; want %q", got, err, c.want)
			}
		})
	}
}
