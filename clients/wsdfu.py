"""`WsDfuClient`: logical files and superfiles.

Typed results: `LogicalFile` (a DFUQuery row), `FileDetail` (DFUInfo), `ActionResult`
(DFUArrayAction); each keeps the zeep object in `raw`.

Superfile transactions: ESP has no transaction that spans calls, but one SuperfileAction runs
in one Dali transaction. `superfile_transaction(name)` (a context manager) and
`replace_superfile(name, subfiles)` (one call) therefore record the wanted member list and apply
it at the end as at most one ``remove`` and one ``add`` (the members after the longest unchanged
prefix are removed and the new tail appended, so order is exact). If the ``add`` fails, the removed
members are added back before the error is raised; a concurrent writer can still see the
in-between state.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Iterable

from .errors import EspError
from .soap import EspClient, text_list


@dataclass
class LogicalFile:
    name: str
    cluster: str
    is_superfile: bool
    size: int
    record_count: int
    parts: int
    modified: str
    owner: str
    raw: Any = field(default=None, repr=False, compare=False)


@dataclass
class FileDetail:
    name: str
    cluster: str
    is_superfile: bool
    num_parts: int
    size: int
    record_count: int
    directory: str
    format: str
    wuid: str
    owner: str
    subfiles: list[str]
    superfiles: list[str]
    raw: Any = field(default=None, repr=False, compare=False)


@dataclass
class ActionResult:
    file_name: str
    result: str
    failed: bool


def _key(name: str) -> str:
    """Compare logical names as Dali does: no leading ``~``, case-insensitive."""
    return name.strip().lstrip("~").lower()


class WsDfuClient(EspClient):
    SERVICE = "WsDfu"

    # -- files ---------------------------------------------------------------------------------
    def query(self, name: str = "*", *, cluster: str | None = None, page_size: int = -1,
              **fields: Any) -> list[LogicalFile]:
        """DFUQuery: logical files whose name matches the mask `name` (dfuplus ``list``)."""
        resp = self._call("DFUQuery", LogicalName=name, NodeGroup=cluster, PageSize=page_size, **fields)
        rows = getattr(resp.DFULogicalFiles, "DFULogicalFile", None) or []
        return [LogicalFile(r.Name or "", r.NodeGroup or "", bool(r.isSuperfile), r.IntSize or 0,
                            r.IntRecordCount or 0, int(r.Parts or 0), r.Modified or "", r.Owner or "", raw=r)
                for r in rows]

    def info(self, name: str, cluster: str | None = None) -> FileDetail:
        """DFUInfo of one logical file or superfile."""
        d = self._call("DFUInfo", Name=name, Cluster=cluster).FileDetail
        return FileDetail(d.Name or "", d.NodeGroup or "", bool(d.isSuperfile), d.NumParts or 0,
                          d.FileSizeInt64 or 0, d.RecordCountInt64 or 0, d.Dir or "", d.Format or "",
                          d.Wuid or "", d.Owner or "", text_list(d.subfiles),
                          [s.Name for s in (getattr(d.Superfiles, "DFULogicalFile", None) or [])], raw=d)

    def exists(self, name: str) -> bool:
        try:
            self._call("DFUInfo", Name=name)
        except EspError as exc:
            if exc.code == 20038:  # ECLWATCH_FILE_NOT_EXIST
                return False
            raise
        return True

    def delete(self, names: str | Iterable[str], *, check: bool = True) -> list[ActionResult]:
        """DFUArrayAction Delete. With `check`, a file that could not be deleted raises."""
        names = [names] if isinstance(names, str) else list(names)
        resp = self._call("DFUArrayAction", Type="Delete", LogicalFiles={"Item": names})
        results = [ActionResult(r.FileName or "", r.ActionResult or "", bool(r.Failed))
                   for r in (getattr(resp.ActionResults, "DFUActionInfo", None) or [])]
        failed = [r for r in results if r.failed]
        if check and failed:
            raise EspError(-1, "; ".join(r.result for r in failed), "WsDfu::DFUArrayAction()")
        return results

    def rename(self, old: str, new: str) -> None:
        """DFUFileRename (WsDfu 1.68, what current dfuplus uses) of one file."""
        resp = self._call("DFUFileRename", FileRenames={"DFUFileRenameItem": [{"OldName": old, "NewName": new}]})
        for r in getattr(resp.Results, "DFUFileRenameResult", None) or []:
            if not r.Success:
                raise EspError(-1, r.Message or f"cannot rename {old}", "WsDfu::DFUFileRename()")

    def savexml(self, name: str) -> bytes:
        """The file's Dali XML (what ``add`` takes back)."""
        data = self._call("Savexml", name=name).xmlmap
        return data if isinstance(data, bytes) else base64.b64decode(data or b"")

    def add(self, name: str, xml: bytes | str, cluster: str | None = None) -> None:
        """Add: register a logical file from its Dali XML (as written by `savexml`)."""
        xml = xml.encode("utf-8") if isinstance(xml, str) else xml
        self._call("Add", dstname=name, xmlmap=xml, dstcluster=cluster)

    # -- superfiles ----------------------------------------------------------------------------
    def superfile_list(self, name: str) -> list[str]:
        return text_list(self._call("SuperfileList", superfile=name).subfiles)

    def create_superfile(self, name: str, subfiles: Iterable[str] = ()) -> None:
        """AddtoSuperfile with ExistingFile=false: fails if `name` exists."""
        subs = list(subfiles)
        self._call("AddtoSuperfile", Superfile=name, Subfiles=",".join(subs), names={"Item": subs},
                   ExistingFile=False)

    def add_to_superfile(self, name: str, subfiles: Iterable[str], before: str | None = None) -> None:
        """SuperfileAction add (creates the superfile if it does not exist)."""
        self._call("SuperfileAction", action="add", superfile=name, subfiles={"Item": list(subfiles)},
                   before=before)

    def remove_from_superfile(self, name: str, subfiles: Iterable[str] | None = None, *,
                              delete: bool = False, remove_superfile: bool = False) -> None:
        """SuperfileAction remove; `subfiles` None removes every member."""
        subs = ["*"] if subfiles is None else list(subfiles)
        self._call("SuperfileAction", action="remove", superfile=name, subfiles={"Item": subs},
                   delete=delete, removeSuperfile=remove_superfile)

    def superfile_transaction(self, name: str) -> "SuperfileTransaction":
        return SuperfileTransaction(self, name)

    def replace_superfile(self, name: str, subfiles: Iterable[str]) -> None:
        """Make `subfiles` the exact member list of `name` (created if missing)."""
        with self.superfile_transaction(name) as tx:
            tx.clear()
            tx.add(*subfiles)


class SuperfileTransaction:
    """Record superfile edits; apply them on a clean exit (see the module docstring)."""

    def __init__(self, dfu: WsDfuClient, name: str):
        self.dfu = dfu
        self.name = name
        self.before: list[str] = []
        self.members: list[str] = []

    def __enter__(self) -> "SuperfileTransaction":
        try:
            self.before = self.dfu.superfile_list(self.name)
        except EspError as exc:
            if exc.code not in (8300, 20038):  # superfile not found: it will be created
                raise
            self.before = []
        self.members = list(self.before)
        return self

    def add(self, *subfiles: str, before: str | None = None) -> None:
        at = len(self.members)
        if before is not None:
            keys = [_key(m) for m in self.members]
            at = keys.index(_key(before)) if _key(before) in keys else 0
        self.members[at:at] = list(subfiles)

    def remove(self, *subfiles: str) -> None:
        gone = {_key(s) for s in subfiles}
        missing = gone - {_key(m) for m in self.members}
        if missing:
            raise EspError(8303, f"Superfile doesn't contains subfile {sorted(missing)[0]}", "hpccemu")
        self.members = [m for m in self.members if _key(m) not in gone]

    def clear(self) -> None:
        self.members = []

    def __exit__(self, exc_type: Any, *exc: object) -> None:
        if exc_type is not None:
            return
        old, new = [_key(m) for m in self.before], [_key(m) for m in self.members]
        keep = 0
        while keep < min(len(old), len(new)) and old[keep] == new[keep]:
            keep += 1
        removed, added = self.before[keep:], self.members[keep:]
        if removed:
            self.dfu.remove_from_superfile(self.name, removed)
        if added:
            try:
                self.dfu.add_to_superfile(self.name, added)
            except EspError:
                if removed:
                    self.dfu.add_to_superfile(self.name, removed)
                raise
