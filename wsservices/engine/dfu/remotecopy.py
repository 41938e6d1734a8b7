"""The DFU server's copy from another environment (a Copy workunit whose source names a
foreign Dali): read the file's description from the foreign Dali, fetch each part through it
(dafilesrv's part reads), then copy those parts as a local copy does, with the local
partitioning, so the file lands on the destination group like any copy.

The fetched parts wait under temporary names of the workunit (``*.<wuid>.tmp``, removed when
the job ends and by start-up recovery); the new file's parts are written, fsynced and switched
in by the catalogue exactly as for a local copy (writer.py, dali/intents.py).

History: the source's History is kept and an ``Origin`` is added as the real DFU's
FileSprayer::updateTargetProperties does: ``operation="DFUcopy"``, the source's owner and
workunit, ``ip`` (the host of the source's first part), ``path`` (its directory) and ``name``
(its tail).

Not emulated: a foreign superfile (refused at request time), the foreign file's read lock on
the other Dali, pushing or pulling by dafilesrv processes.
"""
from __future__ import annotations

from pathlib import Path

from wsservices.engine.dali.records import HistoryRecord, PartRecord, now_utc
from wsservices.engine.dfu import transfer
from wsservices.engine.dfu.jobs import SourcePart, _fail, copy, copy_parts
from wsservices.engine.dfu.writer import temporary_name
from wsservices.engine.dali.intents import make_dirs


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
    folder = cluster.datadir.root / "nodes" / ".foreign"
    make_dirs(folder)
    fetched: list[Path] = []
    try:
        parts = []
        for part in info["Parts"]:
            target = temporary_name(folder / f"{Path(info['Directory']).name}.{part['Number']}", ctx.wu.wuid)
            fetched.append(target)
            ctx.check_abort()
            dali.read_part(info["Name"], int(part["Number"]), target)
            size = part.get("Size")
            size = int(size) if size is not None else transfer.part_size(target, compressed)
            parts.append(SourcePart(PartRecord(int(part["Number"]), "", size), target, compressed))
        attrs["history"] = _history(info)
        copy_parts(ctx, attrs, parts)
    finally:
        for path in fetched:
            path.unlink(missing_ok=True)


def _history(info: dict) -> list[HistoryRecord]:
    kept = [HistoryRecord(**h) for h in info.get("History") or []]
    attrs = info.get("Attrs") or {}
    first = (info.get("Parts") or [{}])[0]
    directory = info.get("Directory") or ""
    return kept + [HistoryRecord("DFUcopy", now_utc(), first.get("Ip", ""), directory.rstrip("/") + "/",
                                 info["Name"].split("::")[-1], str(attrs.get("owner") or ""),
                                 str(attrs.get("workunit") or ""))]

