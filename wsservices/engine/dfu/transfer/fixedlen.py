"""Fixed-length records (FMT CSimpleFixedPartitioner, filespray.md §6.4.1).

Boundary = ``floor(splitPoint / recordSize) * recordSize``: the record containing the split
point goes to the later part. No bytes are read at all; each source must be a whole number
of records ("not a valid multiple", 8078, checked before partitioning as FC does).
"""
from __future__ import annotations

from typing import BinaryIO

from .errors import NotRecordMultiple
from .layout import Cut, Partitioner, SourceLayout


class FixedPartitioner(Partitioner):
    def analyse(self, f: BinaryIO, size: int, label: str, only_source: bool) -> SourceLayout:
        rs = self.fmt.record_size
        if size % rs:
            raise NotRecordMultiple(label, rs)
        return SourceLayout(label, size, 0, size)

    def cuts(self, f: BinaryIO, layout: SourceLayout, points: list[int]) -> list[Cut]:
        rs = self.fmt.record_size
        out = []
        for p in points:
            units = (p - layout.content_start) // rs
            b = layout.content_start + units * rs
            out.append(Cut(b, b, units))
        out.append(Cut(layout.content_end, layout.content_end, layout.content_length // rs))
        return out
