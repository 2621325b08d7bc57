"""Starts the service: uvicorn serves the FastAPI application (app/web.py) on 0.0.0.0:$PORT.

`python main.py --reload` is the development loop: uvicorn restarts the application when a
Python file changes, and log lines are pretty unless LOG_FORMAT says otherwise. Settings:
https://www.uvicorn.org/settings/"""

import logging.config
import os
import signal
import sys

import uvicorn

from app import logs
from app.web import create_app


def main(argv: list[str]) -> None:
    reload = "--reload" in argv
    level, log_format, warnings = logs.settings_from_env()  # LOG_LEVEL, LOG_FORMAT
    if reload and not os.environ.get("LOG_FORMAT"):
        log_format = "pretty"  # the dev loop is read in a terminal
    log_config = logs.logging_config(level, log_format)
    options = {
        # Cloud Run sends requests to the port in $PORT, on any interface; 8080 when it is unset.
        "host": "0.0.0.0",
        "port": int(os.environ.get("PORT") or 8080),
        "log_config": log_config,
        "access_log": False,  # app/requestlog.py logs each request, with its trace
        "server_header": False,
        # Keep idle connections longer than Google's front end does (600 s), so the server is
        # never the one closing a connection the front end is about to reuse.
        "timeout_keep_alive": 620,
        # Cloud Run sends SIGKILL 10 s after SIGTERM: requests in flight get 8 s to finish.
        "timeout_graceful_shutdown": 8,
    }
    if reload:
        uvicorn.run("app.web:create_app", factory=True, reload=True, **options)
        return
    logging.config.dictConfig(log_config)
    for warning in warnings:
        logging.getLogger(__name__).warning(warning)
    # On SIGTERM (or Ctrl-C) uvicorn closes its socket and idle connections, lets the requests
    # in flight finish (answered with "Connection: close"), then raises the signal again for the
    # handler that was there before its own: this one, so that the process exits with status 0.
    for stop in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop, lambda *_: sys.exit(0))
    server = uvicorn.Server(
        uvicorn.Config(create_app(is_draining=lambda: server.should_exit), **options)
    )
    server.run()


if __name__ == "__main__":
    main(sys.argv[1:])
