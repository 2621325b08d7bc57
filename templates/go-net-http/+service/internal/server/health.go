package server

import "net/http"

// Paths of the health endpoints that Cloud Run's probes ask (service.yaml): the startup probe
// asks ReadyPath before any request is routed to the instance, the liveness probe LivePath.
// (Cloud Run reserves paths that end in "z", such as /healthz.)
const (
	ReadyPath = "/health/ready"
	LivePath  = "/health/live"
)

// WithHealth answers the health endpoints and passes every other request on to next. Wrap it
// around the request log, so probes are never logged. draining reports whether the drain has
// begun: ReadyPath then answers 503, LivePath still 200.
func WithHealth(next http.Handler, draining func() bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != ReadyPath && r.URL.Path != LivePath {
			next.ServeHTTP(w, r)
			return
		}
		switch {
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			w.Header().Set("Allow", "GET, HEAD")
			writeJSON(w, http.StatusMethodNotAllowed, probeError(http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", r.Method+" is not allowed here"))
		case r.URL.Path == ReadyPath && draining():
			writeJSON(w, http.StatusServiceUnavailable, probeError(http.StatusServiceUnavailable, "UNAVAILABLE", "draining"))
		default:
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		}
	})
}

// probeError is the JSON error shape every error response uses.
func probeError(code int, status, message string) map[string]any {
	return map[string]any{"error": map[string]any{"code": code, "status": status, "message": message}}
}
