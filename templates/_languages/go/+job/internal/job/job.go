// Package job is the work one Cloud Run job task does. Every task of an execution runs the same
// container; each takes its own share of the work by its index, so tasks run in parallel
// without coordinating, and a retried task redoes only its own share.
package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// ErrSimulatedFailure is returned when FAIL_RATE decided that the task fails.
var ErrSimulatedFailure = errors.New("simulated failure (FAIL_RATE)")

// Items is the whole execution's work list. Every task builds the same list and processes its
// own shard. Replace it with your real work: object names, row ranges, customer ids...
func Items() []string {
	items := make([]string, 10)
	for i := range items {
		items[i] = fmt.Sprintf("item-%02d", i)
	}
	return items
}

// Shard returns the items that belong to task index of count: item i goes to task i % count.
// Shares differ by at most one item, and together the tasks cover every item exactly once.
func Shard[T any](items []T, index, count int) []T {
	var mine []T
	for i := index; i < len(items); i += count {
		mine = append(mine, items[i])
	}
	return mine
}

// Run does this task's share of the work. It returns ctx's error as soon as ctx is cancelled
// (SIGTERM), ErrSimulatedFailure when random() falls below cfg.FailRate, and nil on success.
func Run(ctx context.Context, logger *slog.Logger, cfg Config, random func() float64) error {
	logger.InfoContext(ctx, fmt.Sprintf("Starting task #%d of %d, attempt #%d", cfg.Index, cfg.Count, cfg.Attempt),
		"taskIndex", cfg.Index, "taskCount", cfg.Count, "taskAttempt", cfg.Attempt)

	mine := Shard(Items(), cfg.Index, cfg.Count)
	if err := sleep(ctx, cfg.Sleep); err != nil {
		return err
	}
	for _, item := range mine {
		if err := ctx.Err(); err != nil {
			return err
		}
		logger.InfoContext(ctx, "processed "+item, "item", item, "taskIndex", cfg.Index)
	}

	if random() < cfg.FailRate { // random() is in [0, 1): FAIL_RATE=1 always fails, 0 never
		return ErrSimulatedFailure
	}
	logger.InfoContext(ctx, fmt.Sprintf("Completed task #%d of %d", cfg.Index, cfg.Count),
		"taskIndex", cfg.Index, "taskCount", cfg.Count, "taskAttempt", cfg.Attempt, "items", len(mine))
	return nil
}

// sleep simulates work for d, returning early with ctx's error when ctx is cancelled.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
