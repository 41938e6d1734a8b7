"""DFUQuery and DFUFileView over the file catalogue (wsdfu.md §4.1, §4.7).

Filtering, sorting and paging run in SQL, so a first page of 100 out of 100,000 files reads
about 100 rows through the indexes of ``logical_files`` (name, modified, size, owner) — then
the attributes, protection and owners of just those rows are fetched in a few batched queries.
Skews, superfile membership, the content type and a name's ending have indexed columns of
their own (store migration 10); a page of many matches is read in name order, one of few
matches through the filter's index then sorted (`FileQuery._by_name`).

Semantics (wsdfu.md §4.1): the name pattern is ``LogicalName``, else ``Prefix::*``, else ``*``;
lower-cased, not normalised (a leading ``~`` matches nothing); a case-insensitive glob on the
full name where a trailing ``*`` crosses ``::`` but a ``*`` followed later by ``::`` stays within one
scope level. Files on N node groups give N rows (one per group) unless ``NodeGroup`` is given,
which keeps one row per file and shows the requested group. Superfiles have no group.

Not emulated: ``CacheHint`` (echoed; every query runs afresh), the ``Fields`` of 1.66+, the
per-request gathering order of Dali when ``MaxNumberOfFiles`` cuts the result (the emulator
sorts first, then cuts).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from . import patterns
from .files import FileCatalog, to_int
from ..jlib.wildcards import wildmatch

DEFAULT_PAGE_SIZE = 100
#: ITERATE_FILTEREDFILES_LIMIT (dadfs.hpp)
DEFAULT_MAX_FILES = 100_000
FILE_TYPES = ("Logical Files and Superfiles", "Logical Files Only", "Superfiles Only",
              "Not in Superfiles")
#: SQL functions that call back into Python for each row they test
#: at most this many ids gathered for a page before its rows are read (SQL parameters)
_FIRST_FILES_MAX = 5_000
_PER_ROW_FUNCTIONS = ("scoped_match(", "wild_match(", "scope_visible(")
SUBSET_WARNING = ("The returned results ({max} files) represent a subset of the total number "
                  "of matches. Using a correct filter may reduce the number of matches.")

# Sortby -> SQL expression (rows are `f` = logical_files joined with `c` = the row's group)
_NUMERIC_ATTRS = {"recordsize", "maxskew", "minskew", "maxskewpart", "minskewpart",
                  "numdiskreads", "numdiskwrites", "compressedsize", "expiredays"}
_LEGACY_SORT = {"filesize": ("COALESCE(f.size, -1)", False), "size": ("COALESCE(f.size, -1)", False),
                "contenttype": ("f.kind", True), "kind": ("f.kind", True),
                "records": ("COALESCE(f.record_count, -1)", False),
                "recordcount": ("COALESCE(f.record_count, -1)", False),
                "parts": ("f.num_parts", False), "numparts": ("f.num_parts", False),
                "nodegroup": ("row_group", True), "nodegroups": ("row_group", True),
                "name": ("f.name", False), "owner": ("f.owner", True),
                "modified": ("f.modified", False), "accessed": ("f.accessed", False),
                "iscompressed": ("COALESCE((SELECT a.value FROM file_attrs a WHERE a.file_id = f.id"
                                 " AND a.key = 'blockCompressed'), '')", True)}


@dataclass
class QueryFilter:
    """The filters, sort and page of one DFUQuery (already defaulted as ESP does)."""

    name_pattern: str = "*"
    owner: str = ""
    content_type: str = ""
    invert_content: bool = False
    node_groups: list[str] = field(default_factory=list)
    file_type: str = ""
    size_from: int = -1
    size_to: int = -1
    start_date: str = ""
    end_date: str = ""
    start_accessed: str = ""
    end_accessed: str = ""
    max_skew_from: int = 0
    max_skew_to: int = 0
    min_skew_from: int = 0
    min_skew_to: int = 0
    sort_by: str = ""
    descending: bool = False
    offset: int = 0
    limit: int = DEFAULT_PAGE_SIZE
    max_files: int = DEFAULT_MAX_FILES
    include_super_owners: bool = False
    #: the caller's file-scope permission: only files whose scope passes are listed (None: all)
    scope_visible: Callable[[str], bool] | None = None


@dataclass
class FileRow:
    """One DFUQuery/DFUFileView row: a file on one node group, or a superfile."""

    name: str
    node_group: str
    is_superfile: bool
    directory: str
    num_parts: int
    modified: str
    accessed: str
    attrs: dict[str, str]
    is_protected: bool
    super_owners: list[str] | None
    num_subfiles: int
    is_directory: bool = False

    @property
    def size(self) -> int | None:
        return to_int(self.attrs.get("size"))


@dataclass
class QueryPage:
    rows: list[FileRow]
    total: int
    subset: bool


@dataclass
class DfuQueryResult:
    """DFUQuery's answer, paging numbers and echo texts computed (wsdfu.md §4.1 Paging)."""

    rows: list[FileRow]
    num_files: int
    page_size: int
    page_start_from: int
    page_end_at: int
    prev_page_from: int
    next_page_from: int
    last_page_from: int
    filters: str
    parameters_for_paging: str
    basic_query: str
    is_subset: bool
    warning: str
    empty: bool = False


# ---------------------------------------------------------------------------------------------

def iso_bound(text: str | None) -> str:
    """A date bound as DFUQuery compares it: parsed as ISO, re-emitted ``YYYY-MM-DDTHH:MM:SS``;
    '' when empty or unparsable."""
    text = (text or "").strip()
    if not text:
        return ""
    cleaned = text.replace("Z", "").replace("z", "")
    cleaned = re.sub(r"([+-]\d\d:?\d\d)$", "", cleaned) if "T" in cleaned else cleaned
    cleaned = re.sub(r"\.\d+", "", cleaned)
    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(cleaned, fmt).strftime("%Y-%m-%dT%H:%M:%S")
        except ValueError:
            continue
    return ""


def scoped_match(name: str, pattern: str) -> bool:
    """Dali's scope-pruning wildcard match: segments of the pattern before its last ``::``
    match one scope level each; the last segment matches the rest of the name (so a
    trailing ``*`` crosses ``::``). Case-insensitive."""
    pat_segments = pattern.lower().split("::")
    name_segments = name.lower().split("::")
    if len(name_segments) < len(pat_segments):
        return False
    k = len(pat_segments) - 1
    for seg, pat in zip(name_segments[:k], pat_segments[:k]):
        if not _wild(seg, pat):
            return False
    return _wild("::".join(name_segments[k:]), pat_segments[k])


def _wild(text: str, pattern: str) -> bool:
    return wildmatch(text, pattern)


def _literal_prefix(pattern: str) -> str:
    """The characters of a wildcard pattern before its first ``*`` or ``?``."""
    for i, ch in enumerate(pattern):
        if ch in "*?":
            return pattern[:i]
    return pattern


def _index_hints(pattern: str) -> list[tuple[str, list[str]]]:
    """Clauses implied by a name pattern that an index can serve (they narrow, never change,
    the match). When the pattern's scopes hold wildcards but its last level cannot reach across
    ``::`` (no ``*``, no two adjacent characters that could be ``::``), the last level
    (``tail``) by its own literal start: the rest of a name that `scoped_match` matches against
    that level is its tail. Otherwise the name's range for the literal text before the first
    wildcard. (One hint: SQLite, without statistics, would pick the wider one.)"""
    hints = []
    pattern = patterns.collapse_stars(pattern)
    literal = _literal_prefix(pattern)
    *scopes, last = pattern.split("::")
    crosses = "*" in last or any(pair in last for pair in ("??", "?:", ":?"))
    if scopes and not crosses and any(ch in "*?" for ch in "::".join(scopes)):
        tail_literal = _literal_prefix(last)
        if tail_literal == last:
            hints.append(("f.tail = ?", [last]))
        elif tail_literal:
            hints.append(patterns.prefix_clause("f.tail", tail_literal))
    if literal and literal != pattern and pattern != literal + "*" and not hints:
        hints.append(patterns.prefix_clause("f.name", literal))  # else pattern_clause's range
    suffix = pattern[max(pattern.rfind("*"), pattern.rfind("?")) + 1:]
    if not hints and not literal and suffix:  # `*tail`: the names ending so, by the reversed name
        hints.append(patterns.suffix_clause("f.rname", suffix))
    return hints


#: filters alone whose index lists the matches in name order (``(owner, name)``, ``(kind, name)``)
_NAME_ORDERED = ("owner", "content type")


def _sole_filter(flt: QueryFilter) -> str:
    """The one filter `flt` has, when it is one of a few kinds that an index or a count serves
    better alone ('' otherwise): an exact owner or content type (their indexes list the matches
    in name order), the inverted content type, files not in superfiles, a name's literal start,
    one node group (most files may match these: see `FileQuery._count_files`)."""
    if flt.scope_visible is not None or flt.size_from > 0 or flt.size_to > 0 \
            or flt.start_date or flt.end_date or flt.start_accessed or flt.end_accessed \
            or flt.max_skew_from > 0 or flt.max_skew_to > 0 or flt.min_skew_from > 0 \
            or flt.min_skew_to > 0 or any(ch in "*?" for ch in flt.owner + flt.content_type):
        return ""
    ftype = (flt.file_type or "").strip().lower()
    pattern = patterns.collapse_stars(flt.name_pattern or "*")
    literal = _literal_prefix(pattern)
    found = [label for label, on in (
        ("owner", flt.owner), ("content type", flt.content_type and not flt.invert_content),
        ("inverted content type", flt.content_type and flt.invert_content),
        ("not in superfiles", ftype == "not in superfiles"),
        ("file type", ftype in ("superfiles only", "logical files only")),
        ("name prefix", pattern == literal + "*" and literal
         and not patterns.prefix_clause("f.name", literal)[0].startswith("substr")),
        ("name", pattern != "*" and pattern != literal + "*"),
        ("node group", len(flt.node_groups) == 1), ("node groups", len(flt.node_groups) > 1)) if on]
    return found[0] if len(found) == 1 else ""


def _name_index(conn) -> str:
    """The index of ``logical_files(name)``: the one SQLite made for its UNIQUE constraint."""
    for row in conn.execute("PRAGMA index_list(logical_files)").fetchall():
        if row[2] and [r[2] for r in conn.execute(f'PRAGMA index_info("{row[1]}")')] == ["name"]:
            return f'"{row[1]}"'
    raise RuntimeError("logical_files has no unique index on name")


class FileQuery:
    """DFUQuery / DFUFileView on one catalogue."""

    #: a filter alone that leaves out fewer files than this is counted as all files less those
    few_unmatched = 1_000

    def __init__(self, catalog: FileCatalog):
        self.catalog = catalog
        self.store = catalog.store

    # -- DFUQuery --------------------------------------------------------------------------------
    def dfu_query(self, *, logical_name: str = "", prefix: str = "", node_group: str = "",
                  owner: str = "", content_type: str = "", invert_content: bool = False,
                  file_type: str = "", start_date: str = "", end_date: str = "",
                  start_accessed: str = "", end_accessed: str = "",
                  size_from: int | None = -1, size_to: int | None = -1,
                  max_skew_from: int = 0, max_skew_to: int = 0, min_skew_from: int = 0,
                  min_skew_to: int = 0, first_n: int | None = -1, page_size: int | None = 0,
                  page_start_from: int | None = 0, sort_by: str = "", descending: bool = False,
                  one_level: bool = False, max_files: int | None = 0,
                  include_super_owners: bool = False,
                  scope_visible: Callable[[str], bool] | None = None) -> DfuQueryResult:
        """The whole of DFUQuery with ESP's defaults, paging and echo texts."""
        size_from = -1 if size_from is None else size_from
        size_to = -1 if size_to is None else size_to
        if one_level:  # the real server computes a directory listing and drops it (wsdfu.md §4.1)
            return DfuQueryResult([], 0, 0, 1, 0, -1, -1, -1, "", "", "", False, "", empty=True)
        if logical_name:
            pattern = logical_name.lower()
        elif prefix:
            pattern = f"{prefix}::*".lower()
        else:
            pattern = "*"
        page_start = page_start_from - 1 if page_start_from and page_start_from > 0 else 0
        size = page_size if page_size and page_size >= 1 else DEFAULT_PAGE_SIZE
        if first_n is not None and first_n > 0:
            page_start, size = 0, first_n
        flt = QueryFilter(
            name_pattern=pattern, owner=owner, content_type=content_type,
            invert_content=invert_content,
            node_groups=[g.strip().lower() for g in node_group.split(",") if g.strip()],
            file_type=file_type, size_from=size_from, size_to=size_to,
            start_date=iso_bound(start_date), end_date=iso_bound(end_date),
            start_accessed=iso_bound(start_accessed), end_accessed=iso_bound(end_accessed),
            max_skew_from=max_skew_from or 0, max_skew_to=max_skew_to or 0,
            min_skew_from=min_skew_from or 0, min_skew_to=min_skew_to or 0,
            sort_by=sort_by, descending=descending, offset=page_start, limit=size,
            max_files=max_files if max_files and max_files > 0 else DEFAULT_MAX_FILES,
            include_super_owners=include_super_owners, scope_visible=scope_visible)
        page = self.run(flt)
        total = page.total
        end_at = min(page_start + size, total)
        if page_start > size:
            prev = page_start - size + 1
        elif page_start > 0:
            prev = 1
        else:
            prev = -1
        if end_at < total:
            next_from, last_from = end_at + 1, size * ((total - 1) // size) + 1
        else:
            next_from = last_from = -1
        parts = [f"{k}={v}" for k, v in (("NodeGroup", node_group), ("Owner", owner),
                                          ("Prefix", prefix), ("LogicalName", logical_name),
                                          ("StartDate", start_date), ("EndDate", end_date),
                                          ("FileType", file_type)) if v]
        parts += [f"{k}={v}" for k, v in (("FileSizeFrom", size_from), ("FileSizeTo", size_to)) if v]
        basic = "&".join(parts)
        filters = "&".join(parts + [f"PageSize={size}"])
        paging, basic_query = filters, basic
        if sort_by:
            tail = f"&Sortby={sort_by}" + ("&Descending=1" if descending else "")
            paging += tail
            basic_query += tail
        warning = SUBSET_WARNING.format(max=flt.max_files) if page.subset else ""
        return DfuQueryResult(page.rows, total, size, page_start + 1, end_at, prev, next_from,
                              last_from, filters, paging, basic_query, page.subset, warning)

    def run(self, flt: QueryFilter) -> QueryPage:
        """Count the matching rows and fetch one page of them. A filter that calls back into
        Python for each row (scoped wildcards, long patterns, scope permissions) is evaluated
        once, into a temporary table of the matching ids, which the count and the page read."""
        where, params = self._where(flt)
        with self.store.connection() as conn:
            where_sql = f" WHERE {' AND '.join(where)}" if where else ""
            if "scoped_match(" in where_sql:
                conn.create_function("scoped_match", 2, scoped_match, deterministic=True)
            if flt.scope_visible is not None:
                visible = flt.scope_visible
                conn.create_function("scope_visible", 1, lambda scope: bool(visible(scope or "")))
            hits = any(f in where_sql for f in _PER_ROW_FUNCTIONS)
            if hits:  # kept per connection, emptied after use (no DDL per query: a schema
                # change would have every statement the connection caches prepared again)
                conn.execute("CREATE TEMP TABLE IF NOT EXISTS dfuquery_hits(id INTEGER PRIMARY KEY)")
                conn.execute("DELETE FROM temp.dfuquery_hits")
                conn.execute(f"INSERT INTO temp.dfuquery_hits SELECT f.id FROM logical_files f{where_sql}",
                             params)
                where, params = ["f.id IN temp.dfuquery_hits"], []
            try:
                return self._count_and_page(conn, flt, where, params)
            finally:
                if hits:
                    conn.execute("DELETE FROM temp.dfuquery_hits")

    def _count_and_page(self, conn, flt: QueryFilter, where: list[str], params: list[Any]) -> QueryPage:
        where_sql = f" WHERE {' AND '.join(where)}" if where else ""
        if len(flt.node_groups) == 1:  # one row per file on that group: its row there
            source = ("logical_files f JOIN file_clusters c ON c.file_id = f.id AND c.cluster = ?")
            params = [*flt.node_groups, *params]
            if where:
                total = conn.execute(f"SELECT COUNT(*) FROM {source}{where_sql}", params).fetchone()[0]
            else:  # every row of file_clusters has its file: the group's index alone
                total = self._count_files(conn, flt, " WHERE c.cluster = ?", params,
                                          table="file_clusters c")
        elif flt.node_groups:  # one row per file, showing the first requested group it is on
            marks = ", ".join("?" * len(flt.node_groups))
            source = ("logical_files f JOIN (SELECT file_id, MIN(ord) AS o FROM file_clusters "
                      f"WHERE cluster IN ({marks}) GROUP BY file_id) gm ON gm.file_id = f.id "
                      "JOIN file_clusters c ON c.file_id = f.id AND c.ord = gm.o")
            params = [*flt.node_groups, *params]
            total = conn.execute(f"SELECT COUNT(*) FROM {source}{where_sql}", params).fetchone()[0]
        else:  # one row per file and group; superfiles have none. Files (and superfiles) +
            # their second, third... copies: no join to count
            source = "logical_files f LEFT JOIN file_clusters c ON c.file_id = f.id"
            total = self._count_files(conn, flt, where_sql, params)
            copies = " AND ".join(["c.ord > 0", *where])
            total += conn.execute(  # from the (few) copies, whatever index the filter has
                "SELECT COUNT(*) FROM file_clusters c CROSS JOIN logical_files f ON f.id = c.file_id "
                f"WHERE {copies}", params).fetchone()[0]
        subset = total > flt.max_files
        total = min(total, flt.max_files)
        limit = max(0, min(flt.limit, total - flt.offset))
        by_name = not (flt.sort_by or "").strip() and (where or flt.node_groups) \
            and _sole_filter(flt) not in _NAME_ORDERED
        if by_name and self._by_name(conn, total, flt):
            # many matches: walking the names in order meets a page of them soon, where the
            # filter's own index would gather and sort every match
            source = source.replace("logical_files f JOIN", "logical_files f CROSS JOIN", 1)
            source = source.replace("logical_files f", f"logical_files f INDEXED BY {_name_index(conn)}", 1)
        elif by_name and not flt.node_groups and 0 < limit and flt.offset + limit <= _FIRST_FILES_MAX:
            # few: the first files by name from the filter's index alone (the indexes on what
            # is filtered end in the name), then their rows; a page of rows lies in as many files
            first = [r[0] for r in conn.execute(  # (in the requested direction)
                f"SELECT f.id FROM logical_files f{where_sql} ORDER BY f.name"
                f"{' DESC' if flt.descending else ''} LIMIT ?",
                (*params, flt.offset + limit))]
            where_sql = f" WHERE f.id IN ({', '.join('?' * len(first))})" if first else " WHERE 0"
            params = first
        rows = conn.execute(
            f"SELECT f.id, f.name, f.is_superfile, f.directory, f.num_parts, f.modified, "
            f"f.accessed, COALESCE(c.cluster, '') AS row_group FROM {source}{where_sql} "
            f"ORDER BY {self._order(flt)} LIMIT ? OFFSET ?",
            (*params, limit, flt.offset)).fetchall()
        return QueryPage(self._rows(conn, rows, flt.include_super_owners), total, subset)

    def _count_files(self, conn, flt: QueryFilter, where_sql: str, params: list[Any],
                     table: str = "logical_files f") -> int:
        """How many rows of `table` match. A filter alone that may match most files is first
        counted as every row (SQLite counts a table without a filter from its pages) less those
        it does not match, found through an index, if there are fewer than `few_unmatched`
        of them; else (or with no such complement) its matches are counted."""
        sole = _sole_filter(flt)
        kind = flt.content_type.lower()
        literal = _literal_prefix(patterns.collapse_stars(flt.name_pattern or "*"))
        low, high = patterns.prefix_clause("f.name", literal)[1] if sole == "name prefix" else ("", "")
        # what the filter leaves out, as clauses each an index serves (an OR would read rows)
        outside = {"not in superfiles": [("f.super_owners < 0", []), ("f.super_owners > 0", [])],
                   "inverted content type": [("f.kind = ? COLLATE NOCASE", [kind])],
                   "node group": [("c.cluster < ?", flt.node_groups), ("c.cluster > ?", flt.node_groups)],
                   "name prefix": [("f.name < ?", [low]), ("f.name >= ?", [high])]}.get(sole)
        if outside:
            unmatched = 0
            for clause, values in outside:
                unmatched += conn.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE "
                                          f"{clause} LIMIT ?)", (*values, self.few_unmatched)).fetchone()[0]
                if unmatched >= self.few_unmatched:
                    break
            else:
                return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] - unmatched
        if sole == "inverted content type":  # the two ranges around the type, each by the index
            return sum(conn.execute(f"SELECT COUNT(*) FROM {table} WHERE f.kind {op} ? COLLATE NOCASE",
                                    (kind,)).fetchone()[0] for op in ("<", ">"))
        return conn.execute(f"SELECT COUNT(*) FROM {table}{where_sql}", params).fetchone()[0]

    @staticmethod
    def _by_name(conn, total: int, flt: QueryFilter) -> bool:
        """Whether the page is cheaper read in name order: about (offset + limit) * files /
        total rows visited that way, against every match gathered and sorted otherwise."""
        files = conn.execute("SELECT MAX(id) FROM logical_files").fetchone()[0] or 0
        return total * total > 10 * (flt.offset + flt.limit) * files  # (matches may cluster)

    # -- DFUFileView -----------------------------------------------------------------------------
    def scope_view(self, scope: str, include_super_owners: bool = False) -> tuple[str, list[FileRow], int]:
        """DFUFileView (wsdfu.md §4.7): the files directly in ``scope`` then one directory row
        per child scope holding files; with no scope, only the top-level scopes (root files
        live in ``.``). Returns (scope echo, rows, number of files in the scope)."""
        key = (scope or "").strip().lstrip("~").strip().lower()
        key = "::".join(p.strip() for p in key.split("::")) if key else ""
        with self.store.connection() as conn:
            rows: list[FileRow] = []
            count = 0
            if key:
                stored = "" if key == "." else key
                found = conn.execute(
                    "SELECT f.id, f.name, f.is_superfile, f.directory, f.num_parts, f.modified, "
                    "f.accessed, COALESCE(c.cluster, '') AS row_group FROM logical_files f "
                    "LEFT JOIN file_clusters c ON c.file_id = f.id WHERE f.scope = ?",
                    (stored,)).fetchall()
                rows = self._rows(conn, found, include_super_owners)
                count = len(rows)
                children = set()
                if stored:
                    under, bounds = patterns.prefix_clause("scope", stored + "::")
                    for (s,) in conn.execute(f"SELECT DISTINCT scope FROM logical_files WHERE {under}", bounds):
                        if s.startswith(stored + "::"):
                            children.add(s[len(stored) + 2:].split("::", 1)[0])
            else:
                children = set()
                for (s,) in conn.execute("SELECT DISTINCT scope FROM logical_files"):
                    children.add(s.split("::", 1)[0] if s else ".")
        rows += [FileRow(name="", node_group="", is_superfile=False, directory=child,
                         num_parts=0, modified="", accessed="", attrs={}, is_protected=False,
                         super_owners=None, num_subfiles=0, is_directory=True)
                 for child in sorted(children)]
        return (scope or "").strip(), rows, count

    # -- internals -------------------------------------------------------------------------------
    def _where(self, flt: QueryFilter) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if flt.scope_visible is not None:
            where.append("scope_visible(f.scope)")
        pattern = flt.name_pattern or "*"
        if pattern != "*":
            hints = _index_hints(pattern)
            # with a hint on another column, `+` keeps SQLite from taking the name's range for
            # the pattern's literal start instead (no statistics: it cannot tell the narrower)
            on_name = "+f.name" if hints and all("f.name" not in c for c, _ in hints) else "f.name"
            for clause, values in (patterns.pattern_clause(on_name, pattern), *hints):
                where.append(clause)
                params += values
            head = pattern.split("::")
            if len(head) > 1 and any(ch in "*?" for ch in "::".join(head[:-1])):
                where.append("scoped_match(f.name, ?)")
                params.append(pattern)
        ftype = (flt.file_type or "").strip().lower()
        if ftype == "superfiles only":
            where.append("f.is_superfile = 1")
        elif ftype == "logical files only":
            where.append("f.is_superfile = 0")
        elif ftype == "not in superfiles":
            where.append("f.super_owners = 0")
        if flt.owner:  # NOCASE folds ASCII only, as SQLite's lower() does: the index serves it
            owner = flt.owner.lower()
            clause, values = patterns.pattern_clause("lower(f.owner)", owner)
            if not any(ch in "*?" for ch in owner):  # (owner, name) order: the page stops early
                clause, values = "f.owner = ? COLLATE NOCASE", [owner]
            elif _literal_prefix(owner):  # the owner index's range for the literal start
                start = _literal_prefix(owner)
                hint, bounds = patterns.prefix_clause("f.owner COLLATE NOCASE", start)
                rest = patterns.collapse_stars(owner) == start + "*" and not hint.startswith("substr")
                clause, values = (hint, bounds) if rest else (f"{hint} AND {clause}", [*bounds, *values])
            where.append(f"f.owner != '' AND {clause}")
            params += values
        if flt.content_type:
            kind = flt.content_type.lower()
            clause, values = patterns.pattern_clause("lower(f.kind)", kind)
            if not any(ch in "*?" for ch in kind):  # NOCASE folds ASCII only, as lower() does:
                # the (kind, name) index serves equality in name order, inequality as two ranges
                clause, values = "f.kind = ? COLLATE NOCASE", [kind]
                if flt.invert_content:
                    clause = "(f.kind < ? COLLATE NOCASE OR f.kind > ? COLLATE NOCASE)"
                    values = [kind, kind]
            elif flt.invert_content:
                clause = f"NOT ({clause})"
            else:
                clause = f"lower(f.kind) != '' AND {clause}"
            where.append(clause)
            params += values
        # bounds > 0 read an unknown size as 0 (COALESCE(size, 0)); in the form of the size index
        if flt.size_from > 0:
            where.append("COALESCE(f.size, -1) >= ?")
            params.append(flt.size_from)
        if flt.size_to > 0:
            where.append("COALESCE(f.size, -1) <= ?")
            params.append(flt.size_to)
        for column, lo, hi in (("f.modified", flt.start_date, flt.end_date),
                               ("f.accessed", flt.start_accessed, flt.end_accessed)):
            # seconds compared (a stamp's fraction ignored) as a plain range the modified index
            # serves: for a bound of 19 characters, substr(stamp, 1, 19) >= lo is stamp >= lo,
            # and substr(stamp, 1, 19) <= hi is stamp < hi with its last character incremented
            if lo and len(lo) == 19:
                where.append(f"{column} >= ?")
                params.append(lo)
            elif lo:
                where.append(f"{column} >= ? AND substr({column}, 1, 19) >= ?")
                params += [lo, lo]
            upper, bounds = patterns.prefix_clause(column, hi) if hi else ("", [])
            if hi and len(hi) == 19 and not upper.startswith("substr"):
                where.append(f"{column} < ?")
                params.append(bounds[1])
            elif hi:
                where.append(f"{column} <= ? AND substr({column}, 1, 19) <= ?")
                params += [hi + "\U0010ffff", hi]
        for column, lo, hi in (("f.max_skew", flt.max_skew_from, flt.max_skew_to),
                               ("f.min_skew", flt.min_skew_from, flt.min_skew_to)):
            # the attribute as an integer, 0 when absent (the column is NULL then)
            if lo > 0:
                where.append(f"{column} >= ?")
                params.append(lo)
            if hi > 0:
                where.append(f"{column} <= ?" if lo > 0 else f"COALESCE({column}, 0) <= ?")
                params.append(hi)
        return where, params

    @staticmethod
    def _order(flt: QueryFilter) -> str:
        direction = " DESC" if flt.descending else ""
        key = (flt.sort_by or "").strip().lstrip("@").lower()
        if not key:
            return f"f.name{direction}, c.ord{direction}"
        expr, nocase = _LEGACY_SORT.get(key, (None, False))
        if expr is None:
            if key in ("description", "workunit", "job", "format", "persistent", "ecl",
                       "rowtag", "protected") or key in _NUMERIC_ATTRS:
                attr = {"recordsize": "recordSize", "maxskew": "maxSkew", "minskew": "minSkew",
                        "maxskewpart": "maxSkewPart", "minskewpart": "minSkewPart",
                        "numdiskreads": "numDiskReads", "numdiskwrites": "numDiskWrites",
                        "compressedsize": "compressedSize", "expiredays": "expireDays",
                        "rowtag": "rowTag"}.get(key, key)
                value = f"(SELECT a.value FROM file_attrs a WHERE a.file_id = f.id AND a.key = '{attr}')"
                if key in _NUMERIC_ATTRS:
                    expr, nocase = f"COALESCE(CAST({value} AS INTEGER), -1)", False
                else:
                    expr, nocase = f"COALESCE({value}, '')", True
            else:
                return f"f.name{direction}, c.ord{direction}"
        collate = " COLLATE NOCASE" if nocase else ""
        return f"{expr}{collate}{direction}, f.name{direction}, c.ord{direction}"

    def _rows(self, conn, rows, include_super_owners: bool) -> list[FileRow]:
        ids = list(dict.fromkeys(r["id"] for r in rows))
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        attrs: dict[int, dict[str, str]] = {i: {} for i in ids}
        for fid, key, value in conn.execute(
                f"SELECT file_id, key, value FROM file_attrs WHERE file_id IN ({marks}) "
                f"AND key != 'ecl'", ids):
            attrs[fid][key] = value
        protected = {r[0] for r in conn.execute(
            f"SELECT DISTINCT file_id FROM file_protect WHERE file_id IN ({marks})", ids)}
        subcounts = dict(conn.execute(
            f"SELECT super_id, COUNT(*) FROM superfile_members WHERE super_id IN ({marks}) "
            f"GROUP BY super_id", ids).fetchall())
        owners: dict[int, list[str]] = {}
        if include_super_owners:
            for sub_id, name in conn.execute(
                    f"SELECT m.sub_id, s.name FROM superfile_members m JOIN logical_files s "
                    f"ON s.id = m.super_id WHERE m.sub_id IN ({marks}) ORDER BY s.name", ids):
                owners.setdefault(sub_id, []).append(name)
        return [FileRow(name=r["name"], node_group=r["row_group"] or "",
                        is_superfile=bool(r["is_superfile"]), directory=r["directory"],
                        num_parts=r["num_parts"], modified=r["modified"],
                        accessed=r["accessed"] or "", attrs=attrs[r["id"]],
                        is_protected=r["id"] in protected,
                        super_owners=owners.get(r["id"], []) if include_super_owners else None,
                        num_subfiles=subcounts.get(r["id"], 0))
                for r in rows]
