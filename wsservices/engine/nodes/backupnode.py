"""backupnode (tools/backupnode, run by ``start_backupnode``): make every part's backup copy on a
Thor cluster match its primary.

The real tool scans Dali's ``/Files`` for the files of the cluster (``backupnode: File scan
complete, <n> files, <m> parts``, counting the parts with more than one copy on the cluster),
writes one list per node, and each node syncs its copies with the other copies of the same part
(``Copy <local path> to //<ip><path>`` when the target is missing or its size or date differ),
then prints ``backupnode finished``. Emulated: the scan and its counts, the copy direction
(primary to mirror; from the mirror back to a primary that is gone, as after a node swap), the
size-and-date comparison (dates are carried over, so a second run copies nothing), a node that
is offline reported as ``ERROR: CopyFile(<src>,<dst>): <dafilesrv's connect failure>``.

Every copy is written under a temporary name, fsynced, and switched into place through a
recorded intent (dali/intents.py) while a Dali READ lock keeps the file from being deleted or
replaced meanwhile, so a crash leaves each copy as it was or complete.

Not emulated: the option flags (-A, -C, -D, -E, -Q, -V, -Y), compression of copies, the
per-node ``.ERR`` logs and the ``Running: ... minutes taken`` progress lines.
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..dali.catalog import catalog
from ..dali.intents import Switch, fsync_dir, make_dirs
from ..datadir import CLIENT_DATA_BASE, CLIENT_MIRROR_BASE
from ..dfu.writer import temporary_name
from ..errors import InvalidArgument, NodeUnreachable

PREFIX = "backupnode: "
HOLDER = "backupnode"


@dataclass
class BackupReport:
    """What one run did: its printed lines, counts and errors."""

    lines: list[str] = field(default_factory=list)
    files: int = 0
    parts: int = 0
    copied: int = 0
    errors: int = 0


@dataclass(frozen=True)
class _Copy:
    path: Path
    node: str        # node name
    mirror: bool


def backupnode(cluster, group: str, echo: Callable[[str], None] | None = None) -> BackupReport:
    """Run backupnode over Thor cluster ``group``; each line is also passed to ``echo``."""
    report = BackupReport()

    def say(line: str) -> None:
        report.lines.append(line)
        if echo is not None:
            echo(line)

    env = cluster.environment
    thor = env.thor_cluster(group)
    if thor is None:
        if env.roxie_target(group) is not None:
            raise InvalidArgument(f"{PREFIX}expected cluster {group} to be a thor cluster")
        raise InvalidArgument(f"{PREFIX}cannot find cluster {group}")
    say("Creating part lists, please wait...")
    files = catalog(cluster)
    work: list[tuple[str, list[tuple[_Copy, _Copy]]]] = []
    rows = cluster.store.query("SELECT name FROM logical_files WHERE is_superfile = 0 ORDER BY name")
    for (name,) in rows:
        info = files.get(name)
        if info is None or thor.group not in info.parts:
            continue
        if not info.parts[thor.group]:
            say(f"{PREFIX}File has no parts {name}")
            continue
        report.files += 1
        primaries = files.part_paths(name, thor.group, fallback=False)
        mirrors = {rec.number: path for rec, path in files.part_paths(name, thor.group, replicas=True)}
        pairs = []
        for rec, path in primaries:
            if rec.number in mirrors:
                pairs.append((_Copy(path, rec.node, False), _Copy(mirrors[rec.number], rec.replica_node, True)))
        report.parts += len(pairs)
        if pairs:
            work.append((name, pairs))
    say(f"{PREFIX}File scan complete, {report.files} files, {report.parts} parts")
    run = cluster.workunits.clock.next()
    for name, pairs in work:
        _sync_file(cluster, files, name, pairs, run, say, report)
    say("backupnode finished")
    return report


def _sync_file(cluster, files, name: str, pairs, run: str, say, report: BackupReport) -> None:
    """Bring the copies of one file's parts in line, under a READ lock on the file."""
    try:
        ids = files.locks.acquire([name], HOLDER, "read")
    except Exception as exc:   # a writer holds it past the lock timeout: the real tool logs and goes on
        report.errors += 1
        say(f"ERROR: {getattr(exc, 'message', exc)}")
        return
    staged: list[tuple[Path, Path]] = []
    try:
        for primary, mirror in pairs:
            step = _direction(cluster, primary, mirror)
            if step is None:
                continue
            src, dst = step
            shown_src, shown_dst = _shown(cluster, src), "//" + _address(cluster, dst.node) + _shown(cluster, dst)
            say(f"Copy {shown_src} to {shown_dst}")
            try:
                for copy in (src, dst):
                    cluster.datadir.check_reachable(copy.node)
                staged.append((_stage(src.path, dst.path, run), dst.path))
                report.copied += 1
            except (NodeUnreachable, OSError) as exc:
                report.errors += 1
                say(f"ERROR: CopyFile({shown_src},{shown_dst}): {getattr(exc, 'message', exc)}")
        if staged:
            for folder in {tmp.parent for tmp, _ in staged}:
                fsync_dir(folder)
            files.intents.switch(Switch(renames=staged), f"{HOLDER} {name}")
            staged = []
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        files.locks.release_ids(ids)


def _direction(cluster, primary: _Copy, mirror: _Copy) -> tuple[_Copy, _Copy] | None:
    """(source, target) when a copy is needed: primary to mirror when the mirror is missing or
    differs in size or date; mirror to primary when only the mirror is left; else None."""
    datadir = cluster.datadir
    if datadir.is_offline(primary.node) and datadir.is_offline(mirror.node):
        return None
    src_stat = _stat(primary.path)
    if src_stat is None:
        return (mirror, primary) if _stat(mirror.path) is not None else None
    dst_stat = _stat(mirror.path)
    if dst_stat is not None and dst_stat.st_size == src_stat.st_size and \
            int(dst_stat.st_mtime) == int(src_stat.st_mtime):
        return None
    return primary, mirror


def _stat(path: Path):
    try:
        return path.stat() if path.is_file() else None
    except OSError:
        return None


def _stage(src: Path, dst: Path, run: str) -> Path:
    """Copy ``src`` next to ``dst`` under a temporary name, fsynced, with ``src``'s dates."""
    make_dirs(dst.parent)
    tmp = temporary_name(dst, run)
    try:
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            shutil.copyfileobj(fin, fout, 1 << 20)
            fout.flush()
            os.fsync(fout.fileno())
        st = src.stat()
        os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _shown(cluster, copy: _Copy) -> str:
    """The path as the node sees it (``/var/lib/HPCCSystems/hpcc-data/thor/...``)."""
    datadir = cluster.datadir
    base = datadir.node_mirror_dir(copy.node) if copy.mirror else datadir.node_data_dir(copy.node)
    client = CLIENT_MIRROR_BASE if copy.mirror else CLIENT_DATA_BASE
    try:
        return f"{client}/{copy.path.relative_to(base).as_posix()}"
    except ValueError:
        return copy.path.as_posix()


def _address(cluster, node: str) -> str:
    return next((n.address for n in cluster.environment.nodes if n.name == node), node)
