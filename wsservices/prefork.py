"""`hpccemu serve --workers N` (N > 1): ESP from N processes over one data dir, and the DFU
server as a process of its own, as HPCC runs ``esp`` and ``dfuserver`` apart over one Dali.

* The DFU server process (cluster role ``dfuserver``) opens the data dir, runs start-up recovery
  (and ``--reset``), then consumes the DFU queue and the XREF build queue from the store.
  gunicorn starts the ESP workers only once it has reported ready, so recovery never meets live
  work. It locks ``<data>/dfuserver.lock`` for its whole life and writes its pid there (``/health``
  shows it as ``dfu_server_pid``).
* The gunicorn master keeps it running, as init or systemd keep the real ``dfuserver``
  (wsservices/dfuserver.py `DfuServerProcess`): when it dies while the server runs, the master
  logs it and starts a new one, which recovers what the dead one left (its started workunits are
  failed, engine/recovery.py `recover_dfu_server`) and takes the queues on; ESP keeps queueing
  meanwhile. One that keeps dying at start is started again less and less often.
* gunicorn (its threaded ``gthread`` workers) serves ESP: every worker process opens its own
  cluster (role ``esp``) after the fork; what they share lives in the store (locks, the WUID
  clock, the queues, package maps, query sets; cluster.py).
* `EspWorker` keeps wsservices/server.py's rules: every socket read or write of a connection
  gives up after ``read_timeout`` (an idle kept-alive connection is closed after it too), and a
  connection beyond ``max_connections`` is answered ``503`` at once and closed. The bound is the
  server's, not each worker's: the workers count their open connections in memory they share
  with the master (`Connections`, one slot per worker, the sum checked and raised under one
  lock), and the master clears the slot of a worker that dies. (A share of ceil(max/N) per
  worker was not chosen: gunicorn does not spread connections evenly, so one busy worker would
  refuse while the server is under its bound.)

A crash of the main (gunicorn) process takes its workers and the DFU server process with it at
once, as a crash of a single-process server would (Linux: ``PR_SET_PDEATHSIG``; elsewhere they
notice within a second): no orphan may keep working while the next start's recovery runs. The
DFU server's lock makes a second DFU server on the same data dir wait (``dfuserver.LOCK_WAIT``
seconds, then give up) before recovery rather than undo live work.

Not emulated: deterministic DFU workunits need one process; a worker added with gunicorn's TTIN
signal beyond the first N shares a connection slot with another worker.
"""
from __future__ import annotations

import errno
import multiprocessing
import socket
import threading
import time
from contextlib import contextmanager
from typing import Callable

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import TConn, ThreadWorker

from wsservices.dfuserver import DfuServerProcess, die_with_parent
from wsservices.server import _BUSY

THREADS_PER_WORKER = 8
_limits = {"read_timeout": 30.0}
_connections: list["Connections"] = []   # the server-wide count, created by `serve` before the fork
_worker_cluster: list = []          # the cluster of this worker process, closed at its exit


class Connections:
    """The open connections of every ESP worker process, in memory shared across the fork: one
    counter per worker slot, so that the master can clear the count of a worker that died."""

    def __init__(self, limit: int, slots: int):
        self.limit = limit
        self._counts = multiprocessing.RawArray("i", max(1, slots))
        self._lock = multiprocessing.Lock()

    @property
    def slots(self) -> int:
        return len(self._counts)

    def take(self, slot: int) -> bool:
        """Count one more connection of `slot` unless the server holds `limit` already."""
        with self._locked():
            if sum(self._counts) >= self.limit:
                return False
            self._counts[slot] += 1
            return True

    def add(self, slot: int, delta: int) -> None:
        with self._locked():
            self._counts[slot] = max(0, self._counts[slot] + delta)

    def clear(self, slot: int) -> None:
        with self._locked():
            self._counts[slot] = 0

    def total(self) -> int:
        return sum(self._counts)

    @contextmanager
    def _locked(self):
        """The lock, unless a process that died holding it keeps it (then go on without: a
        count off by one beats a server that stops answering)."""
        held = self._lock.acquire(timeout=1.0)
        try:
            yield
        finally:
            if held:
                self._lock.release()


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
    """gunicorn's threaded worker with ESP's read timeout and the server-wide bound on
    connections (gthread's own count, ``nr_conns``, is mirrored into `Connections`)."""

    slot = 0            # this worker's counter in `Connections` (set by the master before the fork)
    _open = 0

    @property
    def nr_conns(self) -> int:
        return self._open

    @nr_conns.setter
    def nr_conns(self, value: int) -> None:   # gthread lowers it when it closes a connection
        delta, self._open = value - self._open, value
        if delta and _connections:
            _connections[0].add(self.slot, delta)

    def accept(self, listener):
        try:
            sock, address = listener.accept()
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                return
            raise
        if _connections and not _connections[0].take(self.slot):
            try:
                sock.settimeout(1)
                sock.sendall(_BUSY)
            except OSError:
                pass
            sock.close()
            return
        timed = _TimedSocket(sock.family, sock.type, sock.proto, fileno=sock.detach())
        timed.read_timeout = _limits["read_timeout"]
        self._open += 1     # counted by `take` already
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


def serve(settings, workers: int, *, log_requests: bool = False, reset_first: bool = False,
          on_ready: Callable[[int], None] | None = None) -> None:
    """Serve until interrupted. `on_ready(port)` runs in a thread once ESP is listening."""
    from wsservices.app import make_app
    from wsservices.engine.cluster import Cluster
    from wsservices.esp.accesslog import AccessLog

    _limits.update(read_timeout=settings.read_timeout)
    _connections[:] = [connections := Connections(settings.max_connections, workers)]
    started = time.time()
    dfu = DfuServerProcess(settings, reset_first)

    def on_starting(_arbiter) -> None:
        dfu.start()

    def pre_fork(arbiter, worker) -> None:
        used = {w.slot for w in arbiter.WORKERS.values()}
        free = [i for i in range(connections.slots) if i not in used]
        worker.slot = free[0] if free else worker.age % connections.slots

    def post_fork(_arbiter, _worker) -> None:
        die_with_parent()
        dfu.close_in_worker()

    def child_exit(arbiter, worker) -> None:   # its open connections are gone with it
        if all(w.slot != worker.slot for w in arbiter.WORKERS.values()):
            connections.clear(worker.slot)

    def when_ready(arbiter) -> None:
        port = arbiter.LISTENERS[0].sock.getsockname()[1]
        if on_ready is not None:
            threading.Thread(target=on_ready, args=(port,), name="hpccemu-ready", daemon=True).start()

    def on_exit(_arbiter) -> None:
        dfu.stop()

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
        "pre_fork": pre_fork, "post_fork": post_fork, "child_exit": child_exit, "worker_exit": worker_exit,
    }
    _Application(options, load).run()


