"""Small positioned-read helpers over seekable binary file objects (no whole-file reads)."""
from __future__ import annotations

from typing import BinaryIO


def read_at(f: BinaryIO, pos: int, n: int) -> bytes:
    """Up to ``n`` bytes at ``pos`` (fewer only at end of file)."""
    if n <= 0:
        return b""
    f.seek(pos)
    data = f.read(n)
    if data is None:
        data = b""
    if len(data) < n:
        parts = [data]
        got = len(data)
        while got < n:
            more = f.read(n - got)
            if not more:
                break
            parts.append(more)
            got += len(more)
        data = b"".join(parts)
    return data


def file_size(f: BinaryIO) -> int:
    return f.seek(0, 2)


#: First read size of the progressive windows below.
FIRST_WINDOW = 64 << 10


def growing(limit: int, first: int = FIRST_WINDOW) -> list[int]:
    """Window sizes ``first, 4*first, ...`` capped by (and ending with) ``limit``: searches
    try a small read first and widen only when the answer is not in it."""
    sizes = []
    size = max(1, first)
    while size < limit:
        sizes.append(size)
        size *= 4
    sizes.append(max(limit, 0))
    return sizes
