"""Roxie package maps on the Dali store: maps, parts, PackageSets, activation, validation, and the
file resolution the emulated Roxie uses.

Storage (packageprocess.md §4.1), one row per node of Dali's trees:

* ``package_maps(id, content)``: ``/PackageMaps/PackageMap[@id]``. ``id`` is the lower-cased
  PMID (``<target>::<name>``, or ``<name>`` with GlobalScope). ``content`` is the map element
  *without* its ``Part`` children, as XML (its attributes, e.g. ``multipart="1"``, and any
  top-level legacy ``Package`` elements);
* ``package_map_parts(map_id, ord, part_id, content)``: the ordered ``Part`` children, each
  stored as the normalised ``<Part id=...>`` XML that GetPartFromPackageMap returns. Part ids
  keep their case and are matched exactly;
* ``package_sets(id, process, ord)``: ``/PackageSets/PackageSet`` (``default_<process>``, with
  ``*`` -> ``#`` and ``?`` -> ``~``);
* ``package_set_entries(set_id, map_id, query_set, active, ord)``: the PackageSet's
  ``PackageMap`` entries. ``query_set`` is the Target exactly as AddPackage received it;
  ``active`` is 1, 0 or NULL (no attribute).

Every request is one store transaction (reads: one snapshot); a write bumps the meta counter
``packagemaps.generation`` and, once committed, calls the `on_change` listeners (the emulated
Roxie reloads there, so a change is live when the SOAP call that made it returns).

Two views of "active" (§4.2, quirk Q1): ESP's (an entry is active only when ``active`` is 1),
used by every WsPackageProcess method, and Roxie's, used by `PackageMaps.resolve`, which loads
every entry of the matching PackageSets and, with ``missing_active_means_active=True``, also
treats an entry without the attribute as active (real Roxie does; the documented behaviour and
this emulator's default do not).

Not emulated: copying file metadata or data from another Dali/remote storage (DaliIp,
SourceProcess on a remote, RemoteStorage, UpdateSuperFiles, UpdateCloneFrom, AppendCluster and
the Dfu* options are accepted and ignored; no DFU publisher workunit is ever created), Dali
locks on /PackageMaps (SQLite transactions serialise writers instead), the ESP-side cache of
/PackageMaps, the HTTP multipart upload of package maps. ``foreign::`` and ``remote::`` files
declared in a map are looked up by their local name in this Dali.
"""
from __future__ import annotations

import logging
import sqlite3
import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Sequence

from . import pkg_xml as X
from .errors import DomainError, InvalidLogicalName
from .names import normalize_logical_name
from .pkg_errors import PackageLoadError, PackageProcessError
from .pkg_model import (PackageMapModel, SelfContainedSuperfile, declared_files, is_multipart_document,
                        is_wildcard, normalise, package_elements, resolve_superfile, strip_tilde,
                        superfile_ids, wildcard_match)
from .pkg_queries import QuerySets

log = logging.getLogger(__name__)
GENERATION_KEY = "packagemaps.generation"
EMPTY_MAPS = "<PackageMaps/>\n"


# ------------------------------------------------------------------------------- values

@dataclass(frozen=True)
class UpdateOptions:
    """The request fields AddPackage, AddPartToPackageMap and CopyPackageMap share."""

    process: str = ""
    global_scope: bool = False
    dali_ip: str = ""
    source_process: str = ""
    remote_storage: str = ""
    allow_foreign_files: bool = True
    preload_all: bool = False
    update_superfiles: bool = False
    update_clone_from: bool = False
    append_cluster: bool = True
    dfu_copy_files: bool = False
    only_copy_files: bool = False
    stop_if_files_copied: bool = False
    publisher_wuid: str = ""


@dataclass(frozen=True)
class UpdateResult:
    """``description`` is None when nothing was stored (OnlyCopyFiles)."""

    pmid: str
    description: str | None
    files_not_found: list[str]
    publisher_wuid: str = ""
    publisher_state: str = ""


@dataclass(frozen=True)
class MapRef:
    """One entry of DeletePackage's batch array."""

    id: str = ""
    target: str = ""
    process: str = ""


@dataclass
class MapListing:
    """One PackageListMapData: ``packages`` are (id, queries) of the map's top-level Packages."""

    id: str
    target: str
    process: str
    active: bool
    packages: list[tuple[str, str]] = field(default_factory=list)
    description: str | None = None


@dataclass(frozen=True)
class TargetOption:
    name: str
    type: str
    processes: list[str] | None


@dataclass(frozen=True)
class SelectOptions:
    targets: list[TargetOption] | None
    process_filters: list[str] | None


@dataclass
class ValidationResult:
    target: str
    pmid: str
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unmatched_packages: list[str] = field(default_factory=list)
    unmatched_queries: list[str] = field(default_factory=list)
    unmatched_files: list[str] = field(default_factory=list)
    not_in_dfs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FileMapping:
    """GetQueryFileMapping: files no package covers, and covered superfiles with their subfiles
    (in reverse document order, as ESP lists them)."""

    unmapped: list[str]
    superfiles: list[tuple[str, list[str]]]


@dataclass(frozen=True)
class Resolution:
    """How the emulated Roxie resolves a query's files through the package maps (§4.5, §5).

    * ``served`` False: maps are loaded for the target but none is active, so Roxie does not
      serve the target's queries; ``reason`` is ``"no_packages_active"`` (nothing active at all
      for the process: ROXIE_NO_PACKAGES_ACTIVE, 1450) or ``"not_active_for_target"``
      (ROXIE_UNKNOWN_QUERY, 1403).
    * ``pmid`` is the active map answering, None when no map is loaded (Roxie's empty
      ``<none>`` map: every file resolves through Dali).
    * ``package`` is the matched package id (None = the root package, no overrides).
    * ``superfiles``: every superfile the package chain defines that resolves, lower-cased
      name -> resolved subfiles in order (virtual superkeys included; subfiles that are
      themselves package superfiles are flattened; Dali superfiles stay as names).
    * ``unresolved``: superfiles the package defines but none of whose subfiles resolve; Roxie
      then looks the name up in Dali, unless ``compulsory``.
    * ``error``: the query cannot load (e.g. "Superfile x contains itself as a subfile", or its
      registry ``package`` attribute names a missing package); Roxie suspends it.
    * ``failed_maps``: (pmid, message) of maps skipped because they do not load.
    """

    target: str
    query_id: str
    served: bool = True
    reason: str | None = None
    pmid: str | None = None
    package: str | None = None
    compulsory: bool = False
    superfiles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unresolved: tuple[str, ...] = ()
    error: str | None = None
    failed_maps: tuple[tuple[str, str], ...] = ()

    def lookup(self, name: str) -> tuple[str, ...] | None:
        """The package's subfiles for a logical name (``~`` and case ignored), or None when
        the package does not resolve it (then: Dali, unless compulsory)."""
        return self.superfiles.get(strip_tilde(name.strip()).lower())


@dataclass(frozen=True)
class _Entry:
    set_id: str
    process: str
    map_id: str
    query_set: str
    active: int | None


# ------------------------------------------------------------------------------- change listeners

_listeners: "weakref.WeakKeyDictionary[object, list[weakref.WeakMethod]]" = weakref.WeakKeyDictionary()


def on_change(store, listener: Callable[[], None]) -> None:
    """Call the bound method `listener` after every committed package-map write on `store`, in
    the writing thread, before the write's SOAP call returns (the emulated Roxie reloads then).
    Held weakly; an exception in a listener is logged, never raised to the writer."""
    _listeners.setdefault(store, []).append(weakref.WeakMethod(listener))


def _notify_changed(store) -> None:
    for ref in list(_listeners.get(store, ())):
        fn = ref()
        if fn is None:
            continue
        try:
            fn()
        except Exception:  # the write itself succeeded; a reload failure must not undo that
            log.exception("package-map change listener failed")


# ------------------------------------------------------------------------------- helpers

def package_set_id(process: str) -> str:
    """buildPkgSetId: ``default_<process>``, empty -> ``*``, ``*`` -> ``#``, ``?`` -> ``~``."""
    return "default_" + (process or "*").replace("*", "#").replace("?", "~")


def _split_source_path(path: str) -> tuple[str | None, str, str]:
    """splitPMPath: ``target/pmid`` or ``//host[:port]/target/pmid``."""
    remote = path.startswith("//")
    parts = (path[2:] if remote else path).split("/")
    wanted = 3 if remote else 2
    if len(parts) != wanted or not all(p.strip() for p in parts):
        raise PackageProcessError.invalid_source_path()
    if remote:
        return parts[0], parts[1], parts[2]
    return None, parts[0], parts[1]


# ------------------------------------------------------------------------------- the engine

class PackageMaps:
    """Package maps of one emulated cluster. Stateless apart from the store: cheap to create."""

    def __init__(self, store, environment, *, missing_active_means_active: bool = False):
        self.store = store
        self.environment = environment
        self.missing_active_means_active = missing_active_means_active

    @classmethod
    def for_cluster(cls, cluster) -> "PackageMaps":
        faithful = bool(getattr(cluster.settings, "roxie_missing_active_means_active", False))
        return cls(cluster.store, cluster.environment, missing_active_means_active=faithful)

    # -- transactions ---------------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        changed = False
        with self.store.transaction() as conn:
            before = conn.total_changes
            yield conn
            if conn.total_changes != before:
                self._bump(conn)
                changed = True
        if changed:
            _notify_changed(self.store)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read snapshot (WAL): never blocks writers, never sees half a write."""
        with self.store.connection() as conn:
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    @staticmethod
    def _bump(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO meta(key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE "
                     "SET value = CAST(value AS INTEGER) + 1", (GENERATION_KEY,))

    def generation(self) -> int:
        """A counter that changes with every package-map write (for Roxie's reload check)."""
        row = self.store.query_one("SELECT value FROM meta WHERE key = ?", (GENERATION_KEY,))
        return int(row[0]) if row else 0

    # -- ids and targets ------------------------------------------------------------------------
    def _target_known(self, target: str) -> bool:
        env = self.environment
        return env.roxie_target(target) is not None or env.thor_cluster(target) is not None

    def _pmid(self, target: str, name: str, global_scope: bool) -> str:
        """setPMID (§3.2 step 1): checks in ESP's order, then lower-cased."""
        if not name:
            raise PackageProcessError.name_required()
        if global_scope:
            return name.lower()
        if not target:
            raise PackageProcessError.target_required()
        if target != "*" and not self._target_known(target):
            raise PackageProcessError.unknown_target(target)
        return f"{target}::{name}".lower()

    def _check_source_process(self, options: UpdateOptions) -> None:
        """§3.2 step 3: a SourceProcess must exist in the (local) source; remote sources are not
        checked (the emulator has no other Dali)."""
        if not options.source_process or options.dali_ip or options.remote_storage:
            return
        env = self.environment
        known = {c.name for c in env.thor_clusters} | {p.lower() for r in env.roxie_targets
                                                       for p in r.processes}
        if options.source_process.lower() not in known:
            raise PackageProcessError.process_not_found(options.source_process, "local")

    # -- map rows ---------------------------------------------------------------------------------
    @staticmethod
    def _map_row(conn: sqlite3.Connection, pmid: str) -> sqlite3.Row | None:
        return conn.execute("SELECT id, content FROM package_maps WHERE id = ?", (pmid,)).fetchone()

    def _read_map(self, conn: sqlite3.Connection, pmid: str) -> X.Element | None:
        """The whole stored ``PackageMap`` element (shell + parts), or None."""
        row = self._map_row(conn, pmid)
        if row is None:
            return None
        root = X.parse(row["content"]) if row["content"] else None
        if root is None:
            root = X.new("PackageMap", {"id": pmid, "multipart": "1"})
        for (content,) in conn.execute("SELECT content FROM package_map_parts WHERE map_id = ? "
                                       "ORDER BY ord", (pmid,)):
            part = X.parse(content)
            if part is not None:
                root.append(part)
        return root

    @staticmethod
    def _write_map(conn: sqlite3.Connection, pmid: str, doc: X.Element) -> None:
        """Replace the map: the shell goes to package_maps, each Part to its own row."""
        conn.execute("DELETE FROM package_maps WHERE id = ?", (pmid,))
        shell = X.clone(doc)
        parts = X.children(shell, "Part")
        for part in parts:
            shell.remove(part)
        shell.tag = "PackageMap"
        shell.set("id", pmid)
        conn.execute("INSERT INTO package_maps(id, content) VALUES (?, ?)", (pmid, X.to_xml(shell)))
        for ord_, part in enumerate(parts, 1):
            # two Parts with one id: the later replaces the earlier (Dali would keep both)
            conn.execute("INSERT OR REPLACE INTO package_map_parts(map_id, ord, part_id, content) "
                         "VALUES (?, ?, ?, ?)", (pmid, ord_, part.get("id") or "", X.to_xml(part)))

    def _convert_legacy(self, conn: sqlite3.Connection, pmid: str) -> bool:
        """convertExisting (§3.2 step 4): a map without ``multipart`` becomes one Part named
        after the text behind ``::``. Returns whether the map exists."""
        row = self._map_row(conn, pmid)
        if row is None:
            return False
        shell = X.parse(row["content"]) if row["content"] else None
        if shell is None or X.read_bool(shell.get("multipart")):
            return True
        whole = self._read_map(conn, pmid)
        part = X.new("Part", {"id": pmid.split("::", 1)[1] if "::" in pmid else pmid})
        for child in X.children(whole):
            part.append(child)
        doc = X.new("PackageMap", {"id": pmid, "multipart": "1"})
        doc.append(part)
        self._write_map(conn, pmid, doc)
        return True

    @staticmethod
    def _map_document(pmid: str, root: X.Element, part_name: str, preload: bool) -> X.Element:
        """doCreate (§3.2 step 7): a multi-part document is kept as given; anything else becomes
        Part `part_name` (root renamed, attributes kept) of a new multi-part map."""
        if is_multipart_document(root):
            doc = X.clone(root)
            doc.tag = "PackageMap"
            doc.set("id", pmid)
            normalise(package_elements(doc), preload)
            return doc
        part = X.clone(root)
        part.tag = "Part"
        part.set("id", part_name)
        normalise(X.children(part, "Package"), preload)
        doc = X.new("PackageMap", {"id": pmid, "multipart": "1"})
        doc.append(part)
        return doc

    # -- files --------------------------------------------------------------------------------------
    @staticmethod
    def _in_dfs(conn: sqlite3.Connection, name: str) -> bool:
        try:
            key = normalize_logical_name(name)
        except InvalidLogicalName:
            return False
        return conn.execute("SELECT 1 FROM logical_files WHERE name = ?", (key,)).fetchone() is not None

    def _files_not_found(self, conn: sqlite3.Connection, packages: list[X.Element],
                         allow_foreign: bool = True) -> list[str]:
        """§3.2 step 8: declared files missing from DFS; a foreign one may be refused."""
        missing = []
        for f in declared_files(packages):
            if f.foreign is not None and not allow_foreign:
                raise PackageProcessError.foreign_not_allowed(f.name)
            if not self._in_dfs(conn, f.name):
                missing.append(f.name)
        return missing

    # -- package sets -------------------------------------------------------------------------------
    @staticmethod
    def _next_ord(conn: sqlite3.Connection, table: str) -> int:
        return conn.execute(f"SELECT COALESCE(MAX(ord), 0) + 1 FROM {table}").fetchone()[0]

    def _register(self, conn: sqlite3.Connection, pmid: str, query_set: str, process: str,
                  activate: bool) -> None:
        """§3.2 step 11: find or add the PackageSet entry, then makePackageActive."""
        process = process or "*"
        set_id = package_set_id(process)
        if conn.execute("SELECT 1 FROM package_sets WHERE id = ?", (set_id,)).fetchone() is None:
            conn.execute("INSERT INTO package_sets(id, process, ord) VALUES (?, ?, ?)",
                         (set_id, process, self._next_ord(conn, "package_sets")))
        key = (set_id, pmid, query_set)
        row = conn.execute("SELECT active FROM package_set_entries WHERE set_id = ? AND map_id = ? "
                           "AND query_set = ?", key).fetchone()
        if row is None:
            conn.execute("INSERT INTO package_set_entries(set_id, process, ord, map_id, query_set, active) "
                         "VALUES (?, ?, ?, ?, ?, NULL)",
                         (set_id, process, self._next_ord(conn, "package_set_entries"), pmid, query_set))
        if activate:
            self._activate_entry(conn, set_id, pmid, query_set)
        elif row is not None and row["active"] == 1:
            conn.execute("UPDATE package_set_entries SET active = 0 WHERE set_id = ? AND map_id = ? "
                         "AND query_set = ?", key)

    @staticmethod
    def _activate_entry(conn: sqlite3.Connection, set_id: str, pmid: str, query_set: str) -> None:
        conn.execute("UPDATE package_set_entries SET active = 0 WHERE set_id = ? AND query_set = ? "
                     "AND active = 1 AND map_id <> ?", (set_id, query_set, pmid))
        conn.execute("UPDATE package_set_entries SET active = 1 WHERE set_id = ? AND map_id = ? "
                     "AND query_set = ?", (set_id, pmid, query_set))

    @staticmethod
    def _set_exists(conn: sqlite3.Connection, set_id: str) -> bool:
        return conn.execute("SELECT 1 FROM package_sets WHERE id = ?", (set_id,)).fetchone() is not None

    @staticmethod
    def _entries(conn: sqlite3.Connection, set_id: str) -> list[_Entry]:
        rows = conn.execute("SELECT set_id, process, map_id, query_set, active FROM package_set_entries "
                            "WHERE set_id = ? ORDER BY ord", (set_id,)).fetchall()
        return [_Entry(*r) for r in rows]

    @staticmethod
    def _sets(conn: sqlite3.Connection) -> list[tuple[str, str]]:
        return [(r[0], r[1]) for r in conn.execute("SELECT id, process FROM package_sets ORDER BY ord")]

    # =====================================================================================
    # WsPackageProcess operations
    # =====================================================================================

    def add(self, target: str, name: str, info: str, *, activate: bool = False,
            overwrite: bool = False, options: UpdateOptions = UpdateOptions()) -> UpdateResult:
        """AddPackage (§3.2). ReplacePackageMap does not allow a replacement here (Q2); only
        `overwrite` does. Overwriting an active map without `activate` deactivates it (Q3)."""
        target, name = target or "", name or ""
        pmid = self._pmid(target, name, options.global_scope)
        self._check_source_process(options)
        with self._write() as conn:
            exists = self._convert_legacy(conn, pmid)
            root = X.parse(info)
            if root is None:
                raise PackageProcessError.no_content()
            if exists and not overwrite:
                raise PackageProcessError.map_exists(pmid)
            doc = self._map_document(pmid, root, name, options.preload_all)
            missing = self._files_not_found(conn, package_elements(doc), options.allow_foreign_files)
            if options.only_copy_files:
                return UpdateResult(pmid, None, missing)
            self._write_map(conn, pmid, doc)
            self._register(conn, pmid, "" if options.global_scope else target, options.process, activate)
        return UpdateResult(pmid, f"Successfully loaded {name}", missing)

    def add_part(self, target: str, name: str, part_name: str, content: str, *,
                 delete_previous: bool = False, options: UpdateOptions = UpdateOptions()) -> UpdateResult:
        """AddPartToPackageMap (§3.3): creates the map (unactivated) if missing; otherwise
        appends the part, replacing a part of the same id (exact match) only with
        `delete_previous`; a replaced part moves to the end. PackageSet entries are untouched
        when the map exists."""
        target, name, part_name = target or "", name or "", part_name or ""
        pmid = self._pmid(target, name, options.global_scope)
        self._check_source_process(options)
        description = f"Successfully loaded Part {part_name} to PackageMap {pmid}"
        with self._write() as conn:
            if not self._convert_legacy(conn, pmid):
                root = X.parse(content)
                if root is None:
                    raise PackageProcessError.no_content()
                if not part_name:
                    raise PackageProcessError.no_part_name()
                doc = self._map_document(pmid, root, part_name, options.preload_all)
                missing = self._files_not_found(conn, package_elements(doc), options.allow_foreign_files)
                if options.only_copy_files:
                    return UpdateResult(pmid, None, missing)
                self._write_map(conn, pmid, doc)
                self._register(conn, pmid, "" if options.global_scope else target, options.process, False)
                return UpdateResult(pmid, description, missing)

            root = X.parse(content)
            if not part_name:
                raise PackageProcessError.no_part_name()
            if root is None:
                raise PackageProcessError.no_content()
            part = X.clone(root)
            part.tag = "Part"
            part.set("id", part_name)
            packages = X.children(part, "Package")
            normalise(packages, options.preload_all)
            existing = conn.execute("SELECT 1 FROM package_map_parts WHERE map_id = ? AND part_id = ?",
                                    (pmid, part_name)).fetchone()
            if existing is not None and not delete_previous:
                raise PackageProcessError.part_exists(part_name)
            missing = self._files_not_found(conn, packages, options.allow_foreign_files)
            if options.only_copy_files:
                return UpdateResult(pmid, None, missing)
            conn.execute("DELETE FROM package_map_parts WHERE map_id = ? AND part_id = ?", (pmid, part_name))
            next_ord = conn.execute("SELECT COALESCE(MAX(ord), 0) + 1 FROM package_map_parts "
                                    "WHERE map_id = ?", (pmid,)).fetchone()[0]
            conn.execute("INSERT INTO package_map_parts(map_id, ord, part_id, content) VALUES (?, ?, ?, ?)",
                         (pmid, next_ord, part_name, X.to_xml(part)))
        return UpdateResult(pmid, description, missing)

    def remove_part(self, target: str, name: str, part_name: str, *, global_scope: bool = False) -> str:
        """RemovePartFromPackageMap (§3.4). Removing the last part keeps an empty map."""
        part_name = part_name or ""
        pmid = self._pmid(target or "", name or "", global_scope)
        with self._write() as conn:
            self._require_part(conn, pmid, part_name)
            conn.execute("DELETE FROM package_map_parts WHERE map_id = ? AND part_id = ?", (pmid, part_name))
        return f"Successfully removed Part {part_name} from PackageMap {pmid}"

    def get_part(self, target: str, name: str, part_name: str, *, global_scope: bool = False) -> str:
        """GetPartFromPackageMap (§3.5): the stored, normalised ``<Part id=...>`` XML."""
        part_name = part_name or ""
        pmid = self._pmid(target or "", name or "", global_scope)
        with self._write() as conn:  # may convert a legacy map, as ESP's updater does
            return self._require_part(conn, pmid, part_name)

    def _require_part(self, conn: sqlite3.Connection, pmid: str, part_name: str) -> str:
        if not self._convert_legacy(conn, pmid):
            raise PackageProcessError.map_not_found(pmid)
        row = conn.execute("SELECT content FROM package_map_parts WHERE map_id = ? AND part_id = ?",
                           (pmid, part_name)).fetchone()
        if row is None:
            raise PackageProcessError.part_not_found(pmid, part_name)
        return row[0]

    def activate(self, target: str, name: str, *, process: str = "", global_scope: bool = False) -> None:
        """ActivatePackage (§3.6): the target need not be known; a missing PackageSet is a
        silent no-op (Q4); other active entries of the same literal querySet in the same set are
        deactivated."""
        self._set_active(target, name, process, global_scope, True)

    def deactivate(self, target: str, name: str, *, process: str = "", global_scope: bool = False) -> None:
        """DeActivatePackage (§3.6): same lookups and errors (11005) as ActivatePackage."""
        self._set_active(target, name, process, global_scope, False)

    def _set_active(self, target: str, name: str, process: str, global_scope: bool, active: bool) -> None:
        if not target:
            raise PackageProcessError.no_target_defined()
        if not name:
            raise PackageProcessError.no_pmid()
        t, n = target.lower(), name.lower()
        set_id = package_set_id(process or "*")
        with self._write() as conn:
            if not self._set_exists(conn, set_id):
                return
            row = None
            if not global_scope:
                row = conn.execute("SELECT map_id, query_set FROM package_set_entries WHERE set_id = ? "
                                   "AND query_set = ? AND map_id = ?", (set_id, t, f"{t}::{n}")).fetchone()
            if row is None:
                row = conn.execute("SELECT map_id, query_set FROM package_set_entries WHERE set_id = ? "
                                   "AND map_id = ? ORDER BY ord LIMIT 1", (set_id, n)).fetchone()
            if row is None:
                raise PackageProcessError.activate_not_found(n, t)
            if active:
                self._activate_entry(conn, set_id, row["map_id"], row["query_set"])
            else:
                conn.execute("UPDATE package_set_entries SET active = 0 WHERE set_id = ? AND map_id = ? "
                             "AND query_set = ?", (set_id, row["map_id"], row["query_set"]))

    def delete(self, target: str = "", name: str = "", *, process: str = "", global_scope: bool = False,
               batch: Sequence[MapRef] = ()) -> str:
        """DeletePackage (§3.7). With `batch`, each entry is deleted in turn; an error ends the
        request but keeps the deletions made before it (as ESP does). Returns the Description."""
        message = ""
        failure: DomainError | None = None
        with self._write() as conn:
            try:
                if batch:
                    for i, ref in enumerate(batch):
                        if not ref.id:
                            message += f"PackageMap[{i}]: Package map Id not specified; "
                            continue
                        if not ref.target:
                            message += f"PackageMap[{i}]: Target not specified;"
                            continue
                        self._delete_one(conn, ref.target, ref.id, ref.process or "*", global_scope)
                        message += f"Successfully deleted {ref.id} from {ref.target};"
                else:
                    self._delete_one(conn, target or "", name or "", process or "*", global_scope)
                    message += f"Successfully deleted {name or ''} from {target or ''};"
            except DomainError as exc:
                failure = exc
        if failure is not None:
            raise failure
        return message

    def _delete_one(self, conn: sqlite3.Connection, target: str, name: str, process: str,
                    global_scope: bool) -> None:
        if conn.execute("SELECT 1 FROM package_sets LIMIT 1").fetchone() is None:
            raise PackageProcessError.no_package_sets()
        set_id = package_set_id(process)
        if not self._set_exists(conn, set_id):
            raise PackageProcessError.no_package_sets_for(process)
        t, n = target.lower(), name.lower()
        candidates = ([f"{t}::{n}"] if not global_scope else []) + [n]
        for map_id in candidates:
            hit = conn.execute("DELETE FROM package_set_entries WHERE set_id = ? AND map_id = ? "
                               "AND query_set = ?", (set_id, map_id, t)).rowcount
            if hit:
                break
        else:
            raise PackageProcessError.delete_not_found(n)
        if conn.execute("SELECT 1 FROM package_set_entries WHERE map_id = ? LIMIT 1",
                        (map_id,)).fetchone() is None:
            conn.execute("DELETE FROM package_maps WHERE id = ?", (map_id,))

    def list_set(self, target: str = "", process: str = "") -> list[MapListing]:
        """ListPackage (§3.8): the entries of PackageSet ``default_<process>`` only."""
        with self._read() as conn:
            return self._listing(conn, package_set_id(process or "*"), target or "", process or "*")

    def _listing(self, conn: sqlite3.Connection, set_id: str, target: str, shown_process: str) -> list[MapListing]:
        out = []
        for entry in self._entries(conn, set_id):
            if target and entry.query_set != target:
                continue
            row = self._map_row(conn, entry.map_id) if entry.map_id else None
            if row is None:
                continue
            shell = X.parse(row["content"]) if row["content"] else None
            packages = [(p.get("id") or "", p.get("queries") or "")
                        for p in (X.children(shell, "Package") if shell is not None else [])]
            out.append(MapListing(entry.map_id, entry.query_set, shown_process, entry.active == 1, packages))
        return out

    def list_sets(self, target: str = "", process: str = "", process_filter: str = "") -> list[MapListing]:
        """ListPackages (§3.9): several PackageSets, with the duplicate-active warning."""
        target, process = target or "", process or ""
        if not process and process_filter:
            return self.list_set(target, process_filter)
        with self._read() as conn:
            out: list[MapListing] = []
            for set_id, set_process in self._sets(conn):
                if not set_process:
                    continue
                if process and set_process != "*" and not wildcard_match(process, set_process):
                    continue
                out += self._listing(conn, set_id, target, set_process)
        if process:
            for i, earlier in enumerate(out):
                for later in out[i + 1:]:
                    if earlier.active and later.active and earlier.target == later.target:
                        later.description = f"Error: package {earlier.id} is also active."
        return out

    def get_active(self, target: str = "", process: str = "") -> str:
        """GetPackage (§3.10): the active (``active='1'``) maps of one PackageSet, merged."""
        with self._read() as conn:
            set_id = package_set_id(process or "*")
            if not self._set_exists(conn, set_id):
                return EMPTY_MAPS
            root = X.new("PackageMaps")
            for entry in self._entries(conn, set_id):
                if entry.active != 1 or (target and entry.query_set != target):
                    continue
                _merge(root, self._read_map(conn, entry.map_id))
            return X.to_xml(root)

    def get_by_id(self, pmid: str) -> str:
        """GetPackageMapById (§3.11): ``<PackageMaps/>`` when unknown (not an error)."""
        with self._read() as conn:
            root = X.new("PackageMaps")
            _merge(root, self._read_map(conn, (pmid or "").lower()))
            return X.to_xml(root)

    def select_options(self, include_targets: bool = True, include_processes: bool = True,
                       include_process_filters: bool = True) -> SelectOptions:
        """GetPackageMapSelectOptions (§3.14)."""
        targets = None
        if include_targets or include_processes:
            targets = [TargetOption(r.name, "roxie", list(r.processes) if include_processes else None)
                       for r in self.environment.roxie_targets]
        filters = None
        if include_process_filters:
            with self._read() as conn:
                filters = ["*"]
                for _, process in self._sets(conn):
                    if process and process not in filters:
                        filters.append(process)
        return SelectOptions(targets, filters)

    def copy(self, source_path: str, target: str, *, pmid: str = "", activate: bool = False,
             replace: bool = False, options: UpdateOptions = UpdateOptions(),
             fetch_remote: Callable[[str, str], str] | None = None) -> UpdateResult:
        """CopyPackageMap (§3.15). A remote source (``//host:port/target/pmid``) is read with
        `fetch_remote(host, pmid) -> Info text` (GetPackageMapById on that ESP). Here
        ReplacePackageMap (`replace`) is what allows overwriting."""
        host, src_target, src_pmid = _split_source_path(source_path or "")
        dest = self._pmid(target or "", pmid or src_pmid, False)
        self._check_source_process(options)
        remote_doc = None
        if host is not None:
            if fetch_remote is None:
                raise PackageProcessError.source_not_found()
            remote_doc = X.parse(fetch_remote(host, f"{src_target}::{src_pmid}"))
            if remote_doc is None or not X.children(remote_doc):
                raise PackageProcessError.source_not_found()
        with self._write() as conn:
            source = remote_doc if remote_doc is not None else \
                self._read_map(conn, f"{src_target}::{src_pmid}".lower())
            if source is None:
                raise PackageProcessError.source_not_found()
            if self._convert_legacy(conn, dest) and not replace:
                raise PackageProcessError.map_exists(dest)
            doc = X.clone(source)
            doc.tag = "PackageMap"
            doc.set("id", dest)
            normalise(package_elements(doc), options.preload_all)
            missing = self._files_not_found(conn, package_elements(doc))
            if options.only_copy_files:
                return UpdateResult(dest, None, missing)
            self._write_map(conn, dest, doc)
            self._register(conn, dest, target, options.process, activate)
        return UpdateResult(dest, f"Successfully loaded {src_pmid}", missing)

    # -- ValidatePackage ----------------------------------------------------------------------------
    def validate(self, target: str, *, info: str = "", pmid: str = "", active: bool = False,
                 query_id: str = "", queries_to_verify: Iterable[str] = (),
                 queries_to_ignore: Iterable[str] = (), check_dfs: bool = False,
                 global_scope: bool = False, ignore_warnings: bool = False,
                 ignore_optional_files: bool = False) -> list[ValidationResult]:
        """ValidatePackage (§3.12, §6): one result per target (every Roxie target for ``*``).
        The map comes from `active`, else `pmid` (not lower-cased), else `info`."""
        if not target:
            raise PackageProcessError.target_cluster_required()
        document = None
        if not active and not pmid:
            if not info:
                raise PackageProcessError.need_pmid_or_content()
            document = X.parse(info)
            if document is None:
                raise PackageProcessError.bad_content()
            normalise(package_elements(document))
        verify = [q for q in queries_to_verify if q]
        if query_id and query_id not in verify:
            verify.append(query_id)
        if target == "*":
            targets = [r.name for r in self.environment.roxie_targets]
        elif not self._target_known(target):
            raise PackageProcessError.target_cluster_not_found()
        else:
            targets = [target]
        ignore = [q for q in queries_to_ignore if q]
        with self._read() as conn:
            return [self._validate_target(conn, t, document, pmid, active, global_scope, verify, ignore,
                                          check_dfs, ignore_warnings, ignore_optional_files)
                    for t in targets]

    def _validate_target(self, conn, target, document, pmid, active, global_scope, verify, ignore,
                         check_dfs, ignore_warnings, ignore_optional) -> ValidationResult:
        roxie = self.environment.roxie_target(target)
        if roxie is None or not roxie.processes:
            raise PackageProcessError.roxie_process_not_found()
        if active:
            root = self._esp_active_map(conn, target, roxie.processes[0])
            if root is None:
                raise PackageProcessError.active_map_not_found()
        elif pmid:
            root = self._map_by_pmid(conn, target, pmid, global_scope)
            if root is None:
                raise PackageProcessError.pmid_not_found(pmid)
        else:
            root = document
        result = ValidationResult(target=target, pmid=root.get("id") or "")
        if check_dfs:
            result.not_in_dfs = [f.name for f in declared_files(package_elements(root))
                                 if not self._in_dfs(conn, f.name)]
        model = PackageMapModel.load(root)
        queries = QuerySets(conn)
        if not (queries.exists(target) or self.environment.roxie_target(target)):
            raise PackageProcessError.queryset_not_found(target)
        _check_model(model, queries, target, verify, ignore, ignore_optional, result)
        if ignore_warnings:
            result.warnings = []
        return result

    def _map_by_pmid(self, conn, target: str, pmid: str, global_scope: bool) -> X.Element | None:
        """ValidatePackage/GetQueryFileMapping: ``<target>::<PMID>`` then ``<PMID>``, as sent."""
        for key in ([f"{target}::{pmid}"] if not global_scope else []) + [pmid]:
            root = self._read_map(conn, key)
            if root is not None:
                return root
        return None

    def _esp_active_map(self, conn, target: str, process: str) -> X.Element | None:
        """resolveActivePackageMap: the PackageSet whose process is `process`, else the first
        whose process pattern matches it; then its first ``active='1'`` entry whose querySet
        (a pattern) matches `target`."""
        sets = self._sets(conn)
        chosen = next((s for s, p in sets if p == process), None)
        if chosen is None:
            chosen = next((s for s, p in sets if p and wildcard_match(p, process)), None)
        if chosen is None:
            return None
        for entry in self._entries(conn, chosen):
            if entry.active == 1 and entry.query_set and wildcard_match(entry.query_set, target):
                root = self._read_map(conn, entry.map_id)
                return root if root is not None else X.new("PackageMap", {"id": entry.map_id})
        return None

    # -- GetQueryFileMapping ------------------------------------------------------------------------
    def query_file_mapping(self, target: str, query_name: str, *, pmid: str = "",
                           global_scope: bool = False) -> FileMapping:
        """GetQueryFileMapping (§3.13). An unknown `pmid` is an empty map, not an error."""
        if not query_name:
            raise PackageProcessError.query_name_required()
        if not target:
            raise PackageProcessError.target_cluster_required()
        if not self._target_known(target):
            raise PackageProcessError.unable_to_find_target()
        roxie = self.environment.roxie_target(target)
        if roxie is None:
            raise PackageProcessError.roxie_target_required()
        with self._read() as conn:
            if pmid:
                root = self._map_by_pmid(conn, target, pmid, global_scope)
            else:
                root = self._esp_active_map(conn, target, roxie.processes[0]) if roxie.processes else None
                if root is None:
                    raise PackageProcessError.active_map_not_found()
            model = PackageMapModel.load(root, pmid=pmid or None)
            queries = QuerySets(conn)
            query_id = queries.resolve(target, query_name)
            if query_id is None:
                raise PackageProcessError.query_not_found(query_name)
            package = model.match(query_id)
            unmapped: list[str] = []
            supers: list[tuple[str, list[str]]] = []
            for f in queries.files(target, query_id):
                found = model.locate_superfile(package, f.name)
                if found is None:
                    unmapped.append(f.name)
                elif found[1].subfiles:
                    subs = [strip_tilde(v).lower() for v in reversed(found[1].subfiles) if v]
                    supers.append((f.name, subs))
            return FileMapping(unmapped, supers)

    # =====================================================================================
    # Roxie
    # =====================================================================================

    def resolve(self, target: str, query_id: str, *, process: str | None = None) -> Resolution:
        """How the emulated Roxie process (default: the target's first) resolves the files of
        query `query_id` on `target` through its package maps (§4.2, §4.5, §5). Reads the store
        once; the caller decides caching and reload timing."""
        roxie = self.environment.roxie_target(target)
        if process is None:
            process = roxie.processes[0] if roxie and roxie.processes else ""
        with self._read() as conn:
            loaded, failed, any_active = self._roxie_maps(conn, target, process)
            failed_maps = tuple(failed)
            if not loaded:
                return Resolution(target, query_id, failed_maps=failed_maps)
            active = [model for entry, model in loaded if self._roxie_active(entry)]
            if not active:
                reason = "not_active_for_target" if any_active else "no_packages_active"
                return Resolution(target, query_id, served=False, reason=reason, failed_maps=failed_maps)
            model = active[0]
            wanted = QuerySets(conn).package_attribute(target, query_id)
            if wanted:
                package = model.package(wanted)
                if package is None:
                    return Resolution(target, query_id, pmid=model.pmid, failed_maps=failed_maps,
                                      error=f"Package {wanted} specified by query {query_id} not found")
            else:
                package = model.match(query_id)
            mapping: dict[str, tuple[str, ...]] = {}
            unresolved: list[str] = []
            error = None
            for name in superfile_ids(model, package):
                try:
                    subs = resolve_superfile(model, package, name, lambda n: self._in_dfs(conn, n))
                except SelfContainedSuperfile as exc:
                    error = error or exc.message
                    continue
                if subs is None:
                    unresolved.append(name)
                else:
                    mapping[name] = tuple(subs)
            return Resolution(target, query_id, pmid=model.pmid,
                              package=package.id if package else None,
                              compulsory=bool(package and package.compulsory), superfiles=mapping,
                              unresolved=tuple(unresolved), error=error, failed_maps=failed_maps)

    def _roxie_active(self, entry: _Entry) -> bool:
        return entry.active == 1 or (entry.active is None and self.missing_active_means_active)

    def _roxie_maps(self, conn, target: str, process: str):
        """The maps Roxie `process` loads for `target`, in load order: entries of every
        PackageSet whose process pattern matches (an empty one matches all), whose querySet
        pattern matches the target (an empty querySet matches nothing, Q9). Maps that fail to
        load are skipped; a missing map is an empty one (§5.7, §5.8)."""
        loaded: list[tuple[_Entry, PackageMapModel]] = []
        failed: list[tuple[str, str]] = []
        any_active = False
        for set_id, set_process in self._sets(conn):
            if set_process and not wildcard_match(set_process, process):
                continue
            for entry in self._entries(conn, set_id):
                any_active = any_active or self._roxie_active(entry)
                if not entry.query_set or not wildcard_match(entry.query_set, target):
                    continue
                root = self._read_map(conn, entry.map_id)
                try:
                    model = PackageMapModel.load(root, pmid=entry.map_id)
                except PackageLoadError as exc:
                    failed.append((entry.map_id, exc.message))
                    continue
                loaded.append((entry, model))
        return loaded, failed, any_active


# ------------------------------------------------------------------------------- module helpers

def _merge(root: X.Element, stored: X.Element | None) -> None:
    """mergePTree: the map's attributes become the root's, its children are appended."""
    if stored is None:
        return
    for key, value in X.attributes(stored).items():
        root.set(key, value)
    for child in X.children(stored):
        root.append(child)


def _ignored(query_id: str, patterns: list[str]) -> bool:
    for p in patterns:
        if is_wildcard(p):
            if wildcard_match(p, query_id):
                return True
        elif p == query_id:
            return True
    return False


def _check_model(model: PackageMapModel, queries: QuerySets, target: str, verify: list[str],
                 ignore: list[str], ignore_optional: bool, result: ValidationResult) -> None:
    """CPackageMapOf::validate and CPackageNode::validate (§6, steps 2-5)."""
    referenced: set[str] = set()
    for pkg in model.packages:
        for sf in pkg.superfiles:
            if not sf.id:
                result.errors.append("SuperFile has no id attribute")
            elif not sf.subfiles:
                result.warnings.append(f"Package['{pkg.id}']/SuperFile['{sf.id}'] has no SubFiles defined")
        for base in pkg.bases:
            referenced.add(base.lower())
    if verify:
        ids = []
        for q in verify:
            if queries.has_query(target, q):
                ids.append(q)
            else:
                result.errors.append(f"Query {q} not found in {target} queryset")
    else:
        ids = queries.query_ids(target)
    if not ids:
        result.warnings.append("No Queries found")
        return
    for q in ids:
        if _ignored(q, ignore):
            continue
        package = model.match(q)
        libraries = {}
        for lib in queries.libraries(target, q):
            lib_package = model.match(lib)
            if lib_package is None:
                result.unmatched_queries.append(lib)
            else:
                referenced.add(lib_package.id.lower())
                libraries[lib] = lib_package
        unmatched = 0
        for f in queries.files(target, q):
            if f.optional and ignore_optional:
                continue
            found = model.locate_superfile(package, f.name)
            if found is not None:
                owner = found[0]
                for lib, lib_package in libraries.items():
                    other = model.locate_superfile(lib_package, f.name)
                    if other is not None and other[0].id.lower() != owner.id.lower():
                        result.warnings.append(f"For query {q} SuperFile {f.name} defined in package "
                                               f"{owner.id} redefined for library {lib} in package "
                                               f"{other[0].id}")
                continue
            if f.optional:
                suffix = "/Optional"
            elif package is not None and package.compulsory:
                suffix = "/Compulsory"
            else:
                suffix = ""
            result.unmatched_files.append(f"{q}/{f.name}{suffix}")
            unmatched += 1
        if package is None:
            result.unmatched_queries.append(q)
            continue
        referenced.add(package.id.lower())
        if package.compulsory and unmatched:
            result.errors.append(f"Compulsory query {q} has query files not defined in package {package.id}")
    result.unmatched_packages = [p.id for p in model.packages if p.id.lower() not in referenced]
