package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"regexp"
	"strings"
	"testing"
)

// decodeLines parses every line of buf as one JSON object, failing the test otherwise.
func decodeLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var entries []map[string]any
	for line := range strings.Lines(buf.String()) {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line is not one JSON object: %q: %v", line, err)
		}
		entries = append(entries, entry)
	}
	return entries
}

func TestLinesHaveSeverityAndMessage(t *testing.T) {
	var buf bytes.Buffer
	logger := New(&buf, slog.LevelDebug)
	logger.Debug("d")
	logger.Info("i", "count", 3)
	logger.Warn("w")
	logger.Error("e")

	entries := decodeLines(t, &buf)
	want := []struct{ severity, message string }{
		{"DEBUG", "d"}, {"INFO", "i"}, {"WARNING", "w"}, {"ERROR", "e"},
	}
	if len(entries) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(entries), len(want), buf.String())
	}
	for i, w := range want {
		e := entries[i]
		if e["severity"] != w.severity || e["message"] != w.message {
			t.Errorf("line %d: severity=%v message=%v, want %s %q", i, e["severity"], e["message"], w.severity, w.message)
		}
		for _, key := range []string{"level", "msg"} {
			if _, found := e[key]; found {
				t.Errorf("line %d still has slog's %q key: %v", i, key, e)
			}
		}
		if _, found := e["time"]; !found {
			t.Errorf("line %d has no time: %v", i, e)
		}
	}
	if entries[1]["count"] != float64(3) {
		t.Errorf("attribute count = %v, want the number 3", entries[1]["count"])
	}
}

func TestLevelFiltersRecords(t *testing.T) {
	var buf bytes.Buffer
	logger := New(&buf, slog.LevelInfo)
	logger.Debug("hidden")
	logger.Info("shown")
	entries := decodeLines(t, &buf)
	if len(entries) != 1 || entries[0]["message"] != "shown" {
		t.Fatalf("got %v, want only the INFO line", entries)
	}
}

func TestSeverity(t *testing.T) {
	cases := map[slog.Level]string{
		slog.LevelDebug - 4: "DEBUG",
		slog.LevelDebug:     "DEBUG",
		slog.LevelInfo:      "INFO",
		slog.LevelInfo + 2:  "INFO",
		slog.LevelWarn:      "WARNING",
		slog.LevelError:     "ERROR",
		slog.LevelError + 1: "ERROR",
		slog.LevelError + 4: "CRITICAL",
	}
	for level, want := range cases {
		if got := Severity(level); got != want {
			t.Errorf("Severity(%v) = %s, want %s", level, got, want)
		}
	}
}

func TestParseLevel(t *testing.T) {
	cases := map[string]slog.Level{
		"": slog.LevelInfo, "debug": slog.LevelDebug, "INFO": slog.LevelInfo,
		"warn": slog.LevelWarn, "Warning": slog.LevelWarn, "error": slog.LevelError,
	}
	for text, want := range cases {
		got, err := ParseLevel(text)
		if err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", text, got, err, want)
		}
	}
	if _, err := ParseLevel("loud"); err == nil {
		t.Error(`ParseLevel("loud") succeeded, want an error`)
	}
}

func TestContextAttributesAreAdded(t *testing.T) {
	var buf bytes.Buffer
	logger := New(&buf, slog.LevelInfo).With("component", "test")
	ctx := WithAttrs(context.Background(), slog.String("a", "1"))
	ctx = WithAttrs(ctx, slog.String("b", "2"))

	logger.InfoContext(ctx, "with context")
	logger.Info("without context")

	entries := decodeLines(t, &buf)
	if len(entries) != 2 {
		t.Fatalf("got %d lines, want 2", len(entries))
	}
	if entries[0]["a"] != "1" || entries[0]["b"] != "2" || entries[0]["component"] != "test" {
		t.Errorf("context attributes missing: %v", entries[0])
	}
	if _, found := entries[1]["a"]; found {
		t.Errorf("a record without the context carries its attributes: %v", entries[1])
	}
}

func TestLinesAreSafeForCloudLogging(t *testing.T) {
	var out bytes.Buffer
	logger := New(&out, slog.LevelInfo)
	logger.Info("a\u2028b\u2029c\u0085d")
	logger.Info("big", "field", strings.Repeat("x", MaxLineBytes))
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %d", len(lines))
	}
	if strings.ContainsAny(lines[0], "\u2028\u2029\u0085") {
		t.Errorf("raw line separator in %q", lines[0])
	}
	var first, second map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first["message"] != "a\u2028b\u2029c\u0085d" {
		t.Errorf("first line %q: %v", lines[0], err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil || len(lines[1]) > 2048 || second["message"] != "big" || second["severity"] != "INFO" || second["logError"] == nil {
		t.Errorf("oversize entry not replaced by a short one: %.200q", lines[1])
	}
}

func TestFromEnvPicksTheFormat(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(key string) string { return vars[key] }
	}
	for _, format := range []string{"", "json", "JSON"} {
		var buf bytes.Buffer
		logger, err := FromEnv(&buf, env(map[string]string{"LOG_FORMAT": format}))
		logger.Info("hello", "count", 3)
		if entries := decodeLines(t, &buf); err != nil || entries[0]["severity"] != "INFO" || entries[0]["message"] != "hello" {
			t.Errorf("LOG_FORMAT=%q: %v, %v; want a Cloud Logging JSON line", format, entries, err)
		}
	}

	var buf bytes.Buffer
	logger, err := FromEnv(&buf, env(map[string]string{"LOG_FORMAT": "pretty", "LOG_LEVEL": "debug"}))
	logger.Debug("two\nlines", "count", 3)
	line := buf.String()
	if err != nil || strings.Count(line, "\n") != 1 || !strings.Contains(line, ` severity=DEBUG message="two\nlines" count=3`) {
		t.Errorf("LOG_FORMAT=pretty: %q, %v; want one line: time, severity, message, fields", line, err)
	}
	if json.Valid([]byte(line)) || !regexp.MustCompile(`^time=\d\d:\d\d:\d\d\.\d{3} `).MatchString(line) {
		t.Errorf("LOG_FORMAT=pretty: %q does not start with the time of day", line)
	}

	buf.Reset()
	logger, err = FromEnv(&buf, env(map[string]string{"LOG_FORMAT": "fancy"}))
	logger.Info("still JSON")
	if entries := decodeLines(t, &buf); err == nil || entries[0]["message"] != "still JSON" {
		t.Errorf("LOG_FORMAT=fancy: %v, %v; want an error and JSON lines", entries, err)
	}
}
