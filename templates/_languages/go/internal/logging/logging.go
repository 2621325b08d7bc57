// Package logging writes one JSON object per line in the shape Cloud Logging reads as a
// structured log entry (https://cloud.google.com/logging/docs/structured-logging):
// "severity" and "message" instead of log/slog's "level" and "msg". Cloud Run forwards
// stdout and stderr to Cloud Logging, so no client library or agent is needed. For reading in a
// terminal, LOG_FORMAT=pretty (what scripts/dev sets) writes one key=value line per record instead.
//
// Attributes put into a context with WithAttrs (a request's trace, for example) are added to
// every record logged with that context, e.g. logger.InfoContext(ctx, ...).
package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// Keys Cloud Logging gives a meaning to in a JSON log line.
const (
	SeverityKey = "severity"
	MessageKey  = "message"
)

// MaxLineBytes is the longest line written: Cloud Logging takes entries up to 256 KB, and a
// longer entry is replaced by a short one that says so.
const MaxLineBytes = 250 << 10

// New returns a logger that writes JSON lines to w, dropping records below level.
func New(w io.Writer, level slog.Leveler) *slog.Logger {
	jsonHandler := slog.NewJSONHandler(safeLines{w}, &slog.HandlerOptions{
		Level:       level,
		ReplaceAttr: cloudLoggingKeys,
	})
	return slog.New(contextHandler{jsonHandler})
}

// FromEnv returns the logger that LOG_LEVEL and LOG_FORMAT ask for, writing to w: New's JSON
// lines by default (LOG_FORMAT unset or json); with LOG_FORMAT=pretty, for reading in a terminal,
// one line per record with the time of day, severity and message, then the attributes as
// key=value (log/slog's TextHandler, which quotes a value holding spaces or line breaks, so a
// line stays one line). An invalid value is returned as the error, and its default is used.
func FromEnv(w io.Writer, getenv func(string) string) (*slog.Logger, error) {
	level, err := ParseLevel(getenv("LOG_LEVEL"))
	switch format := getenv("LOG_FORMAT"); strings.ToLower(strings.TrimSpace(format)) {
	case "", "json":
		return New(w, level), err
	case "pretty":
		return slog.New(contextHandler{slog.NewTextHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: prettyKeys})}), err
	default:
		return New(w, level), errors.Join(err, fmt.Errorf("LOG_FORMAT %q: want json or pretty", format))
	}
}

// prettyKeys shortens the time to the time of day and renames the keys as cloudLoggingKeys does.
func prettyKeys(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		a.Value = slog.StringValue(a.Value.Time().Format(time.TimeOnly + ".000"))
	}
	return cloudLoggingKeys(groups, a)
}

// ParseLevel reads a LOG_LEVEL value: debug, info, warn/warning or error, in any case.
// An empty value means info.
func ParseLevel(text string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(text)) {
	case "":
		return slog.LevelInfo, nil
	case "warning": // Cloud Logging's name for slog's WARN
		return slog.LevelWarn, nil
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(text)); err != nil {
		return slog.LevelInfo, fmt.Errorf("LOG_LEVEL %q: want debug, info, warning or error", text)
	}
	return level, nil
}

// Severity maps a slog level to the Cloud Logging severity name. slog has four named levels;
// a custom level from slog.LevelError+4 up becomes CRITICAL so it stands out.
func Severity(level slog.Level) string {
	switch {
	case level < slog.LevelInfo:
		return "DEBUG"
	case level < slog.LevelWarn:
		return "INFO"
	case level < slog.LevelError:
		return "WARNING"
	case level < slog.LevelError+4:
		return "ERROR"
	default:
		return "CRITICAL"
	}
}

// cloudLoggingKeys renames slog's built-in keys. "time" stays: Cloud Logging reads it as the
// entry's timestamp.
func cloudLoggingKeys(groups []string, a slog.Attr) slog.Attr {
	if len(groups) > 0 { // only the top-level built-ins are special
		return a
	}
	switch a.Key {
	case slog.LevelKey:
		if level, ok := a.Value.Any().(slog.Level); ok {
			return slog.String(SeverityKey, Severity(level))
		}
	case slog.MessageKey:
		a.Key = MessageKey
	}
	return a
}

type contextKey struct{}

// WithAttrs returns a context whose log records (logged with a *Context method) also carry
// attrs, after any attributes the context already carried.
func WithAttrs(ctx context.Context, attrs ...slog.Attr) context.Context {
	if len(attrs) == 0 {
		return ctx
	}
	existing, _ := ctx.Value(contextKey{}).([]slog.Attr)
	merged := make([]slog.Attr, 0, len(existing)+len(attrs))
	merged = append(append(merged, existing...), attrs...)
	return context.WithValue(ctx, contextKey{}, merged)
}

// contextHandler adds the attributes stored by WithAttrs. They land at the top level unless
// the logger has an open group (logger.WithGroup), so keep trace-carrying loggers group-free.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, record slog.Record) error {
	if attrs, ok := ctx.Value(contextKey{}).([]slog.Attr); ok {
		record = record.Clone() // the record may be shared with other handlers
		record.AddAttrs(attrs...)
	}
	return h.Handler.Handle(ctx, record)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}

// safeLines receives one JSON line per Write (slog's JSONHandler writes each record at once)
// and makes it safe for Cloud Logging: U+2028, U+2029 and U+0085 are escaped, since some log
// readers split lines on them (they occur only inside JSON strings, where an escape means the
// same), and a line over MaxLineBytes is replaced by a short entry.
type safeLines struct{ w io.Writer }

var lineSeparators = strings.NewReplacer("\u2028", `\u2028`, "\u2029", `\u2029`, "\u0085", `\u0085`)

func (s safeLines) Write(p []byte) (int, error) {
	line := []byte(lineSeparators.Replace(string(p)))
	if len(line) > MaxLineBytes {
		line = shortEntry(line)
	}
	if _, err := s.w.Write(line); err != nil {
		return 0, err
	}
	return len(p), nil
}

// shortEntry keeps the severity, time and the start of the message of an oversize entry.
func shortEntry(line []byte) []byte {
	var entry struct {
		Severity string `json:"severity"`
		Message  string `json:"message"`
		Time     string `json:"time"`
		LogError string `json:"logError"`
	}
	_ = json.Unmarshal(line, &entry)
	if len(entry.Message) > 1024 {
		entry.Message = strings.ToValidUTF8(entry.Message[:1024], "")
	}
	entry.LogError = fmt.Sprintf("fields dropped: the entry was %d bytes, over %d", len(line), MaxLineBytes)
	short, _ := json.Marshal(entry)
	return append(bytes.TrimSpace(short), '\n')
}
