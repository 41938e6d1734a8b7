"""How DFU jobs write files: temporary names, bounded dirty pages, fsync, then a recorded switch.

A `Writer` writes every file a job produces under ``<name>.<wuid>.tmp`` (a name no live part
can have), fsyncs each and the directories that hold them (new directories are fsynced into
their parents). Nothing is renamed by the writer itself: the files of a logical file are
handed to the catalogue (`staged`), which switches to them in one transaction with a recorded
intent (dali/intents.py); files that are not catalogued (a despray's, replicas) are switched
through an intent of their own (`commit`). So a refusal changes nothing and a crash leaves the
old state or the new one, never a mix. While a file is written, the kernel is asked
to start writing back each window of `WINDOW` bytes as soon as it is filled, and the job waits
for the window before it (``sync_file_range``; ``fdatasync`` where that call is missing): the
disk works while the next window is copied, and at most two windows per file are dirty at any
time. These calls are only a schedule; durability comes from the final ``fsync`` alone.

The parts of one file are written at once (`parallel`), as each Thor node writes its own part
in the real DFU, by at most `PARALLEL_PARTS` threads, each with its own readers: while one part
is fsynced the others keep the disk busy. `parallel` returns only when every part writer has
ended; the first failure (or an abort) stops the others, and the caller then discards every
staged file.

With ``compress`` a file is written block-compressed (transfer.partfile); sizes are reported
both expanded and on disk. `throttle` (KB/sec) limits a job's average rate.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import os
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

from wsservices.engine.dali.intents import Switch, fsync_dir, make_dirs
from wsservices.engine.dfu.transfer import CopyRange, OpenFiles, PartWriter
from wsservices.engine.dfu.transfer.stream import write_segments

CHUNK = 64 * 1024 * 1024   # bytes between progress reports / abort checks
WINDOW = CHUNK             # bytes of one output file per writeback window

PARALLEL_PARTS = 4         # part files of one job written at once
_WRITE, _WAIT = 2, 1 | 2 | 4   # SYNC_FILE_RANGE_WRITE; WAIT_BEFORE | WRITE | WAIT_AFTER
T = TypeVar("T")


def _sync_file_range():
    try:
        fn = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_SYNC_FILE_RANGE = _sync_file_range()


class _Writeback:
    """Per output file: start writing back each filled window, wait for the one before."""

    def __init__(self, fd: int):
        self.fd = fd
        self.started = 0     # bytes [0, started) have had writeback started
        self.waited = 0      # bytes [0, waited) are on disk (data; fsync still follows)

    def step(self) -> None:
        end = os.fstat(self.fd).st_size
        if end - self.started < WINDOW:
            return
        if _SYNC_FILE_RANGE is None:
            os.fdatasync(self.fd)
            self.started = self.waited = end
            return
        if self.started > self.waited:
            _SYNC_FILE_RANGE(self.fd, self.waited, self.started - self.waited, _WAIT)
            self.waited = self.started
        _SYNC_FILE_RANGE(self.fd, self.started, end - self.started, _WRITE)
        self.started = end


@dataclasses.dataclass(frozen=True)
class Written:
    size: int        # bytes of content (expanded)
    disk_size: int   # bytes on disk (block-compressed size, or = size)


def temporary_name(path: Path, wuid: str) -> Path:
    return path.with_name(f"{path.name}.{wuid}.tmp")


_ANY_TEMPORARY = re.compile(r".+\.D\d{8}-\d{6}(-\d+)?\.tmp")


def temporary_files(root: Path, wuid: str | None = None):
    """Every temporary file a job of `wuid` (of any workunit, without one) may have left under
    the data dir `root`."""
    for folder in (root / "nodes", root / "dropzones"):
        if folder.is_dir():
            for path in folder.rglob(f"*.{wuid}.tmp" if wuid else "*.tmp"):
                if wuid or _ANY_TEMPORARY.fullmatch(path.name):
                    yield path


class _Stopped(Exception):
    """Another part writer of the same job failed: this one stops too."""


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
        self._lock = threading.Lock()       # pending, done, slaves_done, progress reports
        self._stop = threading.Event()      # a part writer failed: the others stop

    def temporary(self, path: Path) -> Path:
        """Where the bytes of `path` are until `commit`."""
        return temporary_name(path, self.ctx.wu.wuid)

    def parallel(self, tasks: Sequence[Callable[[], T]]) -> list[T]:
        """Run part writes at once (at most `PARALLEL_PARTS`); their results in order. Every
        task has ended when this returns or raises; the first failure stops the others and is
        raised (an abort is one)."""
        if len(tasks) <= 1 or PARALLEL_PARTS <= 1:
            return [task() for task in tasks]

        def guarded(task: Callable[[], T]) -> T:
            try:
                return task()
            except BaseException:
                self._stop.set()
                raise
        with ThreadPoolExecutor(min(len(tasks), PARALLEL_PARTS), "dfu-part") as pool:
            futures = [pool.submit(guarded, task) for task in tasks]
            wait(futures)
        errors = [f.exception() for f in futures if f.exception() is not None]
        if errors:
            raise next((e for e in errors if not isinstance(e, _Stopped)), errors[0])
        return [f.result() for f in futures]

    def write(self, path: Path, segments, open_source: Callable[[int], Any], compress: bool = False) -> Written:
        self._check_stop()
        make_dirs(path.parent)
        tmp = self.temporary(path)
        with self._lock:
            self.pending.append((tmp, path))
        written = 0
        fork = getattr(open_source, "fork", None)
        source = fork() if fork is not None else open_source   # readers of this part's own
        try:
            with open(tmp, "wb") as out:
                sink = PartWriter(out) if compress else out
                writeback = _Writeback(out.fileno())
                for piece in _pieces(segments, self.chunk):
                    self._check_stop()
                    n, _ = write_segments([piece], source, sink)
                    written += n
                    writeback.step()
                    self._progress(n)
                disk_size = sink.close() if compress else written
                out.flush()
                os.fsync(out.fileno())
        finally:
            if fork is not None:
                source.close()
        with self._lock:
            self.slaves_done += 1
            self.ctx.report(self.done, self.total, self.slaves_done, self.nodes)
        return Written(written, disk_size)

    def _check_stop(self) -> None:
        self.ctx.check_abort()
        if self._stop.is_set():
            raise _Stopped()

    def _progress(self, n: int) -> None:
        with self._lock:
            self.done += n
            self.ctx.report(self.done, self.total, self.slaves_done, self.nodes)
        if self.throttle:
            self.ctx.pause(self.started + self.done / self.throttle - time.monotonic())

    def copy_file(self, source: Path, path: Path) -> Written:
        """A byte-for-byte copy of a physical file (replicas; compressed parts stay compressed)."""
        size = source.stat().st_size
        with OpenFiles([str(source)]) as files:
            return self.write(path, [CopyRange(0, 0, size)] if size else [], files)

    def staged(self) -> dict[Path, Path]:
        """Final path -> its written, fsynced temporary file, the directories synced too: what
        `FileCatalog.create(staged=...)` switches to. The writer forgets them once the switch
        has committed (`forget`)."""
        self.ctx.check_abort()
        for folder in {tmp.parent for tmp, _ in self.pending}:
            fsync_dir(folder)
        return {final: tmp for tmp, final in self.pending}

    def forget(self) -> None:
        """The staged files belong to a committed switch now: never `discard` them."""
        self.pending = []

    def commit(self, intents, holder: str) -> None:
        """Switch files that no catalogue entry describes (a despray's, replicas) into place."""
        staged = self.staged()
        intents.switch(Switch(renames=[(tmp, final) for final, tmp in staged.items()]), holder)
        self.forget()

    def discard(self) -> None:
        for tmp, _ in self.pending:
            tmp.unlink(missing_ok=True)
        self.pending = []


def _pieces(segments, chunk: int):
    """Segments with plain copy ranges cut into `chunk`-sized pieces (progress, abort, throttle)."""
    for seg in segments:
        if isinstance(seg, CopyRange) and seg.transform is None and seg.length > chunk:
            for start in range(0, seg.length, chunk):
                yield dataclasses.replace(seg, offset=seg.offset + start, length=min(chunk, seg.length - start))
        else:
            yield seg
