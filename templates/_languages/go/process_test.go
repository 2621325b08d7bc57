package main

// The tests in this package run the real program in a child process (the test binary itself,
// started again with runMainEnv set), so signal handling, exit codes and log output are checked
// end to end, with nothing test-specific in the program.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const runMainEnv = "TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main() // the child: behave exactly like the built program
		return
	}
	os.Exit(m.Run())
}

// process is the program running as a child process.
type process struct {
	t        *testing.T
	cmd      *exec.Cmd
	started  time.Time
	stderr   bytes.Buffer
	mu       sync.Mutex
	lines    []string // stdout, one log line each
	exited   chan struct{}
	exitCode int
}

// settings that would leak from the developer's shell into the child and change its behaviour.
var inheritedSettings = []string{
	"GORACE", "PORT", "LOG_LEVEL", "LOG_FORMAT", "GOOGLE_CLOUD_PROJECT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION",
	"CLOUD_RUN_TASK_INDEX", "CLOUD_RUN_TASK_COUNT", "CLOUD_RUN_TASK_ATTEMPT", "SLEEP_MS", "FAIL_RATE",
}

// startProcess runs the program with the given KEY=VALUE settings added to a clean environment.
func startProcess(t *testing.T, env ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
		key, _, _ := strings.Cut(kv, "=")
		return slices.Contains(inheritedSettings, key)
	})
	// With -race, a program sleeps 1 s before exiting (to report late races); not here, so
	// the exit timings measured below are the program's own.
	race := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	cmd.Env = append(cmd.Env, append([]string{runMainEnv + "=1", "GORACE=" + race}, env...)...)
	p := &process{t: t, cmd: cmd, exited: make(chan struct{})}
	cmd.Stderr = &p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		scanner := bufio.NewScanner(stdout)
		scanner.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for scanner.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, scanner.Text())
			p.mu.Unlock()
		}
		err := cmd.Wait() // only after stdout is drained, as exec requires
		p.exitCode = 0
		if exitErr, ok := errors.AsType[*exec.ExitError](err); ok {
			p.exitCode = exitErr.ExitCode()
		} else if err != nil {
			p.exitCode = -1
		}
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("program output:\n%s\nstderr:\n%s", strings.Join(p.output(), "\n"), p.stderr.String())
		}
	})
	return p
}

func (p *process) output() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.lines)
}

// logs returns every line written so far, each of which must be one JSON object with a
// severity and a message.
func (p *process) logs() []map[string]any {
	p.t.Helper()
	var entries []map[string]any
	for _, line := range p.output() {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			p.t.Fatalf("log line is not one JSON object: %q", line)
		}
		if _, ok := entry["severity"].(string); !ok {
			p.t.Errorf("log line without severity: %q", line)
		}
		if _, ok := entry["message"].(string); !ok {
			p.t.Errorf("log line without message: %q", line)
		}
		entries = append(entries, entry)
	}
	return entries
}

// waitForLog waits for a log line whose message contains text and returns it.
func (p *process) waitForLog(text string, limit time.Duration) map[string]any {
	p.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		for _, entry := range p.logs() {
			if message, _ := entry["message"].(string); strings.Contains(message, text) {
				return entry
			}
		}
		select {
		case <-p.exited:
			p.t.Fatalf("the program exited (status %d) without logging %q", p.exitCode, text)
		default:
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("no log line containing %q within %s", text, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// signal sends sig to the program.
func (p *process) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("sending %v: %v", sig, err)
	}
}

// waitExit waits for the program to exit and returns its status and how long the wait took.
func (p *process) waitExit(limit time.Duration) (int, time.Duration) {
	p.t.Helper()
	began := time.Now()
	select {
	case <-p.exited:
		return p.exitCode, time.Since(began)
	case <-time.After(limit):
		p.t.Fatalf("the program did not exit within %s", limit)
		return 0, 0
	}
}
