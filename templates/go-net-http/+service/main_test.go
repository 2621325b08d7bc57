package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// freePort returns a port nothing listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// startService runs the service on a free port and waits until it listens.
func startService(t *testing.T, env ...string) (*process, string) {
	t.Helper()
	port := freePort(t)
	p := startProcess(t, append([]string{"PORT=" + port}, env...)...)
	ready := p.waitForLog("listening", 5*time.Second)
	if address, _ := ready["address"].(string); !strings.HasSuffix(address, ":"+port) {
		t.Fatalf("listening on %q, want port %s from PORT", address, port)
	}
	return p, "127.0.0.1:" + port
}

func TestServiceAnswersOnPORTAndStopsQuicklyWhenIdle(t *testing.T) {
	p, addr := startService(t, "GOOGLE_CLOUD_PROJECT=demo-project", "K_SERVICE=hello", "K_REVISION=hello-00001-abc")
	t.Logf("start to listening: %s", time.Since(p.started))

	const trace = "105445aa7843bc8bf206b12000100000"
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/", nil)
	req.Header.Set("X-Cloud-Trace-Context", trace+"/1;o=1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"revision":"hello-00001-abc"`) {
		t.Fatalf("GET / = %d %s, want 200 naming the revision", resp.StatusCode, body)
	}
	line := p.waitForLog("GET / 200", 2*time.Second)
	if want := "projects/demo-project/traces/" + trace; line["logging.googleapis.com/trace"] != want {
		t.Errorf("request log = %v, want trace %s", line, want)
	}

	p.signal(syscall.SIGTERM)
	code, took := p.waitExit(2 * time.Second)
	if code != 0 {
		t.Errorf("exit status after SIGTERM = %d, want 0", code)
	}
	if took > time.Second {
		t.Errorf("idle service took %s to exit after SIGTERM, want well under a second", took)
	}
	p.logs() // every line is JSON with severity and message
}

// sendPartialPost opens a connection and sends a POST whose body is only half written.
func sendPartialPost(t *testing.T, addr, body string) (net.Conn, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	half := len(body) / 2
	head := "POST / HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := io.WriteString(conn, head+body[:half]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let the server read the headers: the request is now in flight
	return conn, body[half:]
}

func TestServiceFinishesARequestStillSendingItsBody(t *testing.T) {
	p, addr := startService(t)
	conn, rest := sendPartialPost(t, addr, `{"message":{"data":"aGVsbG8="},"subscription":"s"}`)

	p.signal(syscall.SIGTERM)
	p.waitForLog("shutting down", 2*time.Second)
	time.Sleep(300 * time.Millisecond)
	if _, err := io.WriteString(conn, rest); err != nil {
		t.Fatalf("sending the rest of the body: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("POST in flight during SIGTERM = %d, want 200", resp.StatusCode)
	}
	if code, _ := p.waitExit(2 * time.Second); code != 0 {
		t.Errorf("exit status = %d, want 0", code)
	}
}

func TestServiceSecondSignalForcesExit(t *testing.T) {
	p, addr := startService(t)
	sendPartialPost(t, addr, `{"never":"finished"}`)

	p.signal(syscall.SIGTERM)
	p.waitForLog("shutting down", 2*time.Second)
	p.signal(syscall.SIGINT)
	code, took := p.waitExit(2 * time.Second)
	if code != 1 {
		t.Errorf("exit status after a second signal = %d, want 1", code)
	}
	if took > time.Second {
		t.Errorf("took %s to exit after the second signal", took)
	}
	p.waitForLog("second signal", time.Second)
}
