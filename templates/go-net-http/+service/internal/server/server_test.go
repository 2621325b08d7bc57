package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var discard = slog.New(slog.DiscardHandler)

// running is a server started by start: its address, a stop function that plays the part of
// SIGTERM, and the result of Run.
type running struct {
	addr string
	stop context.CancelFunc
	done chan error
}

// start runs srv on a free loopback port through Run, exactly as main does.
func start(t *testing.T, srv *http.Server, drainTimeout time.Duration) *running {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	r := &running{addr: ln.Addr().String(), stop: stop, done: make(chan error, 1)}
	go func() { r.done <- Run(ctx, discard, srv, ln, drainTimeout) }()
	t.Cleanup(func() {
		stop()
		_ = srv.Close()
	})
	return r
}

// wait returns Run's result, failing the test if it takes longer than limit.
func (r *running) wait(t *testing.T, limit time.Duration) error {
	t.Helper()
	select {
	case err := <-r.done:
		return err
	case <-time.After(limit):
		t.Fatalf("Run did not return within %s", limit)
		return nil
	}
}

// stillRunning fails the test if Run has already returned.
func (r *running) stillRunning(t *testing.T) {
	t.Helper()
	select {
	case err := <-r.done:
		t.Fatalf("Run returned (%v) while a request was still in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
}

// refusesConnections waits until new connections are refused, as they must be once the drain
// has started.
func (r *running) refusesConnections(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		conn, err := net.DialTimeout("tcp", r.addr, 100*time.Millisecond)
		if err != nil {
			return
		}
		conn.Close()
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the server still accepts new connections after shutdown started")
}

func TestAddr(t *testing.T) {
	for port, want := range map[string]string{"": ":8080", "9090": ":9090"} {
		if got := Addr(port); got != want {
			t.Errorf("Addr(%q) = %q, want %q", port, got, want)
		}
	}
}

func TestIdleShutdownIsFast(t *testing.T) {
	r := start(t, New(NewHandler(Revision{}, discard, "", DefaultMaxBodyBytes), discard), DrainTimeout)

	// Leave an idle keep-alive connection behind: shutdown must close it, not wait for it.
	resp, err := http.Get("http://" + r.addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()

	began := time.Now()
	r.stop()
	if err := r.wait(t, 2*time.Second); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if elapsed := time.Since(began); elapsed > 500*time.Millisecond {
		t.Errorf("idle shutdown took %s, want well under a second", elapsed)
	}
	r.refusesConnections(t)
}

func TestRequestInFlightFinishes(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		close(started)
		<-release
		_, _ = w.Write([]byte("finished"))
	})
	r := start(t, New(slow, discard), DrainTimeout)

	type result struct {
		status int
		body   string
		err    error
	}
	results := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + r.addr + "/")
		if err != nil {
			results <- result{err: err}
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		results <- result{resp.StatusCode, string(body), err}
	}()

	<-started
	r.stop() // SIGTERM arrives while the request is in flight
	r.refusesConnections(t)
	r.stillRunning(t)

	close(release)
	res := <-results
	if res.err != nil || res.status != http.StatusOK || res.body != "finished" {
		t.Fatalf("in-flight request: status %d body %q err %v; want 200 \"finished\"", res.status, res.body, res.err)
	}
	if err := r.wait(t, 2*time.Second); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestRequestStillSendingItsBodyFinishes(t *testing.T) {
	entered := make(chan struct{}, 1)
	service := NewHandler(Revision{}, discard, "", DefaultMaxBodyBytes)
	r := start(t, New(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select {
		case entered <- struct{}{}: // the handler is about to read the body
		default:
		}
		service.ServeHTTP(w, req)
	}), discard), DrainTimeout)

	conn, err := net.Dial("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"message":{"data":"aGVsbG8=","messageId":"1"},"subscription":"projects/p/subscriptions/s"}`
	half := len(body) / 2
	head := "POST / HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := io.WriteString(conn, head+body[:half]); err != nil {
		t.Fatal(err)
	}
	<-entered

	r.stop()
	r.refusesConnections(t)
	r.stillRunning(t)

	if _, err := io.WriteString(conn, body[half:]); err != nil {
		t.Fatalf("sending the rest of the body: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(answer), `"received":true`) {
		t.Fatalf("got %d %s, want 200 with received:true", resp.StatusCode, answer)
	}
	if err := r.wait(t, 2*time.Second); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestDrainTimeoutCutsOffStuckRequests(t *testing.T) {
	started := make(chan struct{})
	stuck := http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		close(started)
		<-r.Context().Done() // only ends when the server closes the connection
	})
	r := start(t, New(stuck, discard), 200*time.Millisecond)

	clientErr := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + r.addr + "/")
		if err == nil {
			resp.Body.Close()
		}
		clientErr <- err
	}()
	<-started

	began := time.Now()
	r.stop()
	err := r.wait(t, 3*time.Second)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run returned %v, want a drain deadline error", err)
	}
	if elapsed := time.Since(began); elapsed < 200*time.Millisecond || elapsed > 2*time.Second {
		t.Errorf("Run returned after %s, want about the 200ms drain timeout", elapsed)
	}
	if err := <-clientErr; err == nil {
		t.Error("the stuck request got a response; want its connection closed")
	}
}

func TestKeepAliveLoadThroughShutdown(t *testing.T) {
	r := start(t, New(NewHandler(Revision{}, discard, "", DefaultMaxBodyBytes), discard), DrainTimeout)

	const clients = 8
	var answered atomic.Int64
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() { errs <- keepAliveClient(r.addr, &answered) })
	}
	time.Sleep(300 * time.Millisecond) // steady load
	before := answered.Load()
	r.stop()

	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(5 * time.Second):
		t.Fatal("the clients were still being served 5 s after shutdown began")
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if err := r.wait(t, 2*time.Second); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if before == 0 {
		t.Fatal("no request was answered before shutdown")
	}
	t.Logf("%d requests answered, %d of them after shutdown began", answered.Load(), answered.Load()-before)
}

// keepAliveClient sends GET / back to back over keep-alive connections, opening a new one
// whenever the server closes one, until a new connection is refused. It returns an error for
// any request written on an open connection that got no complete response.
func keepAliveClient(addr string, answered *atomic.Int64) error {
	for {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return nil // refused: the server has stopped accepting, as it should
		}
		err = useConnection(conn, answered)
		conn.Close()
		if err != nil {
			return err
		}
	}
}

// useConnection sends requests on conn until the server says it will close it.
func useConnection(conn net.Conn, answered *atomic.Int64) error {
	reader := bufio.NewReader(conn)
	for sent := 1; ; sent++ {
		if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
			return fmt.Errorf("request %d on an open connection could not be sent: %w", sent, err)
		}
		resp, err := http.ReadResponse(reader, nil)
		if err != nil {
			return fmt.Errorf("request %d on an open connection got no response: %w", sent, err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return fmt.Errorf("request %d: status %d, body error %v", sent, resp.StatusCode, err)
		}
		answered.Add(1)
		if resp.Close {
			return nil
		}
	}
}
