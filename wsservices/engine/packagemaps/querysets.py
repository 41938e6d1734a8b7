"""Read-only view of the Roxie query sets, as package-map validation and file mapping need it.

The tables (``queries``, ``query_aliases``, and ``query_files``/``query_libraries`` from schema
version 3) are written by the Roxie publishing code; until it exists they are usually empty, and
every query lookup then answers "not found" exactly as ESP does for an unknown query.

Rules (packageprocess.md §3.13, §4.6, §6):
* a query name may be an alias or an id; the lookup is lower-cased and follows alias chains up
  to 10 deep (``resolveQueryAlias``);
* ValidatePackage's QueriesToVerify look up ``Query[@id]`` exactly (aliases not followed);
* a file is optional only when every reference to it is OPT;
* libraries are collected recursively through the query set.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

MAX_ALIAS_DEPTH = 10


@dataclass(frozen=True)
class QueryFile:
    name: str              # normalised logical name (lower case, no ~)
    optional: bool         # every reference is OPT
    kind: str = "file"     # "index" or "file"


class QuerySets:
    """Queries of the emulated Roxie targets, read through one connection (one snapshot)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def exists(self, query_set: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM queries WHERE query_set = ? COLLATE NOCASE LIMIT 1",
                                (query_set,)).fetchone()
        return row is not None

    def query_ids(self, query_set: str) -> list[str]:
        rows = self.conn.execute("SELECT id FROM queries WHERE query_set = ? COLLATE NOCASE "
                                 "ORDER BY rowid", (query_set,)).fetchall()
        return [r[0] for r in rows]

    def has_query(self, query_set: str, query_id: str) -> bool:
        """``Query[@id=<query_id>]``, exact."""
        return self.conn.execute("SELECT 1 FROM queries WHERE query_set = ? COLLATE NOCASE AND id = ?",
                                 (query_set, query_id)).fetchone() is not None

    def package_attribute(self, query_set: str, query_id: str) -> str | None:
        row = self.conn.execute("SELECT package FROM queries WHERE query_set = ? COLLATE NOCASE "
                                "AND id = ?", (query_set, query_id)).fetchone()
        return row[0] if row and row[0] else None

    def resolve(self, query_set: str, name: str) -> str | None:
        """The query id `name` (an alias or an id) stands for, or None."""
        key = (name or "").strip().lower()
        for _ in range(MAX_ALIAS_DEPTH):
            row = self.conn.execute("SELECT id FROM query_aliases WHERE query_set = ? COLLATE NOCASE "
                                    "AND lower(name) = ?", (query_set, key)).fetchone()
            if row is None:
                break
            key = row[0].lower()
        row = self.conn.execute("SELECT id FROM queries WHERE query_set = ? COLLATE NOCASE "
                                "AND lower(id) = ?", (query_set, key)).fetchone()
        return row[0] if row else None

    def files(self, query_set: str, query_id: str) -> list[QueryFile]:
        rows = self.conn.execute(
            "SELECT file_name, kind, optional FROM query_files WHERE query_set = ? COLLATE NOCASE "
            "AND query_id = ? ORDER BY ord", (query_set, query_id)).fetchall()
        out: dict[str, QueryFile] = {}
        for name, kind, optional in rows:
            key = name.lstrip("~").lower()
            prev = out.get(key)
            out[key] = QueryFile(key, bool(optional) and (prev is None or prev.optional),
                                 prev.kind if prev else kind)
        return list(out.values())

    def libraries(self, query_set: str, query_id: str) -> list[str]:
        """Library names the query uses, recursively through the query set, each once."""
        found: dict[str, None] = {}
        pending = [query_id]
        seen_ids = {query_id}
        while pending:
            current = pending.pop(0)
            rows = self.conn.execute(
                "SELECT library FROM query_libraries WHERE query_set = ? COLLATE NOCASE "
                "AND query_id = ? ORDER BY rowid", (query_set, current)).fetchall()
            for (lib,) in rows:
                if lib in found:
                    continue
                found[lib] = None
                lib_id = self.resolve(query_set, lib)
                if lib_id and lib_id not in seen_ids:
                    seen_ids.add(lib_id)
                    pending.append(lib_id)
        return list(found)
