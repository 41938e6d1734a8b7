"""The jobs the DFU server runs, one per DFU command: spray, despray, copy, rename, replicate.

Each job takes a `JobContext` (its workunit, progress reporting, the abort flag) and returns
(finished) or raises a DomainError with the DFU server's text (failed). Files are written as
the DFU server writes them: under a temporary name, fsynced, renamed into place, and only then
is the logical file registered, in one store transaction. A failed or aborted job removes its
temporary files and registers nothing.

`throttle` (KB/sec) limits a transfer's average rate. Not emulated: compression and encryption
of parts, key files, multi-cluster inserts, remote Dalis, ifnewer/ensure, maxConnections.
"""
from __future__ import annotations

import dataclasses
import fnmatch
import os
import time
from pathlib import Path
from typing import Any, Callable

from wsservices.engine import dfuformat, transfer
from wsservices.engine import workunits as W
from wsservices.engine.datadir import DataDir
from wsservices.engine.errors import DomainError
from wsservices.engine.files import NewLogicalFile, PartRecord, catalog
from wsservices.engine.transfer import CopyRange, OpenFiles, SourceFile
from wsservices.engine.transfer.stream import write_segments

CHUNK = 64 * 1024 * 1024   # bytes between progress reports / abort checks
SYNC_EVERY = 256 * 1024 * 1024   # bytes written to one file between data syncs
DFU_ERROR = -1             # the DFU server's own exceptions carry no ECL Watch code


def _fail(message: str) -> DomainError:
    return DomainError(message, DFU_ERROR)


# ---------------------------------------------------------------- writing files

class Writer:
    """Writes planned files under temporary names; `commit` renames them into place."""

    def __init__(self, ctx, total_bytes: int, total_nodes: int):
        self.ctx = ctx
        self.total, self.nodes = total_bytes, total_nodes
        self.done = 0
        self.slaves_done = 0
        self.pending: list[tuple[Path, Path]] = []
        self.throttle = int(ctx.wu.options.get("throttle") or 0) * 1024   # bytes/sec, 0 = none
        self.chunk = max(64 * 1024, self.throttle // 4) if self.throttle else CHUNK
        self.started = time.monotonic()

    def temporary(self, path: Path) -> Path:
        """Where the bytes of `path` are until `commit`."""
        return path.with_name(f"{path.name}.{self.ctx.wu.wuid}.tmp")

    def write(self, path: Path, segments, open_source: Callable[[int], Any]) -> int:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.temporary(path)
        self.pending.append((tmp, path))
        written = unsynced = 0
        with open(tmp, "wb") as out:
            for piece in _pieces(segments, self.chunk):
                self.ctx.check_abort()
                n, _ = write_segments([piece], open_source, out)
                written += n
                unsynced += n
                if unsynced >= SYNC_EVERY:  # keeps dirty pages bounded: the kernel throttles less
                    os.fdatasync(out.fileno())
                    unsynced = 0
                self.done += n
                self.ctx.report(self.done, self.total, self.slaves_done, self.nodes)
                if self.throttle:
                    self.ctx.pause(self.started + self.done / self.throttle - time.monotonic())
            out.flush()
            os.fsync(out.fileno())
        self.slaves_done += 1
        self.ctx.report(self.done, self.total, self.slaves_done, self.nodes)
        return written

    def copy_file(self, source: Path, path: Path) -> int:
        size = source.stat().st_size
        with OpenFiles([str(source)]) as files:
            return self.write(path, [CopyRange(0, 0, size)], files)

    def commit(self) -> None:
        self.ctx.check_abort()
        for tmp, final in self.pending:
            os.replace(tmp, final)
        for folder in {final.parent for _, final in self.pending}:
            _fsync_dir(folder)
        self.pending = []

    def discard(self) -> None:
        for tmp, _ in self.pending:
            tmp.unlink(missing_ok=True)
        self.pending = []


def temporary_files(root: Path, wuid: str):
    """Every temporary file a job of `wuid` may have left under the data dir `root`."""
    for folder in (root / "nodes", root / "dropzones"):
        if folder.is_dir():
            yield from folder.rglob(f"*.{wuid}.tmp")


def _pieces(segments, chunk: int):
    """Segments with plain copy ranges cut into `chunk`-sized pieces (progress, abort, throttle)."""
    for seg in segments:
        if isinstance(seg, CopyRange) and seg.transform is None and seg.length > chunk:
            for start in range(0, seg.length, chunk):
                yield dataclasses.replace(seg, offset=seg.offset + start, length=min(chunk, seg.length - start))
        else:
            yield seg


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ---------------------------------------------------------------- shared steps

def _thor(cluster, group: str):
    thor = cluster.environment.thor_cluster(group)
    if thor is None:
        raise _fail(f"CDFUfileSpec: Cluster {group.lower()} not found")
    return thor


def _check_destination(files, name: str, overwrite: bool) -> None:
    if files.exists(name) and not overwrite:
        raise _fail(f"Destination file {name} already exists and overwrite not specified")


def _write_logical_file(ctx, plan, open_source, name: str, group: str, attrs: dict[str, Any],
                        replicate: bool, offset: int, overwrite: bool) -> None:
    """Write every planned part (and replica), then register the file in one transaction."""
    cluster = ctx.cluster
    thor = _thor(cluster, group)
    n = plan.num_parts
    nodes = transfer.placement(n, list(thor.nodes), offset or 1)
    total = plan.size * (2 if replicate else 1)
    writer = Writer(ctx, total, n)
    parts = []
    try:
        for part, (node, replica) in zip(plan.parts, nodes):
            path = cluster.datadir.part_path(node, name, part.number, n)
            size = writer.write(path, part.segments, open_source)
            parts.append(PartRecord(part.number, node.name, size, part.record_count,
                                    replica_node=replica.name if replicate else None))
        if replicate:
            ctx.wu.progress.replicating = True
            for part, (node, replica) in zip(plan.parts, nodes):
                written = writer.temporary(cluster.datadir.part_path(node, name, part.number, n))
                writer.copy_file(written, cluster.datadir.part_path(replica, name, part.number, n, mirror=True))
        writer.commit()
    except BaseException:
        writer.discard()
        raise
    tail = name.split("::")[-1]
    catalog(cluster).create(NewLogicalFile(name=name, group=thor.group, directory=DataDir.client_directory(name),
                                           part_mask=transfer.part_mask(tail), parts=parts, attrs=attrs),
                            overwrite=overwrite)
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
    _check_destination(files, dst["logical_name"], bool(opt.get("overwrite")))
    sources = _spray_sources(cluster, src)
    fmt = dfuformat.from_workunit(src)
    n = transfer.num_target_parts(thor.width, dst.get("num_parts_override", 0), wrap=bool(dst.get("wrap")),
                                  source_parts=len(sources))
    plan = transfer.plan_spray(sources, fmt, n, nosplit=bool(opt.get("nosplit")), prefix=opt.get("prefix") or "",
                               fail_if_no_source=bool(opt.get("fail_if_no_source_file")))
    attrs = {**_common_attrs(wu), **transfer.file_attributes(plan)}
    ecl = transfer.ecl_record(plan)
    if ecl:
        attrs["ecl"] = ecl
    with OpenFiles([s.path for s in sources]) as opened:
        _write_logical_file(ctx, plan, opened, dst["logical_name"], thor.group, attrs,
                            bool(opt.get("replicate")), opt.get("replicate_offset", 1), bool(opt.get("overwrite")))


# ---------------------------------------------------------------- despray

def _logical_parts(cluster, name: str):
    """(info, [(PartRecord, real path)]) of a file, or of every subfile of a superfile in order."""
    files = catalog(cluster)
    info = files.get(name)
    if info is None:
        raise _fail(f"Source file {name} could not be found")
    if not info.is_superfile:
        return info, files.part_paths(name)
    parts = []
    for sub in info.subfiles:
        parts += _logical_parts(cluster, sub)[1]
    first = files.get(info.subfiles[0]) if info.subfiles else info
    return first, parts


def despray(ctx) -> None:
    wu, cluster = ctx.wu, ctx.cluster
    dst, opt = wu.destination, wu.options
    info, parts = _logical_parts(cluster, wu.source["logical_name"])
    header = int(info.attrs.get("headerLength") or 0)
    footer = int(info.attrs.get("footerLength") or 0)
    part_files = [transfer.PartFile(str(path), rec.size if rec.size is not None else path.stat().st_size,
                                    header, footer) for rec, path in parts]
    zone = cluster.environment.drop_zone(dst["dropzone"])
    real_dest = cluster.datadir.resolve_dropzone_path(zone, dst["file_path"])
    targets = transfer.plan_despray(part_files, str(real_dest), kind=info.kind, text_format=info.format,
                                    wrap=bool(dst.get("wrap")), split_prefix=opt.get("split_prefix") or "")
    writer = Writer(ctx, sum(t.size for t in targets), len(targets))
    try:
        with OpenFiles([p.path for p in part_files]) as opened:
            for target in targets:
                real = Path(target.path)
                shown = cluster.datadir.client_path(zone, real)
                cluster.datadir.resolve_dropzone_path(zone, shown)  # a split prefix name stays inside
                if real.exists() and not opt.get("overwrite"):
                    raise DomainError(f"OVERWRITE not supplied and physical file {shown} exists", 8089)
                writer.write(real, target.segments, opened)
        writer.commit()
    except BaseException:
        writer.discard()
        raise
    wu.source.update(num_parts=len(parts), directory=info.directory)
    ctx.report(writer.done, writer.total, len(targets), len(targets), force=True)


# ---------------------------------------------------------------- copy, rename, replicate

def copy(ctx) -> None:
    wu, cluster = ctx.wu, ctx.cluster
    dst, opt = wu.destination, wu.options
    files = catalog(cluster)
    info, parts = _logical_parts(cluster, wu.source["logical_name"])
    if wu.source["logical_name"] == dst["logical_name"]:
        raise _fail(f"Trying to copy a file ({dst['logical_name']}) onto itself")
    _check_destination(files, dst["logical_name"], bool(opt.get("overwrite")))
    thor = _thor(cluster, dst["group"])
    sources = [SourceFile(str(path), rec.size) for rec, path in parts]
    n = transfer.num_target_parts(thor.width, dst.get("num_parts_override", 0), wrap=bool(opt.get("wrap")),
                                  source_parts=len(parts))
    fmt = dfuformat.from_file_attrs(info.attrs)
    plan = transfer.plan_spray(sources, fmt, n, nosplit=bool(opt.get("nosplit")))
    keep = {k: v for k, v in info.attrs.items() if k not in ("owner", "workunit", "job", "modified", "size",
                                                             "recordCount", "expireDays", "protect")}
    attrs = {**keep, **_common_attrs(wu), **transfer.file_attributes(plan)}
    with OpenFiles([s.path for s in sources]) as opened:
        _write_logical_file(ctx, plan, opened, dst["logical_name"], thor.group, attrs,
                            bool(opt.get("replicate")), 1, bool(opt.get("overwrite")))


def rename(ctx) -> None:
    files = catalog(ctx.cluster)
    source, target = ctx.wu.source["logical_name"], ctx.wu.destination["logical_name"]
    if not files.exists(source):
        raise _fail(f"Source file {source} could not be found")
    if files.exists(target):
        raise _fail(f"Target {target} already exists")
    files.rename(source, target)
    ctx.report(1, 1, 1, 1, force=True)


def replicate(ctx) -> None:
    """Re-create the mirror copy of every part that lacks one."""
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
    writer = Writer(ctx, sum(p.stat().st_size for _, p in parts), len(parts))
    try:
        for index, (rec, path) in enumerate(parts):
            replica = transfer.replica_node(index, list(thor.nodes), offset)
            mirror = cluster.datadir.part_path(replica, name, rec.number, len(parts), mirror=True)
            if not mirror.exists():
                writer.copy_file(path, mirror)
        writer.commit()
    except BaseException:
        writer.discard()
        raise
    ctx.report(writer.done, writer.total, len(parts), len(parts), force=True)


JOBS: dict[int, Callable] = {W.IMPORT: spray, W.EXPORT: despray, W.COPY: copy, W.RENAME: rename,
                             W.REPLICATE: replicate}
