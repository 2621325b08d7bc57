# frozen_string_literal: true

# The Google Cloud project id, which trace fields in log entries need.
#
# Known at once when GOOGLE_CLOUD_PROJECT is set. On Cloud Run (K_SERVICE is set) the metadata
# server knows it: it is asked once, in the background, so requests are served meanwhile (their
# log lines just carry no trace yet). Anywhere else there is no metadata server, and asking would
# only cost a timeout, so it is not asked.

require "net/http"

class ProjectId
  METADATA_URI = URI("http://metadata.google.internal/computeMetadata/v1/project/project-id")

  def initialize(env: ENV, log: nil, fetch: method(:fetch_from_metadata_server))
    @value = env["GOOGLE_CLOUD_PROJECT"].to_s.strip
    @value = nil if @value.empty?
    @on_cloud_run = !env["K_SERVICE"].to_s.empty?
    @log = log
    @fetch = fetch
  end

  # Starts the metadata lookup when it is needed; returns self.
  def start
    return self if @value || !@on_cloud_run || @thread

    @thread = Thread.new do
      @value = @fetch.call
    rescue StandardError => e
      @log&.warn("project id unknown: set GOOGLE_CLOUD_PROJECT to correlate logs with traces", error: e)
    end
    self
  end

  # The project id, or nil while it is not known.
  def call = @value

  # Blocks until the background lookup (if any) has finished.
  def wait
    @thread&.join
    self
  end

  private

  def fetch_from_metadata_server
    response = Net::HTTP.start(METADATA_URI.host, METADATA_URI.port, open_timeout: 2, read_timeout: 2) do |http|
      http.get(METADATA_URI.path, "Metadata-Flavor" => "Google")
    end
    raise "metadata server answered #{response.code}" unless response.is_a?(Net::HTTPSuccess)

    id = response.body.to_s.strip
    raise "metadata server returned an empty project id" if id.empty?

    id
  end
end
