"""What a plan asks a worker to write: ordered segments of source ranges and literal bytes.

A target file (a part of a spray, or a despray destination) is the concatenation of its
segments. A ``CopyRange`` without ``transform`` is a byte-for-byte range that a worker can
move with ``os.copy_file_range``/``sendfile``; with a transform the bytes are rewritten
(``convert.py``). ``role`` says why a segment is there (``data``, ``header``, ``footer``,
``prefix``, ``glue``) so that header/footer lengths can be recorded.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CopyRange:
    source: int                 # index into the plan's source list (or part list)
    offset: int
    length: int
    transform: str | None = None
    output_length: int | None = None   # bytes written; None = same as ``length``
    role: str = "data"

    @property
    def size(self) -> int:
        return self.length if self.output_length is None else self.output_length


@dataclass(frozen=True)
class Literal:
    data: bytes
    role: str = "data"

    @property
    def size(self) -> int:
        return len(self.data)


Segment = CopyRange | Literal


def total_size(segments: tuple[Segment, ...]) -> int:
    return sum(s.size for s in segments)


def role_size(segments: tuple[Segment, ...], role: str) -> int:
    return sum(s.size for s in segments if s.role == role)
