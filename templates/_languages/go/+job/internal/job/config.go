package job

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Task says which task of its execution this process is. Cloud Run sets CLOUD_RUN_TASK_INDEX
// (0-based), CLOUD_RUN_TASK_COUNT and CLOUD_RUN_TASK_ATTEMPT (0 on the first try, 1 on the
// first retry...).
type Task struct {
	Index   int
	Count   int
	Attempt int
}

// Config is the task plus the knobs of Google's Cloud Run job samples, which let you try
// retries and timeouts without writing a failing job.
type Config struct {
	Task
	Sleep    time.Duration // SLEEP_MS: simulated work per task
	FailRate float64       // FAIL_RATE: probability, 0 to 1, that the task fails
}

// ConfigFromEnv reads the configuration, with Cloud Run's defaults for unset variables, and
// reports every invalid value at once.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var problems []error
	integer := func(name string, fallback, min int) int {
		text := strings.TrimSpace(getenv(name))
		if text == "" {
			return fallback
		}
		n, err := strconv.Atoi(text)
		if err != nil || n < min {
			problems = append(problems, fmt.Errorf("%s=%q: want a whole number of at least %d", name, text, min))
			return fallback
		}
		return n
	}

	cfg := Config{Task: Task{
		Index:   integer("CLOUD_RUN_TASK_INDEX", 0, 0),
		Count:   integer("CLOUD_RUN_TASK_COUNT", 1, 1),
		Attempt: integer("CLOUD_RUN_TASK_ATTEMPT", 0, 0),
	}}
	cfg.Sleep = time.Duration(integer("SLEEP_MS", 0, 0)) * time.Millisecond
	if cfg.Index >= cfg.Count {
		problems = append(problems, fmt.Errorf("CLOUD_RUN_TASK_INDEX=%d: must be below CLOUD_RUN_TASK_COUNT=%d", cfg.Index, cfg.Count))
	}
	if text := strings.TrimSpace(getenv("FAIL_RATE")); text != "" {
		rate, err := strconv.ParseFloat(text, 64)
		if err != nil || !(rate >= 0 && rate <= 1) { // also rejects NaN
			problems = append(problems, fmt.Errorf("FAIL_RATE=%q: want a number from 0 to 1", text))
		} else {
			cfg.FailRate = rate
		}
	}
	return cfg, errors.Join(problems...)
}
