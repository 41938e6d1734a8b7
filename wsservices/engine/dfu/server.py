"""The DFU server: a job queue served by background workers that run DFU workunits.

Submitting sets the workunit `queued` in the store (the queue is the store, as Dali holds the
real one), clears its progress and exceptions; a worker claims the oldest queued one
(``queued`` -> ``started`` in one transaction, `WorkunitStore.claim_queued`), runs the job for
its command, and ends it `finished`, `failed` (the exception recorded) or `aborted`
(filespray.md §4.5). Workers wake at once for work submitted in their own process and poll the
store for work submitted by other processes (ESP workers, `hpccemu serve --workers N`). In
deterministic mode (tests; one process only) the job runs inside `submit`, so it has finished
before the service replies.

Abort (decided on the stored state, in one transaction): a queued workunit becomes `aborted`
at once and is never claimed; a running one becomes `aborting` in the store; its job, which
looks at the store every `POLL_SECONDS` and at each progress save (which never overwrites an
abort, `WorkunitStore.save_running`), stops at its next check with "Copy failed - User Abort"
and ends `aborted`. After a crash (recovery.py), workunits found `started`, `blocked` or
`aborting` are failed, their temporary files removed and their read locks dropped (a job only
switches its files into place at its very end, through a recorded intent); `queued` ones stay
queued and run.

Not emulated: several queues with their own listeners (one pool serves every queue),
scheduled workunits, monitors.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from wsservices.engine.dali.catalog import catalog
from wsservices.engine.dfu import workunits as W
from wsservices.engine.dfu.failures import unexpected_failure
from wsservices.engine.dfu.writer import temporary_files
from wsservices.engine.errors import DomainError

log = logging.getLogger(__name__)

USER_ABORT_CODE = 8196
#: What a workunit that a crash stopped is failed with. The real DFU server records nothing: a
#: workunit it meets again in state started or aborting is set to aborted, with only the log line
#: "DFURUN: Workunit <wuid> aborted" (dali/dfu/dfurun.cpp runWU). The emulator fails it with this
#: text instead, so that a script polling the workunit learns why it ended.
CRASH_MESSAGE = "The DFU server stopped while this workunit was running"
#: How often idle workers look for work queued by other processes, and how often a running job
#: looks for an abort asked for by another process (seconds).
POLL_SECONDS = 0.05


def lock_holder(wuid: str) -> str:
    """Who a DFU job's Dali locks belong to, as lock messages name it."""
    return f"DFU workunit {wuid}"


class AbortRequested(DomainError):
    code = USER_ABORT_CODE

    def __init__(self) -> None:
        super().__init__("Copy failed - User Abort")


class JobContext:
    """What a running job sees: its workunit, progress reporting and the abort flag."""

    def __init__(self, server: "DfuServer", wu: W.DfuWorkunit, abort: threading.Event):
        self.server = server
        self.cluster = server.cluster
        self.wu = wu
        self._abort = abort
        self._started = time.monotonic()
        self._last_save = 0.0
        self._last_bytes = (0, self._started)
        self._last_poll = self._started

    def check_abort(self) -> None:
        self._poll_abort()
        if self._abort.is_set():
            raise AbortRequested()

    def pause(self, seconds: float) -> None:
        """Wait (throttling), returning early with AbortRequested if an abort arrives."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self._abort.wait(min(left, POLL_SECONDS)):
                raise AbortRequested()
            self.check_abort()

    def save(self) -> None:
        """Save the job's copy of its workunit, keeping an abort another process asked for."""
        if self.server.workunits.save_running(self.wu):
            self._abort.set()

    def _poll_abort(self) -> None:
        now = time.monotonic()
        if not self._abort.is_set() and now - self._last_poll >= POLL_SECONDS:
            self._last_poll = now
            if self.server.workunits.stored_state(self.wu.wuid) == W.ABORTING:
                self.wu.state = W.ABORTING
                self._abort.set()

    def report(self, done_bytes: int, total_bytes: int, slaves_done: int, total_nodes: int,
               force: bool = False) -> None:
        """Record progress from the bytes moved so far; saved at most 5 times a second."""
        now = time.monotonic()
        p = self.wu.progress
        elapsed = max(now - self._started, 1e-6)
        p.done_bytes, p.total_bytes = done_bytes, total_bytes
        p.slaves_done, p.total_nodes = slaves_done, total_nodes
        p.percent_done = 100 if total_bytes == 0 else min(100, done_bytes * 100 // total_bytes)
        gone_ms = int(elapsed * 1000)  # daftprogress: a job that took no time keeps the total KB
        p.kb_per_sec_ave = done_bytes // 1024 * 1000 // gone_ms if gone_ms else done_bytes // 1024
        last_done, last_time = self._last_bytes
        if now > last_time:
            p.kb_per_sec = int((done_bytes - last_done) / 1024 / (now - last_time))
        self._last_bytes = (done_bytes, now)
        if total_bytes and done_bytes == total_bytes:  # displaySummary -> setDone: the average
            p.kb_per_sec = p.kb_per_sec_ave
        rate = done_bytes / elapsed
        p.secs_left = int((total_bytes - done_bytes) / rate) if rate > 0 else 0
        if force or now - self._last_save >= 0.2:
            self._last_save = now
            self.save()

    def set_done(self, time_taken: str) -> None:
        """IDFUprogress::setDone(timeTaken, 0, true) as a job without a transfer calls it
        (a rename): 100% done, the job's own time text, no rate."""
        p = self.wu.progress
        p.percent_done, p.time_taken_text, p.kb_per_sec, p.kb_per_sec_ave = 100, time_taken, 0, 0
        self.save()

    def finish_timing(self) -> None:
        self.wu.progress.time_taken_ms = int((time.monotonic() - self._started) * 1000)


Job = Callable[[JobContext], None]


class DfuServer:
    def __init__(self, cluster, workunits: W.WorkunitStore, jobs: dict[int, Job], workers: int = 2,
                 deterministic: bool = False, name: str = "mydfuserver"):
        self.cluster = cluster
        self.workunits = workunits
        self.jobs = jobs
        self.deterministic = deterministic
        self.name = name
        self._wake = threading.Event()
        self._stopping = False
        self._running: dict[str, tuple[threading.Event, W.DfuWorkunit]] = {}
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._serve, name=f"dfu-worker-{i}", daemon=True)
                         for i in range(0 if deterministic else max(1, workers))]

    # -- lifecycle ---------------------------------------------------------
    def start(self) -> None:
        """Start the workers (after `recover`, which start-up recovery calls first)."""
        for t in self._threads:
            t.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping = True
        for event, _ in list(self._running.values()):
            event.set()
        self._wake.set()
        for t in self._threads:
            if t.ident is not None:
                t.join(timeout)

    def recover(self) -> int:
        """Fail the workunits a crash stopped (their temporary files removed, their read locks
        dropped); queued ones stay queued in the store. Returns how many were failed."""
        lost = self.interrupted()
        for wu in lost:
            self._remove_temporary_files(wu.wuid)
            catalog(self.cluster).locks.release(lock_holder(wu.wuid))
            self._record_failure(wu, DomainError(CRASH_MESSAGE, -1))
            wu.state = W.FAILED
            wu.time_stopped = W.now_utc()
            self.workunits.save(wu)
        return len(lost)

    def interrupted(self) -> list[W.DfuWorkunit]:
        """The workunits a job of a DFU server was running (`recover` fails them)."""
        return self.workunits.in_states(W.STARTED, W.ABORTING, W.BLOCKED)

    # -- requests from FileSpray -------------------------------------------
    def submit(self, wu: W.DfuWorkunit) -> None:
        wu.state = W.QUEUED
        wu.progress = W.Progress()
        wu.exceptions = []
        wu.time_stopped = ""
        wu.state_reason = ""
        self.workunits.save(wu)
        if self.deterministic:
            self._run(self.workunits.claim_queued(self.name, wu.wuid))
        else:
            self._wake.set()

    def run_child(self, wu: W.DfuWorkunit, parent: JobContext) -> W.DfuWorkunit:
        """Run `wu` at once in the calling job's thread, as the real DFU server runs a
        supercopy's subfile copies (dfurun doSubFileCopy -> runWU); aborting either workunit stops
        both. Returns the workunit as it ended."""
        # started at once, never queued: no worker of this or another process may claim it
        wu.state, wu.progress, wu.exceptions, wu.time_stopped, wu.state_reason = W.STARTED, W.Progress(), [], "", ""
        wu.dfu_server, wu.time_started = self.name, wu.time_started or W.now_utc()
        self.workunits.save(wu)
        self._run(wu, parent._abort)
        return self.workunits.get(wu.wuid)

    def abort(self, wu: W.DfuWorkunit) -> None:
        """Abort (one transaction on the stored state, so a worker of any process that claims
        the workunit meanwhile sees either ``aborted`` or ``aborting``)."""
        with self._lock, self.workunits.store.transaction():
            running = self._running.get(wu.wuid)
            stored = self.workunits.get(wu.wuid)
            if stored is not None:
                wu.state = stored.state
            if wu.state in W.TERMINAL:
                wu.time_stopped = W.now_utc()
            elif wu.state == W.QUEUED and running is None:
                wu.state = W.ABORTED
                wu.time_stopped = W.now_utc()
            else:
                wu.state = W.ABORTING
                if running is not None:  # the job saves its own copy: mark that one too
                    event, live = running
                    live.state = W.ABORTING
                    event.set()
            self.workunits.save(wu)

    # -- running -----------------------------------------------------------
    def _serve(self) -> None:
        while not self._stopping:
            try:
                with self._lock:
                    wu = self.workunits.claim_queued(self.name)
                    if wu is None:
                        self._wake.clear()
                if wu is None:
                    self._wake.wait(POLL_SECONDS)
                    continue
                self._run(wu)
            except Exception:  # a worker never dies
                log.exception("DFU worker failed")
                time.sleep(POLL_SECONDS)

    def _run(self, wu: W.DfuWorkunit | None, abort: threading.Event | None = None) -> None:
        """Run a claimed (``started``) workunit to its end (with ``abort``: a child's, shared with
        its parent job)."""
        if wu is None:
            return
        wuid = wu.wuid
        abort = abort or threading.Event()
        with self._lock:
            self._running[wuid] = (abort, wu)
        ctx = JobContext(self, wu, abort)
        try:
            job = self.jobs.get(wu.command)
            if job is None:
                raise DomainError(f"DFU command {wu.command_name or wu.command} is not implemented by this emulator")
            job(ctx)
            outcome = W.FINISHED
        except DomainError as exc:
            self._record_failure(wu, exc)
            outcome = W.ABORTED if abort.is_set() else W.FAILED
        except Exception as exc:  # a bug in a job: the workunit fails, the worker lives on
            log.exception("DFU job %s failed", wuid)
            self._record_failure(wu, unexpected_failure(exc))
            outcome = W.FAILED
        with self._lock, self.workunits.store.transaction():
            self._running.pop(wuid, None)
            ctx.finish_timing()
            if self.workunits.stored_state(wuid) == W.ABORTING:
                abort.set()
            wu.state = W.ABORTED if abort.is_set() and outcome != W.FINISHED else outcome
            wu.time_stopped = W.now_utc()
            self.workunits.save(wu)

    def _remove_temporary_files(self, wuid: str) -> None:
        for path in list(temporary_files(self.cluster.datadir.root, wuid)):
            path.unlink(missing_ok=True)

    @staticmethod
    def _record_failure(wu: W.DfuWorkunit, exc: DomainError) -> None:
        wu.exceptions.append({"code": exc.code, "message": exc.message, "time": W.now_utc()})
