"""`hpccemu serve --workers N` (N > 1): ESP from N processes over one data dir, and the DFU
server as a process of its own, as HPCC runs ``esp`` and ``dfuserver`` apart over one Dali.

* The DFU server process (cluster role ``dfuserver``) opens the data dir, runs start-up recovery
  (and ``--reset``), then consumes the DFU queue from the store. gunicorn starts the ESP workers
  only once it has reported ready, so recovery never meets live work.
* gunicorn (its threaded ``gthread`` workers) serves ESP: every worker process opens its own
  cluster (role ``esp``) after the fork; what they share lives in the store (locks, the WUID
  clock, the queue, package maps, query sets; cluster.py).
* `EspWorker` keeps wsservices/server.py's rules: every socket read or write of a connection
  gives up after ``read_timeout`` (an idle kept-alive connection is closed after it too), and a
  connection beyond ``max_connections`` is answered ``503`` at once and closed.

A crash of the main (gunicorn) process takes its workers and the DFU server process with it at
once, as a crash of a single-process server would (Linux: ``PR_SET_PDEATHSIG``; elsewhere they
notice within a second): no orphan may keep working while the next start's recovery runs. The
DFU server process also holds an exclusive lock on ``<data>/dfuserver.lock`` for its whole life,
so a second DFU server on the same data dir waits (`LOCK_WAIT` seconds, then gives up) before
recovery rather than undo live work.

Not emulated: the bound of connections counts per worker process (N workers accept up to N
times ``max_connections``); a DFU server process that dies is not restarted (ESP keeps
queueing; stop and start the server). Deterministic DFU workunits need one process.
"""
from __future__ import annotations

import errno
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Callable

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import TConn, ThreadWorker

from wsservices.server import _BUSY

THREADS_PER_WORKER = 8
LOCK_WAIT = 60.0
LOCK_NAME = "dfuserver.lock"
_limits = {"read_timeout": 30.0, "max_connections": 100}
_worker_cluster: list = []          # the cluster of this worker process, closed at its exit


class _TimedSocket(socket.socket):
    """A connection whose blocking mode is "block up to read_timeout" (gthread switches
    connections between non-blocking, for its poller, and blocking, to serve a request)."""

    read_timeout: float = 30.0

    def setblocking(self, flag: bool) -> None:
        if flag:
            self.settimeout(self.read_timeout)
        else:
            super().setblocking(False)


class EspWorker(ThreadWorker):
    """gunicorn's threaded worker with ESP's read timeout and bound on connections."""

    def accept(self, listener):
        try:
            sock, address = listener.accept()
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                return
            raise
        if self.nr_conns >= _limits["max_connections"]:
            try:
                sock.settimeout(1)
                sock.sendall(_BUSY)
            except OSError:
                pass
            sock.close()
            return
        timed = _TimedSocket(sock.family, sock.type, sock.proto, fileno=sock.detach())
        timed.read_timeout = _limits["read_timeout"]
        self.nr_conns += 1
        timed.setblocking(True)
        self.enqueue_req(TConn(self.cfg, timed, address, listener.getsockname()))


class _Application(BaseApplication):
    def __init__(self, options: dict, load: Callable):
        self._options = options
        self._load = load
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._load()


def die_with_parent() -> None:
    """Have the kernel SIGKILL this process when its parent dies (Linux; no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def _hold_dfu_server_lock(data_dir) -> object:
    """An exclusive lock on <data>/dfuserver.lock, held until this process ends."""
    import fcntl
    from pathlib import Path

    Path(data_dir).mkdir(parents=True, exist_ok=True)
    handle = open(Path(data_dir) / LOCK_NAME, "a")
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise SystemExit(f"hpccemu: another DFU server holds {Path(data_dir) / LOCK_NAME}")
            time.sleep(0.1)


def _dfu_server_main() -> None:
    """The DFU server process: settings (pickled) on stdin; recovery (and reset), ``ready`` on
    stdout, then the queue until ``stop`` arrives on stdin (a clean stop: jobs are told to
    abort). If stdin ends without it, the ESP server died: so does this process, at once."""
    import logging
    import os

    from wsservices.engine.cluster import Cluster

    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C stops the ESP server, which stops us
    settings, reset_first, level = pickle.load(sys.stdin.buffer)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    lock = _hold_dfu_server_lock(settings.data_dir)
    cluster = Cluster.open(settings, role="dfuserver")
    if reset_first:
        from wsservices.engine.reset import reset

        reset(cluster)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    if sys.stdin.buffer.readline().strip() != b"stop":
        os._exit(1)
    cluster.close()
    lock.close()


def _start_dfu_server(settings, reset_first: bool) -> subprocess.Popen:
    import logging

    child = subprocess.Popen([sys.executable, "-m", "wsservices.prefork"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE)
    pickle.dump((settings, reset_first, logging.getLogger().level), child.stdin)
    child.stdin.flush()
    if child.stdout.readline().strip() != b"ready":
        child.wait()
        raise SystemExit("hpccemu: the DFU server process failed to start (see its log)")
    return child


def serve(settings, workers: int, *, log_requests: bool = False, reset_first: bool = False,
          on_ready: Callable[[int], None] | None = None) -> None:
    """Serve until interrupted. `on_ready(port)` runs in a thread once ESP is listening."""
    from wsservices.app import make_app
    from wsservices.engine.cluster import Cluster
    from wsservices.esp.accesslog import AccessLog

    _limits.update(read_timeout=settings.read_timeout, max_connections=settings.max_connections)
    started = time.time()
    dfu: list[subprocess.Popen] = []

    def on_starting(_arbiter) -> None:
        dfu.append(_start_dfu_server(settings, reset_first))

    def post_fork(_arbiter, _worker) -> None:
        die_with_parent()
        for child in dfu:      # a worker never holds the DFU server's stdin open
            child.stdin.close()
            child.stdout.close()

    def when_ready(arbiter) -> None:
        port = arbiter.LISTENERS[0].sock.getsockname()[1]
        if on_ready is not None:
            threading.Thread(target=on_ready, args=(port,), name="hpccemu-ready", daemon=True).start()

    def on_exit(_arbiter) -> None:
        for child in dfu:
            try:
                child.stdin.write(b"stop\n")
                child.stdin.close()
            except OSError:
                pass
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()

    def worker_exit(_arbiter, _worker) -> None:
        while _worker_cluster:
            _worker_cluster.pop().close()

    def load():
        cluster = Cluster.open(settings, role="esp")
        _worker_cluster.append(cluster)
        return AccessLog(make_app(cluster, started), bodies=log_requests)

    options = {
        "bind": [f"[{settings.host}]:{settings.port}" if ":" in settings.host else
                 f"{settings.host}:{settings.port}"],
        "workers": workers, "worker_class": EspWorker, "threads": THREADS_PER_WORKER,
        "worker_connections": settings.max_connections + THREADS_PER_WORKER + 1,
        "keepalive": max(1, int(settings.read_timeout)), "graceful_timeout": 10,
        "accesslog": None, "loglevel": "warning", "proc_name": "hpccemu-esp",
        "on_starting": on_starting, "when_ready": when_ready, "on_exit": on_exit,
        "post_fork": post_fork, "worker_exit": worker_exit,
    }
    _Application(options, load).run()


if __name__ == "__main__":
    _dfu_server_main()
