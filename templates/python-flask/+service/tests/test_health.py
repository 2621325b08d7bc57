"""The probes' health endpoints, through Flask's test client."""

from app.config import Settings
from app.web import create_app


def client(draining=False):
    return create_app(Settings(), is_draining=lambda: draining).test_client()


def test_ready_and_live_answer_ok_while_serving():
    for path in ("/health/ready", "/health/live"):
        response = client().get(path)
        assert response.status_code == 200, path
        assert response.json == {"status": "ok"}


def test_ready_answers_503_while_draining_and_live_stays_ok():
    response = client(draining=True).get("/health/ready")
    assert response.status_code == 503
    assert response.json == {"error": {"code": 503, "status": "UNAVAILABLE", "message": "draining"}}
    assert client(draining=True).get("/health/live").status_code == 200


def test_probes_are_not_logged_at_info(json_logs):
    test_client = client()
    test_client.get("/health/ready")
    test_client.get("/health/live")
    test_client.get("/")
    lines = json_logs()
    assert [line["path"] for line in lines if "path" in line and line["severity"] != "DEBUG"] == [
        "/"
    ]
