"""gunicorn settings for Cloud Run; gunicorn reads this file at start-up (see the Dockerfile's
CMD). Every setting: https://docs.gunicorn.org/en/stable/settings.html"""

import os

from app import logs, server

# Cloud Run sends requests to the port in $PORT, on any interface; 8080 when it is unset.
bind = f"0.0.0.0:{os.environ.get('PORT', '8080')}"

# Google's guidance for Cloud Run: one worker process per vCPU, each with 8 threads. Set
# WEB_CONCURRENCY to the number of vCPUs when you deploy with more than one (--cpu).
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
threads = 8
# gunicorn's threaded worker with a drain that keeps Cloud Run's shutdown contract.
worker_class = "app.server.CloudRunWorker"

# No worker timeout: Cloud Run enforces the request timeout itself, and gunicorn's would kill a
# worker (and every request in it) in the middle of a legitimately long request.
timeout = 0
# Cloud Run sends SIGKILL 10 s after SIGTERM: finish the requests in flight within 8 s.
graceful_timeout = 8
# Keep idle connections longer than Google's front end does (600 s), so the server is never
# the one closing a connection the front end is about to reuse. On SIGTERM they are closed
# as soon as they are quiet (app/server.py).
keepalive = 620

# The worker heartbeat file lives in memory, so the root file system may be read-only.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn's control socket (for `gunicornc`) is for hosts you log in to, not containers.
control_socket_disable = True

# JSON lines with severity and message, for gunicorn's own lines as well as the app's.
loglevel = (logs.parse_level(os.environ.get("LOG_LEVEL")) or "INFO").lower()
logconfig_dict = server.logging_config(loglevel.upper())

# A second SIGTERM forces the exit; a drain that was cut short exits with status 1.
when_ready = server.when_ready
on_exit = server.on_exit
