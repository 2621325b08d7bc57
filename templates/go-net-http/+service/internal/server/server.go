// Package server runs the HTTP service the way Cloud Run expects: it listens on $PORT and,
// when asked to stop, finishes the requests already in flight before it returns.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// DefaultPort is the port to listen on when PORT is unset (Cloud Run always sets it).
const DefaultPort = "8080"

// DrainTimeout bounds the graceful shutdown. Cloud Run sends SIGKILL 10 s after SIGTERM, so
// stop waiting for in-flight requests after 8 s and exit on our own terms, with a log line.
const DrainTimeout = 8 * time.Second

// Addr returns the listen address for a PORT value: every interface (0.0.0.0, and :: where
// the host has IPv6), on DefaultPort when port is empty.
func Addr(port string) string {
	if port == "" {
		port = DefaultPort
	}
	return net.JoinHostPort("", port)
}

// New returns an *http.Server for handler. It is a factory, not a global, so tests can put any
// handler (a deliberately slow one, say) behind the same server and shutdown code.
func New(handler http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler: handler,
		// Bound the time to send headers (slowloris); bodies may legitimately be slow.
		ReadHeaderTimeout: 10 * time.Second,
		// Keep idle keep-alive connections longer than Google's front end (600 s) does, so
		// the server is never the one closing a connection the front end is about to reuse.
		IdleTimeout: 620 * time.Second,
		// net/http's own errors (a panicking handler, say) become JSON lines too.
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}
}

// Run serves srv on ln until ctx is done (the first SIGTERM or SIGINT), then drains:
//
//  1. it closes the listener, so new connections are refused;
//  2. it answers every request that starts from then on with "Connection: close", and waits
//     until no connection is serving a request or has been used within quietPeriod, so
//     clients that are still busy finish with their keep-alive connections themselves;
//  3. http.Server.Shutdown closes the idle connections and waits for any request still in
//     flight, including one still sending its body.
//
// The whole drain takes at most drainTimeout. Run returns nil after a complete drain, and an
// error if serving failed or the deadline cut requests off (their connections are closed).
// To follow the connections, Run chains a hook onto srv.ConnState and wraps srv.Handler.
func Run(ctx context.Context, logger *slog.Logger, srv *http.Server, ln net.Listener, drainTimeout time.Duration) error {
	conns := newConnTracker()
	srv.ConnState = conns.track(srv.ConnState)
	handler := srv.Handler
	if handler == nil {
		handler = http.DefaultServeMux
	}
	srv.Handler = conns.closeWhenDraining(handler)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served: // the listener failed; no signal involved
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	logger.Info("shutting down: finishing requests in flight",
		"reason", context.Cause(ctx).Error(), "drainTimeout", drainTimeout.String())
	drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainTimeout)
	defer cancel()

	_ = ln.Close() // 1. Serve returns; the connections it accepted carry on
	<-served
	// Only now: a client told to close reconnects, and must find the port closed.
	conns.draining.Store(true)

	conns.waitSettled(drainCtx) // 2.

	if err := srv.Shutdown(drainCtx); err != nil { // 3.
		_ = srv.Close() // give up on what is left
		return fmt.Errorf("drain did not finish within %s: %w", drainTimeout, err)
	}
	return nil
}
