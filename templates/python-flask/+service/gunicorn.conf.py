"""gunicorn settings for Cloud Run; gunicorn reads this file at start-up (see the Dockerfile's
CMD). Only gunicorn's documented settings and hooks: https://docs.gunicorn.org/en/stable/settings.html

On SIGTERM, gunicorn's master (PID 1 in the container) closes its listening socket and tells the
worker to stop: the worker accepts no new connection, answers each request still arriving on an
open keep-alive connection with "Connection: close", lets the requests in flight finish, and
exits as soon as no connection is left; the master then exits 0. A worker still busy after
graceful_timeout is killed (gunicorn logs that at ERROR). SIGINT or SIGQUIT (Ctrl-C in a
terminal) stop at once.
"""

import os
import signal

from app import health, logs

# Cloud Run sends requests to the port in $PORT, on any interface; 8080 when it is unset.
bind = f"0.0.0.0:{os.environ.get('PORT', '8080')}"

# One worker process per vCPU: set WEB_CONCURRENCY to the number of vCPUs when you deploy with
# more than one (--cpu). Each worker serves requests on its threads ("gthread").
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
worker_class = "gthread"
# Cloud Run sends an instance at most containerConcurrency requests at a time (service.yaml:
# keep them in step). A thread that is reading a request waits for its client as long as the
# client takes (gunicorn has no read timeout), so three times as many threads: clients that
# send slowly or stall, even twice that many, never take the last thread from the others.
CONTAINER_CONCURRENCY = 16
threads = 3 * CONTAINER_CONCURRENCY

# No worker timeout: Cloud Run enforces the request timeout itself.
timeout = 0
# Cloud Run sends SIGKILL 10 s after SIGTERM: finish the requests in flight within 8 s.
graceful_timeout = 8
# Keep idle connections longer than Google's front end does (600 s), so the server is never
# the one closing a connection the front end is about to reuse.
keepalive = 620

# The worker heartbeat file lives in memory, so the root file system may be read-only.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn's control socket (for `gunicornc`) is for hosts you log in to, not containers.
control_socket_disable = True

# One JSON line per entry (LOG_FORMAT=pretty: readable lines), gunicorn's own lines included.
# The application logs each request itself, with its trace: no access log of gunicorn's.
_level, _format, _warnings = logs.settings_from_env()
loglevel = _level.lower()
logconfig_dict = logs.logging_config(_level, _format)
logconfig_dict["loggers"] = {
    name: {"level": level, "handlers": [], "propagate": True}
    for name, level in (("gunicorn.error", _level), ("gunicorn.access", "WARNING"))
}


def on_starting(server):
    for warning in _warnings:
        server.log.warning(warning)


def post_worker_init(worker):
    """Once SIGTERM reaches this worker, /health/ready answers 503: gunicorn's own SIGTERM
    handler still runs, this one only sets the flag first."""
    gunicorn_handler = signal.getsignal(signal.SIGTERM)

    def on_sigterm(signum, frame):
        health.draining.set()
        gunicorn_handler(signum, frame)

    signal.signal(signal.SIGTERM, on_sigterm)
    signal.siginterrupt(signal.SIGTERM, False)  # as gunicorn sets it: system calls carry on
