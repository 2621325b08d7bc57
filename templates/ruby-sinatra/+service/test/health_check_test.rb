# frozen_string_literal: true

require "test_helper"
require "rack/test"
require_relative "../lib/health_check"

class HealthCheckTest < Minitest::Test
  include Rack::Test::Methods

  def setup
    @draining = false
  end

  def app
    inner = ->(_env) { [200, { "content-type" => "text/plain" }, ["the app"]] }
    HealthCheck.new(inner, draining: -> { @draining })
  end

  def test_ready_and_live_answer_ok_while_serving
    %w[/health/ready /health/live].each do |path|
      get path
      assert_equal 200, last_response.status, path
      assert_equal({ "status" => "ok" }, JSON.parse(last_response.body))
    end
  end

  def test_ready_answers_503_while_draining_and_live_stays_ok
    @draining = true
    get "/health/ready"
    assert_equal 503, last_response.status
    assert_equal({ "error" => { "code" => 503, "status" => "UNAVAILABLE", "message" => "draining" } }, JSON.parse(last_response.body))
    get "/health/live"
    assert_equal 200, last_response.status
  end

  def test_other_methods_answer_405
    post "/health/live"
    assert_equal 405, last_response.status
    assert_equal "GET, HEAD", last_response.headers["allow"]
  end

  def test_other_paths_reach_the_app
    get "/"
    assert_equal "the app", last_response.body
  end

  def test_the_drain_flips_the_default_flag
    # The flag is process-wide: a server test that ran earlier (random order) may have drained.
    HealthCheck.instance_variable_set(:@draining, false)
    refute HealthCheck.draining?
    HealthCheck.start_draining!
    assert HealthCheck.draining?
  ensure
    HealthCheck.instance_variable_set(:@draining, false)
  end
end
