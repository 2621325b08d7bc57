package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"unicode/utf8"
)

// maxLoggedEventBytes: a larger event is logged by size only, since a Cloud Logging entry is
// limited to 256 KB and huge lines are hard to read anyway.
const maxLoggedEventBytes = 16 << 10

// NewHandler returns the service's routes, wrapped in request logging with trace correlation;
// request bodies over maxBodyBytes are refused with 413. Add your own routes here. Cloud Run
// reserves paths ending in "z" (such as /healthz); the probes' health endpoints are in health.go.
func NewHandler(rev Revision, logger *slog.Logger, projectID string, maxBodyBytes int64) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", hello(rev)) // {$}: exactly "/", not every path
	mux.Handle("POST /{$}", receiveEvent(logger, maxBodyBytes))
	// The mux answers an unknown path with 404 and a known path asked with another method with
	// 405 (and Allow), as plain text: JSONErrors turns them into the service's error shape.
	return LogRequests(JSONErrors(mux), logger, projectID)
}

// hello answers GET / with a small JSON document naming the revision.
func hello(rev Revision) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, struct {
			Message string `json:"message"`
			Revision
		}{"Hello from Cloud Run!", rev})
	})
}

// receiveEvent accepts a JSON event, such as a Pub/Sub push message or an Eventarc delivery,
// reads the whole body, logs it and acknowledges it with 200 (a non-2xx answer makes Pub/Sub
// and Eventarc retry).
func receiveEvent(logger *slog.Logger, maxBodyBytes int64) http.Handler {
	tooLarge := fmt.Sprintf("request body larger than %d bytes", maxBodyBytes)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A declared size over the limit is refused before any of the body is read. The
		// connection then closes, so the rest is never read either.
		if r.ContentLength > maxBodyBytes {
			w.Header().Set("Connection", "close")
			WriteError(w, http.StatusRequestEntityTooLarge, tooLarge)
			return
		}
		// A chunked body is counted as it arrives; reading stops at the limit.
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		if _, over := errors.AsType[*http.MaxBytesError](err); over {
			WriteError(w, http.StatusRequestEntityTooLarge, tooLarge)
			return
		}
		if err != nil {
			WriteError(w, http.StatusBadRequest, "could not read the request body")
			return
		}
		// encoding/json refuses NaN, Infinity and nesting deeper than 10000 levels; it would
		// take invalid UTF-8 (as U+FFFD), hence the check.
		if !utf8.Valid(body) || !json.Valid(body) {
			WriteError(w, http.StatusBadRequest, "the request body must be JSON")
			return
		}

		attrs := []any{"bytes", len(body)}
		if ceType := r.Header.Get("Ce-Type"); ceType != "" { // an Eventarc (CloudEvents) delivery
			attrs = append(attrs, capped("ceType", ceType)...)
			attrs = append(attrs, capped("ceSource", r.Header.Get("Ce-Source"))...)
			attrs = append(attrs, capped("ceId", r.Header.Get("Ce-Id"))...)
		}
		if len(body) <= maxLoggedEventBytes {
			attrs = append(attrs, "event", json.RawMessage(body))
		}
		logger.InfoContext(r.Context(), "event received", attrs...)
		writeJSON(w, http.StatusOK, map[string]any{"received": true, "bytes": len(body)})
	})
}
