"""The application as tests/test_server.py serves it with gunicorn: the real routes, plus a
deliberately slow one and a log line when each request starts, so a test can tell when a
request is in flight. Only the tests use this module; the image never contains it."""

import logging
import time

from flask import request

from app.config import Settings
from app.web import create_app

log = logging.getLogger(__name__)

app = create_app(Settings(project_id="demo-project"))


@app.before_request
def announce() -> None:
    log.info("request started", extra={"path": request.path})


@app.get("/slow")
def slow() -> dict[str, float]:
    seconds = float(request.args.get("seconds", "1"))
    time.sleep(seconds)
    return {"slept": seconds}
