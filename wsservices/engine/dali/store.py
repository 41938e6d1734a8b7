"""The Dali-like metadata store: one SQLite database in WAL mode.

Real Dali keeps an XML property tree (``/Files``, ``/DFU/WorkUnits``, ``/PackageMaps``,
``/PackageSets``, ``/QuerySets``) with per-node locks. The emulator keeps the same information
in tables, with SQLite transactions for atomicity (wsdfu.md §2, filespray.md §4.4,
packageprocess.md §4.1):

* ``logical_files`` (one row per file or superfile, keyed by the normalised name), with
  ``file_clusters``, ``file_parts``, ``file_attrs`` (the Dali ``Attr`` set as key/value),
  ``file_protect`` (one Protect entry per owner) and ``superfile_members`` (ordered, and indexed
  both ways so SuperOwner lookups are cheap), with ``superfile_tallies`` (members.py). Triggers
  keep columns DFUQuery filters on in step (migration 10): the skews, how many superfiles list a
  file, the reversed name (``reversed_text``, registered on every connection by patterns.py);
* ``file_locks``: emulated Dali locks by normalised name (e.g. the READ+HOLD of a published query);
* ``dfu_workunits``: the searchable columns of a DFU workunit plus a JSON ``detail`` blob;
* ``package_maps`` / ``package_map_parts`` / ``package_set_entries``;
* ``queries`` / ``query_aliases`` (the Roxie query sets);
* ``meta``: emulator key/value bookkeeping.

The schema is versioned: ``schema_version`` records every migration applied; `MIGRATIONS` is
an ordered list, and later work appends to it (never edits an applied entry).

Threads: connections are pooled and lent to one thread at a time; a thread that is inside
`Store.transaction` reuses its connection for every nested call. Writes use
``BEGIN IMMEDIATE``; readers never block writers (WAL). ``synchronous=NORMAL``: a process crash
never loses a committed transaction or leaves a half-written one; a power cut may lose the last
commits, except those of ``transaction(durable=True)`` (the log is synced, as
``synchronous=FULL`` would), which the switch intents use because files are renamed on the
strength of them (not emulated: Dali's own persistence model). `after_commit` runs work once the
outermost transaction has committed, and never if it rolls back.
"""
from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from . import patterns


class StoreError(RuntimeError):
    """The database cannot be used (e.g. written by a newer emulator)."""


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    sql: str


MIGRATIONS: list[Migration] = [
    Migration(1, "foundation: files, parts, superfiles, attrs, locks, workunits, packages, queries",
              """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE logical_files (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,          -- normalised full name, e.g. thor::a::b
    scope        TEXT NOT NULL,                 -- 'thor::a' ('' for root-scope names)
    tail         TEXT NOT NULL,
    is_superfile INTEGER NOT NULL DEFAULT 0,
    directory    TEXT NOT NULL DEFAULT '',      -- client-visible directory of the parts
    partmask     TEXT NOT NULL DEFAULT '',
    num_parts    INTEGER NOT NULL DEFAULT 0,
    modified     TEXT NOT NULL                  -- UTC YYYY-MM-DDTHH:MM:SS[.ffffff]
);
CREATE INDEX logical_files_scope ON logical_files(scope);

CREATE TABLE file_clusters (
    file_id INTEGER NOT NULL REFERENCES logical_files(id) ON DELETE CASCADE,
    ord     INTEGER NOT NULL,                   -- 0 = primary
    cluster TEXT NOT NULL,                      -- node-group name, lower case
    PRIMARY KEY (file_id, cluster)
);
CREATE INDEX file_clusters_cluster ON file_clusters(cluster);

CREATE TABLE file_parts (
    file_id         INTEGER NOT NULL REFERENCES logical_files(id) ON DELETE CASCADE,
    cluster         TEXT NOT NULL,
    part_no         INTEGER NOT NULL,           -- 1-based
    node            TEXT NOT NULL,              -- node name (directory)
    replica_node    TEXT,
    size            INTEGER,
    compressed_size INTEGER,
    crc             INTEGER,
    PRIMARY KEY (file_id, cluster, part_no)
);

CREATE TABLE file_attrs (
    file_id INTEGER NOT NULL REFERENCES logical_files(id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    value   TEXT,
    PRIMARY KEY (file_id, key)
);

CREATE TABLE file_protect (
    file_id  INTEGER NOT NULL REFERENCES logical_files(id) ON DELETE CASCADE,
    owner    TEXT NOT NULL,
    modified TEXT NOT NULL,
    PRIMARY KEY (file_id, owner)
);

CREATE TABLE superfile_members (
    super_id INTEGER NOT NULL REFERENCES logical_files(id) ON DELETE CASCADE,
    sub_id   INTEGER NOT NULL REFERENCES logical_files(id) ON DELETE CASCADE,
    num      INTEGER NOT NULL,                  -- 1-based position
    PRIMARY KEY (super_id, sub_id)
);
CREATE INDEX superfile_members_order ON superfile_members(super_id, num);
CREATE INDEX superfile_members_sub ON superfile_members(sub_id);

CREATE TABLE file_locks (
    id        INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,                    -- normalised logical name
    mode      TEXT NOT NULL CHECK (mode IN ('read', 'hold', 'write')),
    holder    TEXT NOT NULL,                    -- free text shown in lock messages
    created   TEXT NOT NULL
);
CREATE INDEX file_locks_name ON file_locks(file_name);

CREATE TABLE dfu_workunits (
    wuid         TEXT PRIMARY KEY,
    command      INTEGER NOT NULL DEFAULT 0,    -- DFUcmd
    state        INTEGER NOT NULL DEFAULT 0,    -- DFUstate
    user         TEXT NOT NULL DEFAULT '',
    cluster      TEXT NOT NULL DEFAULT '',
    job_name     TEXT NOT NULL DEFAULT '',
    queue        TEXT NOT NULL DEFAULT '',
    protected    INTEGER NOT NULL DEFAULT 0,
    time_started TEXT,
    time_stopped TEXT,
    detail       TEXT NOT NULL DEFAULT '{}'     -- JSON: source, destination, options, progress
);
CREATE INDEX dfu_workunits_state ON dfu_workunits(state);
CREATE INDEX dfu_workunits_queue ON dfu_workunits(queue, state);

CREATE TABLE package_maps (
    id       TEXT PRIMARY KEY,                  -- lower-cased '<target>::<name>' or '<name>'
    content  TEXT NOT NULL DEFAULT ''           -- top-level (legacy) Package elements, if any
);

CREATE TABLE package_map_parts (
    map_id  TEXT NOT NULL REFERENCES package_maps(id) ON DELETE CASCADE,
    ord     INTEGER NOT NULL,
    part_id TEXT NOT NULL,                      -- case kept
    content TEXT NOT NULL,
    PRIMARY KEY (map_id, part_id)
);

CREATE TABLE package_set_entries (
    set_id    TEXT NOT NULL,                    -- default_<process>, '*' -> '#'
    process   TEXT NOT NULL,
    ord       INTEGER NOT NULL,
    map_id    TEXT NOT NULL,
    query_set TEXT NOT NULL DEFAULT '',
    active    INTEGER,                          -- NULL = attribute absent
    PRIMARY KEY (set_id, map_id)
);
CREATE INDEX package_set_entries_map ON package_set_entries(map_id);

CREATE TABLE queries (
    query_set  TEXT NOT NULL,
    id         TEXT NOT NULL,                   -- '<name>.<seq>'
    name       TEXT NOT NULL,
    wuid       TEXT NOT NULL DEFAULT '',
    seq        INTEGER NOT NULL DEFAULT 1,
    suspended  INTEGER NOT NULL DEFAULT 0,
    is_library INTEGER NOT NULL DEFAULT 0,
    package    TEXT,
    PRIMARY KEY (query_set, id)
);
CREATE INDEX queries_name ON queries(query_set, name);

CREATE TABLE query_aliases (
    query_set TEXT NOT NULL,
    name      TEXT NOT NULL,
    id        TEXT NOT NULL,
    PRIMARY KEY (query_set, name)
);
"""),
    Migration(2, "logical files: query columns and indexes, part record counts, file history",
              """
ALTER TABLE logical_files ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE logical_files ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE logical_files ADD COLUMN size INTEGER;
ALTER TABLE logical_files ADD COLUMN record_count INTEGER;
ALTER TABLE logical_files ADD COLUMN accessed TEXT;
CREATE INDEX logical_files_modified ON logical_files(modified);
CREATE INDEX logical_files_size ON logical_files(size);
CREATE INDEX logical_files_owner ON logical_files(owner COLLATE NOCASE);
CREATE INDEX logical_files_super ON logical_files(is_superfile);

ALTER TABLE file_parts ADD COLUMN record_count INTEGER;

CREATE TABLE file_history (
    file_id   INTEGER NOT NULL REFERENCES logical_files(id) ON DELETE CASCADE,
    ord       INTEGER NOT NULL,
    operation TEXT NOT NULL DEFAULT '',
    timestamp TEXT NOT NULL DEFAULT '',
    ip        TEXT NOT NULL DEFAULT '',
    path      TEXT NOT NULL DEFAULT '',
    name      TEXT NOT NULL DEFAULT '',
    owner     TEXT NOT NULL DEFAULT '',
    workunit  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (file_id, ord)
);
"""),
    Migration(3, "package maps: PackageSets as rows, entries keyed by querySet; query files and libraries",
              """
CREATE TABLE package_sets (
    id      TEXT PRIMARY KEY,                   -- default_<process>, '*' -> '#', '?' -> '~'
    process TEXT NOT NULL,
    ord     INTEGER NOT NULL                    -- store order (ListPackages, Roxie load order)
);
INSERT INTO package_sets(id, process, ord)
    SELECT set_id, MIN(process), MIN(ord) FROM package_set_entries GROUP BY set_id;

CREATE TABLE package_set_entries_v3 (
    set_id    TEXT NOT NULL REFERENCES package_sets(id) ON DELETE CASCADE,
    process   TEXT NOT NULL,
    ord       INTEGER NOT NULL,
    map_id    TEXT NOT NULL,
    query_set TEXT NOT NULL DEFAULT '',         -- the Target as sent to AddPackage
    active    INTEGER,                          -- NULL = attribute absent
    PRIMARY KEY (set_id, map_id, query_set)
);
INSERT INTO package_set_entries_v3 SELECT set_id, process, ord, map_id, query_set, active
    FROM package_set_entries;
DROP TABLE package_set_entries;
ALTER TABLE package_set_entries_v3 RENAME TO package_set_entries;
CREATE INDEX package_set_entries_map ON package_set_entries(map_id);
CREATE INDEX package_set_entries_order ON package_set_entries(set_id, ord);

CREATE TABLE query_files (
    query_set TEXT NOT NULL,
    query_id  TEXT NOT NULL,
    ord       INTEGER NOT NULL,                 -- one row per reference, in graph order
    file_name TEXT NOT NULL,                    -- logical name as the workunit reads it
    kind      TEXT NOT NULL DEFAULT 'file' CHECK (kind IN ('file', 'index')),
    optional  INTEGER NOT NULL DEFAULT 0,       -- this reference is OPT
    PRIMARY KEY (query_set, query_id, ord),
    FOREIGN KEY (query_set, query_id) REFERENCES queries(query_set, id) ON DELETE CASCADE
);

CREATE TABLE query_libraries (
    query_set TEXT NOT NULL,
    query_id  TEXT NOT NULL,
    library   TEXT NOT NULL,                    -- library (query) name the query uses
    PRIMARY KEY (query_set, query_id, library),
    FOREIGN KEY (query_set, query_id) REFERENCES queries(query_set, id) ON DELETE CASCADE
);
"""),
    Migration(4, "logical files: DFUQuery sort indexes ending in the name, multi-cluster copies",
              """
DROP INDEX logical_files_modified;
DROP INDEX logical_files_size;
DROP INDEX logical_files_owner;
CREATE INDEX logical_files_modified ON logical_files(modified, name);
CREATE INDEX logical_files_size ON logical_files(COALESCE(size, -1), name);
CREATE INDEX logical_files_records ON logical_files(COALESCE(record_count, -1), name);
CREATE INDEX logical_files_owner ON logical_files(owner COLLATE NOCASE, name);
CREATE INDEX file_clusters_copies ON file_clusters(file_id) WHERE ord > 0;
"""),
    Migration(5, "roxie: the key fields of published queries",
              """
CREATE TABLE query_keys (
    query_set TEXT NOT NULL,
    query_id  TEXT NOT NULL,
    ord       INTEGER NOT NULL,
    field     TEXT NOT NULL,                    -- a key field the query looks records up by
    PRIMARY KEY (query_set, query_id, ord),
    FOREIGN KEY (query_set, query_id) REFERENCES queries(query_set, id) ON DELETE CASCADE
);
"""),
    Migration(6, "switch intents: what a write is about to change on disk, for crash recovery",
              """
CREATE TABLE switch_intents (
    id       INTEGER PRIMARY KEY,
    holder   TEXT NOT NULL DEFAULT '',          -- who switches (a DFU workunit, a WsDfu call)
    created  TEXT NOT NULL,
    renames  TEXT NOT NULL DEFAULT '[]',        -- JSON [[staged, final], ...], data-dir relative
    removals TEXT NOT NULL DEFAULT '[]',        -- JSON [path, ...], data-dir relative
    locks    TEXT NOT NULL DEFAULT '[]'         -- JSON [lock id, ...] taken for the switch
);
"""),
    Migration(7, "xref: the last XREF result and status of each cluster",
              """
CREATE TABLE xref_nodes (
    cluster  TEXT PRIMARY KEY,                  -- a Thor cluster (node group) name
    status   TEXT NOT NULL,                     -- Submitted, a progress text, Generated
    modified TEXT NOT NULL DEFAULT '',
    result   TEXT NOT NULL DEFAULT '{}',        -- JSON: Lost, Found, Orphans, Directories, Messages
    filter   TEXT NOT NULL DEFAULT ''           -- FilterScopes of the last build
);
"""),
    Migration(8, "logical files: DFUQuery's filters on the last scope level served by an index",
              """
CREATE INDEX logical_files_tail ON logical_files(tail);
"""),
    Migration(9, "superfiles: a tally of the members' aggregated attributes",
              """
CREATE TABLE superfile_tallies (
    super_id INTEGER PRIMARY KEY REFERENCES logical_files(id) ON DELETE CASCADE,
    tallies  TEXT NOT NULL                      -- JSON: see engine/dali/members.py
);
"""),
    Migration(10, "logical files: DFUQuery's filters on skews, superfile membership, content type "
                  "and name endings served by indexes",
              """
ALTER TABLE logical_files ADD COLUMN max_skew INTEGER;          -- CAST of Attr maxSkew (triggers)
ALTER TABLE logical_files ADD COLUMN min_skew INTEGER;          -- CAST of Attr minSkew (triggers)
ALTER TABLE logical_files ADD COLUMN super_owners INTEGER NOT NULL DEFAULT 0;  -- superfiles listing it
ALTER TABLE logical_files ADD COLUMN rname TEXT;                -- the name reversed (triggers)
UPDATE logical_files SET
    max_skew = (SELECT CAST(a.value AS INTEGER) FROM file_attrs a
                WHERE a.file_id = logical_files.id AND a.key = 'maxSkew'),
    min_skew = (SELECT CAST(a.value AS INTEGER) FROM file_attrs a
                WHERE a.file_id = logical_files.id AND a.key = 'minSkew'),
    super_owners = (SELECT COUNT(*) FROM superfile_members m WHERE m.sub_id = logical_files.id),
    rname = reversed_text(name);
CREATE INDEX logical_files_kind ON logical_files(lower(kind));
CREATE INDEX logical_files_max_skew ON logical_files(max_skew, name);
CREATE INDEX logical_files_min_skew ON logical_files(min_skew, name);
CREATE INDEX logical_files_super_owners ON logical_files(super_owners);
CREATE INDEX logical_files_rname ON logical_files(rname);

CREATE TRIGGER logical_files_rname_insert AFTER INSERT ON logical_files BEGIN
    UPDATE logical_files SET rname = reversed_text(NEW.name) WHERE id = NEW.id;
END;
CREATE TRIGGER logical_files_rname_update AFTER UPDATE OF name ON logical_files BEGIN
    UPDATE logical_files SET rname = reversed_text(NEW.name) WHERE id = NEW.id;
END;
CREATE TRIGGER file_attrs_skew_insert AFTER INSERT ON file_attrs
WHEN NEW.key IN ('maxSkew', 'minSkew') BEGIN
    UPDATE logical_files SET
        max_skew = (SELECT CAST(value AS INTEGER) FROM file_attrs WHERE file_id = NEW.file_id AND key = 'maxSkew'),
        min_skew = (SELECT CAST(value AS INTEGER) FROM file_attrs WHERE file_id = NEW.file_id AND key = 'minSkew')
    WHERE id = NEW.file_id;
END;
CREATE TRIGGER file_attrs_skew_update AFTER UPDATE ON file_attrs
WHEN NEW.key IN ('maxSkew', 'minSkew') OR OLD.key IN ('maxSkew', 'minSkew') BEGIN
    UPDATE logical_files SET
        max_skew = (SELECT CAST(value AS INTEGER) FROM file_attrs WHERE file_id = NEW.file_id AND key = 'maxSkew'),
        min_skew = (SELECT CAST(value AS INTEGER) FROM file_attrs WHERE file_id = NEW.file_id AND key = 'minSkew')
    WHERE id = NEW.file_id;
END;
CREATE TRIGGER file_attrs_skew_delete AFTER DELETE ON file_attrs
WHEN OLD.key IN ('maxSkew', 'minSkew') BEGIN
    UPDATE logical_files SET
        max_skew = (SELECT CAST(value AS INTEGER) FROM file_attrs WHERE file_id = OLD.file_id AND key = 'maxSkew'),
        min_skew = (SELECT CAST(value AS INTEGER) FROM file_attrs WHERE file_id = OLD.file_id AND key = 'minSkew')
    WHERE id = OLD.file_id;
END;
CREATE TRIGGER superfile_members_insert AFTER INSERT ON superfile_members BEGIN
    UPDATE logical_files SET super_owners = super_owners + 1 WHERE id = NEW.sub_id;
END;
CREATE TRIGGER superfile_members_delete AFTER DELETE ON superfile_members BEGIN
    UPDATE logical_files SET super_owners = super_owners - 1 WHERE id = OLD.sub_id;
END;
CREATE TRIGGER superfile_members_update AFTER UPDATE OF sub_id ON superfile_members
WHEN OLD.sub_id != NEW.sub_id BEGIN
    UPDATE logical_files SET super_owners = super_owners - 1 WHERE id = OLD.sub_id;
    UPDATE logical_files SET super_owners = super_owners + 1 WHERE id = NEW.sub_id;
END;
"""),
    Migration(11, "logical files: DFUQuery's content type served in name order by a plain index",
              """
DROP INDEX logical_files_kind;
CREATE INDEX logical_files_kind ON logical_files(kind COLLATE NOCASE, name);
"""),
    Migration(12, "xref: the build queue in the store, served by one process for the whole server",
              """
ALTER TABLE xref_nodes ADD COLUMN queued INTEGER NOT NULL DEFAULT 0;  -- order of request; 0: not queued
"""),
]

LATEST_VERSION = MIGRATIONS[-1].version
_IDLE_POOL_SIZE = 8


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


class Store:
    """A thread-safe handle on ``dali.sqlite``. Use `Store.open` (creates and migrates)."""

    def __init__(self, path: str | Path, journal_mode: str = "wal", busy_timeout: float = 30.0):
        self.path = Path(path)
        self._journal_mode = journal_mode
        self._busy_timeout = busy_timeout
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._local = threading.local()
        self._closed = False
        self._commit_listeners: list[Callable[[], None]] = []

    @classmethod
    def open(cls, path: str | Path, **kwargs: Any) -> "Store":
        store = cls(path, **kwargs)
        store.migrate()
        return store

    # -- connections -------------------------------------------------------------------------
    def _new_connection(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self._busy_timeout, isolation_level=None,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        mode = conn.execute(f"PRAGMA journal_mode={self._journal_mode}").fetchone()[0]
        if mode.lower() != self._journal_mode.lower():
            conn.close()
            raise StoreError(f"{self.path}: cannot switch to journal_mode={self._journal_mode}")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        patterns.register(conn)
        return conn

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """Lend this thread a connection (the same one for nested calls)."""
        held = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        with self._lock:
            if self._closed:
                raise StoreError(f"{self.path}: store is closed")
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._new_connection()
        self._local.conn = conn
        try:
            yield conn
        finally:
            self._local.conn = None
            if conn.in_transaction:  # a caller left a transaction open: never lend it on
                conn.rollback()
            with self._lock:
                if self._closed or len(self._idle) >= _IDLE_POOL_SIZE:
                    conn.close()
                else:
                    self._idle.append(conn)

    @contextmanager
    def transaction(self, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``, or ``ROLLBACK`` if the block raises.

        Nested use on the same thread becomes a SAVEPOINT, so an inner failure that the caller
        catches undoes only the inner block (and drops the `after_commit` work it registered).
        ``durable``: the commit is on disk when this returns (``synchronous=FULL``); a nested
        durable transaction makes the outermost one durable.
        """
        with self.connection() as conn:
            depth = getattr(self._local, "depth", 0)
            if depth:
                name = f"sp{depth}"
                conn.execute(f"SAVEPOINT {name}")
                self._local.depth = depth + 1
                self._local.durable = getattr(self._local, "durable", False) or durable
                pending = len(self._local.after)
                try:
                    yield conn
                except BaseException:
                    del self._local.after[pending:]
                    if conn.in_transaction:
                        conn.execute(f"ROLLBACK TO {name}")
                        conn.execute(f"RELEASE {name}")
                    raise
                else:
                    conn.execute(f"RELEASE {name}")
                finally:
                    self._local.depth = depth
                return
            conn.execute("BEGIN IMMEDIATE")
            self._local.depth = 1
            self._local.durable = durable
            self._local.after = []
            try:
                yield conn
            except BaseException:
                self._local.after = []
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
                if self._local.durable:
                    self._sync_log()
            finally:
                self._local.depth = 0
            after, self._local.after = self._local.after, []
            for listener in self._commit_listeners:
                listener()
            for work in after:
                work()

    def _sync_log(self) -> None:
        """What ``synchronous=FULL`` does at a commit (it cannot be switched inside one): sync
        the write-ahead log, which holds the transaction just committed."""
        wal = Path(f"{self.path}-wal")
        if self._journal_mode.lower() == "wal" and wal.exists():
            fd = os.open(wal, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def make_durable(self) -> None:
        """Make the current outermost transaction `durable` (no effect outside one)."""
        if getattr(self._local, "depth", 0):
            self._local.durable = True

    def after_commit(self, work: Callable[[], None]) -> None:
        """Run ``work`` once the current outermost transaction commits (at once outside one);
        dropped if the transaction, or the savepoint it was registered in, rolls back."""
        if getattr(self._local, "depth", 0):
            self._local.after.append(work)
        else:
            work()

    def on_commit(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (quickly: it must not touch the store) after every outermost commit
        (the Dali backup, backup.py, uses it to know that there is something new to copy)."""
        self._commit_listeners.append(listener)

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one statement (in the current transaction, if any); returns the rowcount."""
        with self.connection() as conn:
            count = conn.execute(sql, params).rowcount
        if not getattr(self._local, "depth", 0):   # committed on its own
            for listener in self._commit_listeners:
                listener()
        return count

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self.connection() as conn:
            return conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        with self.connection() as conn:
            return conn.execute(sql, params).fetchone()

    def close(self) -> None:
        """Close idle connections; connections still lent out close when returned."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    # -- schema --------------------------------------------------------------------------------
    def migrate(self) -> int:
        """Apply every migration newer than the database; returns the resulting version."""
        with self.connection() as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                         "version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
                         "applied_at TEXT NOT NULL)")
            current = self.schema_version
            if current > LATEST_VERSION:
                raise StoreError(f"{self.path}: schema version {current} is newer than this "
                                 f"emulator supports ({LATEST_VERSION})")
            for migration in MIGRATIONS:
                if migration.version <= current:
                    continue
                with self.transaction() as tx:
                    # re-check under the write lock: another process may have migrated already
                    if self.schema_version >= migration.version:
                        continue
                    for statement in _statements(migration.sql):
                        tx.execute(statement)
                    tx.execute("INSERT INTO schema_version VALUES (?, ?, ?)",
                               (migration.version, migration.description, _now()))
            return self.schema_version

    @property
    def schema_version(self) -> int:
        row = self.query_one("SELECT MAX(version) FROM schema_version")
        return int(row[0] or 0) if row else 0

    @property
    def journal_mode(self) -> str:
        return str(self.query_one("PRAGMA journal_mode")[0]).lower()

    def tables(self) -> list[str]:
        return [r[0] for r in self.query(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]

    # -- emulator bookkeeping ------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.query_one("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.execute("INSERT INTO meta(key, value) VALUES (?, ?) "
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (no ``;`` inside literals in our scripts)."""
    out, buf = [], []
    for line in script.splitlines():
        buf.append(line.split("--", 1)[0])
        if sqlite3.complete_statement("\n".join(buf)):
            stmt = "\n".join(buf).strip()
            if stmt.strip(";").strip():
                out.append(stmt)
            buf = []
    rest = "\n".join(buf).strip()
    if rest:
        out.append(rest)
    return out
