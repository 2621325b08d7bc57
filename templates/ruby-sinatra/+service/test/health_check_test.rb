# frozen_string_literal: true

require "test_helper"
require "rack/test"
require_relative "../lib/health_check"

class HealthCheckTest < Minitest::Test
  include Rack::Test::Methods

  def app
    inner = ->(_env) { [200, { "content-type" => "text/plain" }, ["the app"]] }
    HealthCheck.new(inner)
  end

  def test_ready_and_live_answer_ok_while_serving
    %w[/health/ready /health/live].each do |path|
      get path
      assert_equal 200, last_response.status, path
      assert_equal({ "status" => "ok" }, JSON.parse(last_response.body))
    end
  end

  def test_other_methods_answer_405
    post "/health/live"
    assert_equal 405, last_response.status
    assert_equal "GET, HEAD", last_response.headers["allow"]
    assert_equal "METHOD_NOT_ALLOWED", JSON.parse(last_response.body).dig("error", "status")
  end

  def test_other_paths_reach_the_app
    get "/"
    assert_equal "the app", last_response.body
  end
end
