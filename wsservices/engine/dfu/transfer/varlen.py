"""Length-prefixed records: variable, variable big-endian, recfmv, recfmvb (§6.4.5, §6.4.6).

* ``variable``: a 4-byte little-endian length, then that many bytes; ``variablebigendian``
  the same with a big-endian length.
* ``recfmv``: each record starts with a 4-byte RDW: 2-byte big-endian length *including*
  the RDW, then two zero bytes.
* ``recfmvb``: blocks, each with a 4-byte BDW (2-byte big-endian length including the BDW and
  two zero bytes; or, with the top bit set, a 31-bit length) holding RDW records.

Boundary = the start of the record (recfmvb: block) that straddles the split point; a unit
ending exactly on the split point stays in the earlier part. Finding it is a sequential walk
of the length words from the start of the source: small buffered reads of headers and seeks
over record bodies, never a read of the whole content. The walk stops at the last split
point, except for recfmvb, whose walk runs to the end because every BDW dropped shrinks the
output (the plan reports exact part sizes).

All four are written as ``variable`` (little-endian lengths): the plan marks the copied
ranges with a ``transform`` and ``convert.py`` rewrites the length words while copying.
"""
from __future__ import annotations

from typing import BinaryIO

from .errors import BadBdw, BadRdw, TruncatedBlock, TruncatedRecord
from .fileio import read_at
from .formats import Kind, SourceFormat
from .layout import Cut, Partitioner, SourceLayout

_WINDOW = 64 << 10


class HeaderReader:
    """Reads small header words at increasing offsets through a 64 KiB window; when records
    are large it reads just the header (a seek and a 4-byte read)."""

    def __init__(self, f: BinaryIO):
        self.f = f
        self.start = 0
        self.buf = b""
        self.big = False

    def read(self, pos: int, n: int) -> bytes:
        off = pos - self.start
        if 0 <= off and off + n <= len(self.buf):
            return self.buf[off:off + n]
        size = n if self.big else max(n, _WINDOW)
        self.buf = read_at(self.f, pos, size)
        self.start = pos
        return self.buf[:n]

    def hint(self, unit_length: int) -> None:
        self.big = unit_length > _WINDOW // 4


def rdw_length(word: bytes) -> int:
    """Record length (incl. RDW) from a recfmv RDW; raises 8104 when invalid."""
    reserved = int.from_bytes(word[2:4], "big")
    if reserved:
        raise BadRdw(reserved)
    length = int.from_bytes(word[0:2], "big")
    if length < 4:
        raise BadRdw(length)
    return length


def bdw_length(word: bytes) -> int:
    """Block length (incl. BDW) from a recfmvb BDW; raises 8105 when invalid."""
    value = int.from_bytes(word, "big")
    if word[0] & 0x80:
        length = value & 0x7FFFFFFF
    else:
        if value & 0xFFFF:
            raise BadBdw(value)
        length = value >> 16
    if length < 4:
        raise BadBdw(value)
    return length


class VarLenPartitioner(Partitioner):
    """One class for the four length-prefixed layouts; ``unit_length`` decodes a header."""

    def __init__(self, fmt: SourceFormat):
        super().__init__(fmt)
        kind = fmt.kind
        self.kind = kind
        self.transform = {Kind.VARIABLE: None, Kind.VARIABLE_BE: "variable_be",
                          Kind.RECFMV: "recfmv", Kind.RECFMVB: "recfmvb"}[kind]
        self.walk_to_end = kind == Kind.RECFMVB

    def unit_length(self, word: bytes) -> int:
        k = self.kind
        if k == Kind.VARIABLE:
            return 4 + int.from_bytes(word, "little")
        if k == Kind.VARIABLE_BE:
            return 4 + int.from_bytes(word, "big")
        if k == Kind.RECFMV:
            return rdw_length(word)
        return bdw_length(word)

    def truncated(self, layout: SourceLayout, pos: int) -> Exception:
        if self.kind == Kind.RECFMVB:
            return TruncatedBlock(layout.label, pos)
        return TruncatedRecord(layout.label, pos)

    def cuts(self, f: BinaryIO, layout: SourceLayout, points: list[int]) -> list[Cut]:
        reader = HeaderReader(f)
        ce = layout.content_end
        pos, units = layout.content_start, 0
        out: list[Cut] = []

        def step() -> int:
            word = reader.read(pos, 4)
            if len(word) < 4:
                raise self.truncated(layout, pos)
            length = self.unit_length(word)
            if pos + length > ce:
                raise self.truncated(layout, pos)
            reader.hint(length)
            return length

        for p in sorted(points):
            while pos < ce:
                length = step()
                if pos + length > p:
                    break
                pos += length
                units += 1
            out.append(Cut(pos, pos, units))
        if self.walk_to_end:
            while pos < ce:
                pos += step()
                units += 1
            out.append(Cut(ce, ce, units))
        else:
            out.append(Cut(ce, ce, -1))
        return out

    def output_length(self, a: Cut, b: Cut) -> int:
        n = max(0, b.end - a.next_start)
        if self.kind == Kind.RECFMVB and n:
            n -= 4 * (b.units - a.units)
        return n
