"""The Roxie query sets on the Dali store (``/QuerySets/QuerySet[@id=<target>]``): published
queries, their aliases, the logical files each reads and the key fields it looks records up by.

Publishing follows ``addNamedQuery`` and ``setQueryAlias`` (``common/workunit/workunit.cpp``;
packageprocess.md §4.5, §4.6): the name is lower-cased, the id is ``<name>.<seq>`` with ``seq``
one more than the highest of that name, and activating points the alias ``<name>`` at the new
id. Unpublishing follows ``removeNamedQuery``: the id and every alias to it go.

Tables: ``queries``, ``query_aliases``, ``query_files`` (one row per file, ``optional`` = OPT,
``kind`` ``index``) and ``query_keys``. Package-map validation reads the same tables
(packagemaps/querysets.py).

Not emulated: the workunit and DLL behind a query (``wuid`` stays empty), WsWorkunits
publishing (WUPublishWorkunit, copying files to the Roxie cluster, the ``<name>.0`` package
match at publish time), libraries, query comments, priorities and other registry attributes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from .. import codes
from ..errors import DomainError, InvalidArgument, MissingArgument
from ..names import parse_logical_name
from ..packagemaps.querysets import QuerySets

QUERY_NAME = re.compile(r"[a-z0-9_][a-z0-9_\-]{0,127}")
FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


class QueryNotFound(DomainError):
    """ESP's query-registry lookup failure (5204, the text of packageprocess.md §3.13)."""

    code = codes.PACKAGE_QUERY_NOT_FOUND

    @classmethod
    def named(cls, name: str) -> "QueryNotFound":
        return cls(f"Query {name} not found")


@dataclass(frozen=True)
class QueryFileSpec:
    name: str                 # normalised logical name (lower case, no ``~``)
    optional: bool = False    # read with OPT: a missing file gives empty results


@dataclass(frozen=True)
class PublishedQuery:
    query_set: str
    id: str
    name: str
    seq: int
    activated: bool           # the alias ``<name>`` points at this id
    suspended: bool           # the registry's own ``suspended`` flag (not a load failure)
    files: tuple[QueryFileSpec, ...]
    keys: tuple[str, ...]


def check_query_name(name: str) -> str:
    """The lower-cased query name, or InvalidArgument."""
    text = (name or "").strip().lower()
    if not text:
        raise MissingArgument("Query name required")
    if not QUERY_NAME.fullmatch(text):
        raise InvalidArgument(f"Invalid query name '{name}': use letters, digits, '_' and '-'")
    return text


def query_file_name(raw: str) -> str:
    """A query file's name as Roxie looks it up in a package (lower case, no ``~``); validated
    by Dali's rules, but a single-scope name (a GenIndex ``virtual_...`` superkey) keeps no
    ``.::`` scope, since package SuperFile ids carry none."""
    name = parse_logical_name(raw).name
    if name.startswith(".::") and not raw.strip().lstrip("~").strip().startswith("."):
        name = name[3:]
    return name


def check_key(field: str) -> str:
    if not isinstance(field, str) or not FIELD_NAME.fullmatch(field):
        raise InvalidArgument(f"Invalid key field name '{field}'")
    return field


#: A counter in the store's meta table that changes with every publish and unpublish (Roxie in
#: other processes reloads when it changes).
GENERATION_KEY = "querysets.generation"


def _bump(conn) -> None:
    conn.execute("INSERT INTO meta(key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE "
                 "SET value = CAST(value AS INTEGER) + 1", (GENERATION_KEY,))


class QueryRegistry:
    """The query sets of one store. Every method is one store transaction."""

    def __init__(self, store):
        self.store = store

    def publish(self, query_set: str, name: str, files: Iterable[QueryFileSpec | tuple[str, bool]],
                keys: Iterable[str], activate: bool = True) -> PublishedQuery:
        """Add ``<name>.<seq>`` to `query_set` (a known Roxie target: the caller checks)."""
        lc = check_query_name(name)
        specs = []
        for f in files:
            raw, optional = (f.name, f.optional) if isinstance(f, QueryFileSpec) else f
            specs.append(QueryFileSpec(query_file_name(raw), bool(optional)))
        key_list = [check_key(k) for k in keys]
        if not key_list:
            raise MissingArgument("At least one key field required")
        if len({k.lower() for k in key_list}) != len(key_list):
            raise InvalidArgument("Key fields must be unique")
        with self.store.transaction() as conn:
            row = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM queries WHERE query_set = ? "
                               "COLLATE NOCASE AND name = ?", (query_set, lc)).fetchone()
            seq = int(row[0]) + 1
            qid = f"{lc}.{seq}"
            conn.execute("INSERT INTO queries(query_set, id, name, seq) VALUES (?, ?, ?, ?)",
                         (query_set, qid, lc, seq))
            conn.executemany("INSERT INTO query_files(query_set, query_id, ord, file_name, kind, optional) "
                             "VALUES (?, ?, ?, ?, 'index', ?)",
                             [(query_set, qid, i, f.name, int(f.optional)) for i, f in enumerate(specs)])
            conn.executemany("INSERT INTO query_keys(query_set, query_id, ord, field) VALUES (?, ?, ?, ?)",
                             [(query_set, qid, i, k) for i, k in enumerate(key_list)])
            if activate:
                conn.execute("INSERT INTO query_aliases(query_set, name, id) VALUES (?, ?, ?) "
                             "ON CONFLICT(query_set, name) DO UPDATE SET id = excluded.id",
                             (query_set, lc, qid))
            _bump(conn)
            return self._load(conn, query_set, qid)

    def unpublish(self, query_set: str, query: str) -> PublishedQuery:
        """Remove a query given by id or alias, and every alias pointing at it."""
        with self.store.transaction() as conn:
            qid = QuerySets(conn).resolve(query_set, query or "")
            if qid is None:
                raise QueryNotFound.named(query or "")
            gone = self._load(conn, query_set, qid)
            conn.execute("DELETE FROM query_aliases WHERE query_set = ? COLLATE NOCASE AND lower(id) = ?",
                         (query_set, qid.lower()))
            conn.execute("DELETE FROM queries WHERE query_set = ? COLLATE NOCASE AND id = ?",
                         (query_set, qid))
            _bump(conn)
            return gone

    def queries(self, query_set: str) -> list[PublishedQuery]:
        """Every query of the set, in publishing order."""
        with self.store.connection() as conn:
            ids = QuerySets(conn).query_ids(query_set)
            return [self._load(conn, query_set, qid) for qid in ids]

    @staticmethod
    def _load(conn, query_set: str, qid: str) -> PublishedQuery:
        row = conn.execute("SELECT query_set, id, name, seq, suspended FROM queries WHERE query_set = ? "
                           "COLLATE NOCASE AND id = ?", (query_set, qid)).fetchone()
        alias = conn.execute("SELECT 1 FROM query_aliases WHERE query_set = ? COLLATE NOCASE "
                             "AND lower(name) = ? AND lower(id) = ?",
                             (query_set, row["name"].lower(), qid.lower())).fetchone()
        files = conn.execute("SELECT file_name, optional FROM query_files WHERE query_set = ? COLLATE NOCASE "
                             "AND query_id = ? ORDER BY ord", (query_set, qid)).fetchall()
        keys = conn.execute("SELECT field FROM query_keys WHERE query_set = ? COLLATE NOCASE "
                            "AND query_id = ? ORDER BY ord", (query_set, qid)).fetchall()
        return PublishedQuery(row["query_set"], row["id"], row["name"], int(row["seq"]), alias is not None,
                              bool(row["suspended"]),
                              tuple(QueryFileSpec(f[0].lstrip("~").lower(), bool(f[1])) for f in files),
                              tuple(k[0] for k in keys))
