package server

import (
	"context"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// quietPeriod is how long a keep-alive connection must have been unused before the drain may
// close it. A client that is still sending requests sends its next one well within this time,
// gets it answered with "Connection: close", and then closes the connection itself, so no
// request is cut off by the server closing a connection the client was just reusing.
const quietPeriod = 100 * time.Millisecond

// connTracker follows every connection through http.Server.ConnState, so the drain knows when
// the clients have stopped using their keep-alive connections.
type connTracker struct {
	mu       sync.Mutex
	conns    map[net.Conn]connStatus
	draining atomic.Bool
}

type connStatus struct {
	state http.ConnState
	since time.Time
}

func newConnTracker() *connTracker {
	return &connTracker{conns: make(map[net.Conn]connStatus)}
}

// track returns a ConnState hook that records each change, then calls next (if any).
func (t *connTracker) track(next func(net.Conn, http.ConnState)) func(net.Conn, http.ConnState) {
	return func(conn net.Conn, state http.ConnState) {
		t.mu.Lock()
		switch state {
		case http.StateClosed, http.StateHijacked:
			delete(t.conns, conn)
		default:
			t.conns[conn] = connStatus{state, time.Now()}
		}
		t.mu.Unlock()
		if next != nil {
			next(conn, state)
		}
	}
}

// closeWhenDraining marks every response of a request that starts during the drain with
// "Connection: close": net/http then closes the connection after the response, and the client
// opens a new one (refused, since the listener is closed) for its next request.
func (t *connTracker) closeWhenDraining(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t.draining.Load() {
			w.Header().Set("Connection", "close")
		}
		next.ServeHTTP(w, r)
	})
}

// settled reports whether no connection is serving or about to carry a request: each one has
// been idle (or connected without sending anything) for at least quietPeriod.
func (t *connTracker) settled(now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.conns {
		if c.state == http.StateActive || now.Sub(c.since) < quietPeriod {
			return false
		}
	}
	return true
}

// waitSettled returns once the connections have settled, or when ctx is done.
func (t *connTracker) waitSettled(ctx context.Context) {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !t.settled(time.Now()) {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
