"""WsDfu's bulk and summary operations on the catalogue, with their per-file result texts:
DFUArrayAction (wsdfu.md §4.3), DFUFileRename (§4.18), DFUSpace (§4.15), DFUSearch (§4.17).

Each function takes the request's values and returns plain records; failures of one file are
result rows (never exceptions), as in ESP. Only request-level problems raise.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Iterator, Sequence

from . import patterns
from .query import FILE_TYPES
from ..errors import DomainError, FileNotFound, InvalidArgument, MissingArgument
from .files import FileCatalog
from ..names import parse_logical_name

ARRAY_ACTIONS = ("Delete", "Add To Superfile", "Change Protection", "Change Restriction")
ANONYMOUS_USER = "hpcc"


@dataclass
class ActionResult:
    """One DFUActionInfo row."""

    file_name: str
    node_group: str | None
    result: str
    failed: bool


@dataclass
class ArrayActionOutcome:
    results: list[ActionResult]
    redirect_to: str = ""


def invalid_enum(type_name: str, value: str) -> DomainError:
    """ESP's SOAP reader for an unknown enum string (code -1; wsdfu.md §0.2)."""
    return DomainError(f"Invalid value for type {type_name}: {value}")


def array_action(catalog: FileCatalog, action: str | None, names: Sequence[str] | None, *,
                 remove_from_superfiles: bool = False, remove_recursively: bool = False,
                 protect: int = 0, restrict: int = 0,
                 user: str = ANONYMOUS_USER) -> ArrayActionOutcome:
    """DFUArrayAction: ``Action not defined.`` (20052) without a type; then the action."""
    kind = action or ""
    if not kind.strip():
        raise InvalidArgument("Action not defined.")
    if kind not in ARRAY_ACTIONS:
        raise invalid_enum("DFUArrayActions", kind)
    names = list(names or [])
    if kind == "Delete":
        return ArrayActionOutcome(delete_files(catalog, names, remove_from_superfiles,
                                               remove_recursively))
    if kind == "Change Protection":
        return ArrayActionOutcome(change_protection(catalog, names, protect, user))
    if kind == "Change Restriction":
        return ArrayActionOutcome(change_restriction(catalog, names, restrict))
    return check_superfile_candidates(catalog, names)


# -- Delete ------------------------------------------------------------------------------------

def delete_files(catalog: FileCatalog, names: Iterable[str], remove_from_superfiles: bool = False,
                 remove_recursively: bool = False) -> list[ActionResult]:
    """DFUArrayAction Delete (wsdfu.md §4.3a): one row per distinct non-empty name."""
    wanted = list(dict.fromkeys(n for n in names if n and n.strip()))
    parsed = [(text, parse_logical_name(text)) for text in wanted]  # a bad name fails them all
    results: list[ActionResult] = []
    emptied: list[str] = []
    for text, lfn in parsed:
        cluster = lfn.cluster if lfn.cluster and lfn.cluster != "null" else None
        shown = f"{lfn.name}@{cluster}" if cluster else lfn.name
        row = _Row(lfn.name, cluster, results)
        info = catalog.get(lfn.name)
        if info is None or (cluster and cluster not in info.clusters):
            row.fail(f"Could not delete file {shown}: file not found.")
            continue
        if info.super_owners:
            if not remove_from_superfiles:
                row.fail(f"The file {shown} can not be deleted because it is owned by one or "
                         f"more superfiles.")
                continue
            failed = False
            for owner in info.super_owners:
                try:
                    if catalog.superfiles.remove_member(owner, lfn.name) and remove_recursively:
                        emptied.append(owner)
                except DomainError as exc:
                    row.fail(f"Could not delete file {shown} from superfile {owner}: {exc.message}")
                    failed = True
                    break
            if failed:
                continue
        _delete_one(catalog, lfn.name, cluster, shown, row)
    for owner in dict.fromkeys(emptied):
        _delete_one(catalog, owner, None, owner, _Row(owner, None, results))
    return results


class _Row:
    def __init__(self, name: str, group: str | None, out: list[ActionResult]):
        self.name, self.group, self.out = name, group, out

    def fail(self, text: str) -> None:
        self.out.append(ActionResult(self.name, self.group, text, True))

    def ok(self, text: str) -> None:
        self.out.append(ActionResult(self.name, self.group, text, False))


def _delete_one(catalog: FileCatalog, name: str, cluster: str | None, shown: str, row: _Row) -> None:
    try:
        catalog.delete(name, cluster=cluster)
    except FileNotFound:
        row.fail(f"Could not delete file {shown}: file not found.")
    except DomainError as exc:
        text = exc.message.replace("Create ", "Delete ")
        row.fail(f"Could not delete file {shown}: {text}.")
    else:
        row.ok(f"File {shown} deleted.")


# -- Protection / restriction ------------------------------------------------------------------

def _existing(catalog: FileCatalog, names: Iterable[str], results: list[ActionResult]) -> Iterator[str]:
    """The non-blank names that exist; a missing one gets ``Cannot find file.`` in `results`."""
    for name in names:
        if not name or not name.strip():
            continue
        if _exists_quietly(catalog, name):
            yield name
        else:
            results.append(ActionResult(name, None, "Cannot find file.", True))


def change_protection(catalog: FileCatalog, names: Iterable[str], protect: int,
                      user: str = ANONYMOUS_USER) -> list[ActionResult]:
    """Change Protection (wsdfu.md §4.3c): 1 protect, 2 unprotect (the user's entry),
    3 unprotect all; 0 = nothing. ``Cannot find file.`` for a missing name."""
    if not protect:
        return []
    if protect not in (1, 2, 3):
        raise invalid_enum("DFUChangeProtection", str(protect))
    results: list[ActionResult] = []
    for name in _existing(catalog, names, results):
        if protect == 3:
            catalog.clear_protection(name)
        else:
            catalog.set_protect(name, user, protect == 1)
        results.append(ActionResult(name, None,
                                    "File protected" if protect == 1 else "File unprotected", False))
    return results


def change_restriction(catalog: FileCatalog, names: Iterable[str], restrict: int) -> list[ActionResult]:
    """Change Restriction (wsdfu.md §4.3d): 1 restrict, 2 unrestrict, 0 nothing."""
    if not restrict:
        return []
    if restrict not in (1, 2):
        raise invalid_enum("DFUChangeRestriction", str(restrict))
    results: list[ActionResult] = []
    for name in _existing(catalog, names, results):
        catalog.set_restricted(name, restrict == 1)
        results.append(ActionResult(name, None, "Changed to restricted" if restrict == 1
                                    else "Changed to unrestricted", False))
    return results


def _exists_quietly(catalog: FileCatalog, name: str) -> bool:
    try:
        return catalog.get(name) is not None
    except DomainError:
        return False


# -- Add To Superfile (legacy) -----------------------------------------------------------------

def check_superfile_candidates(catalog: FileCatalog, names: Iterable[str]) -> ArrayActionOutcome:
    """Add To Superfile (wsdfu.md §4.3b): nothing changes; the found names go to ``RedirectTo``
    (comma-separated), or failed rows are returned alone."""
    found, failures = [], []
    for name in names:
        if not name or not name.strip():
            continue
        bare = _strip_cluster(name)
        try:
            ok = catalog.get(bare) is not None
        except DomainError as exc:
            failures.append(ActionResult(name, None,
                                         f"{name}: {exc.message.replace('Create ', 'AddtoSuperfile ')}",
                                         True))
            continue
        if ok:
            found.append(bare)
        else:
            failures.append(ActionResult(name, None, f"{name}: not found", True))
    if failures:
        return ArrayActionOutcome(failures)
    return ArrayActionOutcome([], ",".join(found))


def _strip_cluster(name: str) -> str:
    head, sep, tail = name.rpartition("@")
    if sep and "::" not in tail and ":" not in tail:
        return head
    return name


# -- Rename (1.68) -----------------------------------------------------------------------------

@dataclass
class RenameResult:
    old_name: str
    new_name: str
    success: bool
    message: str


def rename_files(catalog: FileCatalog, items: Sequence[tuple[str | None, str | None]]) -> list[RenameResult]:
    """DFUFileRename (wsdfu.md §4.18): ``No files specified for rename.`` (20051) for none;
    one result per item with ``Successfully renamed.`` or the error text."""
    if not items:
        raise MissingArgument("No files specified for rename.")
    out = []
    for old, new in items:
        old, new = old or "", new or ""
        try:
            if not old.strip():
                raise InvalidArgument("DFUFileRename: Old file name cannot be empty.")
            if not new.strip():
                raise InvalidArgument("DFUFileRename: New file name cannot be empty.")
            catalog.rename(old, new)
        except DomainError as exc:
            out.append(RenameResult(old, new, False, exc.message))
        else:
            out.append(RenameResult(old, new, True, "Successfully renamed."))
    return out


# -- DFUSpace ----------------------------------------------------------------------------------

@dataclass
class SpaceItem:
    name: str
    num_files: int = 0
    num_unknown: int = 0
    total_size: int = 0
    largest_file: str = ""
    largest_size: int = 0
    smallest_file: str = ""
    smallest_size: int = 0


@dataclass
class SpaceResult:
    count_by: str
    scope_under: str
    owner_under: str
    interval: str
    start_date: str
    end_date: str
    items: list[SpaceItem]
    empty: bool = False


def _parse_day(text: str | None) -> datetime | None:
    text = (text or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text[:19] if "T" in text or " " in text else text, fmt)
        except ValueError:
            continue
    return None


def space(catalog: FileCatalog, count_by: str | None, scope_under: str | None = "",
          owner_under: str | None = "", interval: str | None = "", start_date: str | None = "",
          end_date: str | None = "") -> SpaceResult:
    """DFUSpace (wsdfu.md §4.15): statistics by scope, owner or date; superfiles excluded."""
    mode = (count_by or "").strip().lower()
    scope_under = (scope_under or "").strip()
    owner_under = (owner_under or "").strip()
    interval_text = (interval or "").strip()
    if not mode:
        return SpaceResult("", "", "", "", "", "", [], empty=True)
    start, end = _parse_day(start_date), _parse_day(end_date)
    sql = ("SELECT name, owner, size, modified FROM logical_files WHERE is_superfile = 0")
    params: list = []
    prefix = scope_under.lower().strip(":")
    if prefix:
        clause, values = patterns.pattern_clause("name", prefix + "::*")
        sql += f" AND {clause}"
        params += values
    if owner_under:
        sql += " AND lower(owner) = ?"
        params.append(owner_under.lower())
    if start:
        sql += " AND modified >= ?"
        params.append(start.strftime("%Y-%m-%dT00:00:00"))
    if end:
        sql += " AND substr(modified, 1, 10) <= ?"
        params.append(end.strftime("%Y-%m-%d"))
    rows = catalog.store.query(sql + " ORDER BY name", params)
    items: dict[str, SpaceItem] = {}
    order: list[str] = []
    iv = interval_text.lower()

    def bucket(row) -> str:
        if mode == "owner":
            return row["owner"] or "(empty)"
        if mode == "date":
            when = row["modified"] or ""
            year, month, day = when[:4], when[5:7], when[8:10]
            if iv == "year":
                return year
            if iv == "quarter":
                return f"{year} quarter: {(int(month or 1) - 1) // 3 + 1}"
            if iv == "month":
                return f"{year}-{month}"
            return f"{year}-{month}-{day}"
        name = row["name"]
        rest = name[len(prefix) + 2:] if prefix else name
        head = rest.split("::", 1)
        if len(head) == 1 or name.startswith(".::"):
            return scope_under or "(root)"
        return f"{prefix}::{head[0]}" if prefix else head[0]

    for row in rows:
        key = bucket(row)
        item = items.get(key)
        if item is None:
            item = items[key] = SpaceItem(key)
            order.append(key)
        item.num_files += 1
        size = row["size"]
        if size is None:
            item.num_unknown += 1
            continue
        item.total_size += size
        if not item.largest_file or size > item.largest_size:
            item.largest_file, item.largest_size = row["name"], size
        if not item.smallest_file or size < item.smallest_size:
            item.smallest_file, item.smallest_size = row["name"], size
    keys = sorted(order) if mode in ("date", "owner") else sorted(order, key=lambda k: (k != "(root)", k))
    shown = [items[k] for k in keys if items[k].num_files]

    def us(d: datetime | None) -> str:
        return d.strftime("%m/%d/%Y") if d else ""
    if mode == "date" and rows:
        first = _parse_day(rows and min(r["modified"] for r in rows)[:10])
        last = _parse_day(max(r["modified"] for r in rows)[:10])
        start, end = start or first, end or last
    return SpaceResult(count_by or "", scope_under, owner_under, interval_text, us(start), us(end),
                       shown)


# -- DFUSearch ---------------------------------------------------------------------------------

def search_choices(catalog: FileCatalog) -> tuple[list[str], list[str]]:
    """DFUSearch (wsdfu.md §4.17): the cluster names (Thor, then Roxie) and the file types."""
    env = catalog.cluster.environment
    names = [c.name for c in env.thor_clusters] + [r.name for r in env.roxie_targets]
    return list(dict.fromkeys(names)), list(FILE_TYPES)

