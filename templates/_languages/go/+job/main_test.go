package main

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestJobSaysWhichTaskItIsAndExitsZero(t *testing.T) {
	p := startProcess(t, "CLOUD_RUN_TASK_INDEX=1", "CLOUD_RUN_TASK_COUNT=3", "CLOUD_RUN_TASK_ATTEMPT=2")
	if code, _ := p.waitExit(5 * time.Second); code != 0 {
		t.Fatalf("exit status = %d, want 0", code)
	}
	logs := p.logs()
	first := logs[0]
	if message, _ := first["message"].(string); !strings.Contains(message, "task #1 of 3") || first["severity"] != "INFO" {
		t.Errorf("first line = %v, want an INFO line naming task #1 of 3", first)
	}
	if first["taskIndex"] != float64(1) || first["taskCount"] != float64(3) || first["taskAttempt"] != float64(2) {
		t.Errorf("first line = %v, want taskIndex 1, taskCount 3, taskAttempt 2 as numbers", first)
	}
	p.waitForLog("Completed task #1 of 3", time.Second)
}

func TestJobFailsWithFailRateOne(t *testing.T) {
	p := startProcess(t, "FAIL_RATE=1")
	if code, _ := p.waitExit(5 * time.Second); code != 1 {
		t.Fatalf("exit status = %d, want 1", code)
	}
	if line := p.waitForLog("failed", time.Second); line["severity"] != "ERROR" {
		t.Errorf("failure line = %v, want severity ERROR", line)
	}
}

func TestJobRejectsInvalidSettings(t *testing.T) {
	p := startProcess(t, "FAIL_RATE=sometimes")
	if code, _ := p.waitExit(5 * time.Second); code != 1 {
		t.Fatalf("exit status = %d, want 1", code)
	}
	if line := p.waitForLog("FAIL_RATE", time.Second); line["severity"] != "ERROR" {
		t.Errorf("configuration error = %v, want severity ERROR", line)
	}
}

func TestJobStopsOnSIGTERMWith143(t *testing.T) {
	p := startProcess(t, "SLEEP_MS=60000")
	p.waitForLog("Starting task", 5*time.Second)

	p.signal(syscall.SIGTERM)
	code, took := p.waitExit(5 * time.Second)
	if code != 143 {
		t.Errorf("exit status after SIGTERM = %d, want 143", code)
	}
	if took > time.Second {
		t.Errorf("took %s to stop after SIGTERM, want well under a second", took)
	}
	if line := p.waitForLog("stopped by", time.Second); line["severity"] != "WARNING" {
		t.Errorf("stop line = %v, want severity WARNING", line)
	}
}
