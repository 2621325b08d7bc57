package job

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestShardCoversEveryItemOnce(t *testing.T) {
	items := Items()
	for count := 1; count <= len(items)+2; count++ {
		var all []string
		for index := range count {
			mine := Shard(items, index, count)
			for _, item := range mine {
				i := slices.Index(items, item)
				if i%count != index {
					t.Errorf("count %d: %s (item %d) went to task %d, want task %d", count, item, i, index, i%count)
				}
			}
			all = append(all, mine...)
		}
		slices.Sort(all)
		if !slices.Equal(all, items) {
			t.Errorf("count %d: the shards hold %v, want each of %v once", count, all, items)
		}
	}
}

func env(vars map[string]string) func(string) string {
	return func(key string) string { return vars[key] }
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := ConfigFromEnv(env(nil))
	want := Config{Task: Task{Index: 0, Count: 1, Attempt: 0}}
	if err != nil || cfg != want {
		t.Errorf("got %+v, %v; want %+v", cfg, err, want)
	}
}

func TestConfigFromEnv(t *testing.T) {
	cfg, err := ConfigFromEnv(env(map[string]string{
		"CLOUD_RUN_TASK_INDEX": "2", "CLOUD_RUN_TASK_COUNT": "5", "CLOUD_RUN_TASK_ATTEMPT": "1",
		"SLEEP_MS": "1500", "FAIL_RATE": "0.25",
	}))
	want := Config{Task: Task{Index: 2, Count: 5, Attempt: 1}, Sleep: 1500 * time.Millisecond, FailRate: 0.25}
	if err != nil || cfg != want {
		t.Errorf("got %+v, %v; want %+v", cfg, err, want)
	}
}

func TestConfigRejectsBadValues(t *testing.T) {
	for _, vars := range []map[string]string{
		{"FAIL_RATE": "often"},
		{"FAIL_RATE": "1.5"},
		{"FAIL_RATE": "NaN"},
		{"SLEEP_MS": "-1"},
		{"CLOUD_RUN_TASK_COUNT": "0"},
		{"CLOUD_RUN_TASK_INDEX": "3", "CLOUD_RUN_TASK_COUNT": "3"},
	} {
		if cfg, err := ConfigFromEnv(env(vars)); err == nil {
			t.Errorf("%v: got %+v, want an error", vars, cfg)
		}
	}
}

// run runs the task with a JSON logger and returns the decoded log lines and Run's error.
func run(t *testing.T, ctx context.Context, cfg Config, random float64) ([]map[string]any, error) {
	t.Helper()
	var buf bytes.Buffer
	err := Run(ctx, slog.New(slog.NewJSONHandler(&buf, nil)), cfg, func() float64 { return random })
	var lines []map[string]any
	for line := range strings.Lines(buf.String()) {
		var entry map[string]any
		if jsonErr := json.Unmarshal([]byte(line), &entry); jsonErr != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		lines = append(lines, entry)
	}
	return lines, err
}

func TestRunProcessesItsShardAfterSayingWhichTaskItIs(t *testing.T) {
	cfg := Config{Task: Task{Index: 1, Count: 3, Attempt: 2}}
	lines, err := run(t, context.Background(), cfg, 0.5)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	first := lines[0]
	if first["taskIndex"] != float64(1) || first["taskCount"] != float64(3) || first["taskAttempt"] != float64(2) {
		t.Errorf("first line = %v, want taskIndex 1, taskCount 3, taskAttempt 2 as numbers", first)
	}
	var processed []string
	for _, line := range lines {
		if item, ok := line["item"].(string); ok {
			processed = append(processed, item)
		}
	}
	if want := []string{"item-01", "item-04", "item-07"}; !slices.Equal(processed, want) {
		t.Errorf("task 1 of 3 processed %v, want %v", processed, want)
	}
}

func TestRunFailsAtTheFailRate(t *testing.T) {
	cases := []struct {
		rate, random float64
		fails        bool
	}{
		{0, 0, false}, {1, 0.999, true}, {0.5, 0.7, false}, {0.5, 0.2, true},
	}
	for _, c := range cases {
		_, err := run(t, context.Background(), Config{Task: Task{Count: 1}, FailRate: c.rate}, c.random)
		if got := errors.Is(err, ErrSimulatedFailure); got != c.fails {
			t.Errorf("FAIL_RATE %v, random %v: got %v, want failure=%v", c.rate, c.random, err, c.fails)
		}
	}
}

func TestRunStopsPromptlyWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel) // SIGTERM in the middle of SLEEP_MS
	began := time.Now()
	_, err := run(t, ctx, Config{Task: Task{Count: 1}, Sleep: time.Minute}, 0)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	if took := time.Since(began); took > time.Second {
		t.Errorf("Run took %s to stop after cancellation", took)
	}
}
