"""The jobs the DFU server runs, one per DFU command: spray, despray, copy, rename, replicate
(supercopy: supercopy.py).

Each job takes a `JobContext` (its workunit, progress reporting, the abort flag) and returns
(finished) or raises a DomainError with the DFU server's text (failed). Files are written as
the DFU server writes them (writer.py): under a temporary name, fsynced, renamed into place,
and only then is the logical file registered, in one store transaction. A failed or aborted job
removes its temporary files and registers nothing.

Compression (FC, DFU server): a destination marked compressed (`compress`; for Copy also
`preserveCompression` with a compressed source) is written block-compressed and records
``@blockCompressed=1``, ``@compressedSize`` and each part's compressed size; parts of
compressed files are read expanded everywhere (`transfer.open_part`). A copy between two
compressed files with the same part count copies the compressed parts as they are (FC
setCopyCompressedRaw). A despray with `compress` writes a compressed file to the drop zone.
Legacy row-compressed sources fail with 8096.

Not emulated: encryption, key files, multi-cluster inserts, remote Dalis, ifnewer/ensure,
maxConnections; the on-disk format is the emulator's own (transfer/partfile.py), not HPCC's.
"""
from __future__ import annotations

import fnmatch
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from wsservices.engine.dfu import fileformat, transfer
from wsservices.engine.dfu import workunits as W
from wsservices.engine.datadir import DataDir
from wsservices.engine.dfu.destination import check_destination
from wsservices.engine.dfu.lockwait import replace_timeout, while_blocked
from wsservices.engine.dfu.server import lock_holder
from wsservices.engine.dfu.supercopy import supercopy as copy_superfile
from wsservices.engine.dfu.writer import Writer, Written
from wsservices.engine.errors import DomainError
from wsservices.engine.dali.files import HistoryRecord, NewLogicalFile, PartRecord
from wsservices.engine.dali.records import now_utc
from wsservices.engine.dali.catalog import catalog
from wsservices.engine.dfu.transfer import OpenFiles, SourceFile

DFU_ERROR = -1             # the DFU server's own exceptions carry no ECL Watch code
DFTERR_ROW_COMPRESSED = 8096


def _fail(message: str) -> DomainError:
    return DomainError(message, DFU_ERROR)


# ---------------------------------------------------------------- shared steps

def _thor(cluster, group: str):
    thor = cluster.environment.thor_cluster(group)
    if thor is None:
        raise _fail(f"CDFUfileSpec: Cluster {group.lower()} not found")
    return thor


def _check_destination(ctx, files, name: str, overwrite: bool) -> None:
    """Every check that can refuse the write, before any byte of it: an existing destination
    needs ``overwrite`` and must be replaceable (no Protect entry, no superfile owner; the texts
    `FileCatalog.create` would give at the end); while another holder's lock (a published
    query's) is on it, the job waits `blocked` (lockwait.py); a destination that cannot be
    written at all (dfu/destination.py) fails first."""
    check_destination(name)
    if files.exists(name):
        if not overwrite:
            raise _fail(f"Destination file {name} already exists and overwrite not specified")
        _waiting(ctx, name, lambda: files.check_replaceable(name))


def _waiting(ctx, name: str, attempt) -> None:
    """`attempt` (a check or the switch that replaces ``name``), retried while a lock stops it."""
    while_blocked(ctx, f"looking up destination file: {name}", attempt, replace_timeout(ctx))


@contextmanager
def _reading(ctx, name: str) -> Iterator[None]:
    """Dali READ locks on ``name`` (and, for a superfile, on every member, nested ones too) for
    as long as the job reads it: deleting, overwriting, renaming or changing it waits or fails
    with Dali's lock message meanwhile."""
    files = catalog(ctx.cluster)
    holder = lock_holder(ctx.wu.wuid)
    ids = files.locks.acquire([name], holder, "read")
    try:
        members: list[str] = []
        pending = [name]
        while pending:
            info = files.get(pending.pop())
            if info is not None and info.is_superfile:
                fresh = [m for m in info.subfiles if m not in members]
                members += fresh
                pending += fresh
        if members:
            ids += files.locks.acquire(members, holder, "read")
        yield
    finally:
        files.locks.release_ids(ids)


def _write_logical_file(ctx, plan, open_source, name: str, group: str, attrs: dict[str, Any],
                        replicate: bool, offset: int, overwrite: bool, compress: bool = False,
                        raw_parts: list[Path] | None = None) -> None:
    """Write every planned part (and replica), then register the file in one transaction.
    ``raw_parts``: physical files copied byte for byte instead (compressed to compressed)."""
    cluster = ctx.cluster
    thor = _thor(cluster, group)
    n = plan.num_parts
    nodes = transfer.placement(n, list(thor.nodes), offset or 1)
    for node, replica in nodes:   # every target reachable before any byte is written
        cluster.datadir.check_reachable(node)
        if replicate:
            cluster.datadir.check_reachable(replica)
    total = plan.size * (2 if replicate else 1)
    writer = Writer(ctx, total, n)
    parts = []
    files = catalog(cluster)
    try:
        def write_part(k: int, part, node) -> Written:
            path = cluster.datadir.part_path(node, name, part.number, n)
            if raw_parts is not None:
                return Written(part.size, writer.copy_file(raw_parts[k], path).disk_size)
            return writer.write(path, part.segments, open_source, compress)

        def replicate_part(part, node, replica) -> Written:
            written = writer.temporary(cluster.datadir.part_path(node, name, part.number, n))
            return writer.copy_file(written, cluster.datadir.part_path(replica, name, part.number, n, mirror=True))

        outcome = writer.parallel([lambda k=k, part=part, node=node: write_part(k, part, node)
                                   for k, (part, (node, _)) in enumerate(zip(plan.parts, nodes))])
        for part, (node, replica), written in zip(plan.parts, nodes, outcome):
            parts.append(PartRecord(part.number, node.name, written.size, part.record_count,
                                    replica_node=replica.name if replicate else None,
                                    compressed_size=written.disk_size if compress else None))
        if replicate:
            ctx.wu.progress.replicating = True
            writer.parallel([lambda part=part, node=node, replica=replica: replicate_part(part, node, replica)
                             for part, (node, replica) in zip(plan.parts, nodes)])
        if compress:
            attrs = {**attrs, "blockCompressed": True, "compressedSize": sum(p.compressed_size for p in parts)}
        tail = name.split("::")[-1]
        new = NewLogicalFile(name=name, group=thor.group, directory=DataDir.client_directory(name),
                             part_mask=transfer.part_mask(tail), parts=parts, attrs=attrs)
        _waiting(ctx, name, lambda: files.create(new, overwrite=overwrite, staged=writer.staged(),
                                                 holder=lock_holder(ctx.wu.wuid)))
    except BaseException:
        writer.discard()   # nothing was switched: the staged files go, the old file stays as it was
        raise
    writer.forget()
    ctx.wu.destination.update(num_parts=n, directory=DataDir.client_directory(name))
    ctx.report(writer.done, total, n, n, force=True)


def _common_attrs(wu: W.DfuWorkunit) -> dict[str, Any]:
    attrs = {"owner": wu.user, "workunit": wu.wuid, "job": wu.job_name}
    expire = wu.options.get("expire_days")
    if expire is not None:
        attrs["expireDays"] = expire
    return attrs


# ---------------------------------------------------------------- spray

def _spray_sources(cluster, src: dict[str, Any]) -> list[SourceFile]:
    """The drop-zone files a spray reads, wildcards expanded, each confined to its zone."""
    zone = cluster.environment.drop_zone(src["dropzone"])
    out = []
    for client_path in filter(None, src.get("file_path", "").split(",")):
        folder, _, pattern = client_path.rpartition("/")
        if any(ch in pattern for ch in "*?["):
            real_dir = cluster.datadir.resolve_dropzone_path(zone, folder or "/")
            names = sorted(p.name for p in real_dir.iterdir() if p.is_file() and fnmatch.fnmatchcase(p.name, pattern)) \
                if real_dir.is_dir() else []
            paths = [(f"{folder}/{n}", real_dir / n) for n in names]
        else:
            paths = [(client_path, cluster.datadir.resolve_dropzone_path(zone, client_path))]
        for shown, real in paths:
            real = cluster.datadir.resolve_dropzone_path(zone, shown)  # re-checked after expansion
            if not real.is_file():
                raise DomainError(f"Could not open source file //{src['ip']}{shown}", 8050)
            out.append(SourceFile(str(real), label=f"//{src['ip']}{shown}"))
    return out


def spray(ctx) -> None:
    wu, cluster = ctx.wu, ctx.cluster
    src, dst, opt = wu.source, wu.destination, wu.options
    files = catalog(cluster)
    thor = _thor(cluster, dst["group"])
    _check_destination(ctx, files, dst["logical_name"], bool(opt.get("overwrite")))
    sources = _spray_sources(cluster, src)
    fmt = fileformat.from_workunit(src)
    n = transfer.num_target_parts(thor.width, dst.get("num_parts_override", 0), wrap=bool(dst.get("wrap")),
                                  source_parts=len(sources))
    plan = transfer.plan_spray(sources, fmt, n, nosplit=bool(opt.get("nosplit")), prefix=opt.get("prefix") or "",
                               fail_if_no_source=bool(opt.get("fail_if_no_source_file")))
    attrs = {**_common_attrs(wu), **transfer.file_attributes(plan), "history": [_spray_origin(src, sources)]}
    ecl = transfer.ecl_record(plan)
    if ecl:
        attrs["ecl"] = ecl
    with OpenFiles([s.path for s in sources]) as opened:
        _write_logical_file(ctx, plan, opened, dst["logical_name"], thor.group, attrs,
                            bool(opt.get("replicate")), opt.get("replicate_offset", 1), bool(opt.get("overwrite")),
                            compress=bool(dst.get("compress")))


def _spray_origin(src: dict[str, Any], sources: list[SourceFile]) -> HistoryRecord:
    """The History/Origin a spray records (FileSprayer updateTargetProperties and
    splitAndCollectFileInfo): the first source's host and directory, its name or ``[MULTI]``;
    a drop-zone source has no owner or workunit."""
    label = sources[0].label or "" if sources else ""
    shown = label[2 + len(src.get("ip", "")):] if label.startswith("//") else label
    folder, _, name = shown.rpartition("/")
    return HistoryRecord("DFUimport", now_utc(), src.get("ip", ""), folder + "/",
                         "[MULTI]" if len(sources) > 1 else name)


def _copy_origin(files, info, parts: list[SourcePart]) -> HistoryRecord:
    """The History/Origin a copy adds to the source's history: the source's owner and
    workunit, the host and directory of its first part, the part name without its extension."""
    node = files.node_address(parts[0].record.node) if parts else ""
    return HistoryRecord("DFUcopy", now_utc(), node, info.directory.rstrip("/") + "/",
                         info.name.split("::")[-1], info.attrs.get("owner", ""), info.attrs.get("workunit", ""))


# ---------------------------------------------------------------- despray

@dataclass(frozen=True)
class SourcePart:
    record: PartRecord
    path: Path
    compressed: bool


def _logical_parts(cluster, name: str) -> tuple[Any, list[SourcePart]]:
    """(info, parts) of a file, or of every subfile of a superfile in order (info: the first's)."""
    files = catalog(cluster)
    info = files.get(name)
    if info is None:
        raise _fail(f"Source file {name} could not be found")
    if not info.is_superfile:
        if info.is_compressed and not info.flag("blockCompressed"):
            raise DomainError("Cannot copy from a legacy row compressed file", DFTERR_ROW_COMPRESSED)
        located = files.part_paths(name)
        for rec, path in located:   # neither copy readable: the primary's node may be offline
            if not path.is_file():
                cluster.datadir.check_reachable(rec.node)
        return info, [SourcePart(rec, path, info.is_compressed) for rec, path in located]
    parts: list[SourcePart] = []
    for sub in info.subfiles:
        parts += _logical_parts(cluster, sub)[1]
    first = files.get(info.subfiles[0]) if info.subfiles else info
    return first, parts


def _open_parts(parts: list[SourcePart]) -> OpenFiles:
    return OpenFiles([str(p.path) for p in parts], compressed=[p.compressed for p in parts])


def _expanded_size(p: SourcePart) -> int:
    return p.record.size if p.record.size is not None else transfer.part_size(p.path, p.compressed)


def despray(ctx) -> None:
    with _reading(ctx, ctx.wu.source["logical_name"]):
        _despray(ctx)


def _despray(ctx) -> None:
    wu, cluster = ctx.wu, ctx.cluster
    dst, opt = wu.destination, wu.options
    info, parts = _logical_parts(cluster, wu.source["logical_name"])
    header = int(info.attrs.get("headerLength") or 0)
    footer = int(info.attrs.get("footerLength") or 0)
    part_files = [transfer.PartFile(str(p.path), _expanded_size(p), header, footer) for p in parts]
    zone = cluster.environment.drop_zone(dst["dropzone"])
    real_dest = cluster.datadir.resolve_dropzone_path(zone, dst["file_path"])
    writer = None
    try:
        with _open_parts(parts) as opened:
            targets = transfer.plan_despray(part_files, str(real_dest), kind=info.kind, text_format=info.format,
                                            wrap=bool(dst.get("wrap")), split_prefix=opt.get("split_prefix") or "",
                                            opener=opened.opener)
            writer = Writer(ctx, sum(t.size for t in targets), len(targets))
            for target in targets:   # every target checked before any byte is written
                real = Path(target.path)
                shown = cluster.datadir.client_path(zone, real)
                cluster.datadir.resolve_dropzone_path(zone, shown)  # a split prefix name stays inside
                if real.exists() and not opt.get("overwrite"):
                    raise DomainError(f"OVERWRITE not supplied and physical file {shown} exists", 8089)
            writer.parallel([lambda target=target: writer.write(Path(target.path), target.segments, opened,
                                                                compress=bool(dst.get("compress")))
                             for target in targets])
        writer.commit(catalog(cluster).intents, lock_holder(wu.wuid))
    except BaseException:
        if writer is not None:
            writer.discard()
        raise
    wu.source.update(num_parts=len(parts), directory=info.directory)
    ctx.report(writer.done, writer.total, len(targets), len(targets), force=True)


# ---------------------------------------------------------------- copy, rename, replicate

#: attributes a copy does not take from its source (recomputed or belonging to the source)
_NOT_COPIED = ("owner", "workunit", "job", "modified", "size", "recordCount", "expireDays", "protect",
               "blockCompressed", "compressed", "compressedSize", "fileCrc")


def destination_compressed(wu: W.DfuWorkunit, source_compressed: bool) -> bool:
    """Copy: `compress`, else `preserveCompression` (default true) with a compressed source."""
    if wu.destination.get("compress"):
        return True
    preserve = wu.options.get("preserve_compression")
    return source_compressed and (preserve is None or bool(preserve))


def copy(ctx) -> None:
    with _reading(ctx, ctx.wu.source["logical_name"]):
        _copy(ctx)


def _copy(ctx) -> None:
    info, parts = _logical_parts(ctx.cluster, ctx.wu.source["logical_name"])
    if ctx.wu.source["logical_name"] == ctx.wu.destination["logical_name"]:
        raise _fail(f"Trying to copy a file ({ctx.wu.destination['logical_name']}) onto itself")
    files = catalog(ctx.cluster)
    history = [*files.history(info.name), _copy_origin(files, info, parts)]
    copy_parts(ctx, {**info.attrs, "history": history}, parts)


def copy_parts(ctx, source_attrs: dict[str, Any], parts: list[SourcePart]) -> None:
    """Copy (and repartition) ``parts`` of a file with ``source_attrs`` to the destination."""
    wu, cluster = ctx.wu, ctx.cluster
    dst, opt = wu.destination, wu.options
    files = catalog(cluster)
    _check_destination(ctx, files, dst["logical_name"], bool(opt.get("overwrite")))
    thor = _thor(cluster, dst["group"])
    sources = [SourceFile(str(p.path), _expanded_size(p)) for p in parts]
    n = transfer.num_target_parts(thor.width, dst.get("num_parts_override", 0), wrap=bool(opt.get("wrap")),
                                  source_parts=len(parts))
    fmt = fileformat.from_file_attrs(source_attrs)
    source_compressed = bool(parts) and all(p.compressed for p in parts)
    compress = destination_compressed(wu, source_compressed)
    with _open_parts(parts) as opened:
        plan = transfer.plan_spray(sources, fmt, n, nosplit=bool(opt.get("nosplit")), opener=opened.opener)
        keep = {k: v for k, v in source_attrs.items() if k not in _NOT_COPIED}
        attrs = {**keep, **_common_attrs(wu), **transfer.file_attributes(plan)}
        raw = [p.path for p in parts] if compress and source_compressed and plan.scheme == "one-to-one" else None
        _write_logical_file(ctx, plan, opened, dst["logical_name"], thor.group, attrs,
                            bool(opt.get("replicate")), 1, bool(opt.get("overwrite")), compress=compress,
                            raw_parts=raw)


def rename(ctx) -> None:
    files = catalog(ctx.cluster)
    source, target = ctx.wu.source["logical_name"], ctx.wu.destination["logical_name"]
    if not files.exists(source):
        raise _fail(f"Source file {source} could not be found")
    if files.exists(target):
        raise _fail(f"Target {target} already exists")
    start = time.monotonic()
    files.rename(source, target, holder=lock_holder(ctx.wu.wuid))
    ctx.set_done(f"{int((time.monotonic() - start) * 1000)}ms")  # dfurun.cpp: "%dms"


def replicate(ctx) -> None:
    """Re-create the mirror copy of every part that lacks one (on the node ``offset`` after its
    primary) and record it in the catalogue, so DFUInfo lists it and readers can fall back to it."""
    with _reading(ctx, ctx.wu.source["logical_name"]):
        _replicate(ctx)


def _replicate(ctx) -> None:
    cluster = ctx.cluster
    files = catalog(cluster)
    name = ctx.wu.source["logical_name"]
    info = files.get(name)
    if info is None:
        raise _fail(f"Source file {name} could not be found")
    group = info.clusters[0] if info.clusters else ""
    thor = _thor(cluster, group)
    offset = int(ctx.wu.options.get("replicate_offset") or 1)
    parts = files.part_paths(name)
    for rec, path in parts:
        if not path.is_file():
            cluster.datadir.check_reachable(rec.node)
    placed = [transfer.replica_node(index, list(thor.nodes), offset) for index in range(len(parts))]
    for replica in placed:
        cluster.datadir.check_reachable(replica)
    writer = Writer(ctx, sum(p.stat().st_size for _, p in parts), len(parts))
    replicas: dict[int, str] = {}
    try:
        for (rec, path), replica in zip(parts, placed):
            mirror = cluster.datadir.part_path(replica, name, rec.number, len(parts), mirror=True)
            if not mirror.exists() or rec.replica_node != replica.name:
                replicas[rec.number] = replica.name
                if not mirror.exists():
                    writer.copy_file(path, mirror)
        files.set_replicas(name, replicas, writer.staged(), lock_holder(ctx.wu.wuid))
        writer.forget()
    except BaseException:
        writer.discard()
        raise
    ctx.report(writer.done, writer.total, len(parts), len(parts), force=True)


def supercopy(ctx) -> None:
    with _reading(ctx, ctx.wu.source["logical_name"]):
        copy_superfile(ctx)


JOBS: dict[int, Callable] = {W.IMPORT: spray, W.EXPORT: despray, W.COPY: copy, W.RENAME: rename,
                             W.REPLICATE: replicate, W.SUPERCOPY: supercopy}
