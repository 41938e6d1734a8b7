"""Superfiles: ordered lists of logical files (and superfiles) under one name (wsdfu.md §4.4-4.6, §5).

Membership is stored both ways (``superfile_members``, indexed by superfile and by member), so a
file's SuperOwners and a superfile's subfiles are both one indexed lookup. Every request runs
in **one** store transaction (all-or-nothing, like a Dali superfile transaction); subfiles
removed with ``delete`` are deleted after the commit, and a failure there is reported after the
removal has been committed, as in Dali. A superfile's aggregated attributes (``size``,
``recordCount``, ``compressedSize`` sums when every member has them, ``recordSize``, ``kind`` and
``format`` when all members agree) and its ``modified`` time follow every membership change and
are propagated to the superfiles that contain it; an emptied superfile keeps only its
``description``. Member rows and aggregates change incrementally (members.py): adding or
removing a member costs what changes, not what the superfile holds.

Emulated: auto-creation on add, ``before`` (empty = append, ``*`` = first, ``#n``, a member name,
an unknown name = first), duplicates (8302), missing members (8303), globs in remove, ``delete``
and ``removeSuperfile``, protection of the superfile, a lock held on the superfile, the
compression-compatibility check, nesting.
Deviation (documented in the notes as a recommendation): *any* cycle is refused, with Dali's
self-add wording ``addSubFile: Cannot add file <lfn> to itself``; real Dali only refuses direct
self-addition. A lock on the superfile makes the request fail at once (Dali retries until the
lock goes away). Not emulated: the other format checks (blocked, local/global, replication
offset), ``#n`` in remove, RemoveOwnedSubFiles, SwapSuperFile.
"""
from __future__ import annotations

import threading
from typing import Iterable, Sequence

from .. import codes
from ..errors import (DomainError, FileExists, FileNotFound, ForeignFileOperation, InvalidArgument,
                      MissingArgument, NotASuperfile)
from . import members
from .records import multi_exception, now_utc_precise
from .files import DeleteFailed, FileCatalog, iter_leaf_names, truthy
from ..names import LogicalName, parse_logical_name
from ..jlib.wildcards import wildmatch


class SuperfileError(DomainError):
    """Superfile errors of WsDfu's DFU helper (83xx) and of Dali (-1), with their real texts."""

    code = codes.GENERIC_ERROR

    @classmethod
    def already_contains(cls, sub: str) -> "SuperfileError":
        return cls(f"Superfile already contains subfile {sub}", codes.DFUERR_DSuperFileContainsSub)

    @classmethod
    def doesnt_contain(cls, sub: str) -> "SuperfileError":
        return cls(f"Superfile doesn't contains subfile {sub}",
                   codes.DFUERR_DSuperFileDoesntContainSub)

    @classmethod
    def nothing_to_add(cls) -> "SuperfileError":
        return cls("No file has been specified to be added to the superfile",
                   codes.DFUERR_DNoSubfileToAddToSuperFile)

    @classmethod
    def sub_not_found(cls, sub: str) -> "SuperfileError":
        return cls(f"cAddSubFileAction: sub file {sub} not found")

    @classmethod
    def add_to_itself(cls, name: str) -> "SuperfileError":
        return cls(f"addSubFile: Cannot add file {name} to itself")

    @classmethod
    def already_subfile(cls, sub: str, superfile: str) -> "SuperfileError":
        return cls(f"addSubFile: File {sub} is already a subfile of {superfile}")

    @classmethod
    def position_out_of_range(cls, pos: int, sub: str, superfile: str) -> "SuperfileError":
        return cls(f"addSubFile: Insert position {pos} out of range for file {sub} "
                   f"in superfile {superfile}")

    @classmethod
    def protected(cls, operation: str, superfile: str, owners: Sequence[str]) -> "SuperfileError":
        """``CDistributedSuperFile::<addSubFile|removeSubFile> file <super> protected by <o>``."""
        return cls(f"CDistributedSuperFile::{operation} file {superfile} protected by "
                   f"{', '.join(owners)}")

    @classmethod
    def compression_mismatch(cls, sub: str, sub_compressed: bool, superfile: str) -> "SuperfileError":
        def word(flag: bool) -> str:
            return "compressed" if flag else "uncompressed"
        return cls(f"addSubFile: {sub}'s compression setting ({word(sub_compressed)}) is "
                   f"different than {superfile}'s ({word(not sub_compressed)})")

    @classmethod
    def already_exists(cls, name: str) -> "SuperfileError":
        return cls(f"createSuperFile: SuperFile {name} already exists")

    @classmethod
    def external_name(cls, name: str) -> "SuperfileError":
        return cls(f"cannot have a superfile with an external file name ({name})")

    @classmethod
    def delete_failures(cls, causes: Iterable[str]) -> "SuperfileError":
        """Deletes queued by a transaction that failed after its commit (multi-exception text)."""
        return cls("".join(multi_exception(codes.GENERIC_ERROR, c) for c in causes))


class SuperfileManager:
    """Superfile operations on a `FileCatalog`."""

    def __init__(self, catalog: FileCatalog):
        self.catalog = catalog
        self.store = catalog.store
        #: WsDfu serialises SuperfileAction requests with one service-wide mutex
        self._mutex = threading.RLock()

    # -- reading -------------------------------------------------------------------------------
    def list(self, superfile: str) -> list[str]:
        """SuperfileList: the members in order. ``Superfile name required`` (20051);
        ``SuperFile <name> not found`` (8300) when missing or not a superfile."""
        if not (superfile or "").strip():
            raise MissingArgument("Superfile name required")
        info = self._get_super(superfile)
        return info.subfiles

    def expand(self, name: str) -> list[str]:
        """The regular files under ``name``, nested superfiles flattened in order (what a reader
        of the superfile reads; what a Roxie query holds locks on)."""
        return list(iter_leaf_names(self.catalog, name))

    def owners(self, name: str) -> list[str]:
        return self.catalog.owners_of(name)

    # -- the WsDfu requests --------------------------------------------------------------------
    def action(self, action: str | None, superfile: str | None, subfiles: Sequence[str] | None,
               before: str | None = "", delete: bool = False,
               remove_superfile: bool = False) -> int:
        """SuperfileAction: validate, then `add` or `remove`; returns ``retcode``."""
        verb = (action or "").strip().lower()
        if not verb:
            raise InvalidArgument("Superfile action not specified")
        if verb not in ("add", "remove"):
            raise InvalidArgument("Only Add or Remove is allowed.")
        if not (superfile or "").strip():
            raise InvalidArgument("Superfile name not specified")
        with self._mutex:
            if verb == "add":
                self.add(superfile, subfiles or [], before or "")
                return 0
            return self.remove(superfile, subfiles or [], delete=delete,
                               remove_superfile=remove_superfile)

    def add_to_superfile(self, superfile: str, names: Sequence[str],
                         existing_file: bool = False) -> list[str]:
        """AddtoSuperfile (wsdfu.md §4.6): check ``ExistingFile``, then append ``names``."""
        if existing_file:
            info = self.catalog.get(superfile)
            if info is None:
                raise FileNotFound.cannot_find(superfile)
            if not info.is_superfile:
                raise NotASuperfile.named(superfile)
        elif self.catalog.exists(superfile):
            raise FileExists.already_exists(superfile)
        with self._mutex:
            self.add(superfile, names, "")
        return [n for n in names if n and n.strip()]

    # -- creating --------------------------------------------------------------------------------
    def create(self, name: str, *, exist_ok: bool = False) -> None:
        """Create an empty superfile (Std.File.CreateSuperFile)."""
        parsed = self._super_name(name)
        with self.store.transaction() as conn:
            row = self.catalog._row(conn, parsed.name)
            if row is not None:
                if not row["is_superfile"]:
                    raise FileExists.dfs(parsed.name)
                if exist_ok:
                    return
                raise SuperfileError.already_exists(parsed.name)
            self._insert_super(conn, parsed)

    # -- adding ----------------------------------------------------------------------------------
    def add(self, superfile: str, subfiles: Sequence[str], before: str = "", *,
            create: bool = True) -> None:
        """Add ``subfiles`` (in order) to ``superfile``, creating it if missing, in one
        transaction (wsdfu.md §4.5 add, §5)."""
        subs = [s for s in subfiles if s and s.strip()]
        if not subs:
            raise SuperfileError.nothing_to_add()
        parsed = self._super_name(superfile)
        with self.store.transaction() as conn:
            row = self.catalog._row(conn, parsed.name)
            if row is None:
                if not create:
                    raise FileNotFound.superfile(superfile)
                super_id = self._insert_super(conn, parsed)
            elif not row["is_superfile"]:
                raise FileExists.dfs(parsed.name)
            else:
                super_id = row["id"]
            subs_named = []
            for sub in subs:  # WsDfu's own pre-check, before Dali's
                subs_named.append(parse_logical_name(sub))
                if members.find(conn, super_id, subs_named[-1].name) is not None:
                    raise SuperfileError.already_contains(sub)
            self.catalog.locks.check_writable(parsed.name, is_superfile=True)
            self._check_protect(conn, super_id, "addSubFile", parsed.name)
            position = self._position(conn, super_id, before, subs[0], parsed.name)
            first = members.first(conn, super_id)
            compressed = self._compressed(conn, first) if first is not None else None
            new_ids: list[int] = []
            for sub, sub_name in zip(subs, subs_named):
                sub_row = self.catalog._row(conn, sub_name.name)
                if sub_row is None or sub_name.is_foreign or sub_name.is_external:
                    raise SuperfileError.sub_not_found(sub)
                if sub_row["id"] == super_id or (
                        sub_row["is_superfile"] and self._reaches(conn, sub_row["id"], super_id)):
                    raise SuperfileError.add_to_itself(sub_name.name)
                if sub_row["id"] in new_ids or members.contains(conn, super_id, sub_row["id"]):
                    raise SuperfileError.already_subfile(sub_name.name, parsed.name)
                sub_compressed = self._compressed(conn, sub_row["id"])
                if compressed is None:
                    compressed = sub_compressed
                elif sub_compressed != compressed:
                    raise SuperfileError.compression_mismatch(sub_name.name, sub_compressed,
                                                              parsed.name)
                new_ids.append(sub_row["id"])
            members.insert(conn, super_id, new_ids, position)
            self._changed(conn, super_id, added=new_ids)

    # -- removing --------------------------------------------------------------------------------
    def remove(self, superfile: str, subfiles: Sequence[str], *, delete: bool = False,
               remove_superfile: bool = False) -> int:
        """Remove members (names or globs; none given = all when ``delete``), optionally delete
        them after the commit and remove the emptied superfile. Returns ``retcode``: 0, or -1
        when the superfile is gone afterwards (wsdfu.md §4.5 remove)."""
        parsed = self._super_name(superfile)
        to_delete: list[str] = []
        with self.store.transaction() as conn:
            row = self.catalog._row(conn, parsed.name)
            if row is None or not row["is_superfile"]:
                raise FileNotFound.superfile(superfile)
            super_id = row["id"]
            wanted = [s for s in subfiles if s and s.strip()]
            if not wanted:
                selected = members.all_members(conn, super_id) if delete else []
            else:
                chosen: dict[int, tuple[int, str, int]] = {}
                listed: list[tuple[int, str, int]] | None = None
                for text in wanted:
                    if "*" in text or "?" in text:
                        if listed is None:
                            listed = members.all_members(conn, super_id)
                        found = self._matching(listed, text)
                    else:
                        found = [self._named(conn, super_id, text)]
                    for m in found:
                        chosen.setdefault(m[0], m)
                selected = sorted(chosen.values(), key=lambda m: m[2])
            if not selected and not (remove_superfile and members.first(conn, super_id) is None):
                return 0
            self.catalog.locks.check_writable(parsed.name, is_superfile=True)
            self._check_protect(conn, super_id, "removeSubFile", parsed.name)
            gone = [m[0] for m in selected]
            members.delete(conn, super_id, gone)
            emptied = members.first(conn, super_id) is None
            drop_super = remove_superfile and emptied
            self._changed(conn, super_id, removed=gone, emptied=emptied)
            if drop_super:
                self.catalog.check_removable(conn, row, parsed.name)
                conn.execute("DELETE FROM logical_files WHERE id = ?", (super_id,))
            if delete:
                to_delete = [m[1] for m in selected]
        failures = []
        for name in to_delete:
            try:
                self.catalog.delete(name)
            except DeleteFailed as exc:
                failures.append(exc.cause)
            except FileNotFound:
                pass
        if failures:
            raise SuperfileError.delete_failures(failures)
        return -1 if drop_super else 0

    def remove_member(self, superfile: str, sub: str) -> bool:
        """Take one member out of one superfile (its own transaction); True when the superfile
        is empty afterwards. Used by DFUArrayAction's ``removeFromSuperfiles``."""
        parsed = self._super_name(superfile)
        sub_name = parse_logical_name(sub).name
        with self.store.transaction() as conn:
            row = self.catalog._row(conn, parsed.name)
            if row is None or not row["is_superfile"]:
                raise FileNotFound.superfile(superfile)
            found = members.find(conn, row["id"], sub_name)
            if found is None:
                raise SuperfileError.doesnt_contain(sub)
            self.catalog.locks.check_writable(parsed.name, is_superfile=True)
            self._check_protect(conn, row["id"], "removeSubFile", parsed.name)
            members.delete(conn, row["id"], [found[0]])
            emptied = members.first(conn, row["id"]) is None
            self._changed(conn, row["id"], removed=[found[0]], emptied=emptied)
            return emptied

    # -- aggregates ------------------------------------------------------------------------------
    def refresh(self, conn, super_id: int, _seen: set[int] | None = None) -> None:
        """Tally a superfile's members again (one query), set its aggregated attributes and
        ``modified``; then its owners'."""
        seen = _seen if _seen is not None else set()
        if super_id in seen:
            return
        seen.add(super_id)
        values = members.every_member_attrs(conn, super_id)
        t = members.tally(values)
        members.save_tally(conn, super_id, t)
        self._settle(conn, super_id, members.derived(t) if values else
                     self._emptied(conn, super_id), seen)

    def _changed(self, conn, super_id: int, *, added: Sequence[int] = (),
                 removed: Sequence[int] = (), emptied: bool = False) -> None:
        """After ``added`` joined or ``removed`` left: the tally changes by those members alone
        (members.py), the aggregates follow from it, then the owners are refreshed."""
        t = members.load_tally(conn, super_id)
        if t is None:
            t = members.tally(members.every_member_attrs(conn, super_id))
        else:
            members.tally(members.attrs_of(conn, added), 1, t)
            members.tally(members.attrs_of(conn, removed), -1, t)
        members.save_tally(conn, super_id, t)
        changes = self._emptied(conn, super_id) if emptied else members.derived(t)
        self._settle(conn, super_id, changes, {super_id})

    def _settle(self, conn, super_id: int, changes: dict[str, object], seen: set[int]) -> None:
        self.catalog._write_attrs(conn, super_id, changes)
        conn.execute("UPDATE logical_files SET modified = ? WHERE id = ?",
                     (now_utc_precise(), super_id))
        for (owner_id,) in conn.execute("SELECT super_id FROM superfile_members WHERE sub_id = ?",
                                        (super_id,)).fetchall():
            self.refresh(conn, owner_id, seen)

    @staticmethod
    def _emptied(conn, super_id: int) -> dict[str, object]:
        """An emptied superfile keeps only its description."""
        return {r[0]: None for r in conn.execute(
            "SELECT key FROM file_attrs WHERE file_id = ? AND key != 'description'", (super_id,))}

    # -- internals -------------------------------------------------------------------------------
    def _get_super(self, superfile: str):
        try:
            info = self.catalog.get(superfile)
        except DomainError:
            info = None
        if info is None or not info.is_superfile:
            raise FileNotFound.superfile(superfile)
        return info

    @staticmethod
    def _super_name(name: str) -> LogicalName:
        parsed = parse_logical_name(name)
        if parsed.is_foreign:
            raise ForeignFileOperation.cannot_be_superfile(parsed.name)
        if parsed.is_external or parsed.is_multi:
            raise SuperfileError.external_name(parsed.name)
        return parsed

    @staticmethod
    def _insert_super(conn, parsed: LogicalName) -> int:
        return conn.execute(
            "INSERT INTO logical_files(name, scope, tail, is_superfile, directory, partmask, "
            "num_parts, modified) VALUES (?, ?, ?, 1, '', '', 0, ?)",
            (parsed.name, parsed.scope, parsed.tail, now_utc_precise())).lastrowid

    @staticmethod
    def _attrs(conn, file_id: int) -> dict[str, str]:
        return dict(conn.execute("SELECT key, value FROM file_attrs WHERE file_id = ?",
                                 (file_id,)).fetchall())

    def _compressed(self, conn, file_id: int) -> bool:
        attrs = self._attrs(conn, file_id)
        return truthy(attrs.get("compressed")) or truthy(attrs.get("blockCompressed"))

    @staticmethod
    def _check_protect(conn, file_id: int, operation: str, name: str) -> None:
        owners = [r[0] for r in conn.execute("SELECT owner FROM file_protect WHERE file_id = ? "
                                             "ORDER BY modified, owner", (file_id,))]
        if owners:
            raise SuperfileError.protected(operation, name, owners)

    @staticmethod
    def _reaches(conn, from_id: int, target_id: int) -> bool:
        """Whether ``target_id`` is (recursively) a member of superfile ``from_id``."""
        seen = {from_id}
        stack = [from_id]
        while stack:
            current = stack.pop()
            for (sub_id,) in conn.execute("SELECT sub_id FROM superfile_members WHERE super_id = ?",
                                          (current,)).fetchall():
                if sub_id == target_id:
                    return True
                if sub_id not in seen:
                    seen.add(sub_id)
                    stack.append(sub_id)
        return False

    @staticmethod
    def _position(conn, super_id: int, before: str, first_sub: str,
                  superfile: str) -> int | None:
        """The position to insert before (None = append) for ``before`` (wsdfu.md §4.5)."""
        text = (before or "").strip()
        if not text:
            return None
        if text == "*":
            return members.position_at(conn, super_id, 0)
        if text.startswith("#") and text[1:].isdigit():
            pos = int(text[1:])
            if pos < 1 or pos > members.count(conn, super_id) + 1:
                raise SuperfileError.position_out_of_range(
                    pos, parse_logical_name(first_sub).name, superfile)
            return members.position_at(conn, super_id, pos - 1)
        try:
            name = parse_logical_name(text).name
        except DomainError:
            return members.position_at(conn, super_id, 0)
        found = members.find(conn, super_id, name)
        return found[1] if found else members.position_at(conn, super_id, 0)

    @staticmethod
    def _matching(listed: list[tuple[int, str, int]], text: str) -> list[tuple[int, str, int]]:
        pattern = text.strip()
        if pattern.startswith("~"):
            pattern = pattern[1:]
        return [m for m in listed if wildmatch(m[1], pattern)]

    @staticmethod
    def _named(conn, super_id: int, text: str) -> tuple[int, str, int]:
        name = parse_logical_name(text).name
        found = members.find(conn, super_id, name)
        if found is None:
            raise SuperfileError.doesnt_contain(text)
        return found[0], name, found[1]
