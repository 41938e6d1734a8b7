"""XRef nodes (dali/dfuXRefLib/XRefNodeManager.cpp) and the builder thread of WsDFUXRef.

One row of ``xref_nodes`` per Thor cluster that has been built: its status (``Submitted`` while
queued, ``Running XRef`` while scanning, ``Generated`` when done, or the error text), when
it was last generated, and the result of `scan.scan`. Builds run one at a time on a background
thread in the order they were requested; `cancel` clears the queue (the running build finishes).

Not emulated: the XRef node of ``SuperFiles``, Dali's /DFU/XREF tree (the result lives in the
emulator's store), the Sasha XREF server.
"""
from __future__ import annotations

import json
import logging
import threading
from collections import deque
from datetime import datetime

from ..errors import DomainError, InvalidArgument, os_reason
from .scan import scan

log = logging.getLogger(__name__)


class XRefBuilder:
    """The builds of one emulated cluster; `cluster.xref` (see `for_cluster`)."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.store = cluster.store
        self._queue: deque[str] = deque()
        self._running: str | None = None
        self._cond = threading.Condition()
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

    # -- building --------------------------------------------------------------------------
    def is_queued(self, group: str) -> bool:
        with self._cond:
            return group in self._queue or group == self._running

    def is_running(self) -> bool:
        with self._cond:
            return self._running is not None

    def queue(self, group: str, filter_scopes: str = "") -> None:
        with self.store.transaction() as conn:
            conn.execute("INSERT INTO xref_nodes(cluster, status, filter) VALUES (?, 'Submitted', ?) "
                         "ON CONFLICT(cluster) DO UPDATE SET status = 'Submitted', filter = excluded.filter",
                         (group, filter_scopes or ""))
        with self._cond:
            self._queue.append(group)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="xref-builder", daemon=True)
                self._thread.start()
            self._cond.notify()

    def cancel(self) -> None:
        """Clear the queue; a running build goes on. Queued clusters keep their last result."""
        with self._cond:
            dropped = list(self._queue)
            self._queue.clear()
        for group in dropped:
            self.store.execute("UPDATE xref_nodes SET status = CASE WHEN modified = '' THEN 'Not Run' "
                               "ELSE 'Generated' END WHERE cluster = ?", (group,))

    def build_now(self, group: str) -> dict:
        """Run one build in this thread (the builder thread's step)."""
        row = self.store.query_one("SELECT filter FROM xref_nodes WHERE cluster = ?", (group,))
        self.store.execute("UPDATE xref_nodes SET status = ? WHERE cluster = ?", ("Running XRef", group))
        result = scan(self.cluster, group, row["filter"] if row else "")
        stamp = datetime.now().strftime("%a %b %d %H:%M:%S %Y")
        self.store.execute("UPDATE xref_nodes SET status = 'Generated', modified = ?, result = ? WHERE cluster = ?",
                           (stamp, json.dumps(result), group))
        return result

    def _work(self) -> None:
        while True:
            with self._cond:
                if not self._queue:
                    self._thread = None
                    return
                group = self._running = self._queue.popleft()
            try:
                self.build_now(group)
            except Exception as exc:   # the node shows the error, as XRefNode::error does
                log.exception("XREF build of %s failed", group)
                self.store.execute("UPDATE xref_nodes SET status = ? WHERE cluster = ?", (_status(exc), group))
            finally:
                with self._cond:
                    self._running = None


def _status(exc: Exception) -> str:
    """What the node shows for a failed build: a DomainError's own text, the system's reason for
    an I/O error, else a neutral text; never a server path or Python's wording (the traceback is
    in the log)."""
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, OSError):
        return f"XREF build failed: {os_reason(exc)}"
    return "XREF build failed (see the server log)"
