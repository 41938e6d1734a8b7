"""DFU workunits: what Dali keeps under /DFU/WorkUnits, and how it is searched.

A workunit records one data-movement job (spray, despray, copy, rename, replicate): who asked,
its source, destination and options, its progress and any exceptions. States and commands use
the DFU server's numbers (filespray.md §4.1); ids come from the WUID clock (§4.3).

Emulated: the state machine's stored fields, timestamps (UTC, microseconds), searches with
GetDFUWorkunits' filters, sort and paging (§4.6). Not emulated: scheduled workunits and the
Sasha archive (archived searches find nothing), publisher workunits.
"""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from wsservices.engine.dali.patterns import pattern_clause
from wsservices.engine.dfu.wuid import WuidClock

# DFUstate
UNKNOWN, SCHEDULED, QUEUED, STARTED, ABORTED, FAILED, FINISHED, MONITORING, ABORTING, BLOCKED = range(10)
STATE_NAMES = ("unknown", "scheduled", "queued", "started", "aborted", "failed", "finished",
               "monitoring", "aborting", "blocked")
TERMINAL = frozenset({ABORTED, FAILED, FINISHED})
ACTIVE = frozenset({SCHEDULED, QUEUED, STARTED, ABORTING})

# DFUcmd
COMMAND_NAMES = ("", "copy", "remove", "move", "rename", "replicate", "import", "export", "add",
                 "transfer", "savemap", "addgroup", "server", "monitor", "copymerge", "supercopy",
                 "publish")
COPY, RENAME, REPLICATE, IMPORT, EXPORT, SUPERCOPY = 1, 4, 5, 6, 7, 15

# DFUfileformat
FORMAT_NAMES = ("fixed", "csv", "utf8", "utf8n", "utf16", "utf16le", "utf16be", "utf32", "utf32le",
                "utf32be", "variable", "recfmvb", "recfmv", "variablebigendian")


def now_utc() -> str:
    """Dali's timestamp: UTC `YYYY-MM-DDTHH:MM:SS.ffffff`, no zone suffix."""
    return _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")


@dataclass
class Progress:
    percent_done: int = 0
    secs_left: int = 0
    kb_per_sec_ave: int = 0
    kb_per_sec: int = 0
    slaves_done: int = 0
    total_nodes: int = 0
    done_bytes: int = 0
    total_bytes: int = 0
    time_taken_ms: int | None = None
    replicating: bool = False
    #: a time taken the job wrote itself (a rename's `<n>ms`), shown instead of time_taken_ms
    time_taken_text: str = ""


@dataclass
class DfuWorkunit:
    wuid: str
    command: int = 0
    state: int = UNKNOWN
    user: str = ""
    cluster: str = ""
    job_name: str = ""
    queue: str = ""
    protected: bool = False
    dfu_server: str = ""
    time_started: str = ""
    time_stopped: str = ""
    state_reason: str = ""
    source: dict[str, Any] = field(default_factory=dict)
    destination: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    progress: Progress = field(default_factory=Progress)
    exceptions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def state_name(self) -> str:
        return STATE_NAMES[self.state] if 0 <= self.state < len(STATE_NAMES) else "unknown"

    @property
    def command_name(self) -> str:
        return COMMAND_NAMES[self.command] if 0 <= self.command < len(COMMAND_NAMES) else ""

    def detail_json(self) -> str:
        keep = ("dfu_server", "state_reason", "source", "destination", "options", "exceptions")
        data = {k: getattr(self, k) for k in keep}
        data["progress"] = asdict(self.progress)
        return json.dumps(data, sort_keys=True)


_COLUMNS = "wuid, command, state, user, cluster, job_name, queue, protected, time_started, time_stopped, detail"


def _from_row(row) -> DfuWorkunit:
    detail = json.loads(row["detail"] or "{}")
    progress = Progress(**detail.pop("progress", {}))
    return DfuWorkunit(wuid=row["wuid"], command=row["command"], state=row["state"], user=row["user"],
                       cluster=row["cluster"], job_name=row["job_name"], queue=row["queue"],
                       protected=bool(row["protected"]), time_started=row["time_started"] or "",
                       time_stopped=row["time_stopped"] or "", progress=progress, **detail)


@dataclass
class SearchPage:
    total: int
    offset: int
    workunits: list[DfuWorkunit]


_SORT_KEYS = {"owner": "user COLLATE NOCASE", "jobname": "job_name COLLATE NOCASE",
              "cluster": "cluster COLLATE NOCASE", "state": "state", "type": "command",
              "protected": "protected", "pctdone": "CAST(json_extract(detail, '$.progress.percent_done') AS INTEGER)"}


class WorkunitStore:
    """DFU workunits in the metadata store. Every method is one short transaction."""

    def __init__(self, store):
        self.store = store
        self.clock = WuidClock(exists=self.exists)

    def create(self, **fields: Any) -> DfuWorkunit:
        """A new workunit. Issuing its WUID and inserting it are one ``BEGIN IMMEDIATE``
        transaction, so processes sharing the store never issue the same id."""
        with self.store.transaction() as tx:
            wu = DfuWorkunit(wuid=self.clock.next(), **fields)
            tx.execute(f"INSERT INTO dfu_workunits ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)", self._row(wu))
        return wu

    def save(self, wu: DfuWorkunit) -> None:
        with self.store.transaction() as tx:
            tx.execute("UPDATE dfu_workunits SET command=?, state=?, user=?, cluster=?, job_name=?, queue=?, "
                       "protected=?, time_started=?, time_stopped=?, detail=? WHERE wuid=?",
                       self._row(wu)[1:] + (wu.wuid,))

    def save_running(self, wu: DfuWorkunit) -> bool:
        """Save a running job's copy of its workunit without undoing an abort asked for meanwhile
        (by any process): if the stored state is ``aborting``, the copy takes that state. Returns
        whether an abort was asked for."""
        with self.store.transaction() as tx:
            row = tx.execute("SELECT state FROM dfu_workunits WHERE wuid = ?", (wu.wuid,)).fetchone()
            aborting = row is not None and row[0] == ABORTING
            if aborting and wu.state not in TERMINAL:
                wu.state = ABORTING
            self.save(wu)
        return aborting

    def stored_state(self, wuid: str) -> int | None:
        row = self.store.query_one("SELECT state FROM dfu_workunits WHERE wuid = ?", (wuid,))
        return None if row is None else row[0]

    def claim_queued(self, server_name: str, wuid: str | None = None) -> DfuWorkunit | None:
        """Take the oldest queued workunit (or `wuid`, if queued) for a DFU server: ``queued`` ->
        ``started`` in one transaction, so two servers (or processes) never take the same one.
        Idle polling only reads: no write lock is taken while nothing is queued."""
        if self.store.query_one("SELECT 1 FROM dfu_workunits WHERE state = ? LIMIT 1", (QUEUED,)) is None:
            return None
        with self.store.transaction() as tx:
            if wuid is None:
                row = tx.execute("SELECT wuid FROM dfu_workunits WHERE state = ? ORDER BY wuid LIMIT 1",
                                 (QUEUED,)).fetchone()
            else:
                row = tx.execute("SELECT wuid FROM dfu_workunits WHERE state = ? AND wuid = ?",
                                 (QUEUED, wuid)).fetchone()
            if row is None:
                return None
            wu = self.get(row[0])
            wu.state = STARTED
            wu.dfu_server = server_name
            wu.time_started = wu.time_started or now_utc()
            self.save(wu)
        return wu

    @staticmethod
    def _row(wu: DfuWorkunit) -> tuple:
        return (wu.wuid, wu.command, wu.state, wu.user, wu.cluster, wu.job_name, wu.queue,
                int(wu.protected), wu.time_started or None, wu.time_stopped or None, wu.detail_json())

    def get(self, wuid: str) -> DfuWorkunit | None:
        row = self.store.query_one(f"SELECT {_COLUMNS} FROM dfu_workunits WHERE wuid = ?", (wuid,))
        return _from_row(row) if row else None

    def exists(self, wuid: str) -> bool:
        return self.store.query_one("SELECT 1 FROM dfu_workunits WHERE wuid = ?", (wuid,)) is not None

    def delete(self, wuid: str) -> None:
        with self.store.transaction() as tx:
            tx.execute("DELETE FROM dfu_workunits WHERE wuid = ?", (wuid,))

    def in_states(self, *states: int) -> list[DfuWorkunit]:
        marks = ",".join("?" * len(states))
        rows = self.store.query(f"SELECT {_COLUMNS} FROM dfu_workunits WHERE state IN ({marks}) ORDER BY wuid",
                                states)
        return [_from_row(r) for r in rows]

    def search(self, *, wuid_pattern: str = "", owner: str = "", cluster: str = "", state: str = "",
               jobname: str = "", command: str = "", sortby: str = "", descending: bool = False,
               offset: int = 0, limit: int = 100) -> SearchPage:
        """GetDFUWorkunits' filters (AND-ed), sort and one page (filespray.md §4.6)."""
        where, params = [], []
        if owner:
            where.append("user = ? COLLATE NOCASE")
            params.append(owner)
        if cluster:
            where.append("cluster = ?")
            params.append(cluster)
        if jobname:
            where.append("job_name = ? COLLATE NOCASE")
            params.append(jobname)
        if state:
            where.append("state = ?")
            params.append(STATE_NAMES.index(state) if state in STATE_NAMES else -1)
        if command:
            where.append("command = ?")
            params.append(COMMAND_NAMES.index(command) if command in COMMAND_NAMES[1:] else -1)
        if wuid_pattern:
            clause, values = pattern_clause("wuid", wuid_pattern)
            where.append(clause)
            params += values
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        direction = "DESC" if descending else "ASC"
        if not sortby:  # newest first; Descending is ignored
            order = "wuid DESC"
        elif sortby.lower() in _SORT_KEYS:
            order = f"{_SORT_KEYS[sortby.lower()]} {direction}, wuid DESC"
        else:
            order = f"wuid {direction}"
        total = self.store.query_one(f"SELECT COUNT(*) FROM dfu_workunits {clause}", params)[0]
        rows = self.store.query(f"SELECT {_COLUMNS} FROM dfu_workunits {clause} ORDER BY {order} LIMIT ? OFFSET ?",
                                params + [limit, offset])
        return SearchPage(total=total, offset=offset, workunits=[_from_row(r) for r in rows])
