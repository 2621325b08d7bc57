# frozen_string_literal: true

# Entry point of the job: `ruby job.rb` (the container runs exactly this, as PID 1). One run is
# one task. The exit status is what Cloud Run records: 0 means the task succeeded, anything else
# means it failed and is retried while --max-retries allows.

require "bundler/setup" # the gems in Gemfile.lock, and only those
require_relative "lib/job_config"
require_relative "lib/structured_logger"
require_relative "lib/task"

log = StructuredLogger.new

begin
  config = JobConfig.from_env(ENV)
rescue ArgumentError => e
  log.error("invalid configuration: #{e.message}")
  exit 1
end

index = config.task_index
# Every line of this task carries its index, count and attempt: filter on them in Logs Explorer.
log = log.child(taskIndex: index, taskCount: config.task_count, taskAttempt: config.task_attempt)
# Cloud Run also names the job and the execution; both are absent when running locally.
execution = { job: ENV.fetch("CLOUD_RUN_JOB", nil), execution: ENV.fetch("CLOUD_RUN_EXECUTION", nil) }.compact
log.info("starting task index #{index} of #{config.task_count} task(s), attempt #{config.task_attempt}",
         **execution, sleepMs: config.sleep_ms, failRate: config.fail_rate)

begin
  processed = Task.run(config, log: log)
  log.info("task #{index} done: #{processed} items processed", processed: processed)
rescue SignalException => e
  # Cloud Run sends SIGTERM when the task times out or the execution is cancelled, and SIGKILL
  # 10 seconds later. Ruby turns SIGTERM (and Ctrl-C's SIGINT) into this exception in the main
  # thread, wherever the work is. Exit with 128 + the signal's number (143 for SIGTERM), as a
  # process killed by it would: as PID 1 a process cannot be killed by its own SIGTERM.
  signal = "SIG#{Signal.signame(e.signo)}"
  log.warn("task #{index} stopped by #{signal} before the work was done", signal: signal)
  exit 128 + e.signo
rescue StandardError => e
  log.error("task #{index} failed: #{e.message}", error: e)
  exit 1
end
