"""The logical-file catalogue: Dali's file tree on the SQLite store (wsdfu.md §2, §6, §7).

One row per logical file or superfile in ``logical_files`` (keyed by the normalised name, see
names.py), with its node groups (``file_clusters``, the first is primary), parts
(``file_parts``), the Dali ``Attr`` set (``file_attrs``, string values), Protect entries
(``file_protect``), superfile membership both ways (``superfile_members``), History/Origin
records (``file_history``) and locks (``file_locks``, see locks.py). The columns ``owner``,
``kind``, ``size``, ``record_count`` and ``accessed`` of ``logical_files`` mirror the attributes
of the same names so that DFUQuery can filter and sort with indexes.

Physical parts live under the data directory (datadir.py): part ``p`` of ``N`` on node ``n`` is
``<data>/nodes/<n>/hpcc-data/thor/<directory below the client base>/<part mask with $P$, $N$>``,
its replica the same below ``hpcc-mirror``. For files this catalogue creates, that is exactly
`DataDir.part_path`; metadata imported with Add keeps the directory it names (when it is a safe
path below the client base), so the new name shares the original's parts, as in Dali.

How to get the catalogue of a cluster: ``catalog(cluster)`` (created once, then also reachable as
``cluster.files``). Superfile operations are in superfiles.py (``catalog(cluster).superfiles``),
locks in locks.py (``catalog(cluster).locks``).

Rules every writer honours (wsdfu.md §6), checked in this order: a lock held by someone else
(`FileLocked`), Protect entries (``file <lfn> protected by <owners>``), membership of a superfile
(``Cannot remove file <lfn> as owned by SuperFile(s): <s1>, <s2>``). A failed operation
changes nothing; part files are removed only after the metadata change is committed.

Not emulated: scope permissions (LDAP), restricted-file read checks (WsDfu reads as a
privileged user anyway), HPCC's own compressed part format (block-compressed parts use the
emulator's, dfu/transfer/partfile.py), Sasha's expiry job, the per-part
``@modified`` attribute, renaming with cluster qualifiers (split/merge of copies).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..datadir import CLIENT_DATA_BASE, CLIENT_MIRROR_BASE, DataDir
from .records import (DeleteFailed, HistoryRecord, LogicalFileInfo, NewLogicalFile, OwnedBySuperfile,
                      PartRecord, ProtectEntry, RenameFailed, attr_text, canonical_attr, local_name, now_utc,
                      now_utc_precise, to_int, truthy)
from ..errors import (DomainError, FileExists, FileLocked, FileNotFound, FileProtected, ForeignFileOperation,
                      InternalError, MissingArgument)
from .intents import IntentLog, Switch, make_dirs
from .locks import LockRegistry
from .members import AGGREGATED
from ..names import parse_logical_name
from ..names import part_mask as default_part_mask

# the catalogue's API: the catalogue, and the records and errors it takes and gives (records.py)
__all__ = ["FileCatalog", "iter_leaf_names", "DeleteFailed", "HistoryRecord", "LogicalFileInfo",
           "NewLogicalFile", "OwnedBySuperfile", "PartRecord", "ProtectEntry", "RenameFailed", "local_name",
           "to_int", "truthy"]

#: attributes mirrored into columns of ``logical_files`` (attr name -> column)
MIRRORED = {"owner": "owner", "kind": "kind", "size": "size", "recordCount": "record_count",
            "accessed": "accessed"}
_INT_COLUMNS = {"size", "record_count"}
_SAFE_COMPONENT = re.compile(r"^[^/\\\x00]+$")


# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------

class FileCatalog:
    """Logical files of one emulated cluster. Thread-safe: every write is one store transaction."""

    def __init__(self, cluster: Any):
        self.cluster = cluster
        self.store = cluster.store
        self.datadir: DataDir = cluster.datadir
        self.locks = LockRegistry(self.store)
        self.intents = IntentLog(self.store, self.datadir.root)
        #: the superfile operations on this catalogue (superfiles.SuperfileManager), set by
        #: catalog.catalog(), which builds the catalogue (superfiles build on it)
        self.superfiles: Any = None

    # -- reading -----------------------------------------------------------------------------
    def exists(self, name: str) -> bool:
        try:
            parsed = parse_logical_name(name)
        except DomainError:
            return False
        return self.store.query_one("SELECT 1 FROM logical_files WHERE name = ?",
                                    (parsed.name,)) is not None

    def is_superfile(self, name: str) -> bool:
        row = self.store.query_one("SELECT is_superfile FROM logical_files WHERE name = ?",
                                   (parse_logical_name(name).name,))
        return bool(row and row[0])

    def get(self, name: str) -> LogicalFileInfo | None:
        """Everything about ``name`` (any form; an ``@cluster`` suffix is ignored), or None."""
        parsed = parse_logical_name(name)
        if parsed.is_foreign or parsed.is_external or parsed.is_multi:
            return None
        with self.store.connection() as conn:
            row = conn.execute("SELECT * FROM logical_files WHERE name = ?",
                               (parsed.name,)).fetchone()
            return None if row is None else self._load(conn, row)

    def lookup(self, name: str, cluster: str | None = None) -> LogicalFileInfo:
        """As `get`, raising DFUInfo's ``Cannot find file <name>.`` (20038) when missing, or
        ``Cannot find file <name> on <cluster>.`` when the file has no copy on ``cluster``."""
        if not (name or "").strip():
            raise MissingArgument("File name required")
        info = self.get(name)
        if info is None:
            raise FileNotFound.cannot_find(name)
        if cluster and cluster.strip():
            wanted = cluster.strip().lower()
            have = info.member_clusters if info.is_superfile else info.clusters
            if wanted not in have:
                raise FileNotFound.cannot_find(name, cluster)
        return info

    def owners_of(self, name: str) -> list[str]:
        """Names of the superfiles that contain ``name`` directly."""
        rows = self.store.query(
            "SELECT s.name FROM logical_files f JOIN superfile_members m ON m.sub_id = f.id "
            "JOIN logical_files s ON s.id = m.super_id WHERE f.name = ? ORDER BY s.name",
            (parse_logical_name(name).name,))
        return [r[0] for r in rows]

    def part_paths(self, name: str, cluster: str | None = None, *, replicas: bool = False,
                   fallback: bool = True) -> list[tuple[PartRecord, Path]]:
        """Where the bytes of ``name`` are: (part, real path) in part order, on ``cluster``
        (default: the primary copy, or the mirror copy of a part whose primary cannot be
        read; without ``fallback`` always the primary). With ``replicas`` the mirror copies of
        the parts that have one. A superfile has no parts of its own: [] (see `superfiles.expand`)."""
        info = self.get(name)
        if info is None:
            raise FileNotFound.cannot_find(name)
        if info.is_superfile:
            return []
        group = (cluster or "").strip().lower() or (info.clusters[0] if info.clusters else "")
        if group not in info.parts:
            raise FileNotFound.cannot_find(name, cluster)
        out = []
        for part in info.parts[group]:
            if replicas:
                if part.replica_node:
                    out.append((part, self._part_path(info, part, mirror=True)))
            else:
                out.append((part, self._readable_copy(info, part) if fallback else self._part_path(info, part)))
        return out

    def _readable_copy(self, info: LogicalFileInfo, part: PartRecord) -> Path:
        """The primary copy of a part; its mirror when the primary is missing or unreadable (a
        node offline or swapped) and the mirror is not, as DFU and Roxie fall back to copy 2."""
        primary = self._part_path(info, part)
        if not part.replica_node or _readable(primary):
            return primary
        mirror = self._part_path(info, part, mirror=True)
        return mirror if _readable(mirror) else primary

    def history(self, name: str) -> list[HistoryRecord]:
        info = self.get(name)
        if info is None:
            raise FileNotFound.cannot_find(name)
        rows = self.store.query("SELECT operation, timestamp, ip, path, name, owner, workunit "
                                "FROM file_history WHERE file_id = ? ORDER BY ord", (info.id,))
        return [HistoryRecord(*tuple(r)) for r in rows]

    # -- creating ----------------------------------------------------------------------------
    def create(self, f: NewLogicalFile, overwrite: bool = False, *, require_parts: bool = True,
               staged: dict[Path, Path] | None = None, holder: str = "") -> None:
        """Register a logical file, in one transaction.

        An existing file of that name: without ``overwrite`` ``DFS Exception: 1: logical name
        <lfn> already exists`` (code 1); with it the old entry must be removable (not locked by
        someone else, not protected, not a superfile member) and is replaced. ``staged`` maps
        part paths (and replica paths) to where their new bytes wait under another name: the
        catalogue switch, an intent (intents.py) and a WRITE lock for ``holder`` commit together,
        and only then are the staged files renamed into place and the old file's unused parts
        removed, so a refusal changes nothing and a crash is finished at start-up.
        ``require_parts`` checks that every primary part file (or its staged file) exists (turn
        it off only for metadata-only imports).
        """
        parsed = local_name(f.name)
        group = (f.group or parsed.cluster or "").strip().lower()
        if not group:
            raise InternalError(f"No node group given for {parsed.name}")
        parts = sorted(f.parts, key=lambda p: p.number)
        parts = [self._known_node_part(p, parsed.name) for p in parts]
        if [p.number for p in parts] != list(range(1, len(parts) + 1)):
            raise InternalError(f"Parts of {parsed.name} must be numbered 1..{len(parts)}")
        attrs = self._initial_attrs(f.attrs, parts)
        history = attrs.pop("history", None)
        directory = f.directory or DataDir.client_directory(parsed)
        mask = f.part_mask or default_part_mask(parsed.tail)
        shape = _Shape(parsed.name, directory, mask, len(parts))
        new_paths = {self._path(shape, p.node, p.number) for p in parts}
        new_paths |= {self._path(shape, p.replica_node, p.number, mirror=True)
                      for p in parts if p.replica_node}
        staged = dict(staged or {})
        if require_parts:
            for p in parts:
                path = self._path(shape, p.node, p.number)
                if not staged.get(path, path).is_file():
                    raise InternalError(f"Part {p.number} of {parsed.name} is missing")
        stamp = now_utc()
        modified = str(attrs.pop("modified", None) or stamp)
        attrs.setdefault("accessed", stamp)
        old_paths: list[Path] = []
        with self.store.transaction() as conn:
            row = self._row(conn, parsed.name)
            if row is not None:
                if not overwrite:
                    raise FileExists.dfs(parsed.name)
                self.check_removable(conn, row, parsed.name)
                old_paths = self._all_paths(conn, row)
                conn.execute("DELETE FROM logical_files WHERE id = ?", (row["id"],))
            file_id = conn.execute(
                "INSERT INTO logical_files(name, scope, tail, is_superfile, directory, partmask, "
                "num_parts, modified) VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
                (parsed.name, parsed.scope, parsed.tail, directory, mask, len(parts),
                 modified)).lastrowid
            conn.execute("INSERT INTO file_clusters(file_id, ord, cluster) VALUES (?, 0, ?)",
                         (file_id, group))
            self._insert_parts(conn, file_id, group, parts)
            self._write_attrs(conn, file_id, attrs)
            if history:
                self._append_history(conn, file_id, history)
            switch = Switch([(tmp, final) for final, tmp in staged.items()],
                            [p for p in old_paths if p not in new_paths])
            self.intents.switch_after_commit(conn, switch, holder or f"create {parsed.name}",
                                             [parsed.name] if switch.renames else [])

    def set_replicas(self, name: str, replicas: dict[int, str], staged: dict[Path, Path],
                     holder: str = "") -> None:
        """Record the mirror node of parts (part number -> node, on the primary node group) and
        switch their ``staged`` copies (final path -> staged file) into place, in one
        transaction with an intent (Replicate, backupnode)."""
        with self.store.transaction() as conn:
            row = self._existing(conn, name)
            if row["is_superfile"]:
                raise FileNotFound.cannot_find(name)
            group = self._clusters(conn, row["id"])[0]
            for number, node in replicas.items():
                known = self.node_name(node)
                if known is None:
                    raise InternalError(f"Part {number} of {row['name']}: unknown node {node}")
                conn.execute("UPDATE file_parts SET replica_node = ? WHERE file_id = ? AND cluster = ? "
                             "AND part_no = ?", (known, row["id"], group, number))
            switch = Switch(renames=[(tmp, final) for final, tmp in staged.items()])
            self.intents.switch_after_commit(conn, switch, holder or f"replicate {row['name']}",
                                             [row["name"]] if switch.renames else [])

    def add_cluster(self, name: str, group: str, parts: list[PartRecord]) -> None:
        """Give an existing file a copy on another node group (a multi-cluster file, as a
        Copy onto the same name does). The part files must be in place."""
        group = (group or "").strip().lower()
        parts = sorted(parts, key=lambda p: p.number)
        with self.store.transaction() as conn:
            row = self._row(conn, local_name(name).name)
            if row is None or row["is_superfile"]:
                raise FileNotFound.cannot_find(name)
            parts = [self._known_node_part(p, row["name"]) for p in parts]
            if len(parts) != row["num_parts"]:
                raise InternalError(f"{row['name']} has {row['num_parts']} parts, not {len(parts)}")
            shape = _Shape.of(row)
            for p in parts:
                if not self._path(shape, p.node, p.number).is_file():
                    raise InternalError(f"Part {p.number} of {row['name']} is missing on {p.node}")
            if conn.execute("SELECT 1 FROM file_clusters WHERE file_id = ? AND cluster = ?",
                            (row["id"], group)).fetchone():
                raise DomainError(f"Cluster {group} already part of file {row['name']}")
            ord_ = conn.execute("SELECT COALESCE(MAX(ord), -1) + 1 FROM file_clusters "
                                "WHERE file_id = ?", (row["id"],)).fetchone()[0]
            conn.execute("INSERT INTO file_clusters(file_id, ord, cluster) VALUES (?, ?, ?)",
                         (row["id"], ord_, group))
            self._insert_parts(conn, row["id"], group, parts)

    def bulk_register(self, files: Iterable[NewLogicalFile]) -> int:
        """Seed many files fast, in one transaction, without checks or part files (benchmarks,
        fixtures). Existing names are skipped. Returns how many were added."""
        stamp = now_utc()
        added = 0
        with self.store.transaction() as conn:
            for f in files:
                parsed = parse_logical_name(f.name)
                attrs = self._initial_attrs(f.attrs, f.parts)
                attrs.pop("history", None)
                attrs.setdefault("accessed", stamp)
                cur = conn.execute(
                    "INSERT OR IGNORE INTO logical_files(name, scope, tail, is_superfile, "
                    "directory, partmask, num_parts, modified) VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
                    (parsed.name, parsed.scope, parsed.tail,
                     f.directory or DataDir.client_directory(parsed),
                     f.part_mask or default_part_mask(parsed.tail), len(f.parts),
                     str(attrs.pop("modified", stamp))))
                if not cur.rowcount:
                    continue
                file_id = cur.lastrowid
                conn.execute("INSERT INTO file_clusters(file_id, ord, cluster) VALUES (?, 0, ?)",
                             (file_id, f.group.lower()))
                self._insert_parts(conn, file_id, f.group.lower(), f.parts)
                self._write_attrs(conn, file_id, attrs)
                added += 1
        return added

    # -- changing ----------------------------------------------------------------------------
    def set_attrs(self, name: str, changes: dict[str, object]) -> None:
        """Set (or, with None, remove) attributes of a file or superfile."""
        with self.store.transaction() as conn:
            row = self._existing(conn, name)
            attrs = {canonical_attr(k): v for k, v in changes.items()}
            self._write_attrs(conn, row["id"], attrs)
            if AGGREGATED & attrs.keys():   # the owners tally their members again at their next change
                conn.execute("DELETE FROM superfile_tallies WHERE super_id IN "
                             "(SELECT super_id FROM superfile_members WHERE sub_id = ?)", (row["id"],))

    def set_description(self, name: str, text: str) -> None:
        self.set_attrs(name, {"description": text or ""})

    def set_protect(self, name: str, owner: str, protect: bool = True) -> None:
        """Add or refresh (``protect``) or remove ``owner``'s Protect entry (wsdfu.md §7)."""
        with self.store.transaction() as conn:
            row = self._existing(conn, name)
            self._protect(conn, row["id"], owner, protect)

    def clear_protection(self, name: str) -> None:
        """UnprotectAll: remove every Protect entry."""
        with self.store.transaction() as conn:
            row = self._existing(conn, name)
            conn.execute("DELETE FROM file_protect WHERE file_id = ?", (row["id"],))

    def set_restricted(self, name: str, restricted: bool) -> None:
        self.set_attrs(name, {"restricted": True if restricted else None})

    def add_history(self, name: str, record: HistoryRecord | dict) -> None:
        with self.store.transaction() as conn:
            row = self._existing(conn, name)
            self._append_history(conn, row["id"], [record])

    def erase_history(self, name: str) -> list[HistoryRecord]:
        """Return the History records of ``name`` and clear them."""
        with self.store.transaction():
            records = self.history(name)
            self.store.execute("DELETE FROM file_history WHERE file_id = "
                               "(SELECT id FROM logical_files WHERE name = ?)",
                               (parse_logical_name(name).name,))
        return records

    def describe(self, name: str, cluster: str | None = None, *, protect: int = 0,
                 restrict: int = 0, description: str | None = None,
                 user: str = "hpcc") -> LogicalFileInfo:
        """DFUInfo: look ``name`` up (`lookup` texts), apply the requested Protect (1 protect,
        2 unprotect the user's entry, 3 unprotect all), Restrict (1 on, 2 off) and description
        change in one transaction, and return the result."""
        info = self.lookup(name, cluster)
        if protect or restrict or description is not None:
            with self.store.transaction() as conn:
                if protect == 1:
                    self._protect(conn, info.id, user, True)
                elif protect == 2:
                    self._protect(conn, info.id, user, False)
                elif protect == 3:
                    conn.execute("DELETE FROM file_protect WHERE file_id = ?", (info.id,))
                if restrict in (1, 2):
                    self._write_attrs(conn, info.id, {"restricted": True if restrict == 1 else None})
                if description is not None:
                    self._write_attrs(conn, info.id, {"description": description})
            info = self.lookup(name, cluster)
        return info

    # -- deleting and renaming ---------------------------------------------------------------
    def delete(self, name: str, *, cluster: str | None = None, keep_parts: bool = False) -> None:
        """Remove a file (and its part files and replicas) or a superfile (its members stay).

        ``name@cluster`` or ``cluster`` removes only that copy of a multi-cluster file.
        Missing (or no copy on ``cluster``): `FileNotFound` (20038). Locked by someone else,
        protected, or a superfile member: `DeleteFailed` with Dali's text (wsdfu.md §4.3a).
        Foreign names: ``<lfn> is foreign``. ``keep_parts``: remove the metadata only (XREF's
        DeleteLogical of a lost file; the surviving parts become orphans).
        """
        parsed = parse_logical_name(name)
        if parsed.is_foreign:
            raise ForeignFileOperation.cannot_remove(parsed.name)
        if parsed.is_external or parsed.is_multi:
            raise FileNotFound.cannot_find(parsed.name)
        group = (cluster or parsed.cluster or "").strip().lower()
        if group == "null":
            group = ""
        lfn = f"{parsed.name}@{group}" if group else parsed.name
        with self.store.transaction() as conn:
            row = self._row(conn, parsed.name)
            if row is None:
                raise FileNotFound.cannot_find(parsed.name)
            clusters = self._clusters(conn, row["id"])
            if group and group not in clusters:
                raise FileNotFound.cannot_find(parsed.name, group)
            try:
                self.check_removable(conn, row, lfn)
            except FileLocked as exc:
                raise DeleteFailed(lfn, f"Failed to remove {lfn}: {exc.message}", exc) from None
            except (FileProtected, OwnedBySuperfile) as exc:
                raise DeleteFailed(lfn, f"Can't remove {lfn}: {exc.message}", exc) from None
            if group and len(clusters) > 1:
                paths = self._all_paths(conn, row, only_cluster=group)
                conn.execute("DELETE FROM file_parts WHERE file_id = ? AND cluster = ?",
                             (row["id"], group))
                conn.execute("DELETE FROM file_clusters WHERE file_id = ? AND cluster = ?",
                             (row["id"], group))
            else:
                paths = self._all_paths(conn, row)
                conn.execute("DELETE FROM logical_files WHERE id = ?", (row["id"],))
            self.intents.switch_after_commit(conn, Switch(removals=[] if keep_parts else paths), f"delete {lfn}")

    def rename(self, old: str, new: str, holder: str = "") -> None:
        """Rename a logical file and move its part files (Dali ``renamePhysical``; the texts of
        wsdfu.md §4.18). One transaction renames it in the catalogue and records the moves as
        an intent (with a WRITE lock on the new name for ``holder``); the parts move after the
        commit, and a crash in between is finished at start-up."""
        src, dst = parse_logical_name(old), parse_logical_name(new)
        if src.is_external or dst.is_external:
            raise RenameFailed("rename: cannot rename external files")
        if src.is_foreign or dst.is_foreign:
            raise ForeignFileOperation.cannot_rename()
        if src.cluster and dst.cluster:
            raise RenameFailed("rename: cannot specify both source and destination clusters on rename")
        if src.name == dst.name:
            raise RenameFailed(f"rename: cannot rename file {src.name} to itself")
        with self.store.transaction() as conn:
            row = self._row(conn, src.name)
            if row is None:
                raise RenameFailed(f"rename: file {src.name} doesn't exist in the file system")
            if row["is_superfile"]:
                raise RenameFailed(f"rename: cannot rename file {src.name} as is SuperFile")
            try:
                self.check_removable(conn, row, src.name)
            except (FileProtected, OwnedBySuperfile) as exc:
                raise RenameFailed(f"rename: {exc.message}") from None
            if self._row(conn, dst.name) is not None:
                raise RenameFailed(f"rename: file {dst.name} already exist in the file system")
            old_shape = _Shape.of(row)
            new_shape = _Shape(dst.name, DataDir.client_directory(dst),
                               default_part_mask(dst.tail), row["num_parts"])
            moves: list[tuple[Path, Path]] = []
            for part_row in conn.execute("SELECT part_no, node, replica_node FROM file_parts "
                                         "WHERE file_id = ?", (row["id"],)).fetchall():
                for node, mirror in ((part_row["node"], False), (part_row["replica_node"], True)):
                    if not node:
                        continue
                    a = self._path(old_shape, node, part_row["part_no"], mirror)
                    b = self._path(new_shape, node, part_row["part_no"], mirror)
                    if a.exists() and a != b:
                        make_dirs(b.parent)
                        moves.append((a, b))
            conn.execute("UPDATE logical_files SET name = ?, scope = ?, tail = ?, "
                         "directory = ?, partmask = ? WHERE id = ?",
                         (dst.name, dst.scope, dst.tail, new_shape.directory,
                          new_shape.mask, row["id"]))
            self.intents.switch_after_commit(conn, Switch(renames=moves), holder or f"rename {src.name}",
                                             [dst.name])

    # -- rules -------------------------------------------------------------------------------
    def check_replaceable(self, name: str) -> None:
        """Before any byte of a new ``name`` is written: raise what `create` with ``overwrite``
        would raise for the existing file (a lock, Protect entries, superfile owners); nothing
        when there is no such file."""
        parsed = local_name(name)
        with self.store.connection() as conn:
            row = self._row(conn, parsed.name)
            if row is not None:
                self.check_removable(conn, row, parsed.name)

    def check_removable(self, conn, row, lfn: str) -> None:
        """Raise the reason Dali gives for not removing/renaming/overwriting ``row``: a lock
        held by someone else, Protect entries, superfile owners (in that order)."""
        self.locks.check_writable(row["name"], is_superfile=bool(row["is_superfile"]))
        owners = [r[0] for r in conn.execute("SELECT owner FROM file_protect WHERE file_id = ? "
                                             "ORDER BY modified, owner", (row["id"],))]
        if owners:
            raise FileProtected.protected_by(lfn, owners)
        supers = [r[0] for r in conn.execute(
            "SELECT s.name FROM superfile_members m JOIN logical_files s ON s.id = m.super_id "
            "WHERE m.sub_id = ? ORDER BY s.name", (row["id"],))]
        if supers:
            raise OwnedBySuperfile.named(lfn, supers)

    # -- internals (also used by superfiles.py) ----------------------------------------------
    @staticmethod
    def _row(conn, name: str):
        return conn.execute("SELECT * FROM logical_files WHERE name = ?", (name,)).fetchone()

    def _existing(self, conn, name: str):
        row = self._row(conn, local_name(name).name)
        if row is None:
            raise FileNotFound.cannot_find(name)
        return row

    @staticmethod
    def _clusters(conn, file_id: int) -> list[str]:
        return [r[0] for r in conn.execute("SELECT cluster FROM file_clusters WHERE file_id = ? "
                                           "ORDER BY ord", (file_id,))]

    def _load(self, conn, row) -> LogicalFileInfo:
        fid = row["id"]
        clusters = self._clusters(conn, fid)
        parts: dict[str, list[PartRecord]] = {c: [] for c in clusters}
        for r in conn.execute("SELECT cluster, part_no, node, size, record_count, crc, "
                              "replica_node, compressed_size FROM file_parts WHERE file_id = ? "
                              "ORDER BY part_no", (fid,)):
            parts.setdefault(r["cluster"], []).append(PartRecord(
                r["part_no"], r["node"], r["size"] or 0, r["record_count"], r["crc"],
                r["replica_node"], r["compressed_size"]))
        attrs = {k: v for k, v in conn.execute("SELECT key, value FROM file_attrs "
                                               "WHERE file_id = ?", (fid,)) if v is not None}
        protect = [ProtectEntry(r[0], r[1]) for r in conn.execute(
            "SELECT owner, modified FROM file_protect WHERE file_id = ? ORDER BY modified, owner",
            (fid,))]
        owners = [r[0] for r in conn.execute(
            "SELECT s.name FROM superfile_members m JOIN logical_files s ON s.id = m.super_id "
            "WHERE m.sub_id = ? ORDER BY s.name", (fid,))]
        subfiles: list[str] = []
        member_clusters: list[str] = []
        if row["is_superfile"]:
            subfiles = [r[0] for r in conn.execute(
                "SELECT f.name FROM superfile_members m JOIN logical_files f ON f.id = m.sub_id "
                "WHERE m.super_id = ? ORDER BY m.num", (fid,))]
            member_clusters = self._member_clusters(conn, fid)
        return LogicalFileInfo(
            id=fid, name=row["name"], is_superfile=bool(row["is_superfile"]),
            directory=row["directory"], part_mask=row["partmask"], num_parts=row["num_parts"],
            modified=row["modified"], attrs=attrs, clusters=clusters, parts=parts,
            protect=protect, super_owners=owners, subfiles=subfiles,
            member_clusters=member_clusters)

    def _member_clusters(self, conn, super_id: int) -> list[str]:
        out: dict[str, None] = {}
        seen = {super_id}
        stack = [super_id]
        while stack:
            sid = stack.pop()
            for r in conn.execute(
                    "SELECT f.id, f.is_superfile FROM superfile_members m JOIN logical_files f "
                    "ON f.id = m.sub_id WHERE m.super_id = ? ORDER BY m.num", (sid,)):
                if r["is_superfile"]:
                    if r["id"] not in seen:
                        seen.add(r["id"])
                        stack.append(r["id"])
                else:
                    for c in self._clusters(conn, r["id"]):
                        out.setdefault(c)
        return list(out)

    def _initial_attrs(self, attrs: dict[str, object], parts: list[PartRecord]) -> dict[str, object]:
        out: dict[str, object] = {}
        for key, value in (attrs or {}).items():
            out[canonical_attr(key)] = value
        if out.get("expireDays") is not None and to_int(out["expireDays"]) == -1:
            out.pop("expireDays")
        if out.get("size") is None:
            out["size"] = sum(p.size or 0 for p in parts)
        return out

    def _write_attrs(self, conn, file_id: int, attrs: dict[str, object]) -> None:
        touched = False
        for key, value in attrs.items():
            if key == "history":
                continue
            text = attr_text(value)
            if text is None:
                conn.execute("DELETE FROM file_attrs WHERE file_id = ? AND key = ?", (file_id, key))
            else:
                conn.execute("INSERT INTO file_attrs(file_id, key, value) VALUES (?, ?, ?) "
                             "ON CONFLICT(file_id, key) DO UPDATE SET value = excluded.value",
                             (file_id, key, text))
            touched = touched or key in MIRRORED
        if touched:
            self._sync_columns(conn, file_id)

    @staticmethod
    def _sync_columns(conn, file_id: int) -> None:
        values = dict(conn.execute(
            f"SELECT key, value FROM file_attrs WHERE file_id = ? AND key IN "
            f"({', '.join('?' * len(MIRRORED))})", (file_id, *MIRRORED)).fetchall())
        sets, params = [], []
        for key, column in MIRRORED.items():
            value = values.get(key)
            if column in _INT_COLUMNS:
                value = to_int(value)
            elif column in ("owner", "kind"):
                value = value or ""
            sets.append(f"{column} = ?")
            params.append(value)
        conn.execute(f"UPDATE logical_files SET {', '.join(sets)} WHERE id = ?", (*params, file_id))

    @staticmethod
    def _protect(conn, file_id: int, owner: str, protect: bool) -> None:
        if protect:
            conn.execute("INSERT INTO file_protect(file_id, owner, modified) VALUES (?, ?, ?) "
                         "ON CONFLICT(file_id, owner) DO UPDATE SET modified = excluded.modified",
                         (file_id, owner, now_utc_precise()))
        else:
            conn.execute("DELETE FROM file_protect WHERE file_id = ? AND owner = ?",
                         (file_id, owner))

    @staticmethod
    def _append_history(conn, file_id: int, records: Iterable[HistoryRecord | dict]) -> None:
        start = conn.execute("SELECT COALESCE(MAX(ord), 0) FROM file_history WHERE file_id = ?",
                             (file_id,)).fetchone()[0]
        for i, rec in enumerate(records, start + 1):
            if isinstance(rec, dict):
                rec = HistoryRecord(**{k: str(v) for k, v in rec.items()})
            conn.execute("INSERT INTO file_history(file_id, ord, operation, timestamp, ip, path, "
                         "name, owner, workunit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (file_id, i, rec.operation, rec.timestamp or now_utc(), rec.ip,
                          rec.path, rec.name, rec.owner, rec.workunit))

    @staticmethod
    def _insert_parts(conn, file_id: int, group: str, parts: Iterable[PartRecord]) -> None:
        conn.executemany(
            "INSERT INTO file_parts(file_id, cluster, part_no, node, replica_node, size, "
            "compressed_size, crc, record_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(file_id, group, p.number, p.node, p.replica_node, p.size, p.compressed_size,
              p.crc, p.record_count) for p in parts])

    def _known_node_part(self, part: PartRecord, name: str) -> PartRecord:
        """The part with its node (and replica node) given by name; an address is mapped to
        the node that has it. Unknown nodes are refused: they would be paths outside the data
        directory."""
        node = self.node_name(part.node)
        replica = self.node_name(part.replica_node) if part.replica_node else None
        if node is None or (part.replica_node and replica is None):
            raise InternalError(f"Part {part.number} of {name}: unknown node "
                                f"{part.node if node is None else part.replica_node}")
        if node == part.node and replica == part.replica_node:
            return part
        return PartRecord(part.number, node, part.size, part.record_count, part.crc, replica,
                          part.compressed_size)

    def node_name(self, node: str | None) -> str | None:
        """The emulated node called ``node`` or having that address, or None."""
        key = (node or "").strip()
        nodes = self.cluster.environment.nodes
        for n in nodes:
            if n.name == key:
                return n.name
        for n in nodes:
            if n.address == key:
                return n.name
        return None

    def node_address(self, node: str) -> str:
        for n in self.cluster.environment.nodes:
            if n.name == node:
                return n.address
        return node

    def _part_path(self, info: LogicalFileInfo, part: PartRecord, mirror: bool = False) -> Path:
        shape = _Shape(info.name, info.directory, info.part_mask, info.num_parts)
        return self._path(shape, part.replica_node if mirror else part.node, part.number, mirror)

    def _path(self, shape: "_Shape", node: str, number: int, mirror: bool = False) -> Path:
        rel = _relative_dir(shape.directory)
        fname = _expand_mask(shape.mask, number, shape.num_parts)
        if rel is None or fname is None:
            return self.datadir.part_path(node, shape.name, number, shape.num_parts, mirror=mirror)
        base = self.datadir.node_mirror_dir(node) if mirror else self.datadir.node_data_dir(node)
        return base.joinpath(*rel, fname)

    def _all_paths(self, conn, row, only_cluster: str | None = None) -> list[Path]:
        if row["is_superfile"]:
            return []
        shape = _Shape.of(row)
        sql = "SELECT part_no, node, replica_node FROM file_parts WHERE file_id = ?"
        params: tuple = (row["id"],)
        if only_cluster:
            sql += " AND cluster = ?"
            params += (only_cluster,)
        out = []
        for r in conn.execute(sql, params):
            out.append(self._path(shape, r["node"], r["part_no"]))
            if r["replica_node"]:
                out.append(self._path(shape, r["replica_node"], r["part_no"], mirror=True))
        return out


@dataclass(frozen=True)
class _Shape:
    """What a part's path depends on."""

    name: str
    directory: str
    mask: str
    num_parts: int

    @classmethod
    def of(cls, row) -> "_Shape":
        return cls(row["name"], row["directory"], row["partmask"], row["num_parts"])


def _readable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.R_OK)


def _relative_dir(directory: str) -> list[str] | None:
    """The components of a client directory below the data (or mirror) base, or None when it
    is not a safe path below it."""
    directory = (directory or "").rstrip("/")
    for base in (CLIENT_DATA_BASE, CLIENT_MIRROR_BASE):
        if directory == base:
            return []
        if directory.startswith(base + "/"):
            parts = directory[len(base) + 1:].split("/")
            if all(p and p not in (".", "..") and _SAFE_COMPONENT.match(p) for p in parts):
                return parts
            return None
    return None


def _expand_mask(mask: str, number: int, num_parts: int) -> str | None:
    name = (mask or "").replace("$P$", str(number)).replace("$N$", str(num_parts))
    if not name or name in (".", "..") or not _SAFE_COMPONENT.match(name):
        return None
    return name


def iter_leaf_names(cat: FileCatalog, name: str) -> Iterator[str]:
    """The regular files under ``name``: itself, or a superfile's members flattened in order."""
    info = cat.get(name)
    if info is None:
        return
    if not info.is_superfile:
        yield info.name
        return
    seen = {info.name}
    stack = list(reversed(info.subfiles))
    while stack:
        sub = stack.pop()
        if sub in seen:
            continue
        seen.add(sub)
        sub_info = cat.get(sub)
        if sub_info is None:
            continue
        if sub_info.is_superfile:
            stack.extend(reversed(sub_info.subfiles))
        else:
            yield sub_info.name
