"""How gunicorn serves this application on Cloud Run. gunicorn.conf.py wires it in.

On SIGTERM, gunicorn's master process (PID 1 in the container) closes its listening socket
and tells each worker process to finish its requests within `graceful_timeout`, then kills
what is left. This module adds what Cloud Run's shutdown contract needs on top of that:

CloudRunWorker, gunicorn's threaded worker ("gthread") with a tighter drain:
  * as soon as the drain begins, it accepts the connections already waiting in the kernel's
    backlog and closes its copy of the listening socket, and only then answers with
    "Connection: close": a client that reconnects is refused at once, and none is left waiting
    in a backlog to be reset when the socket closes;
  * it closes a keep-alive connection once it has been idle for QUIET_PERIOD, instead of
    waiting for the keep-alive timeout (gthread would wait out the whole graceful_timeout):
    an idle server exits at once, while a client still sending requests gets them answered
    (with "Connection: close") and then reconnects, and finds the port closed;
  * if requests are still running DRAIN_MARGIN before the master's deadline, it logs that and
    exits with status 1, and so does a quick shutdown (SIGQUIT) that cuts requests off;
  * SIGINT (Ctrl-C reaches the workers too) drains like SIGTERM instead of exiting at once.

when_ready and on_exit, hooks of the master process:
  * a second SIGTERM or SIGINT during the drain means "stop now" (gunicorn itself ignores a
    second SIGTERM): it starts gunicorn's quick shutdown;
  * the process exits with status 1 whenever the drain did not finish cleanly, 0 otherwise.

The worker builds on gunicorn 26.2's gthread internals; tests/test_server.py checks this
behaviour end to end, so run it when you upgrade gunicorn.
"""

from __future__ import annotations

import logging
import mmap
import os
import selectors
import signal
import sys
import time
from concurrent.futures import Future
from functools import partial
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from app import health, logs

log = logging.getLogger(__name__)

# How long a keep-alive connection must have been unused before the drain closes it. A client
# that is still sending requests sends its next one well within this time.
QUIET_PERIOD = 0.1
# How often the draining worker wakes up to close connections that have gone quiet.
DRAIN_TICK = 0.05
# A worker gives up this long before the master's deadline (graceful_timeout), so that it
# exits on its own, with a log line, rather than being killed without one.
DRAIN_MARGIN = 0.5

# One byte of memory shared by the master and the workers it forks: a worker that cuts
# requests off sets it, so the master knows to exit with status 1.
_requests_cut_off = mmap.mmap(-1, 1)


class CloudRunWorker(ThreadWorker):
    """gunicorn's gthread worker with a drain suited to Cloud Run (see the module docstring)."""

    _drain_deadline: float | None = None  # set when the drain begins
    _listeners_closed = False

    def init_signals(self) -> None:
        super().init_signals()
        # Ctrl-C in a terminal sends SIGINT to the workers too: drain, as for SIGTERM, rather
        # than gunicorn's quick exit. The master turns a second signal into SIGQUIT.
        signal.signal(signal.SIGINT, self.handle_exit)

    def handle_exit(self, sig: int, frame: Any) -> None:
        # SIGTERM from the master (or SIGINT from a terminal). Begin the drain on the main
        # thread, between two events, rather than here in the middle of one.
        if self.alive and self._drain_deadline is None:
            self._drain_deadline = time.monotonic() + max(
                self.cfg.graceful_timeout - DRAIN_MARGIN, 0.0
            )
            self.method_queue.defer(self._begin_drain)

    def _begin_drain(self) -> None:
        health.draining.set()  # /health/ready answers 503 from now on
        # 1. Take every connection already waiting in the kernel's backlog (closing the socket
        # would reset them), then close this worker's copy of the listening socket. The master
        # has closed its own; once every worker has, the kernel refuses new connections.
        self.set_accept_enabled(False)
        for listener in self.sockets:
            listener.setblocking(False)
            while True:  # gthread's accept() takes one connection, and none when none waits
                before = self.nr_conns
                super().accept(listener)
                if self.nr_conns == before:
                    break
            listener.close()
        self._listeners_closed = True
        # 2. Only then answer with "Connection: close" (alive False): a client told to close
        # reconnects, and must find the port closed rather than wait in a backlog.
        self.alive = False
        # 3. A keep-alive connection's timeout is "idle since + keepalive"; make it "idle since
        # + QUIET_PERIOD", so murder_keepalived() closes it once it has been quiet that long.
        for conn in self.keepalived_conns:
            idle_since = conn.timeout - self.cfg.keepalive
            conn.timeout = min(conn.timeout, idle_since + QUIET_PERIOD)

    def set_accept_enabled(self, enabled: bool) -> None:
        if not (enabled and self._listeners_closed):  # never accept again once draining
            super().set_accept_enabled(enabled)

    def accept(self, listener: Any) -> None:
        if not self._listeners_closed:  # an event for a listener closed in the same batch
            super().accept(listener)

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        if self._drain_deadline is not None:
            if time.monotonic() >= self._drain_deadline:
                self._cut_off("drain deadline reached")
            timeout = min(timeout, DRAIN_TICK)  # wake up to close connections that went quiet
        super().wait_for_and_dispatch_events(timeout)

    def finish_request(self, conn: Any, fs: Future) -> None:
        # A request that was already running when SIGTERM arrived promised the client a
        # keep-alive connection (its response has no "Connection: close"), and the client may
        # reuse it at once. gthread would close it right away; keep it for QUIET_PERIOD
        # instead, so a request sent on it is still answered (with "Connection: close").
        promised_keep_alive = (
            not self.alive and not fs.cancelled() and fs.exception() is None and fs.result() is True
        )
        if not promised_keep_alive:
            super().finish_request(conn, fs)
            return
        conn.sock.setblocking(False)
        conn.timeout = time.monotonic() + QUIET_PERIOD
        self.keepalived_conns.append(conn)
        self.poller.register(
            conn.sock, selectors.EVENT_READ, partial(self.on_client_socket_readable, conn)
        )

    def _requests_in_flight(self) -> int:
        return self.nr_conns - len(self.keepalived_conns) - len(self.pending_conns)

    def _cut_off(self, reason: str) -> None:
        """Exit now, abandoning the requests still running (their connections close)."""
        in_flight = self._requests_in_flight()
        if in_flight > 0:
            log.error(
                "%s: exiting with %d request(s) still in flight",
                reason,
                in_flight,
                extra={"requestsInFlight": in_flight},
            )
            _requests_cut_off[0] = 1
        # os._exit: sys.exit would wait for the threads still serving those requests.
        os._exit(1 if in_flight > 0 else 0)

    def handle_quit(self, sig: int, frame: Any) -> None:
        # SIGQUIT: the master's quick shutdown, after a second SIGTERM or SIGINT.
        self._cut_off("quick shutdown")


class _Drain:
    started: float | None = None  # when the first SIGTERM or SIGINT arrived
    forced = False  # a second signal arrived


def when_ready(server: Any) -> None:
    """Master hook, run once it listens: take over SIGTERM and SIGINT. The first starts
    gunicorn's graceful shutdown, a second one its quick shutdown."""

    def on_stop_signal(signum: int, frame: Any) -> None:
        if _Drain.started is None:
            _Drain.started = time.monotonic()
            server.signal(signal.SIGTERM, frame)
        else:
            _Drain.forced = True
            server.signal(signal.SIGINT, frame)

    signal.signal(signal.SIGTERM, on_stop_signal)
    signal.signal(signal.SIGINT, on_stop_signal)


def on_exit(server: Any) -> None:
    """Master hook, run just before it exits: status 1 if the drain did not finish cleanly."""
    deadline_passed = (
        _Drain.started is not None
        and time.monotonic() - _Drain.started >= server.cfg.graceful_timeout
    )  # a worker did not even exit on its own (the master killed it)
    if _Drain.forced or deadline_passed or _requests_cut_off[0]:
        server.log.error("stopped without finishing every request")
        sys.exit(1)
    server.log.info("shut down cleanly")


def logging_config(level: str) -> dict[str, Any]:
    """gunicorn's logconfig_dict: its own lines become JSON too, through the root logger."""
    config = logs.logging_config(level)
    config["loggers"] = {
        # Replace gunicorn's plain-text handler; the line propagates to the JSON one.
        "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
        # The application logs every request itself, with its trace; gunicorn's access line
        # would say the same again.
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": True},
    }
    return config
