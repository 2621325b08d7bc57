# frozen_string_literal: true

require "test_helper"
require_relative "../lib/project_id"

class ProjectIdTest < Minitest::Test
  include TestHelpers

  def test_google_cloud_project_wins_and_nothing_is_asked
    id = ProjectId.new(env: { "GOOGLE_CLOUD_PROJECT" => "demo", "K_SERVICE" => "s" }, fetch: -> { flunk "asked" })

    assert_equal "demo", id.start.wait.call
  end

  def test_the_metadata_server_is_asked_only_on_cloud_run
    local = ProjectId.new(env: {}, fetch: -> { flunk "asked outside Cloud Run" })
    assert_nil local.start.wait.call

    on_cloud_run = ProjectId.new(env: { "K_SERVICE" => "s" }, fetch: -> { "from-metadata" })
    assert_equal "from-metadata", on_cloud_run.start.wait.call
  end

  def test_a_failed_lookup_is_logged_and_leaves_no_project
    log, io = capture_log
    id = ProjectId.new(env: { "K_SERVICE" => "s" }, log: log, fetch: -> { raise "no metadata server" })

    assert_nil id.start.wait.call
    assert_equal "WARNING", entries(io).first["severity"]
  end
end
