"""Writing a planned target file from its segments (the data mover a DFU worker runs).

Unchanged ranges go through ``os.copy_file_range`` (falling back to ``os.sendfile`` and
then to read/write) so the bytes never enter Python; converted ranges go through
``convert.py``; literal segments (prefixes, glue) are written as they are. With
``crc=True`` everything is read through Python once to compute the CRC-32 the file records
(§6.5), which costs the kernel-side copy.
"""
from __future__ import annotations

import os
import zlib
from typing import BinaryIO, Callable, Iterable, Sequence

from .convert import copy_converted
from .fileio import read_at
from .partfile import open_part
from .segments import CopyRange, Literal, Segment

_BUF = 4 << 20


class OpenFiles:
    """``open_source`` for ``write_segments``: opens paths by index once, closes them all.
    ``compressed`` (one flag, or one per path) marks block-compressed parts, read expanded."""

    def __init__(self, paths: Sequence[str], compressed: bool | Sequence[bool] = False):
        self.paths = list(paths)
        flags = [compressed] * len(self.paths) if isinstance(compressed, bool) else list(compressed)
        self.compressed = dict(zip(self.paths, flags))
        self.files: dict[int, BinaryIO] = {}

    def __call__(self, index: int) -> BinaryIO:
        f = self.files.get(index)
        if f is None:
            f = self.files[index] = self.opener(self.paths[index])
        return f

    def fork(self) -> "OpenFiles":
        """The same sources with readers of their own (for another thread; close it)."""
        forked = OpenFiles(self.paths)
        forked.compressed = self.compressed
        return forked

    def opener(self, path: str) -> BinaryIO:
        """A fresh reader of ``path`` (an ``Opener`` for the planners, which close it)."""
        return open_part(path, self.compressed.get(path, False))

    def close(self) -> None:
        for f in self.files.values():
            f.close()
        self.files.clear()

    def __enter__(self) -> "OpenFiles":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _kernel_copy(src_fd: int, src_off: int, dst_fd: int, dst_off: int, n: int) -> int:
    """Copy with the kernel; returns bytes copied (may be short: caller finishes)."""
    done = 0
    copy_range = getattr(os, "copy_file_range", None)
    while done < n:
        try:
            if copy_range is not None:
                k = copy_range(src_fd, dst_fd, n - done, src_off + done, dst_off + done)
            else:
                raise OSError
        except OSError:
            copy_range = None
            break
        if k <= 0:
            break
        done += k
    return done


def write_segments(segments: Iterable[Segment], open_source: Callable[[int], BinaryIO],
                   out: BinaryIO, *, crc: bool = False, label: str = "") -> tuple[int, int]:
    """Write ``segments`` to ``out`` (at its current position); returns ``(bytes, crc32)``
    (crc32 unsigned, 0 when not requested)."""
    value = 0
    written = 0
    out_fd = None
    if not crc:
        try:
            out_fd = out.fileno()
        except (AttributeError, OSError, ValueError):
            out_fd = None
    if out_fd is not None:
        out.flush()
        base = out.tell()

        def emit(data: bytes) -> None:
            nonlocal written
            view = memoryview(data)
            while view:
                k = os.pwrite(out_fd, view, base + written)
                view = view[k:]
                written += k
    else:
        def emit(data: bytes) -> None:
            nonlocal written, value
            out.write(data)
            written += len(data)
            if crc:
                value = zlib.crc32(data, value)

    for seg in segments:
        if isinstance(seg, Literal):
            emit(seg.data)
            continue
        assert isinstance(seg, CopyRange)
        src = open_source(seg.source)
        if seg.transform:
            copy_converted(src, seg.offset, seg.length, seg.transform, emit, label)
            continue
        done = 0
        if out_fd is not None:
            try:
                src_fd = src.fileno()
            except (AttributeError, OSError, ValueError):
                src_fd = None
            if src_fd is not None:
                done = _kernel_copy(src_fd, seg.offset, out_fd, base + written, seg.length)
                written += done
        pos = seg.offset + done
        left = seg.length - done
        while left > 0:
            data = read_at(src, pos, min(_BUF, left))
            if not data:
                raise EOFError(f"source {seg.source} ended at {pos}")
            emit(data)
            pos += len(data)
            left -= len(data)
    if out_fd is not None:
        out.seek(base + written)
    return written, value
