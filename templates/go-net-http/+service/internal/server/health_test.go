package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthEndpoints(t *testing.T) {
	draining := false
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("next")) })
	handler := WithHealth(next, func() bool { return draining })
	get := func(method, path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		return rec
	}

	for _, path := range []string{ReadyPath, LivePath} {
		if rec := get(http.MethodGet, path); rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != `{"status":"ok"}` {
			t.Errorf("GET %s while serving = %d %q, want 200 {\"status\":\"ok\"}", path, rec.Code, rec.Body.String())
		}
	}

	draining = true
	want := `{"error":{"code":503,"message":"draining","status":"UNAVAILABLE"}}`
	if rec := get(http.MethodGet, ReadyPath); rec.Code != http.StatusServiceUnavailable || strings.TrimSpace(rec.Body.String()) != want {
		t.Errorf("GET %s while draining = %d %q, want 503 %s", ReadyPath, rec.Code, rec.Body.String(), want)
	}
	if rec := get(http.MethodGet, LivePath); rec.Code != http.StatusOK {
		t.Errorf("GET %s while draining = %d, want 200", LivePath, rec.Code)
	}

	if rec := get(http.MethodPost, LivePath); rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST %s = %d (Allow %q), want 405 with Allow", LivePath, rec.Code, rec.Header().Get("Allow"))
	}
	if rec := get(http.MethodGet, "/"); rec.Body.String() != "next" {
		t.Errorf("GET / did not reach the next handler: %q", rec.Body.String())
	}
}
