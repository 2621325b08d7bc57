# frozen_string_literal: true

require "test_helper"
require "rack/test"
require_relative "../app"
require_relative "../lib/request_logger"

class AppTest < Minitest::Test
  include Rack::Test::Methods
  include TestHelpers

  def setup
    @log, @log_io = capture_log
  end

  # The app as config.ru builds it: behind the request logger, here with a known project.
  def app
    log = @log
    sinatra = @app_class || App
    Rack::Builder.app do
      use RequestLogger, log: log, project_id: -> { "demo-project" }
      run sinatra
    end
  end

  def json_body = JSON.parse(last_response.body)

  def test_get_root_answers_200_with_json
    get "/"

    assert_equal 200, last_response.status
    assert_equal "application/json", last_response.media_type
    assert_equal "Hello from Cloud Run!", json_body["message"]
  end

  def test_get_root_shows_the_cloud_run_service_and_revision_when_set
    @app_class = Class.new(App) { set :runtime, { service: "my-api", revision: "my-api-00001-abc" } }
    get "/"

    assert_equal "my-api", json_body["service"]
    assert_equal "my-api-00001-abc", json_body["revision"]
  end

  def test_post_root_reads_the_json_body_logs_it_and_answers_200
    post "/", JSON.generate(hello: "world"), "CONTENT_TYPE" => "application/json"

    assert_equal 200, last_response.status
    assert_equal({ "received" => true, "kind" => "json", "id" => nil }, json_body)
    event_log = entries(@log_io).find { |e| e["message"] == "received json event" }
    assert_equal({ "hello" => "world" }, event_log["body"])
  end

  def test_post_root_recognises_a_pubsub_push
    push = { message: { data: "aGk=", messageId: "123" }, subscription: "projects/p/subscriptions/s" }
    post "/", JSON.generate(push), "CONTENT_TYPE" => "application/json"

    assert_equal 200, last_response.status
    assert_equal "pubsub", json_body["kind"]
    assert_equal "123", json_body["id"]
  end

  def test_post_root_recognises_a_cloudevent_in_binary_mode
    post "/", "{}", "CONTENT_TYPE" => "application/json", "HTTP_CE_ID" => "ev-1", "HTTP_CE_TYPE" => "t"

    assert_equal "cloudevent", json_body["kind"]
    assert_equal "ev-1", json_body["id"]
  end

  def test_post_root_accepts_any_content_type
    post "/", "{}", "CONTENT_TYPE" => "text/plain"

    assert_equal 200, last_response.status
  end

  def test_post_root_refuses_invalid_json_with_400
    post "/", "{not json", "CONTENT_TYPE" => "application/json"

    assert_equal 400, last_response.status
    assert_equal "INVALID_ARGUMENT", json_body["error"]["status"]
    assert_match(/invalid JSON/, json_body["error"]["message"])
  end

  def test_post_root_refuses_empty_non_finite_too_deep_and_non_utf8_bodies_with_400
    ["", "  ", '{"x": NaN}', "[Infinity]", "#{"[" * 200}#{"]" * 200}", "\"\xff\""].each do |body|
      post "/", body, "CONTENT_TYPE" => "application/json"

      assert_equal 400, last_response.status, body.inspect
      assert_equal({ "code" => 400, "status" => "INVALID_ARGUMENT" }, json_body["error"].slice("code", "status"))
    end
  end

  def test_post_root_refuses_a_body_over_10_mb_with_413
    post "/", "x" * (App::MAX_BODY_BYTES + 1), "CONTENT_TYPE" => "application/json"

    assert_equal 413, last_response.status
    assert_equal "PAYLOAD_TOO_LARGE", json_body["error"]["status"]
  end

  def test_other_methods_on_a_known_path_answer_405_with_allow
    delete "/"

    assert_equal 405, last_response.status
    assert_equal "GET, HEAD, POST", last_response.headers["Allow"].split(", ").sort.join(", ")
    assert_equal "METHOD_NOT_ALLOWED", json_body["error"]["status"]
  end

  def test_large_bodies_are_logged_by_size_only
    post "/", JSON.generate(data: "x" * 5000), "CONTENT_TYPE" => "application/json"

    event_log = entries(@log_io).find { |e| e["message"] == "received json event" }
    refute event_log.key?("body")
    assert_operator event_log["bodyBytes"], :>, 5000
  end

  def test_unknown_paths_answer_404_with_json
    get "/nope"

    assert_equal 404, last_response.status
    assert_equal({ "code" => 404, "status" => "NOT_FOUND" }, json_body["error"].slice("code", "status"))
  end

  def test_an_exception_answers_500_without_details_and_logs_the_stack_trace
    @app_class = Class.new(App) { get("/boom") { raise "secret internals" } }
    get "/boom"

    assert_equal 500, last_response.status
    assert_equal({ "code" => 500, "status" => "INTERNAL", "message" => "internal error" }, json_body["error"])
    failure = entries(@log_io).find { |e| e["message"] == "GET /boom failed" }
    assert_equal "ERROR", failure["severity"]
    assert_match(/RuntimeError: secret internals/, failure["stack_trace"])
  end

  def test_no_route_ends_in_z_which_cloud_run_reserves
    paths = App.routes.values.flatten(1).map { |route| route.first.to_s }
    refute_empty paths
    paths.each { |path| refute path.end_with?("z"), "#{path} ends in z" }
  end
end
