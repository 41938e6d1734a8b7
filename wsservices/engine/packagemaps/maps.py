"""Roxie package maps on the Dali store: maps, parts, PackageSets and activation. Validation,
query file mappings and the file resolution the emulated Roxie uses are in checks.py (a part
of `PackageMaps`); the values taken and returned are in values.py.

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
from typing import Callable, Iterator, Sequence

from . import xmlio as X
from ..errors import DomainError, InvalidLogicalName
from ..names import normalize_logical_name
from .checks import PackageChecks
from .errors import PackageProcessError
from .model import declared_files, is_multipart_document, normalise, package_elements, wildcard_match
from .values import MapListing, MapRef, SelectOptions, TargetOption, UpdateOptions, UpdateResult, _Entry

log = logging.getLogger(__name__)
GENERATION_KEY = "packagemaps.generation"
EMPTY_MAPS = "<PackageMaps/>\n"


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

class PackageMaps(PackageChecks):
    """Package maps of one emulated cluster. Stateless apart from the store: cheap to create."""

    def __init__(self, store, environment, *, missing_active_means_active: bool = False,
                 limits: X.Limits = X.Limits()):
        self.store = store
        self.environment = environment
        self.missing_active_means_active = missing_active_means_active
        self.limits = limits

    @classmethod
    def for_cluster(cls, cluster) -> "PackageMaps":
        faithful = bool(getattr(cluster.settings, "roxie_missing_active_means_active", False))
        return cls(cluster.store, cluster.environment, missing_active_means_active=faithful,
                   limits=X.Limits.from_settings(cluster.settings))

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
        root = X.parse(info, self.limits)  # before the store is locked: other requests go on
        with self._write() as conn:
            exists = self._convert_legacy(conn, pmid)
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
        root = X.parse(content, self.limits)  # before the store is locked: other requests go on
        with self._write() as conn:
            if not self._convert_legacy(conn, pmid):
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
            remote_doc = X.parse(fetch_remote(host, f"{src_target}::{src_pmid}"), self.limits)
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


# ------------------------------------------------------------------------------- module helpers

def _merge(root: X.Element, stored: X.Element | None) -> None:
    """mergePTree: the map's attributes become the root's, its children are appended."""
    if stored is None:
        return
    for key, value in X.attributes(stored).items():
        root.set(key, value)
    for child in X.children(stored):
        root.append(child)
