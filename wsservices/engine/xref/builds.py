"""XRef nodes (dali/dfuXRefLib/XRefNodeManager.cpp) and the build queue of WsDFUXRef.

One row of ``xref_nodes`` per Thor cluster that has been built: its status (``Submitted`` while
queued, ``Running XRef`` while scanning, ``Generated`` when done, or the error text), when it was
last generated, the result of `scan.scan`, and its place in the build queue.

The queue is the store, so that every ESP process of `hpccemu serve --workers N` sees one queue:
`queue` and `cancel` are single transactions any process may run. The builds run one at a time,
in the order they were requested, on one thread of the process that runs the DFU server (role
``all`` or ``dfuserver``; HPCC runs XREF outside ESP too): it wakes at once for a request made in
its own process and polls the store for the others'. `cancel` clears the queue (the running
build finishes). After a crash (`recover`) a build found ``Running XRef`` shows `CRASH_STATUS`;
queued ones stay queued and run.

Not emulated: the XRef node of ``SuperFiles``, Dali's /DFU/XREF tree (the result lives in the
emulator's store), the Sasha XREF server.
"""
from __future__ import annotations

import json
import logging
import threading
from datetime import datetime

from ..errors import DomainError, InvalidArgument, os_reason
from .scan import scan

log = logging.getLogger(__name__)

SUBMITTED, RUNNING, GENERATED = "Submitted", "Running XRef", "Generated"
#: What a build that a crash stopped shows (the real node keeps whatever Dali last held).
CRASH_STATUS = "XREF build failed: the server stopped while it ran"
#: How often the builder looks for builds requested in other processes (seconds).
POLL_SECONDS = 0.1
#: What `queue` met: a build of the cluster queued or running already (nothing done), no build
#: running (this one runs next), another build running (this one waits its turn).
IN_PROCESS, IDLE, BUSY = "in process", "idle", "busy"


class XRefBuilder:
    """The XRef nodes and builds of one emulated cluster; `cluster.xref` (see `for_cluster`)."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.store = cluster.store
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_cluster(cls, cluster) -> "XRefBuilder":
        builder = getattr(cluster, "xref", None)
        if builder is None:
            builder = cluster.xref = cls(cluster)
        return builder

    # -- reading ---------------------------------------------------------------------------
    def clusters(self) -> list[tuple[str, str, str]]:
        """(name, modified, status) of every Thor cluster, ``Not Run`` when never built."""
        rows = {r["cluster"]: r for r in self.store.query("SELECT cluster, status, modified FROM xref_nodes")}
        out = []
        for thor in self.cluster.environment.thor_clusters:
            row = rows.get(thor.group)
            out.append((thor.group, row["modified"], row["status"]) if row else (thor.group, "", "Not Run"))
        return out

    def result(self, group: str) -> dict | None:
        """The last result of `group`, or None when it was never generated."""
        row = self.store.query_one("SELECT result, status FROM xref_nodes WHERE cluster = ?", (self.group(group),))
        if row is None:
            return None
        return json.loads(row["result"] or "{}")

    def save_result(self, group: str, result: dict) -> None:
        self.store.execute("UPDATE xref_nodes SET result = ? WHERE cluster = ?", (json.dumps(result), group))

    def group(self, name: str | None) -> str:
        """The node group of Thor cluster `name`; `InvalidArgument` when there is none."""
        thor = self.cluster.environment.thor_cluster(name)
        if thor is None:
            raise InvalidArgument(f"Cluster {name or ''} not found.")
        return thor.group

    # -- requests (any process) -------------------------------------------------------------
    def queue(self, group: str, filter_scopes: str = "") -> str:
        """Queue a build of `group` unless one is queued or running; returns what the request
        met (`IN_PROCESS`, `IDLE` or `BUSY`), decided in the same transaction."""
        with self.store.transaction() as conn:
            row = conn.execute("SELECT status FROM xref_nodes WHERE cluster = ?", (group,)).fetchone()
            if row is not None and row["status"] in (SUBMITTED, RUNNING):
                return IN_PROCESS
            busy = conn.execute("SELECT 1 FROM xref_nodes WHERE status = ?", (RUNNING,)).fetchone()
            conn.execute("INSERT INTO xref_nodes(cluster, status, filter, queued) "
                         "VALUES (?, ?, ?, (SELECT COALESCE(MAX(queued), 0) + 1 FROM xref_nodes)) "
                         "ON CONFLICT(cluster) DO UPDATE SET status = excluded.status, "
                         "filter = excluded.filter, queued = excluded.queued",
                         (group, SUBMITTED, filter_scopes or ""))
        self._wake.set()
        return BUSY if busy else IDLE

    def cancel(self) -> int:
        """Clear the queue; a running build goes on. Queued clusters keep their last result."""
        with self.store.transaction() as conn:
            return conn.execute("UPDATE xref_nodes SET queued = 0, status = CASE WHEN modified = '' "
                                "THEN 'Not Run' ELSE ? END WHERE status = ?", (GENERATED, SUBMITTED)).rowcount

    def recover(self) -> int:
        """Start-up recovery: a build a crash stopped shows `CRASH_STATUS` (queued builds stay
        queued). Returns how many there were."""
        with self.store.transaction() as conn:
            return conn.execute("UPDATE xref_nodes SET status = ?, queued = 0 WHERE status = ?",
                                (CRASH_STATUS, RUNNING)).rowcount

    # -- the builder (the DFU server's process) ---------------------------------------------
    def start(self) -> "XRefBuilder":
        """Run the queued builds on a thread of this process until `stop`."""
        self._stopping.clear()
        self._thread = threading.Thread(target=self._serve, name="xref-builder", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop taking builds; a running one finishes (within `timeout`)."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _serve(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                group = self._claim()
            except Exception:   # the builder never dies (a store error: try again)
                log.exception("XREF builder failed")
                group = None
            if group is None:
                self._wake.wait(POLL_SECONDS)
            else:
                self._build(group)

    def _claim(self) -> str | None:
        """The next queued cluster, set ``Running XRef`` (one transaction), or None."""
        with self.store.transaction() as conn:
            row = conn.execute("SELECT cluster FROM xref_nodes WHERE status = ? ORDER BY queued, cluster LIMIT 1",
                               (SUBMITTED,)).fetchone()
            if row is None:
                return None
            conn.execute("UPDATE xref_nodes SET status = ?, queued = 0 WHERE cluster = ?", (RUNNING, row["cluster"]))
            return row["cluster"]

    def _build(self, group: str) -> None:
        """Scan `group` and record the result (or the error, as XRefNode::error does). A reset
        meanwhile (the row gone or requeued) drops it."""
        try:
            row = self.store.query_one("SELECT filter FROM xref_nodes WHERE cluster = ?", (group,))
            result = scan(self.cluster, group, row["filter"] if row else "")
            stamp = datetime.now().strftime("%a %b %d %H:%M:%S %Y")
            self.store.execute("UPDATE xref_nodes SET status = ?, modified = ?, result = ? "
                               "WHERE cluster = ? AND status = ?", (GENERATED, stamp, json.dumps(result), group, RUNNING))
        except Exception as exc:
            log.exception("XREF build of %s failed", group)
            try:
                self.store.execute("UPDATE xref_nodes SET status = ? WHERE cluster = ? AND status = ?",
                                   (_status(exc), group, RUNNING))
            except Exception:
                log.exception("XREF build of %s: its status could not be saved", group)


def _status(exc: Exception) -> str:
    """What the node shows for a failed build: a DomainError's own text, the system's reason for
    an I/O error, else a neutral text; never a server path or Python's wording (the traceback is
    in the log)."""
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, OSError):
        return f"XREF build failed: {os_reason(exc)}"
    return "XREF build failed (see the server log)"
