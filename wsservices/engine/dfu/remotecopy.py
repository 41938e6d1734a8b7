"""The DFU server's copy from another environment (a Copy workunit whose source names a
foreign Dali): read the file's description from the foreign Dali, fetch each part through it
(dafilesrv's part reads), then copy those parts as a local copy does, with the local
partitioning, so the file lands on the destination group like any copy.

The fetched parts wait in ``<data>/nodes/.foreign/`` under temporary names of the workunit
(``*.<wuid>.tmp``), removed with that folder (once empty) when the job ends and by start-up
recovery (`remove_fetched`); the new file's parts are written, fsynced and switched
in by the catalogue exactly as for a local copy (writer.py, dali/intents.py).

History: the source's History is kept and an ``Origin`` is added as the real DFU's
FileSprayer::updateTargetProperties does: ``operation="DFUcopy"``, the source's owner and
workunit, ``ip`` (the host of the source's first part), ``path`` (its directory) and ``name``
(its tail).

A foreign superfile is copied by the supercopy job (supercopy.py), one of these per subfile.
Not emulated: the foreign file's read lock on
the other Dali, pushing or pulling by dafilesrv processes.
"""
from __future__ import annotations

from pathlib import Path

from wsservices.engine.dali.records import HistoryRecord, PartRecord, now_utc
from wsservices.engine.dfu import transfer
from wsservices.engine.dfu.jobs import SourcePart, _fail, copy, copy_parts
from wsservices.engine.dfu.writer import temporary_name
from wsservices.engine.dali.intents import make_dirs

FETCH_FOLDER = ".foreign"


def copy_or_remote_copy(ctx) -> None:
    """The Copy command: from a foreign Dali when the workunit names one, else local."""
    if ctx.wu.source.get("foreign_dali"):
        remote_copy(ctx)
    else:
        copy(ctx)


def remote_copy(ctx) -> None:
    src, cluster = ctx.wu.source, ctx.cluster
    dali = cluster.foreign_dali(src["foreign_dali"], src.get("foreign_user", ""), src.get("foreign_password", ""))
    info = dali.lookup(src["logical_name"])
    if info is None or info.get("IsSuperfile"):
        raise _fail(f"Source file {src['logical_name']} could not be found")
    attrs = dict(info.get("Attrs") or {})
    compressed = str(attrs.get("blockCompressed", "")).lower() in ("1", "true")
    folder = fetch_folder(cluster.datadir.root)
    fetched: list[Path] = []
    try:
        parts = []
        for part in info["Parts"]:
            target = temporary_name(folder / f"{Path(info['Directory']).name}.{part['Number']}", ctx.wu.wuid)
            fetched.append(target)
            ctx.check_abort()
            _fetch(dali, info["Name"], int(part["Number"]), target)
            size = part.get("Size")
            size = int(size) if size is not None else transfer.part_size(target, compressed)
            parts.append(SourcePart(PartRecord(int(part["Number"]), "", size), target, compressed))
        attrs["history"] = _history(info)
        copy_parts(ctx, attrs, parts)
    finally:
        for path in fetched:
            path.unlink(missing_ok=True)
        _remove_if_empty(folder)


def fetch_folder(root: Path) -> Path:
    """Where a remote copy's fetched parts wait (not a node: nothing else reads it)."""
    return root / "nodes" / FETCH_FOLDER


def remove_fetched(root: Path) -> int:
    """Start-up recovery: every fetched part a crash left, and the folder; returns their count."""
    folder = fetch_folder(root)
    leftovers = list(folder.glob("*.tmp")) if folder.is_dir() else []
    for path in leftovers:
        path.unlink(missing_ok=True)
    _remove_if_empty(folder)
    return len(leftovers)


def _fetch(dali, name: str, number: int, target: Path) -> None:
    """Read one part into ``target``; the folder is made again if another job's end removed it."""
    for attempt in range(3):
        make_dirs(target.parent)
        try:
            dali.read_part(name, number, target)
            return
        except FileNotFoundError:
            if attempt == 2:
                raise


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:   # still in use by another remote copy, or already gone
        pass


def _history(info: dict) -> list[HistoryRecord]:
    kept = [HistoryRecord(**h) for h in info.get("History") or []]
    attrs = info.get("Attrs") or {}
    first = (info.get("Parts") or [{}])[0]
    directory = info.get("Directory") or ""
    return kept + [HistoryRecord("DFUcopy", now_utc(), first.get("Ip", ""), directory.rstrip("/") + "/",
                                 info["Name"].split("::")[-1], str(attrs.get("owner") or ""),
                                 str(attrs.get("workunit") or ""))]

