"""What every per-format partitioner shares: the layout of one source and its cut points.

A *source layout* says which bytes of a source file are record content (``content_start``
to ``content_end``): a byte-order mark before it is dropped, an XML/JSON header
``[bom_length, content_start)`` and footer ``[content_end, size)`` are kept aside and
re-added around every target part (filespray.md §6.3, §6.4.3-4).

A *cut* is where a split point really lands: the earlier part ends at ``end`` and the later
part starts at ``next_start`` (equal except for JSON, where the delimiter between the two
rows is dropped). ``units`` counts the records/blocks before the cut when the partitioner
knows it (-1 otherwise). Offsets are absolute file offsets.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO, NamedTuple

from .formats import Encoding, SourceFormat


class Cut(NamedTuple):
    end: int
    next_start: int
    units: int = -1


@dataclass
class SourceLayout:
    label: str                   # how errors name the source (e.g. its path)
    size: int
    content_start: int
    content_end: int
    bom_length: int = 0
    encoding: Encoding | None = None
    empty: bool = False          # XML/JSON source with no rows (counts as empty, §6.4.3)
    info: dict = field(default_factory=dict)

    @property
    def content_length(self) -> int:
        return self.content_end - self.content_start

    @property
    def header_length(self) -> int:
        return self.content_start - self.bom_length

    @property
    def footer_length(self) -> int:
        return self.size - self.content_end

    def start_cut(self) -> Cut:
        return Cut(self.content_start, self.content_start, 0)


class Partitioner:
    """Base of the per-format partitioners (FMT CPartitioner and subclasses).

    ``analyse`` finds the content range of one source with a few bounded reads.
    ``cuts`` resolves sorted absolute split points (inside the content) to real record
    boundaries and returns one cut per point plus a final cut at the content end.
    """

    has_header = False      # XML/JSON: parts get header + rows + footer
    glue = b""              # bytes put between pieces of different sources in one part
    transform = None        # name of the byte conversion applied when copying (varlen)

    def __init__(self, fmt: SourceFormat):
        self.fmt = fmt

    def analyse(self, f: BinaryIO, size: int, label: str, only_source: bool) -> SourceLayout:
        return SourceLayout(label, size, 0, size)

    def cuts(self, f: BinaryIO, layout: SourceLayout, points: list[int]) -> list[Cut]:
        raise NotImplementedError

    def output_length(self, a: Cut, b: Cut) -> int:
        """Bytes written for the source range between two cuts."""
        return max(0, b.end - a.next_start)

    def encode(self, layout: SourceLayout, text: str) -> bytes:
        enc = layout.encoding
        return text.encode(enc.codec if enc else "latin-1")


def monotone(points: list[int], floor: int) -> list[int]:
    """Sorted copy of ``points`` with every value at least ``floor``."""
    return [max(p, floor) for p in sorted(points)]
