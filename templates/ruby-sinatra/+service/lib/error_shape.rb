# frozen_string_literal: true

# The one shape of every error response of the service (the app's and Puma's own):
#   {"error": {"code": 413, "status": "PAYLOAD_TOO_LARGE", "message": "..."}}
# `code` is the HTTP status, `status` its canonical name, `message` text for a human.
module ErrorShape
  STATUS_NAMES = {
    400 => "INVALID_ARGUMENT",
    404 => "NOT_FOUND",
    405 => "METHOD_NOT_ALLOWED",
    413 => "PAYLOAD_TOO_LARGE",
    500 => "INTERNAL",
    503 => "UNAVAILABLE"
  }.freeze

  # Request bodies over this many bytes are refused unless MAX_BODY_BYTES says otherwise.
  DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024

  def self.body(code, message)
    status = STATUS_NAMES.fetch(code) { code >= 500 ? "INTERNAL" : "INVALID_ARGUMENT" }
    { error: { code: code, status: status, message: message } }
  end

  # A MAX_BODY_BYTES value: the default when empty.
  def self.max_body_bytes(text)
    return DEFAULT_MAX_BODY_BYTES if text.to_s.strip.empty?
    return text.to_i if text.match?(/\A\d+\z/) && text.to_i.positive?

    raise ArgumentError, "MAX_BODY_BYTES must be a positive number of bytes, got #{text.inspect}"
  end
end
