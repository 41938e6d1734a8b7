"""Rewriting length-prefixed records as ``variable`` while copying (§6.4.5, §6.4.6).

``variable_be`` swaps each 4-byte big-endian length to little-endian; ``recfmv`` replaces
each RDW by a 4-byte little-endian data length; ``recfmvb`` also drops every BDW. Record
bodies are copied in bounded chunks; only the 4-byte words pass through Python one by one.
"""
from __future__ import annotations

from typing import BinaryIO, Callable

from .errors import TruncatedRecord
from .fileio import read_at
from .varlen import bdw_length, rdw_length

_BUF = 1 << 20


class _RangeReader:
    def __init__(self, f: BinaryIO, start: int, length: int, label: str):
        self.f, self.pos, self.end, self.label = f, start, start + length, label
        self.buf, self.i = b"", 0

    @property
    def at_end(self) -> bool:
        return self.pos + self.i >= self.end

    def _abs(self) -> int:
        return self.pos + self.i

    def _refill(self) -> None:
        p = self._abs()
        self.buf = read_at(self.f, p, min(_BUF, self.end - p))
        self.pos, self.i = p, 0

    def exact(self, n: int) -> bytes:
        if self.i + n > len(self.buf):
            self._refill()
        if self.i + n > len(self.buf):
            raise TruncatedRecord(self.label, self._abs())
        out = self.buf[self.i:self.i + n]
        self.i += n
        return out

    def copy(self, n: int, write: Callable[[bytes], object]) -> None:
        while n > 0:
            if self.i >= len(self.buf):
                self._refill()
                if not self.buf:
                    raise TruncatedRecord(self.label, self._abs())
            take = min(n, len(self.buf) - self.i)
            write(self.buf[self.i:self.i + take])
            self.i += take
            n -= take


def copy_converted(f: BinaryIO, start: int, length: int, transform: str,
                   write: Callable[[bytes], object], label: str = "") -> int:
    """Copy ``[start, start+length)`` of ``f`` converting to ``variable``; returns bytes
    written."""
    r = _RangeReader(f, start, length, label)
    written = 0
    while not r.at_end:
        word = r.exact(4)
        if transform == "variable_be":
            n = int.from_bytes(word, "big")
            write(n.to_bytes(4, "little"))
            r.copy(n, write)
            written += 4 + n
        elif transform == "recfmv":
            n = rdw_length(word) - 4
            write(n.to_bytes(4, "little"))
            r.copy(n, write)
            written += 4 + n
        elif transform == "recfmvb":
            remaining = bdw_length(word) - 4
            while remaining > 0:
                rdw = r.exact(4)
                rec = rdw_length(rdw)
                if rec > remaining:
                    raise TruncatedRecord(label, r._abs() - 4)
                write((rec - 4).to_bytes(4, "little"))
                r.copy(rec - 4, write)
                written += rec
                remaining -= rec
        else:
            raise ValueError(f"unknown transform {transform!r}")
    return written
