# frozen_string_literal: true

# Settings come from the environment. Cloud Run sets the CLOUD_RUN_* values on every task;
# SLEEP_MS and FAIL_RATE are yours (`./deploy.sh --env` or `gcloud run jobs update
# --set-env-vars`) to try retries and timeouts, as in Google's job samples.
JobConfig = Data.define(:task_index, :task_count, :task_attempt, :sleep_ms, :fail_rate)

class JobConfig
  # Raises ArgumentError, naming the variable, when a value is not valid.
  def self.from_env(env = ENV)
    config = new(
      # Which task of the execution this is (0-based) and how many tasks there are in total.
      task_index: integer(env, "CLOUD_RUN_TASK_INDEX", default: 0, min: 0),
      task_count: integer(env, "CLOUD_RUN_TASK_COUNT", default: 1, min: 1),
      # 0 on the first try, then 1, 2, ... when the task is retried (--max-retries).
      task_attempt: integer(env, "CLOUD_RUN_TASK_ATTEMPT", default: 0, min: 0),
      # Simulated work per task, in milliseconds.
      sleep_ms: integer(env, "SLEEP_MS", default: 0, min: 0),
      # Probability (0..1) that the task fails, to see retries at work.
      fail_rate: rate(env, "FAIL_RATE")
    )
    if config.task_index >= config.task_count
      raise ArgumentError, "CLOUD_RUN_TASK_INDEX (#{config.task_index}) must be below " \
                           "CLOUD_RUN_TASK_COUNT (#{config.task_count})"
    end
    config
  end

  def self.integer(env, name, default:, min:)
    text = env[name].to_s.strip
    return default if text.empty?

    value = Integer(text, 10, exception: false)
    if value.nil? || value < min
      raise ArgumentError,
            "#{name} must be a whole number of at least #{min}, got #{env[name].inspect}"
    end

    value
  end

  def self.rate(env, name)
    text = env[name].to_s.strip
    return 0.0 if text.empty?

    value = Float(text, exception: false)
    if value.nil? || !value.between?(
      0, 1
    )
      raise ArgumentError,
            "#{name} must be a number from 0 to 1, got #{env[name].inspect}"
    end

    value
  end
  private_class_method :integer, :rate
end
