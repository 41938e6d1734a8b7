"""The DFU server process of `hpccemu serve --workers N` (prefork.py), and its keeper in the
gunicorn master, as init or systemd keep the real ``dfuserver`` running.

The process (`main`, ``python -m wsservices.dfuserver``): settings (pickled) on stdin; it locks
``<data>/dfuserver.lock`` and writes its pid there, opens the cluster (role ``dfuserver``: start-up
recovery, or after a restart only the recovery of what the dead process left), runs ``--reset``
if asked, writes ``ready`` on stdout, then serves the DFU queue and the XREF build queue until
``stop`` arrives on stdin (a clean stop: jobs are told to abort). If stdin ends without it, the
master died: so does this process, at once.

`DfuServerProcess` starts it and watches it from a thread of the master: when it dies while the
server runs, the death is logged and a new process is started (``restarted``). One that dies
within `STABLE_SECONDS` of its start is started again after a delay that doubles each time, from
`RESTART_DELAY` up to `MAX_RESTART_DELAY`. Its pipes are unbuffered (no lock a fork could copy
while held), and every ESP worker closes its copies after the fork.

Not emulated: the real dfuserver's own restart limits (systemd's ``StartLimitBurst``).
"""
from __future__ import annotations

import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from wsservices.engine.datadir import DFU_SERVER_LOCK

log = logging.getLogger(__name__)

LOCK_WAIT = 60.0
STABLE_SECONDS = 10.0
RESTART_DELAY = 0.5
MAX_RESTART_DELAY = 30.0


def die_with_parent() -> None:
    """Have the kernel SIGKILL this process when its parent dies (Linux; no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def hold_lock(data_dir) -> object:
    """An exclusive lock on <data>/dfuserver.lock, with this process's pid in it, held until
    this process ends (waits up to `LOCK_WAIT` seconds for another holder)."""
    import fcntl

    path = Path(data_dir) / DFU_SERVER_LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a")
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                handle.close()
                raise SystemExit(f"hpccemu: another DFU server holds {path}")
            time.sleep(0.1)
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def main() -> None:
    """The DFU server process (see the module docstring)."""
    from wsservices.engine.cluster import Cluster

    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C stops the ESP server, which stops us
    settings, reset_first, level, restarted = pickle.load(sys.stdin.buffer)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    lock = hold_lock(settings.data_dir)
    cluster = Cluster.open(settings, role="dfuserver", restarted=restarted)
    if reset_first:
        from wsservices.engine.reset import reset

        reset(cluster)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    if sys.stdin.buffer.readline().strip() != b"stop":
        os._exit(1)
    cluster.close()
    lock.close()


def spawn(settings, reset_first: bool = False, restarted: bool = False) -> subprocess.Popen | None:
    """Start a DFU server process and wait until it is ready; None when it failed to start."""
    child = subprocess.Popen([sys.executable, "-m", "wsservices.dfuserver"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, bufsize=0)
    data = memoryview(pickle.dumps((settings, reset_first, logging.getLogger().level, restarted)))
    try:
        while data:
            data = data[child.stdin.write(data):]
        ready = child.stdout.readline().strip() == b"ready"
    except OSError:
        ready = False
    if not ready:
        _close(child)
        child.wait()
        return None
    return child


class DfuServerProcess:
    """The DFU server process of a `serve`, started again whenever it dies (see the module
    docstring). `start` and `stop` run in the master; `close_in_worker` after each fork."""

    def __init__(self, settings, reset_first: bool = False):
        self.settings = settings
        self.reset_first = reset_first
        self.child: subprocess.Popen | None = None
        self.restarts = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    def start(self) -> None:
        """Start the first process (recovery and ``--reset``), then watch it."""
        self.child = spawn(self.settings, self.reset_first)
        if self.child is None:
            raise SystemExit("hpccemu: the DFU server process failed to start (see its log)")
        self._watcher = threading.Thread(target=self._watch, name="hpccemu-dfuserver-keeper", daemon=True)
        self._watcher.start()

    def close_in_worker(self) -> None:
        """In a forked ESP worker: drop its copies of the pipes (a worker never holds the DFU
        server's stdin open)."""
        if self.child is not None:
            _close(self.child)   # unbuffered: no lock the watcher thread held at the fork

    def stop(self, timeout: float = 30.0) -> None:
        """A clean stop of the process; no restart after it."""
        self._stopping.set()
        with self._lock:
            child = self.child
        if child is not None:
            _stop(child, timeout)
        if self._watcher is not None:
            self._watcher.join(timeout)

    def _watch(self) -> None:
        delay = 0.0
        started = time.monotonic()
        while True:
            child = self.child
            try:
                child.stdout.readall()           # until the process ends (it writes no more)
            except OSError:
                pass
            code = child.wait()
            _close(child)
            if self._stopping.is_set():
                return
            lived = time.monotonic() - started
            delay = 0.0 if lived >= STABLE_SECONDS else min(max(delay * 2, RESTART_DELAY), MAX_RESTART_DELAY)
            log.error("the DFU server process (pid %d) %s after %.1f s; starting a new one%s", child.pid,
                      _exit_text(code), lived, f" in {delay:.1f} s" if delay else "")
            while True:
                if self._stopping.wait(delay):
                    return
                started = time.monotonic()
                new = spawn(self.settings, restarted=True)
                if new is not None:
                    break
                delay = min(max(delay * 2, RESTART_DELAY), MAX_RESTART_DELAY)
                log.error("the DFU server process failed to start; next attempt in %.1f s", delay)
            with self._lock:
                if self._stopping.is_set():
                    _stop(new, 30.0)
                    _close(new)
                    return
                self.child = new
                self.restarts += 1
            log.warning("a new DFU server process (pid %d) serves the queue", new.pid)


def _exit_text(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    if code:
        return f"exited with code {code}"
    return "ended"        # (gunicorn's master may have collected its status first)


def _stop(child: subprocess.Popen, timeout: float) -> None:
    """Ask for a clean stop and wait for it (its stdout is the watcher's to close)."""
    try:
        child.stdin.write(b"stop\n")
        child.stdin.close()
    except (OSError, ValueError):
        pass
    try:
        child.wait(timeout)
    except subprocess.TimeoutExpired:
        child.kill()


def _close(child: subprocess.Popen) -> None:
    for pipe in (child.stdin, child.stdout):
        try:
            pipe.close()
        except OSError:
            pass


if __name__ == "__main__":
    main()
